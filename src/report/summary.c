/*
 * summary - what the TLS reports say, per policy domain and MX host.
 */
#include "report/summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/sbuf.h"
#include "util/xalloc.h"

/* Largest rendering: rows are capped, so this is never reached in practice. */
#define SUMMARY_MAX_TEXT (16 * 1024 * 1024)

struct summary *
summary_new(void)
{
	return xcalloc(1, sizeof(struct summary));
}

static void
summary_row_clear(struct summary_row *r)
{
	size_t i;

	for (i = 0; i < r->ntypes; i++) {
		free(r->types[i].result_type);
		free(r->types[i].reason);
	}
	for (i = 0; i < r->norgs; i++)
		free(r->orgs[i]);
	for (i = 0; i < r->nhosts; i++)
		free(r->hosts[i]);
	free(r->types);
	free(r->orgs);
	free(r->hosts);
	free(r->domain);
	free(r->mx);
}

void
summary_free(struct summary *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nrows; i++)
		summary_row_clear(&s->rows[i]);
	free(s->rows);
	free(s);
}

static int64_t
summary_add64(int64_t a, int64_t b)
{
	return b > 0 && a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* The row for (domain, mx), made if new; NULL when the cap is reached. */
static struct summary_row *
summary_row(struct summary *s, const char *domain, const char *mx)
{
	struct summary_row *r;
	size_t i;

	/* Newest first: rows arrive grouped, so this is usually the hit. */
	for (i = s->nrows; i-- > 0;) {
		r = &s->rows[i];
		if (strcmp(r->domain, domain) == 0 && strcmp(r->mx, mx) == 0)
			return r;
	}
	if (s->nrows == SUMMARY_MAX_ROWS) {
		s->omitted++;
		return NULL;
	}
	s->rows = xreallocarray(s->rows, s->nrows + 1, sizeof(*s->rows));
	r = &s->rows[s->nrows++];
	memset(r, 0, sizeof(*r));
	r->domain = xstrdup(domain);
	r->mx = xstrdup(mx);
	return r;
}

/* Add name to a capped list of distinct strings. */
static void
summary_list_add(struct summary *s, char ***list, size_t *n, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*list)[i], name) == 0)
			return;
	if (*n == SUMMARY_MAX_LIST) {
		s->omitted++;
		return;
	}
	*list = xreallocarray(*list, *n + 1, sizeof(**list));
	(*list)[(*n)++] = xstrdup(name);
}

