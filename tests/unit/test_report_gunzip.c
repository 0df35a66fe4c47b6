/*
 * Unit tests for src/report/gunzip: round trips, concatenated members,
 * damaged and truncated streams, and the caps that stop a gzip bomb.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "report/gunzip.h"
#include "util/xalloc.h"

/* gzip in[0..len) with zlib; caller frees. */
static unsigned char *
gz(const void *in, size_t len, size_t *outlen)
{
	size_t cap = len + len / 100 + 1024;
	unsigned char *out = xmalloc(cap);
	z_stream z;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9,
	    Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (unsigned)len;
	z.next_out = out;
	z.avail_out = (unsigned)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*outlen = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

static void
test_roundtrip(void **state)
{
	const char text[] = "{\"organization-name\":\"x\"}";
	unsigned char *g, *two;
	size_t glen, len;
	struct err e;
	char *out;

	(void)state;
	g = gz(text, strlen(text), &glen);
	assert_true(gunzip_is_gzip(g, glen));
	out = gunzip_buf(g, glen, 0, &len, &e);
	assert_non_null(out);
	assert_int_equal(len, strlen(text));
	assert_string_equal(out, text);
	free(out);
	/* Two members, as "cat a.gz b.gz" makes: both are inflated. */
	two = xmalloc(2 * glen);
	memcpy(two, g, glen);
	memcpy(two + glen, g, glen);
	out = gunzip_buf(two, 2 * glen, 0, &len, &e);
	assert_non_null(out);
	assert_int_equal(len, 2 * strlen(text));
	free(out);
	free(two);
	free(g);
}

static void
test_damaged(void **state)
{
	const char text[] = "a report that will be cut short, a report";
	unsigned char *g;
	size_t glen, len;
	struct err e;

	(void)state;
	assert_null(gunzip_buf("{}", 2, 0, &len, &e));
	assert_non_null(strstr(e.msg, "not a gzip stream"));
	g = gz(text, strlen(text), &glen);
	assert_null(gunzip_buf(g, glen - 6, 0, &len, &e));
	assert_int_equal(e.kind, ERR_INPUT);
	g[12] ^= 0xff;
	g[13] ^= 0xff;
	assert_null(gunzip_buf(g, glen, 0, &len, &e));
	assert_int_equal(e.kind, ERR_INPUT);
	free(g);
}

static void
test_output_cap(void **state)
{
	size_t n = 2 * 1024 * 1024, glen, len;
	unsigned char *zeros = xcalloc(n, 1), *g;
	struct err e;
	char *out;

	(void)state;
	g = gz(zeros, n, &glen);
	/* Under a 1 MiB cap: refused, whatever the ratio. */
	assert_null(gunzip_buf(g, glen, 1024 * 1024, &len, &e));
	assert_non_null(strstr(e.msg, "more than 1048576 bytes"));
	/* Under the default cap: 2 MiB of zeros is ~2000:1, past the ratio. */
	assert_null(gunzip_buf(g, glen, 0, &len, &e));
	assert_non_null(strstr(e.msg, "times"));
	free(g);
	/* Exactly at the ratio floor the ratio is not checked. */
	g = gz(zeros, GUNZIP_RATIO_FLOOR, &glen);
	out = gunzip_buf(g, glen, 0, &len, &e);
	assert_non_null(out);
	assert_int_equal(len, GUNZIP_RATIO_FLOOR);
	free(out);
	free(g);
	free(zeros);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_output_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
