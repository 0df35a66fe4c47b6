/*
 * cmd_survey_args - options of "daneops survey".
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cmd/cmd.h"
#include "cmd/survey_args.h"
#include "util/xalloc.h"

void
survey_args_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: daneops survey [options] [FILE...]\n"
	    "\n"
	    "Check DANE for every mail domain listed in FILEs (or stdin), one\n"
	    "per line, and print one JSON object per domain (the schema of\n"
	    "docs/check-json.md), then a summary.\n"
	    "\n"
	    "  --concurrency N       domains in flight (256)\n"
	    "  --per-address K       connections to one address at a time (2)\n"
	    "  --rate R              new connections per second (no limit)\n"
	    "  --shard I/N           only the I-th of N parts (by name hash)\n"
	    "  --cache-size N        probe results kept for reuse (4096)\n"
	    "  --no-cache            probe for every domain (a baseline)\n"
	    "  --timeout SECONDS     limit per domain (60)\n"
	    "  --port N              SMTP port of the MX hosts (25)\n"
	    "  --warn-days N         certificate expiry warning (21)\n"
	    CMDOPT_DNS_HELP
	    "  -4, -6                only IPv4 / only IPv6\n"
	    "  --notify              mail each failing domain's postmaster\n"
	    "  --notify-cc ADDR      and a copy to ADDR\n"
	    "  --notify-to ADDR      mail ADDR instead of the postmasters\n"
	    "  --notify-from ADDR    the From: address\n"
	    "  --notify-dir DIR      write the messages into DIR instead\n"
	    "  --notify-interval D   days between mails per domain (7)\n"
	    "  --sendmail PATH       sendmail program (/usr/sbin/sendmail)\n"
	    "  --history PATH        SQLite history for rate limiting\n"
	    "\n"
	    "Exit: 0 done, 2 usage, 3 could not run or read an input, 130/143\n"
	    "interrupted (the summary is printed).\n");
}

size_t
survey_raise_nofile(const char *cmd, size_t concurrency)
{
	struct rlimit rl;
	size_t fit;

	/*
	 * Hundreds of probes and DNS sockets in flight outgrow the usual
	 * soft limit of 1024 descriptors; the hard limit is ours to take.
	 */
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return concurrency;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	/*
	 * A socket refused for want of descriptors would be reported as
	 * the domain's failure: stay well inside the limit instead (a few
	 * connections and two DNS queries per domain, and some spare).
	 */
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= concurrency * 4 + 64)
		return concurrency;
	fit = rl.rlim_cur > 68 ? (size_t)(rl.rlim_cur - 64) / 4 : 1;
	cmd_error(cmd, "--concurrency %zu needs more open files than the "
	    "limit of %llu allows: using %zu", concurrency,
	    (unsigned long long)rl.rlim_cur, fit);
	return fit;
}

void
survey_timeouts(struct check_opts *co, struct resolver_opts *ro, int timeout)
{
	/* As check: each step a third of the domain's time, at most the
	 * probe's defaults; three DNS queries in a row must fit. */
	co->total_ms = timeout * 1000;
	co->connect_ms = timeout < 30 ? timeout * 1000 / 3 : 10000;
	co->reply_ms = co->handshake_ms = timeout < 90 ? timeout * 1000 / 3 :
	    30000;
	ro->query_ms = timeout < 30 ? timeout * 1000 / 3 : 10000;
}

enum {
	OPT_CONC = 256, OPT_PERADDR, OPT_RATE, OPT_SHARD, OPT_CACHE,
	OPT_NOCACHE, OPT_TIMEOUT, OPT_PORT, OPT_WARN, OPT_NOTIFY, OPT_CC,
	OPT_TO, OPT_FROM, OPT_DIR, OPT_INTERVAL, OPT_SENDMAIL, OPT_HISTORY,
};

static const struct option survey_longopts[] = {
	{ "concurrency", required_argument, NULL, OPT_CONC },
	{ "per-address", required_argument, NULL, OPT_PERADDR },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "cache-size", required_argument, NULL, OPT_CACHE },
	{ "no-cache", no_argument, NULL, OPT_NOCACHE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "warn-days", required_argument, NULL, OPT_WARN },
	CMDOPT_DNS_LONGOPTS,
	{ "notify", no_argument, NULL, OPT_NOTIFY },
	{ "notify-cc", required_argument, NULL, OPT_CC },
	{ "notify-to", required_argument, NULL, OPT_TO },
	{ "notify-from", required_argument, NULL, OPT_FROM },
	{ "notify-dir", required_argument, NULL, OPT_DIR },
	{ "notify-interval", required_argument, NULL, OPT_INTERVAL },
	{ "sendmail", required_argument, NULL, OPT_SENDMAIL },
	{ "history", required_argument, NULL, OPT_HISTORY },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
survey_shard(struct survey_args *a, const char *arg)
{
	unsigned i, n;
	char c;

	if (sscanf(arg, "%u/%u%c", &i, &n, &c) != 2 || n < 1 || n > 65536 ||
	    i < 1 || i > n) {
		cmd_error("survey", "--shard '%s': want I/N with 1 <= I <= N",
		    arg);
		return -1;
	}
	a->so.shard = i;
	a->so.nshards = n;
	return 0;
}

