/*
 * starttls - the plaintext dialogues that come before a STARTTLS handshake
 * (SMTP RFC 3207, IMAP RFC 3501 §6.2.1, POP3 RFC 2595 §4), as pure state
 * machines: bytes from the server go in, the next command to send comes out,
 * and the machine says when TLS may start or why it may not.  No I/O and no
 * clock here (probe.c owns the socket and the timeouts), so the parser can be
 * unit-tested and fuzzed on its own.
 *
 * Limits: one line may hold at most STARTTLS_LINE_MAX octets (terminator
 * included) and one reply at most STARTTLS_REPLY_MAX; more is a protocol
 * failure, so a hostile peer cannot make us buffer without bound.  Bytes
 * that arrive after a complete reply, before we sent the command that would
 * provoke the next one, are a failure too: after the STARTTLS reply that is
 * the STARTTLS command-injection attack (CVE-2011-0411 class).
 *
 * Ownership: starttls_new returns a machine the caller frees with
 * starttls_free (NULL is a no-op).  Strings it returns belong to the machine
 * and live until the next starttls_input or starttls_free.
 */
#ifndef DANEOPS_STARTTLS_H
#define DANEOPS_STARTTLS_H

#include <stddef.h>

#include "probe/probe.h"
#include "util/err.h"

/* Lenient next to SMTP's 512: real servers send longer lines. */
#define STARTTLS_LINE_MAX	1000
#define STARTTLS_REPLY_MAX	(64 * 1024)

enum starttls_state {
	STARTTLS_READING,	/* send starttls_output, then feed more input */
	STARTTLS_DONE,		/* the server said go: start the TLS handshake */
	STARTTLS_FAILED,	/* see starttls_detail; the probe is over */
};

/* The reply the machine is waiting for. */
enum starttls_wait {
	STARTTLS_WAIT_GREETING,
	STARTTLS_WAIT_EHLO,		/* SMTP only */
	STARTTLS_WAIT_STARTTLS,		/* the reply to STARTTLS / STLS */
	STARTTLS_WAIT_NOTHING,		/* done or failed */
};

struct starttls;

/*
 * A machine for one connection.  ehlo_name (SMTP only; NULL means
 * "daneops.invalid") must be a plain name: no white space or control
 * characters, at most 255 octets, else ERR_USAGE.  STARTTLS_NONE gives a
 * machine that is DONE at once.
 */
struct starttls *starttls_new(enum starttls_kind kind, const char *ehlo_name,
	struct err *e);
void starttls_free(struct starttls *st);

/* Feed bytes read from the server; returns the new state. */
enum starttls_state starttls_input(struct starttls *st, const void *data,
	size_t len);

enum starttls_state starttls_state(const struct starttls *st);
enum starttls_wait starttls_waiting(const struct starttls *st);

/* "greeting", "EHLO reply", "STARTTLS reply", ... for timeout messages. */
const char *starttls_wait_name(const struct starttls *st);

/* Bytes to send now (*len 0: nothing), and how many were sent. */
const char *starttls_output(const struct starttls *st, size_t *len);
void starttls_output_consume(struct starttls *st, size_t n);

/* One printable line: why the machine FAILED; "" otherwise. */
const char *starttls_detail(const struct starttls *st);

/* The first greeting line as received (made printable), or NULL. */
const char *starttls_banner(const struct starttls *st);

/*
 * Copy at most max octets of s[0..len) to a new string with every byte
 * outside printable ASCII replaced by '?', so peer text is safe in a
 * one-line detail or a log.  Caller frees.
 */
char *starttls_printable(const char *s, size_t len, size_t max);

#endif
