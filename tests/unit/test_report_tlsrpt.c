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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
