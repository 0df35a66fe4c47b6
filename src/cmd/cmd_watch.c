/*
 * cmd_watch - "daneops watch": the survey engine on an operator's own
 * domains, for a systemd timer: a Prometheus textfile, written atomically,
 * and a mail when a domain's verdict changes.
 *
 *   daneops watch --domains FILE --prom FILE.prom [--notify-to ADDR]
 *                 [--state PATH] [options]
 *
 * The [watch] section of daneops.conf(5) will replace --domains and the
 * rest once the configuration module reads it; these options stay.
 * Exit status: 0 every domain passes (warnings included), 1 some domain
 * does not, 2 usage, 3 could not run or write.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "cmd/cmd.h"
#include "cmd/cmdopt.h"
#include "cmd/exitcode.h"
#include "cmd/survey_args.h"
#include "survey/notify.h"
#include "survey/prom.h"
#include "survey/survey.h"
#include "util/fileio.h"

struct watch_args {
	struct resolver_opts ro;
	struct cmdopt_dns dns;
	struct survey_opts so;
	struct notify_opts no;
	const char *domains, *prom;
	int timeout;
};

struct watch_run {
	struct watch_args *a;
	struct check_env env;
	struct notifier *nt;
	struct prom *prom;
	struct survey *s;
	int bad, failed;
};

static void
watch_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: daneops watch --domains FILE --prom FILE.prom "
	    "[--notify-to ADDR] [--state PATH] [options]\n"
	    "\n"
	    "Check the domains in FILE (one per line), write their state as a\n"
	    "Prometheus textfile and mail ADDR when a verdict changes.\n"
	    "\n"
	    "  --domains FILE        the domains to watch\n"
	    "  --prom FILE.prom      textfile to replace atomically\n"
	    "  --notify-to ADDR      mail changes to ADDR\n"
	    "  --notify-from ADDR    the From: address\n"
	    "  --notify-dir DIR      write the messages into DIR instead\n"
	    "  --sendmail PATH       sendmail program (/usr/sbin/sendmail)\n"
	    "  --state PATH          SQLite state: what changed since the last "
	    "run\n"
	    "  --timeout SECONDS     limit per domain (60)\n"
	    "  --port N              SMTP port of the MX hosts (25)\n"
	    CMDOPT_DNS_HELP
	    "\n"
	    "Exit: 0 all pass, 1 some domain does not, 2 usage, 3 could not "
	    "run.\n");
}

enum {
	W_DOMAINS = 256, W_PROM, W_TO, W_FROM, W_DIR, W_SENDMAIL, W_STATE,
	W_TIMEOUT, W_PORT,
};

static const struct option watch_longopts[] = {
	{ "domains", required_argument, NULL, W_DOMAINS },
	{ "prom", required_argument, NULL, W_PROM },
	{ "notify-to", required_argument, NULL, W_TO },
	{ "notify-from", required_argument, NULL, W_FROM },
	{ "notify-dir", required_argument, NULL, W_DIR },
	{ "sendmail", required_argument, NULL, W_SENDMAIL },
	{ "state", required_argument, NULL, W_STATE },
	{ "timeout", required_argument, NULL, W_TIMEOUT },
	{ "port", required_argument, NULL, W_PORT },
	CMDOPT_DNS_LONGOPTS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
watch_opt(struct watch_args *a, int c, const char *arg)
{
	long v;

	switch (c) {
	case W_DOMAINS:
		a->domains = arg;
		return 0;
	case W_PROM:
		a->prom = arg;
		return 0;
	case W_TO:
		a->no.to = arg;
		return 0;
	case W_FROM:
		a->no.from = arg;
		return 0;
	case W_DIR:
		a->no.dir = arg;
		return 0;
	case W_SENDMAIL:
		a->no.sendmail = arg;
		return 0;
	case W_STATE:
		a->no.history = arg;
		return 0;
	case CMDOPT_RESOLVER:
	case CMDOPT_TA:
	case CMDOPT_STUB:
	case CMDOPT_CONF:
		return cmdopt_dns_option("watch", &a->dns, c, arg);
	case W_TIMEOUT:
		if (cmdopt_number("watch", "--timeout", arg, 1, 3600, &v) == -1)
			return -1;
		a->timeout = (int)v;
		return 0;
	case W_PORT:
		if (cmdopt_number("watch", "--port", arg, 1, 65535, &v) == -1)
			return -1;
		a->so.co.port = (uint16_t)v;
		a->so.co.starttls = STARTTLS_SMTP;
		a->so.co.starttls_set = 1;
		return 0;
	case 'h':
		return 1;
	default:
		return -1;
	}
}

static int
watch_parse(struct watch_args *a, int argc, char **argv)
{
	int c, rc;

	memset(a, 0, sizeof(*a));
	a->so.co.warn_days = 21;
	a->timeout = 60;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", watch_longopts, NULL)) != -1)
		if ((rc = watch_opt(a, c, optarg)) != 0)
			return rc;
	if (optind < argc || a->domains == NULL || a->prom == NULL) {
		cmd_error("watch", "--domains and --prom are needed, and no "
		    "other arguments");
		return -1;
	}
	if (a->no.dir != NULL && a->no.to == NULL) {
		cmd_error("watch", "--notify-dir needs --notify-to");
		return -1;
	}
	cmdopt_dns_resolver(&a->dns, &a->ro);
	survey_timeouts(&a->so.co, &a->ro, a->timeout);
	a->so.concurrency = 64;
	a->no.on_change = 1;
	a->no.no_send = a->no.to == NULL;
	return 0;
}

static void
watch_item(void *arg, const struct survey_item *it)
{
	struct watch_run *r = arg;
	struct err e;

	if (it->error != NULL && it->unreadable)
		cmd_error("watch", "%s", it->error);
	else if (it->error != NULL)
		cmd_error("watch", "%s:%zu: %s", it->source, it->line,
		    it->error);
	if (it->error != NULL) {
		r->failed = 1;
		return;
	}
	prom_add(r->prom, it->res);
	if (it->res->verdict != CHECK_PASS && it->res->verdict != CHECK_WARN)
		r->bad = 1;
	if (notifier_result(r->nt, it->res, &e) == -1) {
		cmd_error("watch", "%s", e.msg);
		r->failed = 1;
	}
}

static void
watch_end(void *arg)
{
	struct watch_run *r = arg;

	event_base_loopexit(r->env.base, NULL);
}

static int
watch_write(struct watch_run *r, double secs)
{
	char *text = prom_finish(r->prom, time(NULL), secs);
	struct err e;
	int rc;

	rc = fileio_write_atomic(r->a->prom, text, strlen(text), 0644, &e);
	free(text);
	if (rc == -1)
		cmd_error("watch", "%s", e.msg);
	return rc;
}

static int
watch_run(struct watch_run *r, struct err *e)
{
	const char *paths[2] = { r->a->domains, NULL };
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((r->env.base = event_base_new()) == NULL)
		return err_set(e, ERR_SYSTEM, "cannot create an event loop");
	if ((r->env.resolver = resolver_new(r->env.base, &r->a->ro,
	    e)) == NULL || (r->env.ctx = probe_ssl_ctx_new(e)) == NULL ||
	    (r->nt = notifier_new(&r->a->no, e)) == NULL ||
	    (r->s = survey_new(&r->env, &r->a->so, paths, watch_item,
	    watch_end, r, e)) == NULL)
		return -1;
	r->prom = prom_new();
	survey_begin(r->s);
	event_base_dispatch(r->env.base);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (watch_write(r, (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9) == -1)
		r->failed = 1;
	return 0;
}

int
cmd_watch(int argc, char **argv)
{
	struct watch_args a;
	struct watch_run r;
	struct survey_stats st;
	struct err e;
	int rc;

	if ((rc = watch_parse(&a, argc, argv)) != 0) {
		watch_usage(rc > 0 ? stdout : stderr);
		return rc > 0 ? EXIT_PASS : EXIT_USAGE;
	}
	a.so.concurrency = survey_raise_nofile("watch", a.so.concurrency);
	memset(&r, 0, sizeof(r));
	r.a = &a;
	err_clear(&e);
	if (watch_run(&r, &e) == -1) {
		cmd_error("watch", "%s", e.msg);
		rc = exitcode_for(e.kind);
	} else {
		survey_get_stats(r.s, &st);
		rc = r.failed || st.input_error ? EXIT_UNCHECKED :
		    r.bad ? EXIT_FAILED : EXIT_PASS;
	}
	survey_free(r.s);
	notifier_free(r.nt);
	prom_free(r.prom);
	resolver_free(r.env.resolver);
	SSL_CTX_free(r.env.ctx);
	if (r.env.base != NULL)
		event_base_free(r.env.base);
	return rc;
}