static int
summary_same_reason(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* Failed sessions of a failure detail (type, reason: NULL or "" none). */
static void
summary_type_add(struct summary *s, struct summary_row *r, const char *type,
	const char *reason, int64_t sessions)
{
	size_t i;

	if (reason != NULL && *reason == '\0')
		reason = NULL;
	r->detailed = summary_add64(r->detailed, sessions);
	for (i = 0; i < r->ntypes; i++) {
		if (strcmp(r->types[i].result_type, type) == 0 &&
		    summary_same_reason(r->types[i].reason, reason)) {
			r->types[i].sessions = summary_add64(r->types[i].sessions,
			    sessions);
			return;
		}
	}
	if (r->ntypes == SUMMARY_MAX_LIST) {
		s->omitted++;
		return;
	}
	r->types = xreallocarray(r->types, r->ntypes + 1, sizeof(*r->types));
	r->types[r->ntypes].result_type = xstrdup(type);
	r->types[r->ntypes].reason = reason != NULL ? xstrdup(reason) : NULL;
	r->types[r->ntypes++].sessions = sessions;
}

/* Counts and dates of one policy (or one group of them) into its row. */
static void
summary_counts(struct summary_row *r, const char *org, int64_t ok,
	int64_t failed, time_t first, time_t last, struct summary *s)
{
	r->successful = summary_add64(r->successful, ok);
	r->failed = summary_add64(r->failed, failed);
	if (r->first == 0 || first < r->first)
		r->first = first;
	if (last > r->last)
		r->last = last;
	summary_list_add(s, &r->orgs, &r->norgs, org);
}

void
summary_add_report(struct summary *s, const struct tlsrpt_report *rep)
{
	const struct tlsrpt_policy *p;
	const struct tlsrpt_failure *f;
	struct summary_row *r;
	size_t i, j;
	char *mx;

	s->nreports++;
	for (i = 0; i < rep->npolicies; i++) {
		p = &rep->policies[i];
		mx = tlsrpt_policy_mx(p);
		r = summary_row(s, p->policy_domain, mx);
		free(mx);
		if (r == NULL)
			continue;
		summary_counts(r, rep->organization, p->successful, p->failed,
		    rep->start, rep->end, s);
		if (p->nfailures > 0)
			r->failed_with_details = summary_add64(
			    r->failed_with_details, p->failed);
		for (j = 0; j < p->nfailures; j++) {
			f = &p->failures[j];
			summary_type_add(s, r, f->result_type,
			    f->failure_reason_code, f->failed_sessions);
			/* "" is how some senders say "unknown": not a name */
			if (f->receiving_mx_hostname != NULL &&
			    f->receiving_mx_hostname[0] != '\0')
				summary_list_add(s, &r->hosts, &r->nhosts,
				    f->receiving_mx_hostname);
		}
	}
}

int64_t
summary_failed(const struct summary *s)
{
	int64_t n = 0;
	size_t i;

	for (i = 0; i < s->nrows; i++)
		n = summary_add64(n, s->rows[i].failed);
	return n;
}

/* Filter shared by the queries: ?1 since, ?2 domain or NULL. */
#define SUMMARY_WHERE \
	" WHERE r.end_time >= ?1 AND (?2 IS NULL OR" \
	" p.policy_domain = ?2 COLLATE NOCASE)"

/*
 * total(), not sum(): sum() fails on integer overflow, and one hostile
 * sender must not break every later summary; total() is a double, which
 * sqlite3_column_int64 clamps.
 */
static const char summary_q_policies[] =
	"SELECT p.policy_domain, p.mx_host, r.organization,"
	" total(p.successful), total(p.failed), min(r.start_time), max(r.end_time),"
	" total(CASE WHEN EXISTS (SELECT 1 FROM failures f WHERE f.policy = p.id)"
	" THEN p.failed ELSE 0 END)"
	" FROM policies p JOIN reports r ON r.id = p.report" SUMMARY_WHERE
	" GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";
static const char summary_q_types[] =
	"SELECT p.policy_domain, p.mx_host, f.result_type,"
	" total(f.failed_sessions), f.failure_reason_code FROM failures f"
	" JOIN policies p ON p.id = f.policy JOIN reports r ON r.id = p.report"
	SUMMARY_WHERE " GROUP BY 1, 2, 3, 5 ORDER BY 1, 2, 4 DESC, 3, 5";
/* Reports stored before "" meant absent may hold "" names: skip them. */
static const char summary_q_hosts[] =
	"SELECT DISTINCT p.policy_domain, p.mx_host, f.receiving_mx_hostname"
	" FROM failures f"
	" JOIN policies p ON p.id = f.policy JOIN reports r ON r.id = p.report"
	SUMMARY_WHERE " AND f.receiving_mx_hostname IS NOT NULL"
	" AND f.receiving_mx_hostname <> '' ORDER BY 1, 2, 3";
static const char summary_q_count[] =
	"SELECT count(DISTINCT r.id) FROM reports r"
	" JOIN policies p ON p.report = r.id" SUMMARY_WHERE;

enum summary_q { SUMMARY_POLICIES, SUMMARY_TYPES, SUMMARY_HOSTS,
	SUMMARY_COUNT };

static const char *
summary_col(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	return v != NULL ? (const char *)v : "";
}

/* One result row of query q into s. */
static void
summary_q_row(struct summary *s, enum summary_q q, sqlite3_stmt *st)
{
	struct summary_row *r;

	if (q == SUMMARY_COUNT) {
		s->nreports += (long)sqlite3_column_int64(st, 0);
		return;
	}
	if ((r = summary_row(s, summary_col(st, 0), summary_col(st, 1))) == NULL)
		return;
	if (q == SUMMARY_POLICIES) {
		summary_counts(r, summary_col(st, 2), sqlite3_column_int64(st, 3),
		    sqlite3_column_int64(st, 4),
		    (time_t)sqlite3_column_int64(st, 5),
		    (time_t)sqlite3_column_int64(st, 6), s);
		r->failed_with_details = summary_add64(r->failed_with_details,
		    sqlite3_column_int64(st, 7));
	} else if (q == SUMMARY_TYPES)
		summary_type_add(s, r, summary_col(st, 2), summary_col(st, 4),
		    sqlite3_column_int64(st, 3));
	else
		summary_list_add(s, &r->hosts, &r->nhosts, summary_col(st, 2));
}

static int
summary_query(struct summary *s, struct store *store, enum summary_q q,
	time_t since, const char *domain, struct err *e)
{
	static const char *const sql[] = { summary_q_policies,
	    summary_q_types, summary_q_hosts, summary_q_count };
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(store_db(store), sql[q], -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_err(store, rc, "summary query", e);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)since);
	if (domain != NULL)
		sqlite3_bind_text(st, 2, domain, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 2);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		summary_q_row(s, q, st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_err(store, rc, "summary query", e);
}

int
summary_load(struct summary *s, struct store *st, time_t since,
	const char *domain, struct err *e)
{
	int rc;

	s->since = since;
	/* One read transaction: the four queries see the same reports. */
	rc = sqlite3_exec(store_db(st), "BEGIN", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_err(st, rc, "begin", e);
	rc = summary_query(s, st, SUMMARY_POLICIES, since, domain, e);
	if (rc == 0)
		rc = summary_query(s, st, SUMMARY_TYPES, since, domain, e);
	if (rc == 0)
		rc = summary_query(s, st, SUMMARY_HOSTS, since, domain, e);
	if (rc == 0)
		rc = summary_query(s, st, SUMMARY_COUNT, since, domain, e);
	sqlite3_exec(store_db(st), "COMMIT", NULL, NULL, NULL);
	return rc;
}

/* Append s with control characters (from reports: untrusted) as '?'. */
static void
summary_put(struct sbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			sbuf_add(b, "?", 1);
		else
			sbuf_add(b, s, 1);
	}
}

static void
summary_time(struct sbuf *b, time_t t)
{
	struct tm tm;
	char buf[32];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, sizeof(buf), "%lld", (long long)t);
	sbuf_adds(b, buf);
}

