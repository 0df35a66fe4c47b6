/*
 * cmd_report - "daneops report": TLS reports (RFC 8460) received by mail.
 *
 *   daneops report ingest [--file F]... [--maildir DIR]   (stdin by default)
 *   daneops report summary [--since DATE] [--domain D] [--json]
 *   daneops report digest --alert-to ADDR [--since DATE] [--domain D]
 *
 * Options, printing and exit statuses only; the engine is src/report.
 * Ingest (cmd_report_ingest.c) has the exit contract of an MTA pipe,
 * documented in daneops-report(1).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/cmd_report.h"
#include "cmd/cmdopt.h"
#include "report/alert.h"
#include "report/store.h"
#include "report/summary.h"
#include "report/tlsrpt.h"
#include "util/xalloc.h"

/* A digest covers the last day unless --since says otherwise. */
#define REPORT_DIGEST_PERIOD (24 * 3600)

static const char report_usage_text[] =
"usage: daneops report ingest [--file FILE]... [--maildir DIR] [options]\n"
"       daneops report summary [--since DATE] [--domain DOMAIN] [--json]\n"
"       daneops report digest --alert-to ADDR [--since DATE] [--domain D]\n"
"       daneops report summary --by day|mx|policy|result|receiving-mx\n"
"       daneops report html [--out FILE] [--since DATE] [--domain D]\n"
"       daneops report metrics [--out FILE]\n"
"\n"
"Store TLS reports (RFC 8460) that arrive by mail, and summarise them.\n"
"ingest reads one message on standard input (for the Postfix pipe), or the\n"
"messages or report files given.\n"
"\n"
"  --file FILE        a message, .json or .json.gz file (repeatable)\n"
"  --maildir DIR      every message in DIR/new and DIR/cur\n"
"  --db PATH          the database (" REPORT_DB ")\n"
"  --quarantine DIR   unusable messages from stdin go here\n"
"                     (" REPORT_QUARANTINE ")\n"
"  --quarantine-size MB    at most this much in it (100)\n"
"  --quarantine-days DAYS  older files there are deleted (30)\n"
"  --alert-to ADDR    mail failures (ingest) or the digest to ADDR\n"
"  --alert-from ADDR  sender of those mails (default: the MTA's choice)\n"
"  --sendmail PATH    the sendmail program (" ALERT_SENDMAIL ")\n"
"  --since DATE       YYYY-MM-DD, an RFC 3339 time, or Nd / Nh ago\n"
"  --domain DOMAIN    only this policy domain\n"
"  --json             summary as JSON\n"
"  --by KEY           summary as a series: per day, policy mx-host, policy\n"
"                     type, failure result type or receiving MX host\n"
"  --out FILE         write the HTML page or the metrics to FILE (stdout)\n"
"  -h, --help         this text\n"
"\n"
"Exit status: 0 done (ingest: stored, duplicate or quarantined), 2 usage,\n"
"3 an input or the database unusable, 75 temporary failure: try again.\n"
"See daneops-report(1).\n";

void
report_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("daneops report: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
}

char *
report_clean(const char *s, size_t max)
{
	char *out = xstrndup(s != NULL ? s : "-", max);
	char *p;

	for (p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return out;
}

int
report_mail(const struct report_args *a, const char *subject,
	const char *body, struct err *e)
{
	size_t len;
	char *msg;
	int rc;

	msg = alert_compose(a->alert_from, a->alert_to, subject, body,
	    time(NULL), &len, e);
	if (msg == NULL)
		return -1;
	rc = alert_send(a->sendmail, a->alert_from, a->alert_to, msg, len,
	    ALERT_TIMEOUT, e);
	free(msg);
	return rc;
}

/* --since: a date, a time, or "N" + d/h ago. */
static int
report_since(const char *arg, time_t *t, struct err *e)
{
	char *end;
	long n;

	if (tlsrpt_time_parse(arg, t) == 0)
		return 0;
	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno == 0 && end != arg && n >= 0 && n <= 100000 &&
	    (strcmp(end, "d") == 0 || strcmp(end, "h") == 0)) {
		*t = time(NULL) - n * (*end == 'd' ? 86400 : 3600);
		return 0;
	}
	return err_set(e, ERR_USAGE, "--since %s: expected YYYY-MM-DD, an "
	    "RFC 3339 time, or a number of days (7d) or hours (12h) ago", arg);
}

