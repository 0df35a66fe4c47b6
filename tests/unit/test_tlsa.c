/*
 * Unit tests for src/tlsa.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tlsa/tlsa.h"

static void
test_parse_format_roundtrip(void **state)
{
	const char *text = "3 1 1 "
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	struct tlsa_rec *r;
	struct err e;
	char *s;

	(void)state;
	r = tlsa_rec_parse(text, &e);
	assert_non_null(r);
	assert_int_equal(r->usage, 3);
	assert_int_equal(r->len, 32);
	s = tlsa_rec_format(r);
	assert_string_equal(s, text);
	assert_true(tlsa_rec_usable_smtp(r, NULL));
	free(s);
	tlsa_rec_free(r);
	tlsa_rec_free(NULL);
}

static void
test_parse_rejects_wrong_digest_length(void **state)
{
	struct err e;

	(void)state;
	assert_null(tlsa_rec_parse("3 1 1 abcd", &e));
	assert_int_equal(e.kind, ERR_USAGE);
	assert_non_null(strstr(e.msg, "needs 32"));
	assert_null(tlsa_rec_parse("3 1 256 abcd", &e));
	assert_null(tlsa_rec_parse("3 1", &e));
	assert_null(tlsa_rec_parse("3 1 0 xyz", &e));
}

static void
test_usable_smtp(void **state)
{
	uint8_t d[32] = { 0 };
	struct tlsa_rec *r = tlsa_rec_new(1, 1, 1, d, sizeof(d));
	const char *why;

	(void)state;
	assert_false(tlsa_rec_usable_smtp(r, &why));
	assert_non_null(strstr(why, "PKIX"));
	r->usage = 2;
	assert_true(tlsa_rec_usable_smtp(r, &why));
	r->mtype = 2;	/* 32 bytes but SHA-512 wants 64 */
	assert_false(tlsa_rec_usable_smtp(r, &why));
	r->mtype = 7;
	assert_false(tlsa_rec_usable_smtp(r, &why));
	tlsa_rec_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format_roundtrip),
		cmocka_unit_test(test_parse_rejects_wrong_digest_length),
		cmocka_unit_test(test_usable_smtp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