static void
summary_text_list(struct sbuf *b, const char *label, char **v, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	sbuf_adds(b, label);
	for (i = 0; i < n; i++) {
		if (i > 0)
			sbuf_adds(b, ", ");
		summary_put(b, v[i]);
	}
	sbuf_adds(b, "\n");
}

/* Failure details that do not add up to their policies' summaries. */
static int
summary_mismatch(const struct summary_row *r)
{
	return r->ntypes > 0 && r->detailed != r->failed_with_details;
}

static void
summary_text_row(struct sbuf *b, const struct summary_row *r)
{
	int64_t total = summary_add64(r->successful, r->failed);
	size_t i;

	summary_put(b, r->domain);
	sbuf_adds(b, " (mx: ");
	summary_put(b, r->mx[0] != '\0' ? r->mx : "any");
	sbuf_printf(b, ")\n  sessions:     %lld successful, %lld failed",
	    (long long)r->successful, (long long)r->failed);
	if (r->failed > 0 && total > 0)
		sbuf_printf(b, " (%.1f%%)", 100.0 * (double)r->failed /
		    (double)total);
	sbuf_adds(b, "\n");
	if (r->ntypes > 0)
		sbuf_adds(b, "  failures:     ");
	for (i = 0; i < r->ntypes; i++) {
		sbuf_adds(b, i > 0 ? ", " : "");
		summary_put(b, r->types[i].result_type);
		if (r->types[i].reason != NULL) {
			sbuf_adds(b, " [");
			summary_put(b, r->types[i].reason);
			sbuf_adds(b, "]");
		}
		sbuf_printf(b, " %lld%s", (long long)r->types[i].sessions,
		    tlsrpt_result_type_known(r->types[i].result_type) ? "" :
		    " (unregistered type)");
	}
	if (r->ntypes > 0)
		sbuf_adds(b, "\n");
	if (summary_mismatch(r))
		sbuf_printf(b, "  note:         the failure details add up to "
		    "%lld failed sessions, their reports' summaries to %lld; "
		    "both shown as reported\n", (long long)r->detailed,
		    (long long)r->failed_with_details);
	summary_text_list(b, "  failed MX:    ", r->hosts, r->nhosts);
	summary_text_list(b, "  reported by:  ", r->orgs, r->norgs);
	sbuf_adds(b, "  period:       ");
	summary_time(b, r->first);
	sbuf_adds(b, " .. ");
	summary_time(b, r->last);
	sbuf_adds(b, "\n");
}

