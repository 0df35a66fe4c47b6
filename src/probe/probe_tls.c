/*
 * probe_tls - SSL setup with OpenSSL's DANE verification, non-blocking
 * handshake steps, and result extraction for one probe.
 *
 * The model is Postfix's tls_client.c/tls_dane.c: DANE is configured per
 * connection, the handshake always runs to completion with SSL_VERIFY_NONE,
 * and the verification outcome is read afterwards, so a failed check still
 * reports the chain the server sent.
 */
#include "probe/probe_tls.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util/xalloc.h"

/*
 * OpenSSL's socket BIO writes with write(2), which raises SIGPIPE when the
 * server has gone; an engine must not kill its host for a peer's sake, nor
 * change the process's signal disposition.  This BIO is BIO_s_socket with
 * send(MSG_NOSIGNAL) and recv.  The method table is created once and never
 * changes: shared, but no per-probe state.
 */
static pthread_once_t probe_bio_once = PTHREAD_ONCE_INIT;
static BIO_METHOD *probe_bio_method;

static int
probe_bio_write(BIO *b, const char *buf, int len)
{
	ssize_t n;

	BIO_clear_retry_flags(b);
	n = send((int)BIO_get_fd(b, NULL), buf, (size_t)len, MSG_NOSIGNAL);
	if (n < 0 && BIO_sock_should_retry((int)n))
		BIO_set_retry_write(b);
	return (int)n;
}

static int
probe_bio_read(BIO *b, char *buf, int len)
{
	ssize_t n;

	if (buf == NULL)
		return 0;
	BIO_clear_retry_flags(b);
	n = recv((int)BIO_get_fd(b, NULL), buf, (size_t)len, 0);
	if (n < 0 && BIO_sock_should_retry((int)n))
		BIO_set_retry_read(b);
	else if (n == 0)
		BIO_set_flags(b, BIO_FLAGS_IN_EOF);
	return (int)n;
}

static int
probe_bio_puts(BIO *b, const char *s)
{
	return probe_bio_write(b, s, (int)strlen(s));
}

static void
probe_bio_init(void)
{
	const BIO_METHOD *sock = BIO_s_socket();
	BIO_METHOD *m;
	int idx;

	if ((idx = BIO_get_new_index()) < 0)
		return;
	m = BIO_meth_new(idx | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
	    "daneops socket");
	if (m == NULL)
		return;
	/* fd bookkeeping (BIO_set_fd, BIO_get_fd, EOF) is the socket BIO's. */
	if (!BIO_meth_set_write(m, probe_bio_write) ||
	    !BIO_meth_set_read(m, probe_bio_read) ||
	    !BIO_meth_set_puts(m, probe_bio_puts) ||
	    !BIO_meth_set_ctrl(m, BIO_meth_get_ctrl(sock)) ||
	    !BIO_meth_set_create(m, BIO_meth_get_create(sock)) ||
	    !BIO_meth_set_destroy(m, BIO_meth_get_destroy(sock))) {
		BIO_meth_free(m);
		return;
	}
	probe_bio_method = m;
}

/* Errors are read after the handshake; never abort it (as Postfix). */
static int
probe_verify_cb(int ok, X509_STORE_CTX *store)
{
	(void)ok;
	(void)store;
	return 1;
}

SSL_CTX *
probe_ssl_ctx_new(struct err *e)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		err_set_ssl(e, ERR_SYSTEM, "cannot create an SSL context");
		return NULL;
	}
	if (SSL_CTX_dane_enable(ctx) <= 0 ||
	    !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION)) {
		err_set_ssl(e, ERR_SYSTEM, "cannot enable DANE and TLS 1.2+");
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* A resumed session has no chain to verify: never resume. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, probe_verify_cb);
	/*
	 * A probe mostly waits for its peer: without their 16 KiB read and
	 * write buffers meanwhile, thousands of probes in flight (a survey)
	 * cost a third of the memory.
	 */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	return ctx;
}

/* SNI, the DANE base domain and the DANE-TA reference identifiers. */
static int
probe_tls_names(SSL *ssl, const struct probe_target *t, struct err *e)
{
	const char *base = NULL;
	size_t i;

	if (t->sni != NULL && *t->sni != '\0')
		base = t->sni;
	else if (t->names != NULL && t->names[0] != NULL && *t->names[0])
		base = t->names[0];
	if (base == t->sni && base != NULL &&
	    !SSL_set_tlsext_host_name(ssl, base))
		return err_set_ssl(e, ERR_USAGE, "invalid SNI name");
	if (SSL_dane_enable(ssl, base) <= 0)
		return err_set_ssl(e, ERR_USAGE, "cannot enable DANE");
	/* SSL_dane_enable makes the base domain the SNI when none is set. */
	if (base != t->sni)
		SSL_set_tlsext_host_name(ssl, NULL);
	SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	for (i = 0; t->names != NULL && t->names[i] != NULL; i++) {
		if (*t->names[i] != '\0' && !SSL_add1_host(ssl, t->names[i]))
			return err_set_ssl(e, ERR_USAGE,
			    "invalid reference name '%s'", t->names[i]);
	}
	return 0;
}

/* Give OpenSSL every record; count the ones it can use. */
static int
probe_tls_records(SSL *ssl, const struct probe_target *t, int *usable,
	struct err *e)
{
	const struct tlsa_rec *r;
	size_t i;
	int rc;

