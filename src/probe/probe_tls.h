/*
 * probe_tls - the TLS half of a probe: SSL setup with OpenSSL's DANE
 * verification, one non-blocking SSL_connect step at a time, and the
 * extraction of what the handshake showed.  Internal to src/probe: probe.c
 * owns the socket, the events and the timeouts and calls these.
 *
 * Ownership: probe_tls_new returns an SSL the caller frees with
 * probe_tls_free (NULL is a no-op).  The socket stays the caller's.
 */
#ifndef DANEOPS_PROBE_TLS_H
#define DANEOPS_PROBE_TLS_H

#include <openssl/ssl.h>

#include "probe/probe.h"
#include "util/err.h"

/*
 * An SSL on fd (through a socket BIO of our own that never raises SIGPIPE
 * and never sees bytes we buffered during the plaintext dialogue), with SNI
 * and DANE configured from t.  *usable is the number of TLSA records OpenSSL
 * accepted; with none, DANE is off and OpenSSL would silently fall back to
 * PKIX, which the caller must report rather than trust.
 */
SSL *probe_tls_new(SSL_CTX *ctx, const struct probe_target *t, int fd,
	int *usable, struct err *e);

/*
 * Free ssl.  With bye not NULL (the handshake completed), first try, once
 * and without blocking, to send bye inside TLS ("QUIT\r\n"; "" for none)
 * and a close_notify.
 */
void probe_tls_free(SSL *ssl, const char *bye);

/* The goodbye command for a dialogue, "" when it has none. */
const char *probe_tls_bye(enum starttls_kind kind);

/*
 * One SSL_connect step: 1 when the handshake is complete; 0 when it must be
 * called again once the socket is ready for *want (EV_READ or EV_WRITE);
 * -1 with a one-line reason in e when the handshake failed.
 */
int probe_tls_step(SSL *ssl, short *want, struct err *e);

/* Fill the TLS and DANE fields of res after a complete handshake. */
void probe_tls_report(SSL *ssl, int usable, struct probe_result *res);

#endif
