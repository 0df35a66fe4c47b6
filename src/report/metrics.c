/*
 * metrics - TLS report counters for Prometheus (see metrics.h).
 */
#include "report/metrics.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/sbuf.h"
#include "util/xalloc.h"

#define METRICS_MAX (32 * 1024 * 1024)

/* total(): no overflow error from a hostile report (summary.c). */
static const char metrics_q_sessions[] =
	"SELECT p.policy_domain, p.policy_type, p.mx_host,"
	" total(p.successful), total(p.failed)"
	" FROM policies p GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";
static const char metrics_q_failures[] =
	"SELECT p.policy_domain, f.result_type,"
	" coalesce(f.receiving_mx_hostname, ''), total(f.failed_sessions)"
	" FROM failures f JOIN policies p ON p.id = f.policy"
	" GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";
static const char metrics_q_reports[] =
	"SELECT count(*), max(end_time) FROM reports";

/* One label: name="value", value escaped as the text format wants. */
static void
label(struct sbuf *b, const char *name, const unsigned char *v, int first)
{
	const char *s = v != NULL ? (const char *)v : "";

	sbuf_printf(b, "%s%s=\"", first ? "" : ",", name);
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			sbuf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			sbuf_adds(b, "\\n");
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			sbuf_adds(b, "?");
		else
			sbuf_add(b, s, 1);
	}
	sbuf_adds(b, "\"");
}

static int
metrics_prepare(struct store *st, const char *sql, sqlite3_stmt **q,
	struct err *e)
{
	int rc = sqlite3_prepare_v2(store_db(st), sql, -1, q, NULL);

	return rc == SQLITE_OK ? 0 : store_err(st, rc, "metrics query", e);
}

static int
metrics_sessions(struct sbuf *b, struct store *st, struct err *e)
{
	sqlite3_stmt *q;
	size_t n = 0;
	int64_t other[2] = { 0, 0 };
	int rc, r;

	if (metrics_prepare(st, metrics_q_sessions, &q, e) < 0)
		return -1;
	sbuf_adds(b, "# HELP daneops_tlsrpt_sessions_total SMTP sessions in "
	    "the stored TLS reports, by policy domain, policy type, policy "
	    "mx-host and result.\n# TYPE daneops_tlsrpt_sessions_total "
	    "counter\n");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (n++ >= METRICS_MAX_SERIES / 2) {
			other[0] += sqlite3_column_int64(q, 3);
			other[1] += sqlite3_column_int64(q, 4);
			continue;
		}
		for (r = 0; r < 2; r++) {
			sbuf_adds(b, "daneops_tlsrpt_sessions_total{");
			label(b, "domain", sqlite3_column_text(q, 0), 1);
			label(b, "policy_type", sqlite3_column_text(q, 1), 0);
			label(b, "mx", sqlite3_column_text(q, 2), 0);
			label(b, "result", (const unsigned char *)(r == 0 ?
			    "successful" : "failed"), 0);
			sbuf_printf(b, "} %" PRId64 "\n",
			    (int64_t)sqlite3_column_int64(q, 3 + r));
		}
	}
	sqlite3_finalize(q);
	if (n > METRICS_MAX_SERIES / 2)
		for (r = 0; r < 2; r++)
			sbuf_printf(b, "daneops_tlsrpt_sessions_total{domain=\"(other)"
			    "\",policy_type=\"(other)\",mx=\"(other)\",result=\"%s\"}"
			    " %" PRId64 "\n", r == 0 ? "successful" : "failed",
			    other[r]);
	return rc == SQLITE_DONE ? 0 : store_err(st, rc, "metrics query", e);
}

static int
metrics_failures(struct sbuf *b, struct store *st, struct err *e)
{
	sqlite3_stmt *q;
	size_t n = 0;
	int64_t other = 0;
	int rc;

	if (metrics_prepare(st, metrics_q_failures, &q, e) < 0)
		return -1;
	sbuf_adds(b, "# HELP daneops_tlsrpt_failed_sessions_total Failed SMTP "
	    "sessions in the stored TLS reports, by policy domain, result type "
	    "and receiving MX host.\n# TYPE daneops_tlsrpt_failed_sessions_total"
	    " counter\n");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (n++ >= METRICS_MAX_SERIES) {
			other += sqlite3_column_int64(q, 3);
			continue;
		}
		sbuf_adds(b, "daneops_tlsrpt_failed_sessions_total{");
		label(b, "domain", sqlite3_column_text(q, 0), 1);
		label(b, "result_type", sqlite3_column_text(q, 1), 0);
		label(b, "receiving_mx", sqlite3_column_text(q, 2), 0);
		sbuf_printf(b, "} %" PRId64 "\n",
		    (int64_t)sqlite3_column_int64(q, 3));
	}
	sqlite3_finalize(q);
	if (n > METRICS_MAX_SERIES)
		sbuf_printf(b, "daneops_tlsrpt_failed_sessions_total{domain="
		    "\"(other)\",result_type=\"(other)\",receiving_mx=\"(other)\"}"
		    " %" PRId64 "\n", other);
	return rc == SQLITE_DONE ? 0 : store_err(st, rc, "metrics query", e);
}

static int
metrics_reports(struct sbuf *b, struct store *st, struct err *e)
{
	sqlite3_stmt *q;
	int rc;

	if (metrics_prepare(st, metrics_q_reports, &q, e) < 0)
		return -1;
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		sbuf_printf(b, "# HELP daneops_tlsrpt_reports_total TLS reports "
		    "stored.\n# TYPE daneops_tlsrpt_reports_total counter\n"
		    "daneops_tlsrpt_reports_total %" PRId64 "\n",
		    (int64_t)sqlite3_column_int64(q, 0));
		if (sqlite3_column_type(q, 1) != SQLITE_NULL)
			sbuf_printf(b, "# HELP daneops_tlsrpt_last_report_"
			    "timestamp_seconds End of the newest stored report's "
			    "period.\n# TYPE daneops_tlsrpt_last_report_timestamp_"
			    "seconds gauge\ndaneops_tlsrpt_last_report_timestamp_"
			    "seconds %" PRId64 "\n",
			    (int64_t)sqlite3_column_int64(q, 1));
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_err(st, rc, "metrics query", e);
}

char *
metrics_text(struct store *st, struct err *e)
{
	struct sbuf b;
	int rc;

	sbuf_init(&b, METRICS_MAX);
	/* One read transaction: the families agree with each other. */
	rc = sqlite3_exec(store_db(st), "BEGIN", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		sbuf_free(&b);
		store_err(st, rc, "begin", e);
		return NULL;
	}
	rc = metrics_sessions(&b, st, e);
	if (rc == 0)
		rc = metrics_failures(&b, st, e);
	if (rc == 0)
		rc = metrics_reports(&b, st, e);
	sqlite3_exec(store_db(st), "COMMIT", NULL, NULL, NULL);
	if (rc < 0) {
		sbuf_free(&b);
		return NULL;
	}
	return sbuf_steal(&b, NULL);
}
