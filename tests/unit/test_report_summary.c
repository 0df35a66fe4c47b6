/*
 * Unit tests for src/report/summary: rows, sums and both renderings, whole
 * (the text as an operator reads it, the JSON as a program reads it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report/summary.h"
#include "report/tlsrpt.h"
#include "util/xalloc.h"

/* A report of org over 2026-11-26 with the given policies' JSON. */
static struct tlsrpt_report *
report(const char *org, const char *policies)
{
	struct tlsrpt_report *r;
	struct err e;
	char *json;

	json = xasprintf("{\"organization-name\":\"%s\",\"report-id\":\"r\","
	    "\"date-range\":{\"start-datetime\":\"2026-11-26T00:00:00Z\","
	    "\"end-datetime\":\"2026-11-26T23:59:59Z\"},\"policies\":[%s]}",
	    org, policies);
	err_clear(&e);
	r = tlsrpt_parse(json, strlen(json), &e);
	if (r == NULL)
		fail_msg("%s: %s", json, e.msg);
	free(json);
	return r;
}

static void
add(struct summary *s, const char *org, const char *policies)
{
	struct tlsrpt_report *r = report(org, policies);

	summary_add_report(s, r);
	tlsrpt_report_free(r);
}

#define POL(dom, mx, ok, failed, details) "{\"policy\":{\"policy-type\":" \
	"\"tlsa\",\"policy-domain\":\"" dom "\"" mx "},\"summary\":{" \
	"\"total-successful-session-count\":" #ok "," \
	"\"total-failure-session-count\":" #failed "}" details "}"
#define FD(items) ",\"failure-details\":[" items "]"
#define F(type, n, extra) "{\"result-type\":\"" type "\"," \
	"\"failed-session-count\":" #n extra "}"

static void
test_text_whole(void **st)
{
	struct summary *s = summary_new();
	char *t;

	(void)st;
	add(s, "Google Inc.", POL("example.org", ",\"mx-host\":\"mail.example.org\"",
	    97, 3, FD(F("validation-failure", 2, ",\"failure-reason-code\":"
	    "\"X509_V_ERR_CERT_HAS_EXPIRED\",\"receiving-mx-hostname\":"
	    "\"mail.example.org\"") "," F("validation-failure", 1,
	    ",\"failure-reason-code\":\"X509_V_ERR_CERT_HAS_EXPIRED\","
	    "\"receiving-mx-hostname\":\"mx2.example.org\""))) ","
	    POL("example.org", "", 10, 0, ""));
	add(s, "Bad\\u0001Org\\u007f", POL("example.org", "", 5, 0, ""));
	t = summary_text(s);
	assert_string_equal(t,
	    "TLS reports: 2; 3 failed sessions\n"
	    "\n"
	    "example.org (mx: mail.example.org)\n"
	    "  sessions:     97 successful, 3 failed (3.0%)\n"
	    "  failures:     validation-failure [X509_V_ERR_CERT_HAS_EXPIRED] 3\n"
	    "  failed MX:    mail.example.org, mx2.example.org\n"
	    "  reported by:  Google Inc.\n"
	    "  period:       2026-11-26T00:00:00Z .. 2026-11-26T23:59:59Z\n"
	    "\n"
	    "example.org (mx: any)\n"
	    "  sessions:     15 successful, 0 failed\n"
	    "  reported by:  Google Inc., Bad?Org?\n"
	    "  period:       2026-11-26T00:00:00Z .. 2026-11-26T23:59:59Z\n");
	free(t);
	summary_free(s);
	s = summary_new();
	s->since = 1795651200;
	t = summary_text(s);
	assert_string_equal(t, "TLS reports: 0 ending since 2026-11-26T00:00:00Z;"
	    " 0 failed sessions\n(nothing reported)\n");
	free(t);
	summary_free(s);
}

/* Types and reasons: kept apart, summed when equal, both shown. */
static void
test_types_and_reasons(void **st)
{
	struct summary *s = summary_new();
	const struct summary_row *r;
	char *t;

	(void)st;
	add(s, "Mail.ru", POL("example.com", "", 0, 4, FD(
	    F("sts-policy-fetch-error", 1, ",\"failure-reason-code\":\"404\"") ","
	    F("sts-policy-fetch-error", 1, ",\"failure-reason-code\":\"500\"") ","
	    F("sts-policy-fetch-error", 1, ",\"failure-reason-code\":\"404\"") ","
	    F("sts-policy-fetch-error", 1, ""))));
	assert_int_equal(s->nrows, 1);
	r = &s->rows[0];
	assert_int_equal(r->ntypes, 3);
	assert_string_equal(r->types[0].reason, "404");
	assert_int_equal(r->types[0].sessions, 2);
	assert_string_equal(r->types[1].reason, "500");
	assert_null(r->types[2].reason);
	t = summary_text(s);
	assert_non_null(strstr(t, "  failures:     sts-policy-fetch-error [404] 2, "
	    "sts-policy-fetch-error [500] 1, sts-policy-fetch-error 1\n"));
	assert_null(strstr(t, "note:"));
	free(t);
	summary_free(s);
}

/*
 * A mismatch is only between failure details and the summaries of the
 * policies that have them: a sender without details is no mismatch.
 */
