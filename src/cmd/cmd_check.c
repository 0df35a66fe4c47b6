/*
 * cmd_check - "daneops check": verify live services as a sending MTA would.
 *
 *   daneops check [options] DOMAIN...
 *   daneops check [options] --host HOST [--port N] [--starttls KIND]
 *
 * Every domain is checked at once on one event loop, one resolver and one
 * SSL_CTX; results print in command-line order.  Exit status: 0 pass
 * (warnings included), 1 a DANE failure or DANE not applicable, 2 usage,
 * 3 could not check; with --nagios the plugin's 0-3.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "cmd/check_mtasts.h"
#include "cmd/check_out.h"
#include "cmd/cmd.h"
#include "cmd/cmdopt.h"
#include "dane/check.h"
#include "dane/check_json.h"
#include "dns/resolver.h"
#include "probe/probe.h"
#include "util/xalloc.h"

struct check_args {
	struct resolver_opts ro;
	struct cmdopt_dns dns;
	struct check_opts co;
	const char *host;
	int json, nagios, timeout;
	/* MTA-STS (check_mtasts.h) */
	int no_mtasts, require_mtasts;
	struct check_mtasts mt;
};

static void
check_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: daneops check [options] DOMAIN...\n"
	    "       daneops check [options] --host HOST [--port N] "
	    "[--starttls smtp|imap|pop3|none]\n"
	    "\n"
	    "Verify DANE for every MX host and address of each DOMAIN, as a\n"
	    "sending MTA would (RFC 7672), or for one service with --host.\n"
	    "\n"
	    "  --host HOST           check one service, not a mail domain\n"
	    "  --port N              port (default 25)\n"
	    "  --starttls KIND       smtp, imap, pop3 or none (default: by "
	    "port)\n"
	    CMDOPT_DNS_HELP
	    "  --level dane|dane-only  the sender's policy assumed (dane)\n"
	    "  --sig-warn-days N     warn when a DNSSEC signature expires "
	    "within N days (7)\n"
	    "  --warn-days N         warn when a certificate expires within N "
	    "days (21)\n"
	    "  --timeout SECONDS     limit for the whole run (60)\n"
	    "  -4, -6                only IPv4 / only IPv6\n"
	    "  --json                one JSON object per domain "
	    "(docs/check-json.md)\n"
	    "  --nagios              Monitoring Plugins output and exit "
	    "status\n"
	    "  --no-mta-sts          do not check MTA-STS and TLSRPT "
	    "(docs/mta-sts.md)\n"
	    "  --ca-file FILE        trust only the CAs in FILE for MTA-STS "
	    "(default: system)\n"
	    "  --require mta-sts     an MTA-STS failure also fails the exit "
	    "status\n"
	    "\n"
	    "Exit: 0 pass, 1 DANE failure or not applicable, 2 usage, "
	    "3 could not check.\n");
}

enum {
	OPT_HOST = 256, OPT_PORT, OPT_STARTTLS, OPT_WARN, OPT_TIMEOUT,
	OPT_JSON, OPT_NAGIOS, OPT_LEVEL, OPT_SIG_WARN,
};

/* MTA-STS (check_mtasts.h); numbered apart from the options above. */
enum { OPT_NO_MTASTS = 400, OPT_CA_FILE, OPT_REQUIRE };

