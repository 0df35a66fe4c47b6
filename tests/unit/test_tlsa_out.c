/*
 * Unit tests for src/tlsa/tlsa_out: option checks and every output format.
 * JSON output is checked by parsing it back with jansson, not by comparing
 * text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tlsa/tlsa.h"
#include "tlsa/tlsa_out.h"

#define HEX32 "000102030405060708090a0b0c0d0e0f" \
	"101112131415161718191a1b1c1d1e1f"
/* The same data with its first byte 0xff. */
#define HEXFF "ff0102030405060708090a0b0c0d0e0f" \
	"101112131415161718191a1b1c1d1e1f"

struct fixture {
	struct tlsa_rec *a, *b;
	struct tlsa_out_rr rrs[3];
	struct tlsa_out_opts o;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	uint8_t d[32];
	int i;

	for (i = 0; i < 32; i++)
		d[i] = (uint8_t)i;
	f->a = tlsa_rec_new(3, 1, 1, d, sizeof(d));
	d[0] = 0xff;
	f->b = tlsa_rec_new(2, 0, 1, d, sizeof(d));
	f->rrs[0] = (struct tlsa_out_rr){ f->a, "mx1.crt", 0 };
	f->rrs[1] = (struct tlsa_out_rr){ f->b, "full\"chain\n.pem", 1 };
	/* The same record again (cert + its key): printed once. */
	f->rrs[2] = (struct tlsa_out_rr){ f->a, "next.key", -1 };
	f->o = (struct tlsa_out_opts){ "mail.example.org", 25, "tcp", -1 };
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	tlsa_rec_free(f->a);
	tlsa_rec_free(f->b);
	free(f);
	return 0;
}

static char *
render(struct fixture *f, enum tlsa_out_format fmt)
{
	struct err e;
	char *text;

	err_clear(&e);
	text = tlsa_out_render(fmt, &f->o, f->rrs, 3, &e);
	if (text == NULL)
		fail_msg("%s", e.msg);
	return text;
}

static void
test_format_names(void **state)
{
	enum tlsa_out_format fmt;
	struct err e;

	(void)state;
	assert_int_equal(tlsa_out_format_parse("zone", &fmt, &e), 0);
	assert_int_equal(fmt, TLSA_OUT_ZONE);
	assert_int_equal(tlsa_out_format_parse("cloudflare", &fmt, &e), 0);
	assert_int_equal(fmt, TLSA_OUT_CLOUDFLARE);
	assert_int_equal(tlsa_out_format_parse("bind", &fmt, &e), -1);
	assert_int_equal(e.kind, ERR_USAGE);
	assert_non_null(strstr(e.msg, "--format bind: unknown format"));
}

static void
test_check_options(void **state)
{
	static const struct {
		const char *host;
		const char *msg;        /* NULL: accepted */
	} hosts[] = {
		{ "mail.example.org", NULL },
		{ "mail.example.org.", NULL },
		{ "_dmarc-x.a1.example", NULL },
		{ "", "not a host name" },
		{ ".", "not a host name" },
		{ "a..b", "labels must be 1 to 63" },
		{ ".a", "labels must be 1 to 63" },
		{ "mail example.org", "' ' is not allowed" },
		{ "mail.example.org\n_25._tcp", "'?' is not allowed" },
		{ "*.example.org", "'*' is not allowed" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaa.org", "labels must be 1 to 63" },
	};
	struct tlsa_out_opts o = { NULL, 25, "tcp", -1 };
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		o.host = hosts[i].host;
		err_clear(&e);
		if (hosts[i].msg == NULL) {
			assert_int_equal(tlsa_out_check(TLSA_OUT_ZONE, &o, &e), 0);
			continue;
		}
		assert_int_equal(tlsa_out_check(TLSA_OUT_ZONE, &o, &e), -1);
		assert_int_equal(e.kind, ERR_USAGE);
		if (strstr(e.msg, hosts[i].msg) == NULL)
			fail_msg("'%s': %s", hosts[i].host, e.msg);
	}
	o.host = NULL;
	assert_int_equal(tlsa_out_check(TLSA_OUT_ZONE, &o, &e), 0);
	assert_int_equal(tlsa_out_check(TLSA_OUT_JSON, &o, &e), 0);
	assert_int_equal(tlsa_out_check(TLSA_OUT_NSUPDATE, &o, &e), -1);
	assert_non_null(strstr(e.msg, "--format nsupdate needs --host"));
	assert_int_equal(tlsa_out_check(TLSA_OUT_CLOUDFLARE, &o, &e), -1);
	o.proto = "quic";
	assert_int_equal(tlsa_out_check(TLSA_OUT_ZONE, &o, &e), -1);
	assert_non_null(strstr(e.msg, "--proto quic"));
	o.proto = "sctp";
	o.port = 0;
	assert_int_equal(tlsa_out_check(TLSA_OUT_ZONE, &o, &e), -1);
	o.port = 65536;
	assert_int_equal(tlsa_out_check(TLSA_OUT_ZONE, &o, &e), -1);
	o.port = 465;
	o.ttl = TLSA_OUT_TTL_MAX + 1;
	assert_int_equal(tlsa_out_check(TLSA_OUT_ZONE, &o, &e), -1);
	o.ttl = 0;
	assert_int_equal(tlsa_out_check(TLSA_OUT_ZONE, &o, &e), 0);
}