enum { OPT_FILE = 256, OPT_MAILDIR, OPT_DB, OPT_QUARANTINE, OPT_ALERT_TO,
	OPT_ALERT_FROM, OPT_SENDMAIL, OPT_SINCE, OPT_DOMAIN, OPT_JSON,
	OPT_QSIZE, OPT_QDAYS };

/* summary --by, html and metrics --out (cmd_report_html.c). */
enum { OPT_BY = 400, OPT_OUT };

static int
report_option(struct report_args *a, int ch, char *arg, struct err *e)
{
	size_t n;
	long v;

	switch (ch) {
	case OPT_FILE:
		return cmdopt_list_add("report", "--file", a->files,
		    &a->nfiles, REPORT_MAX_FILES, arg) < 0 ? -2 : 0;
	case OPT_MAILDIR:
		a->maildir = arg;
		return 0;
	case OPT_DB:
		a->db = arg;
		return 0;
	case OPT_QUARANTINE:
		a->quarantine = arg;
		return 0;
	case OPT_QSIZE:
		if (cmdopt_number("report", "--quarantine-size", arg, 1,
		    1024 * 1024, &v) == -1)
			return -2;
		a->quarantine_size = (long long)v * 1024 * 1024;
		return 0;
	case OPT_QDAYS:
		if (cmdopt_number("report", "--quarantine-days", arg, 1, 36500,
		    &v) == -1)
			return -2;
		a->quarantine_age = (time_t)v * 86400;
		return 0;
	case OPT_SENDMAIL:
		a->sendmail = arg;
		return 0;
	case OPT_JSON:
		a->json = 1;
		return 0;
	case OPT_BY:
		a->by = arg;
		return 0;
	case OPT_OUT:
		a->out = arg;
		return 0;
	case OPT_SINCE:
		return report_since(arg, &a->since, e);
	case OPT_ALERT_TO:
	case OPT_ALERT_FROM:
		if (!alert_address_ok(arg))
			return err_set(e, ERR_USAGE, "%s %s: not a usable mail "
			    "address", ch == OPT_ALERT_TO ? "--alert-to" :
			    "--alert-from", arg);
		*(ch == OPT_ALERT_TO ? &a->alert_to : &a->alert_from) = arg;
		return 0;
	case OPT_DOMAIN:
		n = strlen(arg);
		if (n > 1 && arg[n - 1] == '.')
			arg[n - 1] = '\0';
		a->domain = arg;
		return 0;
	}
	return err_set(e, ERR_USAGE, "unknown option");
}

/*
 * Parse argv (after the subcommand); -1 with e set, -2 already reported
 * (--file too often), 1 for --help, or 0.
 */
static int
report_parse(struct report_args *a, int argc, char **argv, struct err *e)
{
	static const struct option longopts[] = {
		{ "file", required_argument, NULL, OPT_FILE },
		{ "maildir", required_argument, NULL, OPT_MAILDIR },
		{ "db", required_argument, NULL, OPT_DB },
		{ "quarantine", required_argument, NULL, OPT_QUARANTINE },
		{ "quarantine-size", required_argument, NULL, OPT_QSIZE },
		{ "quarantine-days", required_argument, NULL, OPT_QDAYS },
		{ "alert-to", required_argument, NULL, OPT_ALERT_TO },
		{ "alert-from", required_argument, NULL, OPT_ALERT_FROM },
		{ "sendmail", required_argument, NULL, OPT_SENDMAIL },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "domain", required_argument, NULL, OPT_DOMAIN },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "by", required_argument, NULL, OPT_BY },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc;

	memset(a, 0, sizeof(*a));
	a->db = REPORT_DB;
	a->quarantine = REPORT_QUARANTINE;
	a->sendmail = ALERT_SENDMAIL;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (ch == 'h')
			return 1;
		if (ch == ':')
			return err_set(e, ERR_USAGE, "%s needs a value",
			    argv[optind - 1]);
		if (ch == '?')
			return err_set(e, ERR_USAGE, "unknown option %s "
			    "(daneops report --help)", argv[optind - 1]);
		if ((rc = report_option(a, ch, optarg, e)) < 0)
			return rc;
	}
	if (optind < argc)
		return err_set(e, ERR_USAGE, "unexpected argument %s (files "
		    "are given with --file)", argv[optind]);
	return 0;
}

