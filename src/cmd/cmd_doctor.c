/*
 * cmd_doctor - "daneops doctor": read-only checks of the mail host.
 *
 *   daneops doctor [--root DIR] [--config FILE] [--domain D] [--json]
 *                  [--skip-live] [validation options]
 *
 * Runs every check family (alias maps and role addresses, the TLSRPT
 * address, the MTA-STS policy, renewal schedules, the lineages of the daneops configuration),
 * sorts what they found and prints it, each finding with its fix.  Exit
 * status: 0 clean (info findings allowed), 1 errors or warnings, 2 usage,
 * 3 a check could not run and nothing else was found.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "cmd/cmdopt.h"
#include "doctor/aliasmap.h"
#include "doctor/findings.h"
#include "doctor/host.h"
#include "doctor/ingest.h"
#include "doctor/lineage.h"
#include "doctor/rua.h"
#include "doctor/schedules.h"
#include "doctor/sts.h"
#include "roll/conf.h"
#include "util/xalloc.h"

#define DOCTOR_MAX_SKIP 8

struct doctor_args {
	const char *root, *config, *domain;
	const char *ca_file;            /* MTA-STS: trust only these CAs */
	int json, skip_live, warn_days, timeout;
	struct resolver_opts ro;
	struct cmdopt_dns dns;
	const char *skipped[DOCTOR_MAX_SKIP];   /* "lineages: why" */
	size_t nskipped;
};

static void
doctor_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: daneops doctor [--root DIR] [--config FILE] [--domain D] "
	    "[--json]\n"
	    "                      [--skip-live] [validation options]\n"
	    "\n"
	    "Read-only checks of this mail host; every finding comes with its "
	    "fix.\n"
	    "\n"
	    "  --root DIR            inspect a copy of a system below DIR\n"
	    "  --config FILE         daneops configuration (default "
	    "ROOT" CONF_DEFAULT_PATH ")\n"
	    "  --domain D            mail domain for the TLSRPT check "
	    "(default: mydomain)\n"
	    "  --json                one JSON object (docs/doctor.md)\n"
	    "  --skip-live           no DNS, no connections: local checks "
	    "only\n"
	    CMDOPT_DNS_HELP
	    "  --warn-days N         warn when a certificate expires within N "
	    "days (21)\n"
	    "  --timeout SECONDS     limit for the live checks (60)\n"
	    "  --ca-file FILE        trust only the CAs in FILE for MTA-STS\n"
	    "\n"
	    "Exit: 0 clean, 1 findings, 2 usage, 3 could not check.\n");
}

enum {
	OPT_ROOT = 256, OPT_CONFIG, OPT_DOMAIN, OPT_JSON, OPT_SKIP_LIVE,
	OPT_WARN, OPT_TIMEOUT,
	OPT_CA_FILE,
};

static const struct option doctor_longopts[] = {
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "domain", required_argument, NULL, OPT_DOMAIN },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "skip-live", no_argument, NULL, OPT_SKIP_LIVE },
	CMDOPT_DNS_LONGOPTS,
	{ "warn-days", required_argument, NULL, OPT_WARN },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "ca-file", required_argument, NULL, OPT_CA_FILE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* One option; 0 done, -1 usage error, 1 --help. */
/* A domain name with at least one label ("" and "." are none). */
static int
doctor_domain_ok(const char *arg)
{
	char norm[DNS_NAME_MAX];
	struct err e;

	return dns_name_normalize(arg, norm, sizeof(norm), &e) != -1 &&
	    strcmp(norm, ".") != 0;
}

static int
doctor_opt(struct doctor_args *a, int c, const char *arg)
{
	long v;

	switch (c) {
	case OPT_ROOT:
		a->root = arg;
		return 0;
	case OPT_CONFIG:
		a->config = arg;
		return 0;
	case OPT_DOMAIN:
		if (!doctor_domain_ok(arg)) {
			cmd_error("doctor", "--domain '%.80s': not a mail "
			    "domain name", arg);
			return -1;
		}
		a->domain = arg;
		return 0;
	case OPT_JSON:
		a->json = 1;
		return 0;
	case OPT_SKIP_LIVE:
		a->skip_live = 1;
		return 0;
	case CMDOPT_RESOLVER:
	case CMDOPT_TA:
	case CMDOPT_STUB:
	case CMDOPT_CONF:
		return cmdopt_dns_option("doctor", &a->dns, c, arg);
	case OPT_WARN:
		if (cmdopt_number("doctor", "--warn-days", arg, 0, 3650,
		    &v) == -1)
			return -1;
		a->warn_days = (int)v;
		return 0;
	case OPT_TIMEOUT:
		if (cmdopt_number("doctor", "--timeout", arg, 1, 86400,
		    &v) == -1)
			return -1;
		a->timeout = (int)v;
		return 0;
	case OPT_CA_FILE:
		a->ca_file = arg;
		return 0;
	case 'h':
		return 1;
	default:
		return -1;
	}
}