static void
test_mismatch_note(void **st)
{
	struct summary *s = summary_new();
	char *t;

	(void)st;
	add(s, "A", POL("example.com", "", 0, 3, FD(F("tlsa-invalid", 3, ""))));
	add(s, "B", POL("example.com", "", 0, 5, ""));
	assert_int_equal(s->rows[0].failed, 8);
	assert_int_equal(s->rows[0].failed_with_details, 3);
	assert_int_equal(s->rows[0].detailed, 3);
	t = summary_text(s);
	assert_null(strstr(t, "note:"));
	free(t);
	add(s, "Mail.ru", POL("example.com", "", 0, 1, FD(
	    F("tlsa-invalid", 1, "") "," F("tlsa-invalid", 1, ""))));
	t = summary_text(s);
	assert_non_null(strstr(t, "  sessions:     0 successful, 9 failed (100.0%)\n"
	    "  failures:     tlsa-invalid 5\n"
	    "  note:         the failure details add up to 5 failed sessions, "
	    "their reports' summaries to 4; both shown as reported\n"));
	free(t);
	summary_free(s);
}

/* One row per domain and MX: neither alone merges rows. */
static void
test_rows_by_domain_and_mx(void **st)
{
	struct summary *s = summary_new();

	(void)st;
	add(s, "A", POL("a.example", ",\"mx-host\":\"m1\"", 1, 0, "") ","
	    POL("a.example", ",\"mx-host\":\"m2\"", 2, 0, "") ","
	    POL("b.example", ",\"mx-host\":\"m1\"", 4, 0, "") ","
	    POL("a.example", ",\"mx-host\":\"m1\"", 8, 0, ""));
	assert_int_equal(s->nrows, 3);
	assert_int_equal(s->rows[0].successful, 9);
	assert_int_equal(s->rows[1].successful, 2);
	assert_int_equal(s->rows[2].successful, 4);
	summary_free(s);
}

static void
test_caps_counted(void **st)
{
	struct summary *s = summary_new();
	char org[32], *t;
	size_t i;

	(void)st;
	for (i = 0; i <= SUMMARY_MAX_LIST; i++) {
		snprintf(org, sizeof(org), "org%zu", i);
		add(s, org, POL("example.com", "", 1, 0, ""));
	}
	assert_int_equal(s->rows[0].norgs, SUMMARY_MAX_LIST);
	assert_int_equal(s->omitted, 1);
	t = summary_text(s);
	assert_non_null(strstr(t, "\n(1 entries left out: too many to list)\n"));
	free(t);
	summary_free(s);
}

static void
test_json_whole(void **st)
{
	struct summary *s = summary_new();
	json_t *root, *row, *v;
	json_error_t je;
	char *j;

	(void)st;
	add(s, "Mail.ru", POL("example.com", ",\"mx-host\":[\"a\",\"b\"]", 6, 1, FD(
	    F("sts-policy-fetch-error", 1, ",\"failure-reason-code\":\"404\"") ","
	    F("sts-policy-fetch-error", 1, "") ","
	    F("tlsa-invalid", 2, ",\"receiving-mx-hostname\":\"a\""))));
	j = summary_json(s);
	root = json_loads(j, 0, &je);
	assert_non_null(root);
	assert_true(json_is_null(json_object_get(root, "since")));
	assert_int_equal(json_integer_value(json_object_get(root, "reports")), 1);
	assert_int_equal(json_integer_value(json_object_get(root, "failed")), 1);
	row = json_array_get(json_object_get(root, "rows"), 0);
	assert_string_equal(json_string_value(json_object_get(row,
	    "policy-domain")), "example.com");
	assert_string_equal(json_string_value(json_object_get(row, "mx-host")),
	    "a,b");
	v = json_object_get(row, "failures");
	assert_int_equal(json_integer_value(json_object_get(v,
	    "sts-policy-fetch-error")), 2);
	assert_int_equal(json_integer_value(json_object_get(v, "tlsa-invalid")), 2);
	v = json_object_get(row, "failure-reasons");
	assert_int_equal(json_array_size(v), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(v, 0),
	    "failure-reason-code")), "404");
	assert_string_equal(json_string_value(json_object_get(json_array_get(v, 0),
	    "result-type")), "sts-policy-fetch-error");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(v, 0),
	    "sessions")), 1);
	assert_true(json_is_null(json_object_get(json_array_get(v, 1),
	    "failure-reason-code")));
	v = json_object_get(row, "details-mismatch");
	assert_int_equal(json_integer_value(json_object_get(v, "failure-details")),
	    4);
	assert_int_equal(json_integer_value(json_object_get(v, "summaries")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(row,
	    "failed-mx-hosts"), 0)), "a");
	assert_string_equal(json_string_value(json_array_get(json_object_get(row,
	    "organizations"), 0)), "Mail.ru");
	json_decref(root);
	free(j);
	s->since = 1795651200;
	j = summary_json(s);
	root = json_loads(j, 0, &je);
	assert_string_equal(json_string_value(json_object_get(root, "since")),
	    "2026-11-26T00:00:00Z");
	assert_true(json_is_null(json_object_get(json_array_get(
	    json_object_get(root, "rows"), 0), "details-mismatch")) == 0);
	json_decref(root);
	free(j);
	summary_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_whole),
		cmocka_unit_test(test_types_and_reasons),
		cmocka_unit_test(test_mismatch_note),
		cmocka_unit_test(test_rows_by_domain_and_mx),
		cmocka_unit_test(test_caps_counted),
		cmocka_unit_test(test_json_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