static int
report_fail(const struct err *e)
{
	cmd_error("report", "%s", e->msg);
	return exitcode_for(e->kind);
}

/* The stored summary; NULL with e set (a missing database: ERR_INPUT). */
static struct summary *
report_load(const struct report_args *a, struct err *e)
{
	struct summary *s;
	struct store *st;

	/* Read only: a file given here is never changed (no schema, no WAL). */
	if ((st = store_open_readonly(a->db, e)) == NULL)
		return NULL;
	s = summary_new();
	if (summary_load(s, st, a->since, a->domain, e) < 0) {
		summary_free(s);
		s = NULL;
	}
	store_free(st);
	return s;
}

static int
report_summary(const struct report_args *a)
{
	struct summary *s;
	struct err e;
	char *text;

	err_clear(&e);
	if (a->nfiles > 0 || a->maildir != NULL || a->alert_to != NULL ||
	    a->out != NULL) {
		cmd_error("report", "summary takes --db, --since, --domain, --by "
		    "and --json only");
		return EXIT_USAGE;
	}
	if (a->by != NULL)
		return report_series(a);
	if ((s = report_load(a, &e)) == NULL)
		return report_fail(&e);
	text = a->json ? summary_json(s) : summary_text(s);
	fputs(text, stdout);
	free(text);
	summary_free(s);
	return EXIT_PASS;
}

static int
report_digest(struct report_args *a)
{
	struct summary *s;
	struct err e;
	char *text, *subject, *html;
	int rc = EXIT_PASS;

	err_clear(&e);
	if (a->alert_to == NULL) {
		cmd_error("report", "digest needs --alert-to ADDR");
		return EXIT_USAGE;
	}
	if (a->since == 0)
		a->since = time(NULL) - REPORT_DIGEST_PERIOD;
	if ((s = report_load(a, &e)) == NULL)
		return report_fail(&e);
	subject = xasprintf("daneops: TLS report digest: %ld reports, %lld "
	    "failed sessions", s->nreports, (long long)summary_failed(s));
	text = summary_text(s);
	html = report_digest_html(a);
	if ((html != NULL ? report_mail_alt(a, subject, text, html, &e) :
	    report_mail(a, subject, text, &e)) < 0)
		rc = report_fail(&e);
	else
		printf("digest sent to %s: %s\n", a->alert_to, subject);
	free(text);
	free(html);
	free(subject);
	summary_free(s);
	return rc;
}

int
cmd_report(int argc, char **argv)
{
	struct report_args a;
	const char *sub;
	struct err e;
	int rc;

	err_clear(&e);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(report_usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_PASS;
	}
	sub = argv[1];
	rc = report_parse(&a, argc - 1, argv + 1, &e);
	if (rc > 0)
		return fputs(report_usage_text, stdout) < 0 ? EXIT_UNCHECKED :
		    EXIT_PASS;
	if (rc == -2)
		return EXIT_USAGE;
	if (rc < 0)
		return report_fail(&e);
	if (strcmp(sub, "ingest") == 0)
		return report_ingest(&a);
	if (strcmp(sub, "summary") == 0)
		return report_summary(&a);
	if (strcmp(sub, "digest") == 0)
		return report_digest(&a);
	if (strcmp(sub, "html") == 0)
		return report_html(&a);
	if (strcmp(sub, "metrics") == 0)
		return report_metrics(&a);
	cmd_error("report", "unknown subcommand '%s': ingest, summary, "
	    "digest, html or metrics (daneops report --help)", sub);
	return EXIT_USAGE;
}
