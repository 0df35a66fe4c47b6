/*
 * hex - hexadecimal encoding of binary data.
 */
#include "util/hex.h"

#include <ctype.h>
#include <string.h>

#include <stdlib.h>

#include "util/xalloc.h"

char *
hex_encode(const uint8_t *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *s = xmalloc(len * 2 + 1);
	size_t i;

	for (i = 0; i < len; i++) {
		s[2 * i] = digits[data[i] >> 4];
		s[2 * i + 1] = digits[data[i] & 0x0f];
	}
	s[2 * len] = '\0';
	return s;
}

static int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hex_decode(const char *text, size_t textlen, uint8_t **out, size_t *outlen,
	size_t *bad)
{
	uint8_t *buf;
	size_t i, n = 0;
	int hi = -1, d;

	textlen = strnlen(text, textlen);
	buf = xmalloc(textlen / 2 + 1);
	for (i = 0; i < textlen; i++) {
		if (isspace((unsigned char)text[i]) && hi < 0)
			continue;
		d = hex_digit((unsigned char)text[i]);
		if (d < 0)
			goto bad;
		if (hi < 0) {
			hi = d;
		} else {
			buf[n++] = (uint8_t)(hi << 4 | d);
			hi = -1;
		}
	}
	if (hi >= 0)
		goto bad;
	*out = buf;
	*outlen = n;
	return 0;
bad:
	if (bad != NULL)
		*bad = i;
	free(buf);
	return -1;
}
