/*
 * Unit tests for src/report/tlsrpt: the RFC 8460 JSON parser, its leniency
 * (mx-host, no sending-mta-ip, unregistered result types), its strictness
 * (types of required fields) and its caps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/tlsrpt.h"
#include "util/fileio.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

static struct tlsrpt_report *
parse_file(const char *path, struct err *e)
{
	struct tlsrpt_report *r;
	size_t len;
	char *json;

	json = fileio_read(path, TLSRPT_MAX_JSON, &len, e);
	assert_non_null(json);
	r = tlsrpt_parse(json, len, e);
	free(json);
	return r;
}

static struct tlsrpt_report *
parse_str(const char *json, struct err *e)
{
	err_clear(e);
	return tlsrpt_parse(json, strlen(json), e);
}

static void
test_google_shape(void **state)
{
	struct tlsrpt_report *r;
	struct err e;

	(void)state;
	r = parse_file("data/tlsrpt/google.json", &e);
	assert_non_null(r);
	assert_string_equal(r->organization, "Google Inc.");
	assert_string_equal(r->report_id, "2026-11-26T00:00:00Z_example.org");
	assert_string_equal(r->contact_info, "tlsrpt@google-inc.example");
	assert_int_equal(r->start, 1795651200);
	assert_int_equal(r->end, 1795651200 + 86399);
	assert_int_equal(r->npolicies, 1);
	assert_string_equal(r->policies[0].policy_type, "tlsa");
	assert_string_equal(r->policies[0].policy_domain, "example.org");
	assert_int_equal(r->policies[0].nmx_hosts, 1);
	assert_string_equal(r->policies[0].mx_hosts[0], "mail.example.org");
	assert_int_equal(r->policies[0].npolicy_strings, 1);
	assert_int_equal(r->policies[0].successful, 120);
	assert_int_equal(r->policies[0].failed, 0);
	assert_int_equal(r->policies[0].nfailures, 0);
	assert_int_equal(tlsrpt_report_failed(r), 0);
	tlsrpt_report_free(r);
}

static void
test_microsoft_shape(void **state)
{
	struct tlsrpt_report *r;
	struct tlsrpt_failure *f;
	struct err e;
	char *mx;

	(void)state;
	r = parse_file("data/tlsrpt/microsoft.json", &e);
	assert_non_null(r);
	/* "mx-host" as a plain string, not an array. */
	mx = tlsrpt_policy_mx(&r->policies[0]);
	assert_string_equal(mx, "mail.example.org");
	free(mx);
	assert_int_equal(r->policies[0].nfailures, 2);
	f = &r->policies[0].failures[0];
	assert_string_equal(f->result_type, "tlsa-invalid");
	assert_null(f->sending_mta_ip);
	assert_string_equal(f->receiving_ip, "192.0.2.25");
	assert_int_equal(f->failed_sessions, 3);
	/* An unregistered result type is kept as it is. */
	f = &r->policies[0].failures[1];
	assert_string_equal(f->result_type, "certificate-revoked-by-magic");
	assert_false(tlsrpt_result_type_known(f->result_type));
	assert_true(tlsrpt_result_type_known("tlsa-invalid"));
	assert_true(tlsrpt_result_type_known("dane-required"));
	assert_int_equal(tlsrpt_report_failed(r), 4);
	tlsrpt_report_free(r);
}

