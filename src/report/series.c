/*
 * series - the stored reports as series (see series.h).
 */
#include "report/series.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/sbuf.h"
#include "util/xalloc.h"

#define SERIES_KEY_MAX 255

static const char *const series_names[SERIES_N] = {
	"day", "policy", "mx", "result", "receiving-mx",
};

/* As summary.c: reports ending at or after since, one policy domain. */
#define SERIES_FROM \
	" FROM policies p JOIN reports r ON r.id = p.report" \
	" WHERE r.end_time >= ?1 AND (?2 IS NULL OR" \
	" p.policy_domain = ?2 COLLATE NOCASE)"
#define SERIES_FROM_F \
	" FROM failures f JOIN policies p ON p.id = f.policy" \
	" JOIN reports r ON r.id = p.report" \
	" WHERE r.end_time >= ?1 AND (?2 IS NULL OR" \
	" p.policy_domain = ?2 COLLATE NOCASE)"

/* total(), not sum(), for the reason summary.c gives: no overflow error. */
static const char *const series_sql[SERIES_N] = {
	"SELECT strftime('%Y-%m-%d', r.start_time, 'unixepoch'),"
	" total(p.successful), total(p.failed)" SERIES_FROM
	" GROUP BY 1 ORDER BY 1",
	"SELECT p.policy_type, total(p.successful), total(p.failed)"
	SERIES_FROM " GROUP BY 1 ORDER BY 1",
	"SELECT p.mx_host, total(p.successful), total(p.failed)"
	SERIES_FROM " GROUP BY 1 ORDER BY 3 DESC, 1",
	"SELECT f.result_type, 0, total(f.failed_sessions)"
	SERIES_FROM_F " GROUP BY 1 ORDER BY 3 DESC, 1",
	"SELECT coalesce(f.receiving_mx_hostname, '(not given)'), 0,"
	" total(f.failed_sessions)" SERIES_FROM_F
	" GROUP BY 1 ORDER BY 3 DESC, 1",
};

int
series_by_parse(const char *s, enum series_by *by)
{
	int i;

	for (i = 0; i < SERIES_N; i++)
		if (strcmp(s, series_names[i]) == 0) {
			*by = (enum series_by)i;
			return 0;
		}
	return -1;
}

const char *
series_by_name(enum series_by by)
{
	return (unsigned)by < SERIES_N ? series_names[by] : "?";
}

