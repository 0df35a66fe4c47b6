/*
 * fuzz_starttls - libFuzzer target for the STARTTLS dialogue machines
 * (src/probe/starttls.c): whatever a server sends, the machine must end in
 * a sane state, keep its limits and say printable things.
 *
 * Input: byte 0 picks the dialogue (SMTP, IMAP, POP3), byte 1 the size of
 * the pieces the rest is fed in (1-64 octets), so line splitting is
 * exercised as well as the content.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "probe/starttls.h"

static void
check_printable(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			abort();
}

static void
check_machine(struct starttls *st, enum starttls_state state)
{
	const char *out;
	size_t len;

	if (state != starttls_state(st))
		abort();
	if ((state == STARTTLS_FAILED) != (*starttls_detail(st) != '\0'))
		abort();
	if (state != STARTTLS_READING &&
	    starttls_waiting(st) != STARTTLS_WAIT_NOTHING)
		abort();
	check_printable(starttls_detail(st));
	check_printable(starttls_banner(st));
	out = starttls_output(st, &len);
	if (len > 300 || (len > 0 && (len < 2 || memcmp(out + len - 2,
	    "\r\n", 2) != 0)))
		abort();
	/* Send the command in two pieces, as a short write would. */
	starttls_output_consume(st, len / 2);
	starttls_output(st, &len);
	starttls_output_consume(st, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum starttls_kind kinds[] = {
		STARTTLS_SMTP, STARTTLS_IMAP, STARTTLS_POP3,
	};
	enum starttls_state state = STARTTLS_READING;
	struct starttls *st;
	size_t piece, n;
	struct err e;

	if (size < 2)
		return 0;
	st = starttls_new(kinds[data[0] % 3], "fuzz.invalid", &e);
	if (st == NULL)
		abort();
	piece = (size_t)(data[1] % 64) + 1;
	data += 2;
	size -= 2;
	while (size > 0) {
		n = size < piece ? size : piece;
		state = starttls_input(st, data, n);
		check_machine(st, state);
		data += n;
		size -= n;
	}
	starttls_free(st);
	return 0;
}