static void
test_strict_on_required_types(void **state)
{
	struct err e;

	(void)state;
	assert_null(parse_file("data/tlsrpt/wrongtype.json", &e));
	assert_int_equal(e.kind, ERR_INPUT);
	assert_non_null(strstr(e.msg, "policies[0].summary."
	    "total-successful-session-count"));
	assert_null(parse_str("[]", &e));
	assert_null(parse_str("{\"organization-name\":\"x\"}", &e));
	assert_non_null(strstr(e.msg, "report-id"));
	assert_null(parse_str("{\"organization-name\":7,\"report-id\":\"r\"}",
	    &e));
	assert_non_null(strstr(e.msg, "not a string"));
	assert_null(parse_str("{\"organization-name\":\"o\",\"report-id\":\"r\","
	    "\"date-range\":{\"start-datetime\":\"yesterday\","
	    "\"end-datetime\":\"2026-11-26T00:00:00Z\"},\"policies\":[]}", &e));
	assert_non_null(strstr(e.msg, "RFC 3339"));
	assert_null(parse_str("{\"organization-name\":\"o\",\"report-id\":\"r\","
	    "\"date-range\":{\"start-datetime\":\"2026-11-26\","
	    "\"end-datetime\":\"2026-11-27\"},\"policies\":{}}", &e));
	assert_non_null(strstr(e.msg, "policies"));
	/* Ambiguous: the same key twice. */
	assert_null(parse_str("{\"report-id\":\"a\",\"report-id\":\"b\"}", &e));
	assert_null(parse_str("{\"organization-name\":\"o\"", &e));
	assert_non_null(strstr(e.msg, "not JSON"));
}

/* A report with n policies, each with the given summary counts. */
static char *
make_report(size_t n, const char *counts)
{
	struct sbuf b;
	size_t i, len;

	sbuf_init(&b, 64 * 1024 * 1024);
	sbuf_adds(&b, "{\"organization-name\":\"o\",\"report-id\":\"r\","
	    "\"date-range\":{\"start-datetime\":\"2026-11-26T00:00:00.5+01:00\","
	    "\"end-datetime\":\"2026-11-26T23:59:59Z\"},\"policies\":[");
	for (i = 0; i < n; i++)
		sbuf_printf(&b, "%s{\"policy\":{\"policy-type\":\"no-policy-found\","
		    "\"policy-domain\":\"d%zu.example\"},\"summary\":{%s}}",
		    i > 0 ? "," : "", i, counts);
	sbuf_adds(&b, "]}");
	return sbuf_steal(&b, &len);
}

static void
test_caps_and_counts(void **state)
{
	struct tlsrpt_report *r;
	struct err e;
	char *json;

	(void)state;
	json = make_report(TLSRPT_MAX_POLICIES, "\"total-successful-session-"
	    "count\":1,\"total-failure-session-count\":0");
	r = parse_str(json, &e);
	assert_non_null(r);
	assert_int_equal(r->npolicies, TLSRPT_MAX_POLICIES);
	/* 00:00:00.5+01:00 is 23:00:00 the day before, fraction dropped. */
	assert_int_equal(r->start, 1795651200 - 3600);
	assert_int_equal(r->policies[0].nmx_hosts, 0);
	tlsrpt_report_free(r);
	free(json);
	json = make_report(TLSRPT_MAX_POLICIES + 1, "\"total-successful-"
	    "session-count\":1,\"total-failure-session-count\":0");
	assert_null(parse_str(json, &e));
	assert_non_null(strstr(e.msg, "more than"));
	free(json);
	json = make_report(1, "\"total-successful-session-count\":-1,"
	    "\"total-failure-session-count\":0");
	assert_null(parse_str(json, &e));
	free(json);
	json = make_report(1, "\"total-successful-session-count\":1.5,"
	    "\"total-failure-session-count\":0");
	assert_null(parse_str(json, &e));
	free(json);
}

static void
test_long_string_refused(void **state)
{
	struct sbuf b;
	struct err e;
	size_t i;

	(void)state;
	sbuf_init(&b, 1024 * 1024);
	sbuf_adds(&b, "{\"organization-name\":\"");
	for (i = 0; i <= TLSRPT_MAX_STR; i++)
		sbuf_adds(&b, "a");
	sbuf_adds(&b, "\",\"report-id\":\"r\"}");
	assert_null(parse_str(b.data, &e));
	assert_non_null(strstr(e.msg, "longer than"));
	sbuf_free(&b);
}