static int
survey_rate(struct survey_args *a, const char *arg)
{
	char *end;

	errno = 0;
	a->so.po.rate = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || a->so.po.rate <= 0 ||
	    a->so.po.rate > 1e6) {
		cmd_error("survey", "--rate '%s': want connections per second",
		    arg);
		return -1;
	}
	return 0;
}

/* Options that take a number. */
static int
survey_opt_num(struct survey_args *a, int c, const char *arg)
{
	long v;

	switch (c) {
	case OPT_CONC:
		if (cmdopt_number("survey", "--concurrency", arg, 1, 65536,
		    &v) == -1)
			return -1;
		a->so.concurrency = (size_t)v;
		return 0;
	case OPT_PERADDR:
		if (cmdopt_number("survey", "--per-address", arg, 1, 1024,
		    &v) == -1)
			return -1;
		a->so.po.per_address = (size_t)v;
		return 0;
	case OPT_CACHE:
		if (cmdopt_number("survey", "--cache-size", arg, 1, 10000000,
		    &v) == -1)
			return -1;
		a->so.po.max_entries = (size_t)v;
		return 0;
	case OPT_TIMEOUT:
		if (cmdopt_number("survey", "--timeout", arg, 1, 3600,
		    &v) == -1)
			return -1;
		a->timeout = (int)v;
		return 0;
	case OPT_PORT:
		if (cmdopt_number("survey", "--port", arg, 1, 65535, &v) == -1)
			return -1;
		a->so.co.port = (uint16_t)v;
		/* MX hosts speak SMTP whatever the port. */
		a->so.co.starttls = STARTTLS_SMTP;
		a->so.co.starttls_set = 1;
		return 0;
	case OPT_WARN:
		if (cmdopt_number("survey", "--warn-days", arg, 0, 3650,
		    &v) == -1)
			return -1;
		a->so.co.warn_days = (int)v;
		return 0;
	case OPT_INTERVAL:
		if (cmdopt_number("survey", "--notify-interval", arg, 0, 3650,
		    &v) == -1)
			return -1;
		/* 0 days: every run (notify.h: a negative interval). */
		a->no.interval = v == 0 ? -1 : v * 86400;
		return 0;
	}
	return -1;
}

/* One option; 0 done, -1 usage error, 1 --help. */
static int
survey_opt(struct survey_args *a, int c, const char *arg)
{
	switch (c) {
	case OPT_RATE:
		return survey_rate(a, arg);
	case OPT_SHARD:
		return survey_shard(a, arg);
	case OPT_NOCACHE:
		a->so.no_cache = 1;
		return 0;
	case CMDOPT_RESOLVER:
	case CMDOPT_TA:
	case CMDOPT_STUB:
	case CMDOPT_CONF:
		return cmdopt_dns_option("survey", &a->dns, c, arg);
	case OPT_NOTIFY:
		a->notify = 1;
		return 0;
	case OPT_CC:
		a->no.cc = arg;
		return 0;
	case OPT_TO:
		a->no.to = arg;
		return 0;
	case OPT_FROM:
		a->no.from = arg;
		return 0;
	case OPT_DIR:
		a->no.dir = arg;
		return 0;
	case OPT_SENDMAIL:
		a->no.sendmail = arg;
		return 0;
	case OPT_HISTORY:
		a->no.history = arg;
		return 0;
	case '4':
		a->so.co.no_ipv6 = 1;
		return 0;
	case '6':
		a->so.co.no_ipv4 = 1;
		return 0;
	case 'h':
		return 1;
	default:
		return survey_opt_num(a, c, arg);
	}
}

int
survey_args_parse(struct survey_args *a, int argc, char **argv)
{
	int c, rc, i;

	memset(a, 0, sizeof(*a));
	a->so.co.warn_days = 21;
	a->timeout = 60;
	optind = 1;
	while ((c = getopt_long(argc, argv, "46h", survey_longopts,
	    NULL)) != -1)
		if ((rc = survey_opt(a, c, optarg)) != 0)
			return rc;
	if (a->so.co.no_ipv4 && a->so.co.no_ipv6) {
		cmd_error("survey", "-4 and -6 exclude each other");
		return -1;
	}
	if (!a->notify && (a->no.cc != NULL || a->no.to != NULL ||
	    a->no.dir != NULL)) {
		cmd_error("survey", "--notify-cc, --notify-to and --notify-dir "
		    "need --notify");
		return -1;
	}
	cmdopt_dns_resolver(&a->dns, &a->ro);
	survey_timeouts(&a->so.co, &a->ro, a->timeout);
	a->ro.no_ipv6 = a->so.co.no_ipv6;
	/*
	 * Full query names: fewer queries for the surveyed domains' servers
	 * (docs/survey.md); --resolver-conf may turn minimisation back on.
	 */
	a->ro.no_qname_minimisation = 1;
	a->paths = xcalloc((size_t)(argc - optind) + 1, sizeof(*a->paths));
	for (i = optind; i < argc; i++)
		a->paths[i - optind] = argv[i];
	return 0;
}

void
survey_args_free(struct survey_args *a)
{
	free(a->paths);
	a->paths = NULL;
}
