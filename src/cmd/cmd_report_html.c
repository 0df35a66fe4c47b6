/*
 * cmd_report_html - "daneops report summary --by KEY" and "daneops report
 * html [--out FILE]": the stored reports as series (report/series.h) and
 * as one self-contained HTML page (report/html.h); "daneops report
 * metrics [--out FILE]": Prometheus counters (report/metrics.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/cmd_report.h"
#include "report/alert.h"
#include "report/html.h"
#include "report/metrics.h"
#include "report/series.h"
#include "util/fileio.h"

/* Every series from the database; -1 with e (a missing one is no data). */
static int
report_series_load(const struct report_args *a, struct series_set *set,
	struct err *e)
{
	struct store *st;
	int rc;

	if (access(a->db, F_OK) < 0)
		return err_set_errno(e, ERR_INPUT, errno, "%s: no database "
		    "(nothing ingested yet?)", a->db);
	if ((st = store_open(a->db, e)) == NULL)
		return -1;
	rc = series_load(set, st, a->since, a->domain, e);
	store_free(st);
	return rc;
}

static int
report_series_fail(const struct err *e)
{
	cmd_error("report", "%s", e->msg);
	return exitcode_for(e->kind);
}

int
report_series(const struct report_args *a)
{
	struct series_set set;
	enum series_by by;
	struct err e;
	char *text;

	if (series_by_parse(a->by, &by) < 0) {
		cmd_error("report", "--by %s: want day, mx, policy, result or "
		    "receiving-mx", a->by);
		return EXIT_USAGE;
	}
	if (report_series_load(a, &set, &e) < 0)
		return report_series_fail(&e);
	text = a->json ? series_json(&set, by) : series_text(&set, by);
	fputs(text, stdout);
	free(text);
	series_set_clear(&set);
	return EXIT_PASS;
}

int
report_html(const struct report_args *a)
{
	struct series_set set;
	struct err e;
	char *page;
	int rc = EXIT_PASS;

	if (a->nfiles > 0 || a->maildir != NULL || a->alert_to != NULL ||
	    a->json || a->by != NULL) {
		cmd_error("report", "html takes --db, --since, --domain and --out "
		    "only");
		return EXIT_USAGE;
	}
	if (report_series_load(a, &set, &e) < 0)
		return report_series_fail(&e);
	page = html_page(&set, time(NULL));
	if (a->out == NULL)
		fputs(page, stdout);
	else if (fileio_write_atomic(a->out, page, strlen(page), 0644,
	    &e) < 0)
		rc = report_series_fail(&e);
	free(page);
	series_set_clear(&set);
	return rc;
}

int
report_metrics(const struct report_args *a)
{
	struct store *st;
	struct err e;
	char *text;
	int rc = EXIT_PASS;

	if (a->nfiles > 0 || a->maildir != NULL || a->alert_to != NULL ||
	    a->json || a->by != NULL || a->since != 0 || a->domain != NULL) {
		cmd_error("report", "metrics takes --db and --out only");
		return EXIT_USAGE;
	}
	if (access(a->db, F_OK) < 0) {
		err_set_errno(&e, ERR_INPUT, errno, "%s: no database (nothing "
		    "ingested yet?)", a->db);
		return report_series_fail(&e);
	}
	if ((st = store_open(a->db, &e)) == NULL)
		return report_series_fail(&e);
	text = metrics_text(st, &e);
	store_free(st);
	if (text == NULL)
		return report_series_fail(&e);
	if (a->out == NULL)
		fputs(text, stdout);
	else if (fileio_write_atomic(a->out, text, strlen(text), 0644,
	    &e) < 0)
		rc = report_series_fail(&e);
	free(text);
	return rc;
}

char *
report_digest_html(const struct report_args *a)
{
	struct series_set set;
	struct err e;
	char *page;

	if (report_series_load(a, &set, &e) < 0)
		return NULL;
	page = html_page(&set, time(NULL));
	series_set_clear(&set);
	return page;
}

int
report_mail_alt(const struct report_args *a, const char *subject,
	const char *text, const char *html, struct err *e)
{
	size_t len;
	char *msg;
	int rc;

	msg = alert_compose_alt(a->alert_from, a->alert_to, subject, text,
	    html, time(NULL), &len, e);
	if (msg == NULL)
		return -1;
	rc = alert_send(a->sendmail, a->alert_from, a->alert_to, msg, len,
	    ALERT_TIMEOUT, e);
	free(msg);
	return rc;
}