static const struct option check_longopts[] = {
	{ "host", required_argument, NULL, OPT_HOST },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "starttls", required_argument, NULL, OPT_STARTTLS },
	CMDOPT_DNS_LONGOPTS,
	{ "warn-days", required_argument, NULL, OPT_WARN },
	{ "level", required_argument, NULL, OPT_LEVEL },
	{ "sig-warn-days", required_argument, NULL, OPT_SIG_WARN },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "nagios", no_argument, NULL, OPT_NAGIOS },
	{ "no-mta-sts", no_argument, NULL, OPT_NO_MTASTS },
	{ "ca-file", required_argument, NULL, OPT_CA_FILE },
	{ "require", required_argument, NULL, OPT_REQUIRE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* One option; 0 done, -1 usage error, 1 --help. */
static int
check_opt(struct check_args *a, int c, const char *arg)
{
	long v;

	switch (c) {
	case OPT_HOST:
		a->host = arg;
		return 0;
	case OPT_PORT:
		if (cmdopt_number("check", "--port", arg, 1, 65535, &v) == -1)
			return -1;
		a->co.port = (uint16_t)v;
		return 0;
	case OPT_STARTTLS:
		if (starttls_parse(arg, &a->co.starttls) != 0) {
			cmd_error("check", "--starttls '%s': want smtp, imap, "
			    "pop3 or none", arg);
			return -1;
		}
		a->co.starttls_set = 1;
		return 0;
	case CMDOPT_RESOLVER:
	case CMDOPT_TA:
	case CMDOPT_STUB:
	case CMDOPT_CONF:
		return cmdopt_dns_option("check", &a->dns, c, arg);
	case OPT_WARN:
		if (cmdopt_number("check", "--warn-days", arg, 0, 3650,
		    &v) == -1)
			return -1;
		a->co.warn_days = (int)v;
		return 0;
	case OPT_SIG_WARN:
		if (cmdopt_number("check", "--sig-warn-days", arg, 0, 365,
		    &v) == -1)
			return -1;
		a->co.sig_warn_days = v == 0 ? -1 : (int)v;
		return 0;
	case OPT_LEVEL:
		if (check_level_parse(arg, &a->co.level) != 0) {
			cmd_error("check", "--level '%s': want dane or "
			    "dane-only", arg);
			return -1;
		}
		return 0;
	case OPT_TIMEOUT:
		if (cmdopt_number("check", "--timeout", arg, 1, 86400,
		    &v) == -1)
			return -1;
		a->timeout = (int)v;
		return 0;
	case OPT_JSON:
		a->json = 1;
		return 0;
	case OPT_NAGIOS:
		a->nagios = 1;
		return 0;
	case '4':
		a->co.no_ipv6 = 1;
		return 0;
	case '6':
		a->co.no_ipv4 = 1;
		return 0;
	case OPT_NO_MTASTS:
		a->no_mtasts = 1;
		return 0;
	case OPT_CA_FILE:
		a->mt.o.ca_file = arg;
		return 0;
	case OPT_REQUIRE:
		if (strcmp(arg, "mta-sts") != 0) {
			cmd_error("check", "--require '%s': want mta-sts", arg);
			return -1;
		}
		a->require_mtasts = 1;
		return 0;
	case 'h':
		return 1;
	default:
		return -1;
	}
}

static int
check_parse(struct check_args *a, int argc, char **argv)
{
	int c, rc;

	memset(a, 0, sizeof(*a));
	a->co.warn_days = 21;
	a->timeout = 60;
	optind = 1;
	while ((c = getopt_long(argc, argv, "46h", check_longopts, NULL)) != -1)
		if ((rc = check_opt(a, c, optarg)) != 0)
			return rc;
	if (a->co.no_ipv4 && a->co.no_ipv6) {
		cmd_error("check", "-4 and -6 exclude each other");
		return -1;
	}
	if (a->json && a->nagios) {
		cmd_error("check", "--json and --nagios exclude each other");
		return -1;
	}
	if ((a->host != NULL) == (optind < argc)) {
		cmd_error("check", a->host != NULL ? "--host takes no DOMAIN "
		    "arguments" : "no DOMAIN given");
		return -1;
	}
	if (a->host == NULL && (a->co.port != 0 || a->co.starttls_set)) {
		cmd_error("check", "--port and --starttls need --host");
		return -1;
	}
	if (a->no_mtasts && a->require_mtasts) {
		cmd_error("check", "--no-mta-sts and --require mta-sts exclude "
		    "each other");
		return -1;
	}
	if (a->host != NULL && a->require_mtasts) {
		cmd_error("check", "--require mta-sts needs a mail domain, not "
		    "--host");
		return -1;
	}
	/* MTA-STS is about mail domains: --host checks one service. */
	a->no_mtasts |= a->host != NULL;
	a->mt.o.no_ipv4 = a->co.no_ipv4;
	a->mt.o.no_ipv6 = a->co.no_ipv6;
	/* After DNS (a third at most), the fetch gets half the run. */
	a->mt.o.timeout_ms = a->timeout < 120 ? a->timeout * 500 : 60000;
	cmdopt_dns_resolver(&a->dns, &a->ro);
	a->co.single = a->host != NULL;
	a->co.total_ms = a->timeout * 1000;
	/*
	 * Each step gets a third of the run (at most the probe's defaults), so
	 * one stalled server is reported as such before the run's deadline.
	 */
	a->co.connect_ms = a->timeout < 30 ? a->timeout * 1000 / 3 : 10000;
	a->co.reply_ms = a->co.handshake_ms = a->timeout < 90 ?
	    a->timeout * 1000 / 3 : 30000;
	a->ro.no_ipv6 = a->co.no_ipv6;
	/* MX, then addresses, then TLSA: three queries in a row must fit. */
	a->ro.query_ms = a->timeout < 30 ? a->timeout * 1000 / 3 : 10000;
	return 0;
}

static void
check_done(void *arg, struct check_result *res)
{
	struct check_result **slot = arg;

	*slot = res;
}

static int
check_output(const struct check_args *a, struct check_result **res, size_t n)
{
	int rc = EXIT_PASS, r, colour;
	size_t i;
	json_t *j;

	if (a->nagios)
		return check_print_nagios_mtasts(stdout, res, a->mt.res, n,
		    a->require_mtasts);
	colour = !a->json && isatty(STDOUT_FILENO) &&
	    getenv("NO_COLOR") == NULL;
	for (i = 0; i < n; i++) {
		if (a->json) {
			if ((j = check_json(res[i])) == NULL) {
				cmd_error("check", "cannot build JSON");
				return EXIT_UNCHECKED;
			}
			json_object_set_new(j, "mta_sts", a->mt.res[i] != NULL ?
			    mtasts_json(a->mt.res[i]) : json_null());
			json_dumpf(j, stdout, JSON_COMPACT);
			fputc('\n', stdout);
			json_decref(j);
		} else {
			check_print_human(stdout, res[i], colour);
			check_print_mtasts(stdout, a->mt.res[i], colour);
		}
		r = check_exit_status(res[i]);
		if (a->require_mtasts && (r == EXIT_PASS || (r ==
		    EXIT_UNCHECKED && check_mtasts_exit(a->mt.res[i]) ==
		    EXIT_FAILED)))
			r = check_mtasts_exit(a->mt.res[i]);
		if (r == EXIT_FAILED ||
		    (r == EXIT_UNCHECKED && rc == EXIT_PASS))
			rc = r;
	}
	return rc;
}

/* Run every check on one loop; 0, or an exit status on setup failure. */
static int
check_run(struct check_args *a, char **names, size_t n,
	struct check_result **res)
{
	struct check_env env = { NULL, NULL, NULL };
	struct check **cs;
	struct err e;
	size_t i;
	int rc = 0;

	cs = xcalloc(n, sizeof(*cs));
	if ((env.base = event_base_new()) == NULL) {
		cmd_error("check", "cannot create an event loop");
		free(cs);
		return EXIT_UNCHECKED;
	}
	if ((env.resolver = resolver_new(env.base, &a->ro, &e)) == NULL ||
	    (env.ctx = probe_ssl_ctx_new(&e)) == NULL) {
		cmd_error("check", "%s", e.msg);
		rc = exitcode_for(e.kind);
		goto out;
	}
	for (i = 0; i < n; i++) {
		cs[i] = check_start(&env, names[i], &a->co, check_done, &res[i],
		    &e);
		if (cs[i] == NULL) {
			cmd_error("check", "%s", e.msg);
			rc = exitcode_for(e.kind);
			goto out;
		}
	}
	if (!a->no_mtasts && check_mtasts_start(&a->mt, &env,
	    (const char *const *)names, n, &e) < 0) {
		cmd_error("check", "%s", e.msg);
		rc = exitcode_for(e.kind);
		goto out;
	}
	event_base_dispatch(env.base);
out:
	check_mtasts_end(&a->mt, res, n);
	for (i = 0; i < n; i++)
		if (res[i] == NULL)
			check_cancel(cs[i]);
	free(cs);
	resolver_free(env.resolver);
	SSL_CTX_free(env.ctx);
	event_base_free(env.base);
	return rc;
}

int
cmd_check(int argc, char **argv)
{
	struct check_args a;
	struct check_result **res;
	char **names;
	size_t n, i;
	int rc;

	if ((rc = check_parse(&a, argc, argv)) != 0) {
		check_usage(rc > 0 ? stdout : stderr);
		return rc > 0 ? EXIT_PASS : EXIT_USAGE;
	}
	names = a.host != NULL ? (char **)&a.host : argv + optind;
	n = a.host != NULL ? 1 : (size_t)(argc - optind);
	res = xcalloc(n, sizeof(*res));
	a.mt.res = xcalloc(n, sizeof(*a.mt.res));
	rc = check_run(&a, names, n, res);
	if (rc == 0)
		rc = check_output(&a, res, n);
	for (i = 0; i < n; i++) {
		check_result_free(res[i]);
		mtasts_result_free(a.mt.res[i]);
	}
	free(a.mt.res);
	free(res);
	return rc;
}