	*usable = 0;
	for (i = 0; i < t->ntlsa; i++) {
		if ((r = t->tlsa[i]) == NULL)
			continue;
		rc = SSL_dane_tlsa_add(ssl, r->usage, r->selector, r->mtype,
		    r->data, r->len);
		if (rc < 0)
			return err_set_ssl(e, ERR_SYSTEM,
			    "cannot add TLSA record %zu", i);
		if (rc > 0)
			(*usable)++;
		/* An unusable record leaves its reason on the queue. */
		ERR_clear_error();
	}
	return 0;
}

SSL *
probe_tls_new(SSL_CTX *ctx, const struct probe_target *t, int fd,
	int *usable, struct err *e)
{
	SSL *ssl;
	BIO *bio;

	ERR_clear_error();
	pthread_once(&probe_bio_once, probe_bio_init);
	if (probe_bio_method == NULL) {
		err_set(e, ERR_SYSTEM, "cannot create the socket BIO method");
		return NULL;
	}
	if ((ssl = SSL_new(ctx)) == NULL) {
		err_set_ssl(e, ERR_SYSTEM, "cannot create an SSL connection");
		return NULL;
	}
	if ((bio = BIO_new(probe_bio_method)) == NULL) {
		err_set_ssl(e, ERR_SYSTEM, "cannot create a socket BIO");
		SSL_free(ssl);
		return NULL;
	}
	BIO_set_fd(bio, fd, BIO_NOCLOSE);
	SSL_set_bio(ssl, bio, bio);
	if (probe_tls_names(ssl, t, e) < 0 ||
	    probe_tls_records(ssl, t, usable, e) < 0) {
		SSL_free(ssl);
		return NULL;
	}
	return ssl;
}

void
probe_tls_free(SSL *ssl, const char *bye)
{
	if (ssl == NULL)
		return;
	if (bye != NULL) {
		/*
		 * One try each at a goodbye (servers log a lost connection
		 * otherwise) and at close_notify; the socket is non-blocking,
		 * so neither can hang, and a failure changes nothing.
		 */
		ERR_clear_error();
		if (*bye != '\0')
			(void)SSL_write(ssl, bye, (int)strlen(bye));
		ERR_clear_error();
		(void)SSL_shutdown(ssl);
	}
	ERR_clear_error();
	SSL_free(ssl);
}

const char *
probe_tls_bye(enum starttls_kind kind)
{
	switch (kind) {
	case STARTTLS_SMTP:
	case STARTTLS_POP3:
		return "QUIT\r\n";
	case STARTTLS_IMAP:
		return "a002 LOGOUT\r\n";
	case STARTTLS_NONE:
		break;
	}
	return "";
}

int
probe_tls_step(SSL *ssl, short *want, struct err *e)
{
	int rc, saved;

	ERR_clear_error();	/* a stale entry would fake SSL_ERROR_SSL */
	errno = 0;
	rc = SSL_connect(ssl);
	saved = errno;
	if (rc == 1)
		return 1;
	switch (SSL_get_error(ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		*want = EV_READ;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		*want = EV_WRITE;
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		return err_set(e, ERR_NETWORK, "TLS handshake failed: "
		    "the server closed the connection");
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0 && saved != 0)
			return err_set_errno(e, ERR_NETWORK, saved,
			    "TLS handshake failed");
		if (ERR_peek_error() == 0)
			return err_set(e, ERR_NETWORK, "TLS handshake failed: "
			    "the server closed the connection");
		return err_set_ssl(e, ERR_NETWORK, "TLS handshake failed");
	default:
		return err_set_ssl(e, ERR_NETWORK, "TLS handshake failed");
	}
}

/* notAfter as time_t; 0 when it cannot be read. */
static time_t
probe_not_after(X509 *cert)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (cert == NULL || !ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm))
		return 0;
	return timegm(&tm);
}

void
probe_tls_report(SSL *ssl, int usable, struct probe_result *res)
{
	STACK_OF(X509) *chain;
	const unsigned char *data;
	uint8_t u, s, m;
	size_t dlen;
	const char *cipher;
	int depth = -1;

	res->tls_version = xstrdup(SSL_get_version(ssl));
	cipher = SSL_get_cipher_name(ssl);
	res->cipher = xstrdup(cipher != NULL ? cipher : "(none)");
	res->verify_error = SSL_get_verify_result(ssl);
	res->verify_error_str = xstrdup(
	    X509_verify_cert_error_string(res->verify_error));
	if ((chain = SSL_get_peer_cert_chain(ssl)) != NULL)
		res->chain = X509_chain_up_ref(chain);
	res->leaf_not_after = probe_not_after(SSL_get0_peer_certificate(ssl));
	res->dane_usable = usable;
	/* Without a usable record OpenSSL did plain PKIX: never "DANE ok". */
	if (usable > 0) {
		depth = SSL_get0_dane_authority(ssl, NULL, NULL);
		if (depth >= 0 && SSL_get0_dane_tlsa(ssl, &u, &s, &m, &data,
		    &dlen) >= 0)
			res->matched = tlsa_rec_new(u, s, m, data, dlen);
	}
	res->match_depth = depth < 0 ? -1 : depth;
	res->dane_ok = usable > 0 && res->verify_error == X509_V_OK &&
	    depth >= 0;
	ERR_clear_error();
}
