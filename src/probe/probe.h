/*
 * probe - connect to one address, speak STARTTLS if needed, do a TLS
 * handshake with OpenSSL's DANE verification, and report what happened.
 *
 * Fully asynchronous on a libevent base: non-blocking socket, the plaintext
 * dialogue read through a bounded buffer, SSL_connect driven by
 * WANT_READ/WANT_WRITE, a timeout on connect, on each reply, on the
 * handshake and on the whole probe.  A hostile peer ends the probe with a
 * status, never a crash or a hang.  Many probes may run on one base at once;
 * a probe keeps no global state.
 *
 * Ownership: probe_start returns a handle owned by the library until the
 * callback has run; the callback receives a struct probe_result it owns and
 * frees with probe_result_free.  probe_cancel (before the callback) frees
 * the probe without calling back.  The target and its strings are copied.
 */
#ifndef DANEOPS_PROBE_H
#define DANEOPS_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <event2/event.h>
#include <openssl/ssl.h>

#include "tlsa/tlsa.h"
#include "util/err.h"

enum starttls_kind {
	STARTTLS_NONE = 0,      /* TLS from the first byte (465, 993, 995, 443) */
	STARTTLS_SMTP,
	STARTTLS_IMAP,
	STARTTLS_POP3,
};

/* The dialogue a port implies: 25, 587 SMTP; 143 IMAP; 110 POP3; else none. */
enum starttls_kind starttls_for_port(uint16_t port);
const char *starttls_name(enum starttls_kind kind);
/* Parse "smtp", "imap", "pop3", "none"; -1 when unknown. */
int starttls_parse(const char *s, enum starttls_kind *kind);

struct probe_target {
	const char *address;            /* numeric IPv4 or IPv6 */
	uint16_t port;
	enum starttls_kind starttls;
	const char *sni;                /* TLSA base domain; NULL: none */
	const char *ehlo_name;          /* our name in EHLO; NULL: "daneops.invalid" */
	const char *const *names;       /* DANE-TA reference identifiers, NULL-terminated */
	struct tlsa_rec *const *tlsa;   /* records for OpenSSL's DANE (any usability) */
	size_t ntlsa;
	int connect_ms, reply_ms, handshake_ms, total_ms;   /* 0: defaults */
	int defer_tlsa;                 /* wait for probe_set_tlsa before TLS */
};
/* The defaults: connect 10 s, each reply 30 s, handshake 30 s, total 60 s. */

enum probe_status {
	PROBE_OK = 0,           /* handshake completed (see dane_* for the verdict) */
	PROBE_CONNECT,          /* could not connect; or a socket error
				   (reset, ...) in the plaintext dialogue */
	PROBE_TIMEOUT,          /* a step timed out (detail says which) */
	PROBE_PROTOCOL,         /* bad greeting, no STARTTLS, injection, oversize,
				   or the server closed during the dialogue */
	PROBE_TLS,              /* the TLS handshake failed */
};

struct probe_result {
	enum probe_status status;
	char *detail;                   /* one line when status != PROBE_OK */
	char *banner;                   /* first greeting line, may be NULL */
	char *tls_version;              /* "TLSv1.3" */
	char *cipher;
	STACK_OF(X509) *chain;          /* peer chain as sent, leaf first; owned */
	int dane_usable;                /* records OpenSSL accepted as usable */
	int dane_ok;                    /* 1: authenticated by a TLSA record */
	long verify_error;              /* X509_V_OK or the failure */
	char *verify_error_str;         /* (both only when the handshake completed:
					   else X509_V_ERR_UNSPECIFIED and NULL) */
	int match_depth;                /* depth of the matching record, -1 none */
	struct tlsa_rec *matched;       /* the record that matched, or NULL */
	time_t leaf_not_after;          /* 0 when no certificate */
	double elapsed_ms;
};

void probe_result_free(struct probe_result *res);
/* A deep copy (the chain's certificates are shared by reference count). */
struct probe_result *probe_result_dup(const struct probe_result *res);

/*
 * One client SSL_CTX for many probes: DANE enabled, TLS 1.2 and 1.3, no
 * session resumption, verification results read after the handshake
 * (SSL_VERIFY_NONE with a callback, as Postfix does).
 */
SSL_CTX *probe_ssl_ctx_new(struct err *e);

typedef void (*probe_done_cb)(void *arg, struct probe_result *res);

struct probe;

struct probe *probe_start(struct event_base *base, SSL_CTX *ctx,
	const struct probe_target *target, probe_done_cb done, void *arg,
	struct err *e);
void probe_cancel(struct probe *p);

/*
 * For a probe started with defer_tlsa: the SNI, reference names and TLSA
 * records (from t; the rest of t is ignored), known only now.  The probe
 * connects and speaks the plaintext dialogue meanwhile, so the dialogue
 * overlaps the TLSA lookup; it waits before the handshake until this call
 * (its timers still run).  Copied; callable once, before the callback.
 */
void probe_set_tlsa(struct probe *p, const struct probe_target *t);

/*
 * probe_start returns NULL with e set only for arguments it cannot use (a
 * name in address, a bad EHLO name: ERR_USAGE; missing pointers:
 * ERR_INTERNAL) or when the system refuses a socket (ERR_SYSTEM).  Every
 * network outcome, even an immediate connect failure, is reported through
 * the callback from the event loop, never from inside probe_start.  By the
 * time the callback runs the probe is gone: it must not probe_cancel its
 * own probe, but may start or cancel others, free the SSL_CTX (each probe
 * holds a reference of its own), or stop the loop.  probe_cancel(NULL) is a
 * no-op.
 */

#endif
