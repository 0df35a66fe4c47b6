/*
 * gunzip - inflate a gzip stream held in memory, under a size limit.
 *
 * TLS reports arrive gzipped from anybody who can send mail, so a small
 * attachment may claim to inflate to gigabytes (a "gzip bomb").  GMime's
 * gzip filter has no output limit; this module inflates with zlib and stops
 * as soon as the output passes GUNZIP_MAX_OUT, or the output grows more
 * than GUNZIP_MAX_RATIO times the input once past GUNZIP_RATIO_FLOOR, so a
 * bomb costs neither memory nor much time.  Concatenated gzip members (RFC
 * 1952 allows them) are inflated one after another.
 *
 * Ownership: gunzip_buf returns a new NUL-terminated buffer; caller frees.
 */
#ifndef DANEOPS_GUNZIP_H
#define DANEOPS_GUNZIP_H

#include <stddef.h>

#include "util/err.h"

/* Real reports are a few KiB; the largest seen inflate to a few hundred. */
#define GUNZIP_MAX_OUT (10 * 1024 * 1024)
/* Repetitive JSON compresses ~20:1; all zeros ~1000:1. */
#define GUNZIP_MAX_RATIO 200
/* Below this output size the ratio is not checked: tiny inputs may have any. */
#define GUNZIP_RATIO_FLOOR (1024 * 1024)

/* Does data start with the gzip magic number? */
int gunzip_is_gzip(const void *data, size_t len);

/*
 * Inflate the gzip stream in[0..inlen) into a new buffer of at most max
 * bytes (0: GUNZIP_MAX_OUT).  Fails with ERR_INPUT for a damaged or
 * truncated stream and for output over the limits.
 */
char *gunzip_buf(const void *in, size_t inlen, size_t max, size_t *outlen,
	struct err *e);

#endif
