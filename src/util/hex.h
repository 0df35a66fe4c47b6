/*
 * hex - hexadecimal encoding of binary data (TLSA association data).
 */
#ifndef DANEOPS_HEX_H
#define DANEOPS_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Lower-case hex of data[0..len); returns a new string the caller frees. */
char *hex_encode(const uint8_t *data, size_t len);

/*
 * Decode hex text of up to textlen bytes (stopping early at NUL).  White
 * space between digit pairs is skipped, as zone files allow.  On success
 * stores a new buffer (caller frees) and its length and returns 0; on an odd
 * number of digits or a non-hex character returns -1 and sets *bad to the
 * offending offset.
 */
int hex_decode(const char *text, size_t textlen, uint8_t **out, size_t *outlen,
	size_t *bad);

#endif
