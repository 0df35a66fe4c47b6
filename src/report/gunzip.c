/*
 * gunzip - inflate a gzip stream held in memory, under a size limit.
 */
#include "report/gunzip.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <zlib.h>

#include "util/sbuf.h"

int
gunzip_is_gzip(const void *data, size_t len)
{
	const unsigned char *p = data;

	return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* Refuse output that passes the limits; 0 or -1 with e set. */
static int
gunzip_check(size_t out, size_t in, size_t max, struct err *e)
{
	if (out > max)
		return err_set(e, ERR_INPUT, "gzip: inflates to more than %zu "
		    "bytes (a gzip bomb?)", max);
	if (out > GUNZIP_RATIO_FLOOR && in > 0 && out / in > GUNZIP_MAX_RATIO)
		return err_set(e, ERR_INPUT, "gzip: inflates more than %d times "
		    "(a gzip bomb?)", GUNZIP_MAX_RATIO);
	return 0;
}

/* Inflate the members of z's input into b; 0 or -1 with e set. */
static int
gunzip_run(z_stream *z, struct sbuf *b, size_t inlen, size_t max,
	struct err *e)
{
	unsigned char chunk[16384];
	size_t have;
	int zr;

	for (;;) {
		z->next_out = chunk;
		z->avail_out = sizeof(chunk);
		zr = inflate(z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
			return err_set(e, ERR_INPUT, "gzip: %s",
			    z->msg != NULL ? z->msg : "damaged stream");
		have = sizeof(chunk) - z->avail_out;
		if (gunzip_check(b->len + have, inlen, max, e) < 0)
			return -1;
		if (sbuf_add(b, chunk, have) < 0)
			return gunzip_check(SIZE_MAX, inlen, max, e);
		if (zr == Z_STREAM_END) {
			/* Another member follows, or trailing padding. */
			if (z->avail_in < 2 ||
			    !gunzip_is_gzip(z->next_in, z->avail_in))
				return 0;
			if (inflateReset(z) != Z_OK)
				return err_set(e, ERR_INTERNAL, "gzip: reset");
			continue;
		}
		if (zr == Z_BUF_ERROR || (have == 0 && z->avail_in == 0))
			return err_set(e, ERR_INPUT, "gzip: truncated stream");
	}
}

char *
gunzip_buf(const void *in, size_t inlen, size_t max, size_t *outlen,
	struct err *e)
{
	struct sbuf b;
	z_stream z;
	int rc;

	if (max == 0)
		max = GUNZIP_MAX_OUT;
	if (!gunzip_is_gzip(in, inlen)) {
		err_set(e, ERR_INPUT, "gzip: not a gzip stream");
		return NULL;
	}
	if (inlen > UINT_MAX) {
		err_set(e, ERR_INPUT, "gzip: input larger than %u bytes",
		    UINT_MAX);
		return NULL;
	}
	memset(&z, 0, sizeof(z));
	/* 16 + MAX_WBITS: a gzip header and trailer, not zlib or raw. */
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		err_set(e, ERR_SYSTEM, "gzip: cannot initialise zlib");
		return NULL;
	}
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (unsigned)inlen;
	sbuf_init(&b, max);
	rc = gunzip_run(&z, &b, inlen, max, e);
	inflateEnd(&z);
	if (rc < 0) {
		sbuf_free(&b);
		return NULL;
	}
	return sbuf_steal(&b, outlen);
}