char *
series_clean(const char *s, size_t max)
{
	char *out = xstrndup(s != NULL ? s : "", max), *p;

	for (p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return out;
}

void
series_set_clear(struct series_set *set)
{
	size_t i, j;

	for (i = 0; i < SERIES_N; i++) {
		for (j = 0; j < set->s[i].nrows; j++)
			free(set->s[i].rows[j].key);
		free(set->s[i].rows);
	}
	memset(set, 0, sizeof(*set));
}

static int
series_query(struct series *s, struct store *st, const char *sql,
	time_t since, const char *domain, long *count, struct err *e)
{
	const unsigned char *k;
	sqlite3_stmt *q;
	int rc;

	rc = sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_err(st, rc, "series query", e);
	sqlite3_bind_int64(q, 1, (sqlite3_int64)since);
	if (domain != NULL)
		sqlite3_bind_text(q, 2, domain, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(q, 2);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t ok = sqlite3_column_int64(q, 1);
		int64_t bad = sqlite3_column_int64(q, 2);

		if (count != NULL) {
			*count = (long)sqlite3_column_int64(q, 0);
			continue;
		}
		s->successful += ok;
		s->failed += bad;
		if (s->nrows >= SERIES_MAX_ROWS) {
			s->omitted++;
			continue;
		}
		s->rows = xreallocarray(s->rows, s->nrows + 1,
		    sizeof(*s->rows));
		k = sqlite3_column_text(q, 0);
		s->rows[s->nrows].key = series_clean(k != NULL ?
		    (const char *)k : "", SERIES_KEY_MAX);
		s->rows[s->nrows].successful = ok;
		s->rows[s->nrows].failed = bad;
		s->nrows++;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_err(st, rc, "series query", e);
}

int
series_load(struct series_set *set, struct store *st, time_t since,
	const char *domain, struct err *e)
{
	int i, rc;

	memset(set, 0, sizeof(*set));
	set->since = since;
	set->domain = domain;
	/* One read transaction: every series sees the same reports. */
	rc = sqlite3_exec(store_db(st), "BEGIN", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_err(st, rc, "begin", e);
	for (i = 0, rc = 0; i < SERIES_N && rc == 0; i++) {
		set->s[i].by = (enum series_by)i;
		rc = series_query(&set->s[i], st, series_sql[i], since, domain,
		    NULL, e);
	}
	if (rc == 0)
		rc = series_query(NULL, st, "SELECT count(DISTINCT r.id)"
		    SERIES_FROM, since, domain, &set->nreports, e);
	sqlite3_exec(store_db(st), "COMMIT", NULL, NULL, NULL);
	if (rc < 0)
		series_set_clear(set);
	return rc;
}

char *
series_text(const struct series_set *set, enum series_by by)
{
	const struct series *s = &set->s[by];
	static const char *const heads[SERIES_N] = {
		"day (UTC)", "policy type", "policy mx-host",
		"failure result type", "receiving MX host",
	};
	struct sbuf b;
	size_t i, w = strlen(heads[by]);

	sbuf_init(&b, 4 * 1024 * 1024);
	for (i = 0; i < s->nrows; i++)
		if (strlen(s->rows[i].key) > w)
			w = strlen(s->rows[i].key);
	if (w > 60)
		w = 60;
	sbuf_printf(&b, "TLS reports: %ld%s%s\n", set->nreports,
	    set->domain != NULL ? ", policy domain " : "",
	    set->domain != NULL ? set->domain : "");
	sbuf_printf(&b, "%-*s %12s %12s\n", (int)w, heads[by], by >=
	    SERIES_RESULT ? "" : "successful", "failed");
	for (i = 0; i < s->nrows; i++) {
		char ok[24] = "";

		if (by < SERIES_RESULT)
			snprintf(ok, sizeof(ok), "%" PRId64,
			    s->rows[i].successful);
		sbuf_printf(&b, "%-*.*s %12s %12" PRId64 "\n", (int)w, 60,
		    s->rows[i].key[0] != '\0' ? s->rows[i].key : "(none)",
		    ok, s->rows[i].failed);
	}
	if (s->omitted > 0)
		sbuf_printf(&b, "(%zu more rows left out)\n", s->omitted);
	if (by < SERIES_RESULT)
		sbuf_printf(&b, "%-*s %12" PRId64 " %12" PRId64 "\n", (int)w,
		    "total", s->successful, s->failed);
	else
		sbuf_printf(&b, "%-*s %12s %12" PRId64 "\n", (int)w, "total",
		    "", s->failed);
	return sbuf_steal(&b, NULL);
}

char *
series_json(const struct series_set *set, enum series_by by)
{
	const struct series *s = &set->s[by];
	json_t *o = json_object(), *rows = json_array(), *r;
	char *text, *out;
	size_t i;

	json_object_set_new(o, "by", json_string(series_by_name(by)));
	json_object_set_new(o, "reports", json_integer(set->nreports));
	json_object_set_new(o, "domain", set->domain != NULL ?
	    json_string(set->domain) : json_null());
	json_object_set_new(o, "since", json_integer((json_int_t)set->since));
	for (i = 0; i < s->nrows; i++) {
		r = json_object();
		json_object_set_new(r, "key", json_string(s->rows[i].key));
		json_object_set_new(r, "successful", by < SERIES_RESULT ?
		    json_integer(s->rows[i].successful) : json_null());
		json_object_set_new(r, "failed", json_integer(s->rows[i].failed));
		json_array_append_new(rows, r);
	}
	json_object_set_new(o, "rows", rows);
	json_object_set_new(o, "successful", by < SERIES_RESULT ?
	    json_integer(s->successful) : json_null());
	json_object_set_new(o, "failed", json_integer(s->failed));
	json_object_set_new(o, "omitted", json_integer((json_int_t)s->omitted));
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	out = xasprintf("%s\n", text != NULL ? text : "{}");
	free(text);
	return out;
}