static void
test_time_parse(void **state)
{
	time_t t;

	(void)state;
	assert_int_equal(tlsrpt_time_parse("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(tlsrpt_time_parse("2026-11-26", &t), 0);
	assert_int_equal(t, 1795651200);
	assert_int_equal(tlsrpt_time_parse("2026-11-26t01:00:00-01:30", &t), 0);
	assert_int_equal(t, 1795651200 + 3600 + 5400);
	assert_int_equal(tlsrpt_time_parse("2026-13-01", &t), -1);
	assert_int_equal(tlsrpt_time_parse("2026-11-26T00:00:00", &t), -1);
	assert_int_equal(tlsrpt_time_parse("2026-11-26T00:00Z", &t), -1);
	assert_int_equal(tlsrpt_time_parse("2026-11-26T00:00:00Zjunk", &t), -1);
	assert_int_equal(tlsrpt_time_parse("", &t), -1);
}

/* Every boundary of the date-time grammar, both sides. */
static void
test_time_parse_bounds(void **state)
{
	static const char *const good[] = {
		"2026-11-26T00:00:00Z", "2026-11-26T00:00:00z",
		"2026-11-26 00:00:00Z", "2026-12-31T23:59:60Z",
		"2026-01-01T00:00:00+00:30", "2026-11-26T00:00:00+23:59",
		"2026-11-26T00:00:00-23:00", "2026-11-26T00:00:00.123456Z",
		"2026-11-26T00:00:00+01:59",
	};
	static const char *const bad[] = {
		"2026-11-26T00:00:00X", "2026-11-26T00:00:00+24:00",
		"2026-11-26T00:00:00+01:60", "2026-11-26T00:00:00+01:00x",
		"2026-11-26T00:00:00+01:0", "2026-11-26T00:00:00+01:",
		"2026-11-26T00:00:00+0100", "2026-11-26T00:00:00+1:00",
		"2026-11-26T00:00:00+", "2026-11-26x00:00:00Z",
		"2026-00-10", "2026-11-00", "2026-13-10", "2026-11-32",
		"2026-11-26T24:00:00Z", "2026-11-26T23:60:00Z",
		"2026-11-26T23:59:61Z", "2026-1-01", "26-11-26", "2026/11/26",
		"2026-11-26T0:00:00Z", "2026-11-26T00-00:00Z", "2026-11-26T00:00-00Z",
		"2026-11-26T00:00:0Z", "2026-11-2", "2026-11",
	};
	time_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (tlsrpt_time_parse(good[i], &t) != 0)
			fail_msg("refused %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (tlsrpt_time_parse(bad[i], &t) != -1)
			fail_msg("accepted %s", bad[i]);
	assert_int_equal(tlsrpt_time_parse("2026-11-26T00:00:00+00:30", &t), 0);
	assert_int_equal(t, 1795651200 - 1800);
	assert_int_equal(tlsrpt_time_parse("2026-11-26 01:02:03Z", &t), 0);
	assert_int_equal(t, 1795651200 + 3723);
	/* RFC 3339 allows year 0000 */
	assert_int_equal(tlsrpt_time_parse("0000-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, -62167219200LL);
}

/* A report around one policy's JSON text. */
static char *
with_policy(const char *policy)
{
	struct sbuf b;
	size_t len;

	sbuf_init(&b, 4 * 1024 * 1024);
	sbuf_printf(&b, "{\"organization-name\":\"o\",\"report-id\":\"r\","
	    "\"date-range\":{\"start-datetime\":\"2026-11-26T00:00:00Z\","
	    "\"end-datetime\":\"2026-11-26T23:59:59Z\"},\"policies\":[%s]}",
	    policy);
	return sbuf_steal(&b, &len);
}

/* n copies of item joined by ",". */
static char *
repeat(const char *item, size_t n)
{
	struct sbuf b;
	size_t i, len;

	sbuf_init(&b, 8 * 1024 * 1024);
	sbuf_adds(&b, "");
	for (i = 0; i < n; i++)
		sbuf_printf(&b, "%s%s", i > 0 ? "," : "", item);
	return sbuf_steal(&b, &len);
}

static int
parses(const char *json)
{
	struct tlsrpt_report *r;
	struct err e;

	r = parse_str(json, &e);
	tlsrpt_report_free(r);
	return r != NULL;
}

#define POLICY_HEAD "{\"policy\":{\"policy-type\":\"tlsa\",\"policy-domain\":" \
	"\"example.org\""
#define POLICY_SUM "\"summary\":{\"total-successful-session-count\":1," \
	"\"total-failure-session-count\":1}"

/* Every cap is inclusive: the limit itself is accepted, one more is not. */
static void
test_caps_are_exact(void **state)
{
	char *a, *item, *list, *json, *fd;
	char count[256];
	size_t n;

	(void)state;
	/* a string of exactly TLSRPT_MAX_STR bytes, alone and in a list */
	for (n = TLSRPT_MAX_STR; n <= TLSRPT_MAX_STR + 1; n++) {
		a = xcalloc(n + 3, 1);
		a[0] = '"';
		memset(a + 1, 'a', n);
		a[n + 1] = '"';
		item = xasprintf(POLICY_HEAD ",\"policy-string\":%s},"
		    POLICY_SUM "}", a);
		json = with_policy(item);
		assert_int_equal(parses(json), n == TLSRPT_MAX_STR);
		free(json);
		free(item);
		item = xasprintf(POLICY_HEAD ",\"mx-host-pattern\":[\"m\",%s]},"
		    POLICY_SUM "}", a);
		json = with_policy(item);
		assert_int_equal(parses(json), n == TLSRPT_MAX_STR);
		free(json);
		free(item);
		json = xasprintf("{\"organization-name\":%s,\"report-id\":\"r\","
		    "\"date-range\":{\"start-datetime\":\"2026-11-26\","
		    "\"end-datetime\":\"2026-11-27\"},\"policies\":[]}", a);
		assert_int_equal(parses(json), n == TLSRPT_MAX_STR);
		free(json);
		free(a);
	}
	/* TLSRPT_MAX_STRINGS list entries */
	for (n = TLSRPT_MAX_STRINGS; n <= TLSRPT_MAX_STRINGS + 1; n++) {
		list = repeat("\"mx.example.org\"", n);
		item = xasprintf(POLICY_HEAD ",\"mx-host\":[%s]}," POLICY_SUM "}",
		    list);
		json = with_policy(item);
		assert_int_equal(parses(json), n == TLSRPT_MAX_STRINGS);
		free(json);
		free(item);
		free(list);
	}
	/* a list entry that is not a string */
	json = with_policy(POLICY_HEAD ",\"mx-host-pattern\":[\"m\",7]},"
	    POLICY_SUM "}");
	assert_false(parses(json));
	free(json);
	/* TLSRPT_MAX_COUNT sessions */
	snprintf(count, sizeof(count), POLICY_HEAD "},\"summary\":{"
	    "\"total-successful-session-count\":%lld,"
	    "\"total-failure-session-count\":0}}", (long long)TLSRPT_MAX_COUNT);
	json = with_policy(count);
	assert_true(parses(json));
	free(json);
	snprintf(count, sizeof(count), POLICY_HEAD "},\"summary\":{"
	    "\"total-successful-session-count\":%lld,"
	    "\"total-failure-session-count\":0}}",
	    (long long)TLSRPT_MAX_COUNT + 1);
	json = with_policy(count);
	assert_false(parses(json));
	free(json);
	/* TLSRPT_MAX_FAILURES failure details */
	for (n = TLSRPT_MAX_FAILURES; n <= TLSRPT_MAX_FAILURES + 1; n++) {
		fd = repeat("{\"result-type\":\"tlsa-invalid\","
		    "\"failed-session-count\":1}", n);
		item = xasprintf(POLICY_HEAD "}," POLICY_SUM ",\"failure-details\":"
		    "[%s]}", fd);
		json = with_policy(item);
		assert_int_equal(parses(json), n == TLSRPT_MAX_FAILURES);
		free(json);
		free(item);
		free(fd);
	}
}

/* TLSRPT_MAX_JSON bytes are read; one more is refused unread. */
static void
test_json_size_cap(void **state)
{
	char *json = with_policy(POLICY_HEAD "}," POLICY_SUM "}"), *big;
	size_t len = strlen(json);
	struct tlsrpt_report *r;
	struct err e;

	(void)state;
	big = xmalloc(TLSRPT_MAX_JSON + 1);
	memset(big, ' ', TLSRPT_MAX_JSON + 1);   /* JSON allows trailing blanks */
	memcpy(big, json, len);
	err_clear(&e);
	r = tlsrpt_parse(big, TLSRPT_MAX_JSON, &e);
	assert_non_null(r);
	tlsrpt_report_free(r);
	assert_null(tlsrpt_parse(big, TLSRPT_MAX_JSON + 1, &e));
	assert_non_null(strstr(e.msg, "larger than"));
	free(big);
	free(json);
}

/* Each optional field of a failure detail is checked, not only the first. */
static void
test_failure_field_types(void **state)
{
	static const char *const fields[] = { "sending-mta-ip",
	    "receiving-mx-hostname", "receiving-mx-helo", "receiving-ip",
	    "additional-information", "failure-reason-code" };
	char *item, *json;
	struct tlsrpt_report *r;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		item = xasprintf(POLICY_HEAD "}," POLICY_SUM ",\"failure-details\":"
		    "[{\"result-type\":\"tlsa-invalid\",\"failed-session-count\":1,"
		    "\"%s\":42}]}", fields[i]);
		json = with_policy(item);
		assert_null(parse_str(json, &e));
		assert_non_null(strstr(e.msg, fields[i]));
		free(json);
		free(item);
	}
	json = with_policy(POLICY_HEAD "}," POLICY_SUM ",\"failure-details\":"
	    "[{\"result-type\":\"tlsa-invalid\"}]}");
	assert_null(parse_str(json, &e));
	assert_non_null(strstr(e.msg, "failed-session-count"));
	free(json);
	/* "" for an optional field is absent; in a list it is left out */
	json = with_policy(POLICY_HEAD ",\"mx-host\":[\"\",\"m\"]}," POLICY_SUM
	    ",\"failure-details\":[{\"result-type\":\"tlsa-invalid\","
	    "\"failed-session-count\":1,\"receiving-mx-hostname\":\"\","
	    "\"failure-reason-code\":\"\",\"receiving-ip\":\"\"}]}");
	r = parse_str(json, &e);
	assert_non_null(r);
	assert_int_equal(r->policies[0].nmx_hosts, 1);
	assert_string_equal(r->policies[0].mx_hosts[0], "m");
	assert_null(r->policies[0].failures[0].receiving_mx_hostname);
	assert_null(r->policies[0].failures[0].failure_reason_code);
	assert_null(r->policies[0].failures[0].receiving_ip);
	tlsrpt_report_free(r);
	free(json);
	json = with_policy(POLICY_HEAD ",\"mx-host\":\"\"}," POLICY_SUM "}");
	r = parse_str(json, &e);
	assert_non_null(r);
	assert_int_equal(r->policies[0].nmx_hosts, 0);
	tlsrpt_report_free(r);
	free(json);
	/* but a required one may not be empty */
	json = with_policy("{\"policy\":{\"policy-type\":\"tlsa\","
	    "\"policy-domain\":\"\"}," POLICY_SUM "}");
	assert_null(parse_str(json, &e));
	assert_non_null(strstr(e.msg, "empty"));
	free(json);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_google_shape),
		cmocka_unit_test(test_microsoft_shape),
		cmocka_unit_test(test_strict_on_required_types),
		cmocka_unit_test(test_caps_and_counts),
		cmocka_unit_test(test_long_string_refused),
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_time_parse_bounds),
		cmocka_unit_test(test_caps_are_exact),
		cmocka_unit_test(test_json_size_cap),
		cmocka_unit_test(test_failure_field_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