static void
test_owner(void **state)
{
	struct tlsa_out_opts o = { "mail.example.org.", 587, "udp", -1 };
	char *s;

	(void)state;
	s = tlsa_out_owner(&o, 1);
	assert_string_equal(s, "_587._udp.mail.example.org.");
	free(s);
	s = tlsa_out_owner(&o, 0);
	assert_string_equal(s, "_587._udp.mail.example.org");
	free(s);
}

static void
test_zone(void **state)
{
	struct fixture *f = *state;
	char *s;

	s = render(f, TLSA_OUT_ZONE);
	assert_string_equal(s,
	    "_25._tcp.mail.example.org. IN TLSA 3 1 1 " HEX32 "\n"
	    "_25._tcp.mail.example.org. IN TLSA 2 0 1 " HEXFF "\n");
	free(s);
	f->o.ttl = 300;
	s = render(f, TLSA_OUT_ZONE);
	assert_non_null(strstr(s, "_25._tcp.mail.example.org. 300 IN TLSA 3 1 1 "));
	free(s);
	f->o.host = NULL;
	s = render(f, TLSA_OUT_ZONE);
	assert_string_equal(s, "3 1 1 " HEX32 "\n2 0 1 " HEXFF "\n");
	free(s);
}

static void
test_nsupdate(void **state)
{
	struct fixture *f = *state;
	char *s;

	s = render(f, TLSA_OUT_NSUPDATE);
	assert_string_equal(s,
	    "update add _25._tcp.mail.example.org. 3600 IN TLSA 3 1 1 " HEX32 "\n"
	    "update add _25._tcp.mail.example.org. 3600 IN TLSA 2 0 1 "
	    HEXFF "\n");
	free(s);
	f->o.ttl = 0;
	s = render(f, TLSA_OUT_NSUPDATE);
	assert_int_equal(strncmp(s, "update add _25._tcp.mail.example.org. 0 IN "
	    "TLSA 3 1 1 ", 53), 0);
	free(s);
}

static void
test_json(void **state)
{
	struct fixture *f = *state;
	json_error_t jerr;
	json_t *a, *o;
	char *s;

	s = render(f, TLSA_OUT_JSON);
	a = json_loads(s, 0, &jerr);
	if (a == NULL)
		fail_msg("bad JSON: %s", jerr.text);
	assert_true(json_is_array(a));
	assert_int_equal(json_array_size(a), 2);
	o = json_array_get(a, 0);
	assert_string_equal(json_string_value(json_object_get(o, "owner")),
	    "_25._tcp.mail.example.org.");
	assert_true(json_is_null(json_object_get(o, "ttl")));
	assert_int_equal(json_integer_value(json_object_get(o, "usage")), 3);
	assert_int_equal(json_integer_value(json_object_get(o, "selector")), 1);
	assert_int_equal(json_integer_value(json_object_get(o,
	    "matching_type")), 1);
	assert_string_equal(json_string_value(json_object_get(o, "data")), HEX32);
	assert_string_equal(json_string_value(json_object_get(o, "source")),
	    "mx1.crt");
	assert_int_equal(json_integer_value(json_object_get(o, "depth")), 0);
	assert_int_equal(json_object_size(o), 8);
	o = json_array_get(a, 1);
	assert_string_equal(json_string_value(json_object_get(o, "source")),
	    "full\"chain\n.pem");
	json_decref(a);
	free(s);
	/* No host or TTL: nulls; a key: depth null; a name that is not UTF-8. */
	f->o.host = NULL;
	f->o.ttl = 60;
	f->rrs[0].depth = -1;
	f->rrs[0].source = "caf\xe9.key";
	s = render(f, TLSA_OUT_JSON);
	a = json_loads(s, 0, &jerr);
	assert_non_null(a);
	o = json_array_get(a, 0);
	assert_true(json_is_null(json_object_get(o, "owner")));
	assert_int_equal(json_integer_value(json_object_get(o, "ttl")), 60);
	assert_true(json_is_null(json_object_get(o, "depth")));
	assert_string_equal(json_string_value(json_object_get(o, "source")),
	    "caf?.key");
	json_decref(a);
	free(s);
}

static void
test_cloudflare(void **state)
{
	struct fixture *f = *state;
	json_error_t jerr;
	json_t *o, *d;
	char *s, *line, *save = NULL;
	int n = 0;

	s = render(f, TLSA_OUT_CLOUDFLARE);
	for (line = strtok_r(s, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		o = json_loads(line, 0, &jerr);
		if (o == NULL)
			fail_msg("line %d: %s", n, jerr.text);
		assert_string_equal(json_string_value(json_object_get(o, "type")),
		    "TLSA");
		assert_string_equal(json_string_value(json_object_get(o, "name")),
		    "_25._tcp.mail.example.org");
		assert_int_equal(json_integer_value(json_object_get(o, "ttl")), 1);
		d = json_object_get(o, "data");
		assert_int_equal(json_integer_value(json_object_get(d, "usage")),
		    n == 0 ? 3 : 2);
		assert_int_equal(json_integer_value(json_object_get(d,
		    "selector")), n == 0 ? 1 : 0);
		assert_int_equal(json_integer_value(json_object_get(d,
		    "matching_type")), 1);
		assert_int_equal(strlen(json_string_value(json_object_get(d,
		    "certificate"))), 64);
		json_decref(o);
		n++;
	}
	assert_int_equal(n, 2);
	free(s);
	f->o.ttl = 3600;
	s = render(f, TLSA_OUT_CLOUDFLARE);
	assert_non_null(strstr(s, "\"ttl\":3600"));
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_names),
		cmocka_unit_test(test_check_options),
		cmocka_unit_test(test_owner),
		cmocka_unit_test_setup_teardown(test_zone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nsupdate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cloudflare, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