static int
doctor_parse(struct doctor_args *a, int argc, char **argv)
{
	int c, rc;

	memset(a, 0, sizeof(*a));
	a->warn_days = 21;
	a->timeout = 60;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", doctor_longopts, NULL)) != -1)
		if ((rc = doctor_opt(a, c, optarg)) != 0)
			return rc;
	if (optind < argc) {
		cmd_error("doctor", "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	cmdopt_dns_resolver(&a->dns, &a->ro);
	a->ro.query_ms = a->timeout < 30 ? a->timeout * 1000 / 3 : 10000;
	return 0;
}

static void
doctor_skip(struct doctor_args *a, const char *what)
{
	if (a->nskipped < DOCTOR_MAX_SKIP)
		a->skipped[a->nskipped++] = what;
}

/* The daneops configuration, or NULL (skipped or unchecked noted). */
static struct conf *
doctor_conf(struct doctor_args *a, const struct host *h, struct findings *f)
{
	struct conf *c;
	struct stat st;
	struct err e;
	char *path;

	path = a->config != NULL ? xstrdup(a->config) :
	    host_path(h, CONF_DEFAULT_PATH);
	if (a->config == NULL && stat(path, &st) != 0 && errno == ENOENT) {
		doctor_skip(a, "lineages: no daneops configuration");
		free(path);
		return NULL;
	}
	if ((c = conf_load(path, &e)) == NULL)
		findings_unchecked(f, "lineages", "%s", e.msg);
	free(path);
	return c;
}

static void
doctor_tlsrpt(struct doctor_args *a, const struct host *h,
	struct aliasmap *am, const struct resolver_opts *ro,
	struct findings *f)
{
	const char *domain = a->domain != NULL ? a->domain : h->mydomain;
	struct rua_txt t;
	struct err e;

	if (a->skip_live) {
		doctor_skip(a, "tlsrpt: --skip-live");
		return;
	}
	/* Postfix's fallback "localdomain" (no dot) is no mail domain. */
	if (domain == NULL || domain[0] == '\0' || (a->domain == NULL &&
	    (!h->postfix || strchr(domain, '.') == NULL))) {
		doctor_skip(a, "tlsrpt: no domain (--domain)");
		return;
	}
	if (rua_lookup(domain, ro, a->timeout, &t, &e) == -1) {
		findings_unchecked(f, "tlsrpt", "%s", e.msg);
		return;
	}
	rua_check(am, domain, &t, f);
	rua_txt_free(&t);
}

/* The domain's MTA-STS policy against this host (doctor/sts.h). */
static void
doctor_mtasts(struct doctor_args *a, const struct host *h,
	const struct conf *c, const struct resolver_opts *ro,
	struct findings *f)
{
	const char *domain = a->domain != NULL ? a->domain : h->mydomain;
	struct sts_opts o = { ro, a->timeout < 60 ? a->timeout : 60,
	    a->ca_file };
	struct err e;

	if (a->skip_live) {
		doctor_skip(a, "mta-sts: --skip-live");
		return;
	}
	if (domain == NULL || domain[0] == '\0' || (a->domain == NULL &&
	    (!h->postfix || strchr(domain, '.') == NULL))) {
		doctor_skip(a, "mta-sts: no domain (--domain)");
		return;
	}
	if (sts_check(domain, h, c, &o, f, &e) == -1)
		findings_unchecked(f, "mta-sts", "%s", e.msg);
}

static void
doctor_lineages(struct doctor_args *a, const struct conf *c,
	const struct resolver_opts *ro, struct findings *f)
{
	struct lineage_opts lo = {
		.ro = ro,
		.warn_days = a->warn_days,
		.timeout = a->timeout,
	};
	struct err e;

	if (c == NULL)
		return;
	if (a->skip_live) {
		doctor_skip(a, "lineages: --skip-live");
		return;
	}
	if (c->nlineages == 0) {
		doctor_skip(a, "lineages: none configured");
		return;
	}
	if (lineage_check(c, &lo, f, &e) == -1)
		findings_unchecked(f, "lineages", "%s", e.msg);
}

/* Every check family; the host could be read. */
static void
doctor_run(struct doctor_args *a, const struct host *h, struct findings *f)
{
	struct resolver_opts cro;
	const struct resolver_opts *ro = &a->ro;
	struct aliasmap *am;
	struct conf *c;

	c = doctor_conf(a, h, f);
	if (!a->dns.given && c != NULL) {
		conf_resolver_opts(c, &cro);
		cro.query_ms = a->ro.query_ms;
		ro = &cro;
	}
	am = aliasmap_load(h, f);
	aliasmap_check_roles(am, f);
	ingest_check(h, am, f);
	doctor_tlsrpt(a, h, am, ro, f);
	aliasmap_free(am);
	doctor_mtasts(a, h, c, ro, f);
	schedules_check(h, f);
	doctor_lineages(a, c, ro, f);
	conf_free(c);
}

/* A fix of several lines (a setup), each line indented under "fix:". */
static void
doctor_print_fix(const char *fix)
{
	size_t n;

	printf("        fix: ");
	for (;;) {
		n = strcspn(fix, "\n");
		printf("%.*s\n", (int)n, fix);
		if (fix[n] == '\0')
			break;
		fix += n + 1;
		printf("        ");
	}
}

static void
doctor_print_human(const struct doctor_args *a, const struct findings *f)
{
	const struct finding *x;
	size_t i;

	for (i = 0; i < f->n; i++) {
		x = &f->v[i];
		printf("%-7s %s %s\n", finding_sev_name(x->sev), x->code,
		    x->subject);
		printf("        %s\n", x->message);
		if (x->fix[0] != '\0')
			doctor_print_fix(x->fix);
	}
	if (f->dropped > 0)
		printf("(%zu more findings not shown)\n", f->dropped);
	for (i = 0; i < f->nu; i++)
		printf("could not check %s: %s\n", f->u[i].check, f->u[i].why);
	for (i = 0; i < a->nskipped; i++)
		printf("skipped %s\n", a->skipped[i]);
	printf("doctor: %zu error%s, %zu warning%s, %zu info%s\n",
	    findings_count(f, FINDING_ERROR),
	    findings_count(f, FINDING_ERROR) == 1 ? "" : "s",
	    findings_count(f, FINDING_WARNING),
	    findings_count(f, FINDING_WARNING) == 1 ? "" : "s",
	    findings_count(f, FINDING_INFO),
	    f->nu > 0 ? "; some checks could not run" : "");
}

static int
doctor_print_json(const struct doctor_args *a, const struct findings *f)
{
	json_t *o = json_object(), *arr = json_array(), *u = json_array();
	json_t *s = json_array();
	size_t i;

	for (i = 0; i < f->n; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s}",
		    "severity", finding_sev_name(f->v[i].sev),
		    "code", f->v[i].code, "subject", f->v[i].subject,
		    "message", f->v[i].message, "fix", f->v[i].fix));
	for (i = 0; i < f->nu; i++)
		json_array_append_new(u, json_pack("{s:s,s:s}", "check",
		    f->u[i].check, "why", f->u[i].why));
	for (i = 0; i < a->nskipped; i++)
		json_array_append_new(s, json_string(a->skipped[i]));
	json_object_set_new(o, "root", json_string(a->root != NULL ?
	    a->root : "/"));
	json_object_set_new(o, "findings", arr);
	json_object_set_new(o, "dropped", json_integer((json_int_t)f->dropped));
	json_object_set_new(o, "unchecked", u);
	json_object_set_new(o, "skipped", s);
	json_object_set_new(o, "errors",
	    json_integer((json_int_t)findings_count(f, FINDING_ERROR)));
	json_object_set_new(o, "warnings",
	    json_integer((json_int_t)findings_count(f, FINDING_WARNING)));
	json_object_set_new(o, "info",
	    json_integer((json_int_t)findings_count(f, FINDING_INFO)));
	if (json_dumpf(o, stdout, JSON_COMPACT) != 0) {
		json_decref(o);
		return -1;
	}
	fputc('\n', stdout);
	json_decref(o);
	return 0;
}