char *
summary_text(const struct summary *s)
{
	struct sbuf b;
	size_t i, n;

	sbuf_init(&b, SUMMARY_MAX_TEXT);
	sbuf_printf(&b, "TLS reports: %ld", s->nreports);
	if (s->since > 0) {
		sbuf_adds(&b, " ending since ");
		summary_time(&b, s->since);
	}
	sbuf_printf(&b, "; %lld failed sessions\n",
	    (long long)summary_failed(s));
	if (s->nrows == 0)
		sbuf_adds(&b, "(nothing reported)\n");
	for (i = 0; i < s->nrows; i++) {
		sbuf_adds(&b, "\n");
		summary_text_row(&b, &s->rows[i]);
	}
	if (s->omitted > 0)
		sbuf_printf(&b, "\n(%zu entries left out: too many to list)\n",
		    s->omitted);
	return sbuf_steal(&b, &n);
}

static json_t *
summary_jstr(const char *s)
{
	json_t *v = json_string(s);

	/* Strings come from parsed JSON, so are UTF-8; be safe anyway. */
	return v != NULL ? v : json_string("?");
}

static json_t *
summary_jtime(time_t t)
{
	struct sbuf b;
	json_t *v;

	sbuf_init(&b, 64);
	summary_time(&b, t);
	v = json_string(b.data);
	sbuf_free(&b);
	return v;
}

static json_t *
summary_jlist(char **v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, summary_jstr(v[i]));
	return a;
}

static json_t *
summary_json_row(const struct summary_row *r)
{
	json_t *o = json_object(), *types = json_object(),
	    *reasons = json_array(), *t, *mm = json_null();
	size_t i;

	for (i = 0; i < r->ntypes; i++) {
		/* "failures": per result type, over every reason code */
		t = json_object_get(types, r->types[i].result_type);
		json_object_set_new(types, r->types[i].result_type,
		    json_integer(summary_add64(t != NULL ?
		    json_integer_value(t) : 0, r->types[i].sessions)));
		json_array_append_new(reasons, json_pack("{s:o,s:o,s:I}",
		    "result-type", summary_jstr(r->types[i].result_type),
		    "failure-reason-code", r->types[i].reason != NULL ?
		    summary_jstr(r->types[i].reason) : json_null(),
		    "sessions", (json_int_t)r->types[i].sessions));
	}
	if (summary_mismatch(r))
		mm = json_pack("{s:I,s:I}", "failure-details",
		    (json_int_t)r->detailed, "summaries",
		    (json_int_t)r->failed_with_details);
	json_object_set_new(o, "policy-domain", summary_jstr(r->domain));
	json_object_set_new(o, "mx-host", summary_jstr(r->mx));
	json_object_set_new(o, "successful", json_integer(r->successful));
	json_object_set_new(o, "failed", json_integer(r->failed));
	json_object_set_new(o, "failures", types);
	json_object_set_new(o, "failure-reasons", reasons);
	json_object_set_new(o, "details-mismatch", mm);
	json_object_set_new(o, "failed-mx-hosts",
	    summary_jlist(r->hosts, r->nhosts));
	json_object_set_new(o, "organizations",
	    summary_jlist(r->orgs, r->norgs));
	json_object_set_new(o, "first-seen", summary_jtime(r->first));
	json_object_set_new(o, "last-seen", summary_jtime(r->last));
	return o;
}

char *
summary_json(const struct summary *s)
{
	json_t *root = json_object(), *rows = json_array();
	char *text, *out;
	size_t i;

	for (i = 0; i < s->nrows; i++)
		json_array_append_new(rows, summary_json_row(&s->rows[i]));
	json_object_set_new(root, "since", s->since > 0 ?
	    summary_jtime(s->since) : json_null());
	json_object_set_new(root, "reports", json_integer(s->nreports));
	json_object_set_new(root, "failed", json_integer(summary_failed(s)));
	json_object_set_new(root, "omitted", json_integer((json_int_t)s->omitted));
	json_object_set_new(root, "rows", rows);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (text == NULL)
		text = xstrdup("{}");
	out = xasprintf("%s\n", text);
	free(text);
	return out;
}
