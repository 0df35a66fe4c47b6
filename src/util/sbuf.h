/*
 * sbuf - a growable byte buffer with a hard size limit.
 *
 * As curl's dynbuf: the limit is given at initialisation and every append
 * that would pass it fails, so data from a peer, a file or an API can never
 * grow a buffer without bound.  The content is always NUL-terminated (the
 * NUL is not counted in len), so text can be used as a C string.
 *
 * Ownership: the struct is the caller's (usually on the stack or inside
 * another object); sbuf_free releases the data and is safe on a zeroed or
 * already freed sbuf.  sbuf_steal hands the data to the caller.
 */
#ifndef DANEOPS_SBUF_H
#define DANEOPS_SBUF_H

#include <stdarg.h>
#include <stddef.h>

struct sbuf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;     /* content may never exceed this many bytes */
};

void sbuf_init(struct sbuf *b, size_t max);
void sbuf_free(struct sbuf *b);
void sbuf_reset(struct sbuf *b);

/* Append; return 0, or -1 (buffer unchanged) when max would be exceeded. */
int sbuf_add(struct sbuf *b, const void *data, size_t len);
int sbuf_adds(struct sbuf *b, const char *s);
int sbuf_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap);

/* Drop the first n bytes (a consumed line, say). */
void sbuf_consume(struct sbuf *b, size_t n);

/* Give the data (never NULL) to the caller and leave b empty. */
char *sbuf_steal(struct sbuf *b, size_t *len);

#endif