int
cmd_doctor(int argc, char **argv)
{
	struct doctor_args a;
	struct findings *f;
	struct host *h;
	struct err e;
	int rc;

	if ((rc = doctor_parse(&a, argc, argv)) != 0) {
		doctor_usage(rc > 0 ? stdout : stderr);
		return rc > 0 ? EXIT_PASS : EXIT_USAGE;
	}
	if ((h = host_new(a.root, getenv("DANEOPS_POSTCONF"), &e)) == NULL) {
		cmd_error("doctor", "%s", e.msg);
		return exitcode_for(e.kind) == EXIT_USAGE ? EXIT_USAGE :
		    EXIT_UNCHECKED;
	}
	f = findings_new();
	doctor_run(&a, h, f);
	findings_sort(f);
	if (a.json) {
		if (doctor_print_json(&a, f) != 0) {
			cmd_error("doctor", "cannot write JSON");
			rc = EXIT_UNCHECKED;
		}
	} else
		doctor_print_human(&a, f);
	if (rc == 0 && (findings_count(f, FINDING_ERROR) > 0 ||
	    findings_count(f, FINDING_WARNING) > 0 || f->dropped > 0))
		rc = EXIT_FAILED;
	else if (rc == 0 && f->nu > 0)
		rc = EXIT_UNCHECKED;
	findings_free(f);
	host_free(h);
	return rc;
}
