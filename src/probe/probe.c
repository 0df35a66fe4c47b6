/*
 * probe - one asynchronous STARTTLS/TLS/DANE probe on a libevent base:
 * socket, events and timeouts.  The plaintext dialogue is starttls.c's, the
 * TLS half probe_tls.c's.
 *
 * Every wait has a deadline: the step timer (connect, each reply, the
 * handshake) is re-armed when a new step starts and never by the arrival of
 * bytes, so a server that trickles a byte at a time still times out; the
 * total timer bounds the whole probe.  The read and write events carry no
 * timeout of their own.
 */
#include "probe/probe.h"

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "probe/probe_tls.h"
#include "probe/starttls.h"
#include "util/xalloc.h"

#define PROBE_CONNECT_MS	10000
#define PROBE_REPLY_MS		30000
#define PROBE_HANDSHAKE_MS	30000
#define PROBE_TOTAL_MS		60000

/* One read of the plaintext dialogue; lines are bounded in starttls.c. */
#define PROBE_READ_CHUNK	4096

enum probe_phase {
	PHASE_CONNECT,
	PHASE_DIALOGUE,
	PHASE_TLS,
};

struct probe {
	struct event_base *base;
	SSL_CTX *ctx;		/* a reference of our own */
	probe_done_cb done;
	void *arg;

	/* Our copy of the target; t points into it. */
	struct probe_target t;
	char *address, *sni, *ehlo;
	char **names;
	struct tlsa_rec **tlsa;
	struct sockaddr_storage sa;
	socklen_t salen;

	int fd;
	int connect_errno;	/* connect(2) failed at once */
	enum probe_phase phase;
	struct event *ev_read, *ev_write, *ev_step, *ev_total;
	struct event *ev_resume;	/* probe_set_tlsa on a parked probe */
	int tlsa_ready;		/* SNI, names and records are known */
	int parked;		/* ready for TLS, waiting for them */
	struct starttls *st;
	enum starttls_wait waiting;	/* the reply the step timer is for */
	SSL *ssl;
	int usable;
	struct timespec start;
	struct probe_result *res;
};

static void probe_dialogue_flush(struct probe *p);
static void probe_tls_start(struct probe *p);

static double
probe_ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) * 1000.0 +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

void
probe_result_free(struct probe_result *res)
{
	if (res == NULL)
		return;
	free(res->detail);
	free(res->banner);
	free(res->tls_version);
	free(res->cipher);
	sk_X509_pop_free(res->chain, X509_free);
	free(res->verify_error_str);
	tlsa_rec_free(res->matched);
	free(res);
}

static struct probe_result *
probe_result_new(void)
{
	struct probe_result *res = xcalloc(1, sizeof(*res));

	res->status = PROBE_OK;
	/* Until a handshake completes there is no verification result. */
	res->verify_error = X509_V_ERR_UNSPECIFIED;
	res->match_depth = -1;
	return res;
}

/* Release everything but the result; safe at any phase. */
static void
probe_destroy(struct probe *p)
{
	size_t i;

	if (p->ev_read != NULL)
		event_free(p->ev_read);
	if (p->ev_write != NULL)
		event_free(p->ev_write);
	if (p->ev_step != NULL)
		event_free(p->ev_step);
	if (p->ev_total != NULL)
		event_free(p->ev_total);
	if (p->ev_resume != NULL)
		event_free(p->ev_resume);
	probe_tls_free(p->ssl, p->res != NULL && p->res->status == PROBE_OK &&
	    p->res->tls_version != NULL ? probe_tls_bye(p->t.starttls) : NULL);
	starttls_free(p->st);
	SSL_CTX_free(p->ctx);
	if (p->fd >= 0)
		close(p->fd);
	free(p->address);
	free(p->sni);
	free(p->ehlo);
	for (i = 0; p->names != NULL && p->names[i] != NULL; i++)
		free(p->names[i]);
	free(p->names);
	for (i = 0; i < p->t.ntlsa; i++)
		tlsa_rec_free(p->tlsa[i]);
	free(p->tlsa);
	free(p);
}

/*
 * End the probe: tear it down first, then call back, so that the callback
 * may free the SSL_CTX, cancel other probes or stop the loop.
 */
static void
probe_finish(struct probe *p, enum probe_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
probe_finish(struct probe *p, enum probe_status status, const char *fmt, ...)
{
	struct probe_result *res = p->res;
	probe_done_cb done = p->done;
	void *arg = p->arg;
	char buf[ERR_MSG_MAX];
	va_list ap;

	res->status = status;
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
		res->detail = starttls_printable(buf, strlen(buf), sizeof(buf));
	}
	if (p->st != NULL && starttls_banner(p->st) != NULL)
		res->banner = xstrdup(starttls_banner(p->st));
	res->elapsed_ms = probe_ms_since(&p->start);
	probe_destroy(p);
	done(arg, res);
}

static struct timeval
probe_tv(int ms)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	return tv;
}

static void
probe_arm_step(struct probe *p, int ms)
{
	struct timeval tv = probe_tv(ms);

	evtimer_add(p->ev_step, &tv);
}

static int
probe_ms(int ms, int def)
{
	return ms > 0 ? ms : def;
}

static const char *
probe_phase_name(const struct probe *p)
{
	switch (p->phase) {
	case PHASE_CONNECT:
		return "connecting";
	case PHASE_DIALOGUE:
		return "waiting for a reply";
	case PHASE_TLS:
		return "in the TLS handshake";
	}
	return "?";
}

static void
probe_on_step_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;
	int ms;

	(void)fd;
	(void)what;
	switch (p->phase) {
	case PHASE_CONNECT:
		ms = probe_ms(p->t.connect_ms, PROBE_CONNECT_MS);
		probe_finish(p, PROBE_TIMEOUT, "timed out after %d ms "
		    "connecting to %s port %u", ms, p->address, p->t.port);
		return;
	case PHASE_DIALOGUE:
		ms = probe_ms(p->t.reply_ms, PROBE_REPLY_MS);
		probe_finish(p, PROBE_TIMEOUT, "timed out after %d ms "
		    "waiting for %s", ms, starttls_wait_name(p->st));
		return;
	case PHASE_TLS:
		ms = probe_ms(p->t.handshake_ms, PROBE_HANDSHAKE_MS);
		probe_finish(p, PROBE_TIMEOUT, "timed out after %d ms "
		    "in the TLS handshake", ms);
		return;
	}
}

static void
probe_on_total_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;

	(void)fd;
	(void)what;
	if (p->phase == PHASE_DIALOGUE)
		probe_finish(p, PROBE_TIMEOUT, "probe timed out after %d ms "
		    "(waiting for %s)", probe_ms(p->t.total_ms, PROBE_TOTAL_MS),
		    starttls_wait_name(p->st));
	else
		probe_finish(p, PROBE_TIMEOUT, "probe timed out after %d ms "
		    "(%s)", probe_ms(p->t.total_ms, PROBE_TOTAL_MS),
		    probe_phase_name(p));
}

/* The TCP connection is up: start the dialogue or go straight to TLS. */
static void
probe_connected(struct probe *p)
{
	if (starttls_state(p->st) == STARTTLS_DONE) {
		probe_tls_start(p);
		return;
	}
	p->phase = PHASE_DIALOGUE;
	p->waiting = starttls_waiting(p->st);
	probe_arm_step(p, probe_ms(p->t.reply_ms, PROBE_REPLY_MS));
	event_add(p->ev_read, NULL);
}

static void
probe_on_connect(struct probe *p)
{
	socklen_t len = sizeof(int);
	int soerr = p->connect_errno;

	if (soerr == 0 &&
	    getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		soerr = errno;
	if (soerr != 0) {
		probe_finish(p, PROBE_CONNECT, "connect to %s port %u: %s",
		    p->address, p->t.port, strerror(soerr));
		return;
	}
	probe_connected(p);
}

/* The server's bytes of the plaintext dialogue. */
static void
probe_dialogue_read(struct probe *p)
{
	char buf[PROBE_READ_CHUNK];
	enum starttls_state state;
	ssize_t n;

	n = recv(p->fd, buf, sizeof(buf), 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR)) {
		event_add(p->ev_read, NULL);
		return;
	}
	if (n < 0) {
		probe_finish(p, PROBE_CONNECT, "reading %s: %s",
		    starttls_wait_name(p->st), strerror(errno));
		return;
	}
	if (n == 0) {
		probe_finish(p, PROBE_PROTOCOL, "server closed the connection "
		    "while we waited for %s", starttls_wait_name(p->st));
		return;
	}
	state = starttls_input(p->st, buf, (size_t)n);
	if (state == STARTTLS_FAILED) {
		probe_finish(p, PROBE_PROTOCOL, "%s", starttls_detail(p->st));
		return;
	}
	if (state == STARTTLS_DONE) {
		probe_tls_start(p);
		return;
	}
	/* A new reply is awaited: it gets a full reply timeout. */
	if (starttls_waiting(p->st) != p->waiting) {
		p->waiting = starttls_waiting(p->st);
		probe_arm_step(p, probe_ms(p->t.reply_ms, PROBE_REPLY_MS));
	}
	probe_dialogue_flush(p);
}

/* Send the pending command; then wait for the reply. */
static void
probe_dialogue_flush(struct probe *p)
{
	const char *out;
	size_t len;
	ssize_t n;

	while ((out = starttls_output(p->st, &len)), len > 0) {
		n = send(p->fd, out, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR)) {
			event_add(p->ev_write, NULL);
			return;
		}
		if (n < 0) {
			probe_finish(p, PROBE_CONNECT, "sending our command: %s",
			    strerror(errno));
			return;
		}
		starttls_output_consume(p->st, (size_t)n);
	}
	event_add(p->ev_read, NULL);
}

/* One SSL_connect step; re-arm for what OpenSSL waits on. */
static void
probe_tls_continue(struct probe *p)
{
	struct err e;
	short want = 0;
	int rc;

	err_clear(&e);
	rc = probe_tls_step(p->ssl, &want, &e);
	if (rc < 0) {
		probe_finish(p, PROBE_TLS, "%s", e.msg);
		return;
	}
	if (rc == 0) {
		event_add(want == EV_WRITE ? p->ev_write : p->ev_read, NULL);
		return;
	}
	probe_tls_report(p->ssl, p->usable, p->res);
	probe_finish(p, PROBE_OK, NULL);
}

/*
 * After a STARTTLS reply nothing may be waiting on the socket: the machine
 * has checked its own buffer, and a peek catches bytes that came in a
 * separate segment.  Whatever we buffered is never handed to OpenSSL: it
 * reads the socket through its own BIO.
 */
static void
probe_tls_start(struct probe *p)
{
	struct err e;
	char c;

	if (!p->tlsa_ready) {
		/* The total timer still bounds the wait. */
		p->parked = 1;
		evtimer_del(p->ev_step);
		return;
	}
	if (p->t.starttls != STARTTLS_NONE &&
	    recv(p->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0) {
		probe_finish(p, PROBE_PROTOCOL, "server sent data after the "
		    "STARTTLS reply (STARTTLS injection)");
		return;
	}
	p->phase = PHASE_TLS;
	err_clear(&e);
	if ((p->ssl = probe_tls_new(p->ctx, &p->t, p->fd, &p->usable,
	    &e)) == NULL) {
		probe_finish(p, PROBE_TLS, "%s", e.msg);
		return;
	}
	probe_arm_step(p, probe_ms(p->t.handshake_ms, PROBE_HANDSHAKE_MS));
	probe_tls_continue(p);
}

static void
probe_on_read(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;

	(void)fd;
	(void)what;
	if (p->phase == PHASE_DIALOGUE)
		probe_dialogue_read(p);
	else if (p->phase == PHASE_TLS)
		probe_tls_continue(p);
}

static void
probe_on_write(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;

	(void)fd;
	(void)what;
	switch (p->phase) {
	case PHASE_CONNECT:
		probe_on_connect(p);
		break;
	case PHASE_DIALOGUE:
		probe_dialogue_flush(p);
		break;
	case PHASE_TLS:
		probe_tls_continue(p);
		break;
	}
}

/*
 * Numeric address and port to a sockaddr; -1 when not numeric.  With
 * AI_NUMERICHOST getaddrinfo never touches DNS, so it does not block, and
 * it understands IPv6 scope ids (fe80::1%eth0).
 */
static int
probe_sockaddr(struct probe *p)
{
	struct addrinfo hints, *ai = NULL;
	char port[8];

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", (unsigned)p->t.port);
	if (getaddrinfo(p->address, port, &hints, &ai) != 0 || ai == NULL)
		return -1;
	if (ai->ai_addrlen > sizeof(p->sa)) {
		freeaddrinfo(ai);
		return -1;
	}
	memcpy(&p->sa, ai->ai_addr, ai->ai_addrlen);
	p->salen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* Copy what DANE needs: SNI, reference names, records. */
static void
probe_copy_dane(struct probe *p, const struct probe_target *t)
{
	size_t i, n;

	p->t.sni = p->sni = t->sni != NULL ? xstrdup(t->sni) : NULL;
	for (n = 0; t->names != NULL && t->names[n] != NULL; n++)
		;
	p->names = xcalloc(n + 1, sizeof(*p->names));
	for (i = 0; i < n; i++)
		p->names[i] = xstrdup(t->names[i]);
	p->t.names = (const char *const *)p->names;
	p->tlsa = xcalloc(t->ntlsa + 1, sizeof(*p->tlsa));
	for (i = 0; i < t->ntlsa; i++)
		p->tlsa[i] = t->tlsa[i] != NULL ? tlsa_rec_dup(t->tlsa[i]) :
		    NULL;
	p->t.tlsa = p->tlsa;
	p->t.ntlsa = t->ntlsa;
}

/* Deep-copy the target, so the caller's may go away at once. */
static void
probe_copy_target(struct probe *p, const struct probe_target *t)
{
	p->t = *t;
	p->t.address = p->address = xstrdup(t->address);
	p->t.ehlo_name = p->ehlo =
	    t->ehlo_name != NULL ? xstrdup(t->ehlo_name) : NULL;
	if (t->defer_tlsa) {
		p->t.sni = NULL;
		p->t.names = NULL;
		p->t.tlsa = NULL;
		p->t.ntlsa = 0;
		return;
	}
	probe_copy_dane(p, t);
	p->tlsa_ready = 1;
}

/* Socket, events and connect(2); the outcome of connect comes later. */
static int
probe_open(struct probe *p, struct err *e)
{
	struct timeval tv;

	p->fd = socket(p->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (p->fd < 0)
		return err_set_errno(e, ERR_SYSTEM, errno, "socket");
	p->ev_read = event_new(p->base, p->fd, EV_READ, probe_on_read, p);
	p->ev_write = event_new(p->base, p->fd, EV_WRITE, probe_on_write, p);
	p->ev_step = evtimer_new(p->base, probe_on_step_timeout, p);
	p->ev_total = evtimer_new(p->base, probe_on_total_timeout, p);
	if (p->ev_read == NULL || p->ev_write == NULL || p->ev_step == NULL ||
	    p->ev_total == NULL)
		return err_set(e, ERR_SYSTEM, "cannot create events");
	tv = probe_tv(probe_ms(p->t.total_ms, PROBE_TOTAL_MS));
	evtimer_add(p->ev_total, &tv);
	probe_arm_step(p, probe_ms(p->t.connect_ms, PROBE_CONNECT_MS));
	if (connect(p->fd, (struct sockaddr *)&p->sa, p->salen) < 0 &&
	    errno != EINPROGRESS && errno != EINTR) {
		/* Report it from the loop: the callback never runs in here. */
		p->connect_errno = errno;
		event_active(p->ev_write, EV_WRITE, 0);
		return 0;
	}
	event_add(p->ev_write, NULL);
	return 0;
}

struct probe *
probe_start(struct event_base *base, SSL_CTX *ctx,
	const struct probe_target *target, probe_done_cb done, void *arg,
	struct err *e)
{
	struct probe *p;

	if (base == NULL || ctx == NULL || target == NULL || done == NULL ||
	    target->address == NULL || (target->ntlsa > 0 &&
	    target->tlsa == NULL)) {
		err_set(e, ERR_INTERNAL, "probe_start: missing argument");
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->fd = -1;
	p->base = base;
	/* Our own reference: the caller may drop theirs while we run. */
	SSL_CTX_up_ref(ctx);
	p->ctx = ctx;
	p->done = done;
	p->arg = arg;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	probe_copy_target(p, target);
	if (probe_sockaddr(p) < 0) {
		err_set(e, ERR_USAGE, "not a numeric IP address: '%s'",
		    target->address);
		probe_destroy(p);
		return NULL;
	}
	if ((p->st = starttls_new(target->starttls, target->ehlo_name,
	    e)) == NULL || probe_open(p, e) < 0) {
		probe_destroy(p);
		return NULL;
	}
	p->res = probe_result_new();
	return p;
}

static void
probe_on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;

	(void)fd;
	(void)what;
	if (p->parked) {
		p->parked = 0;
		probe_tls_start(p);
	}
}

void
probe_set_tlsa(struct probe *p, const struct probe_target *t)
{
	if (p == NULL || p->tlsa_ready)
		return;
	probe_copy_dane(p, t);
	p->tlsa_ready = 1;
	if (!p->parked)
		return;
	/* Resume from the loop: the callback never runs inside this call. */
	if (p->ev_resume == NULL)
		p->ev_resume = event_new(p->base, -1, 0, probe_on_resume, p);
	if (p->ev_resume != NULL)
		event_active(p->ev_resume, 0, 0);
	else
		probe_tls_start(p);
}

struct probe_result *
probe_result_dup(const struct probe_result *res)
{
	struct probe_result *d;

	if (res == NULL)
		return NULL;
	d = xmemdup(res, sizeof(*res));
	d->detail = res->detail != NULL ? xstrdup(res->detail) : NULL;
	d->banner = res->banner != NULL ? xstrdup(res->banner) : NULL;
	d->tls_version = res->tls_version != NULL ?
	    xstrdup(res->tls_version) : NULL;
	d->cipher = res->cipher != NULL ? xstrdup(res->cipher) : NULL;
	d->chain = res->chain != NULL ? X509_chain_up_ref(res->chain) : NULL;
	d->verify_error_str = res->verify_error_str != NULL ?
	    xstrdup(res->verify_error_str) : NULL;
	d->matched = res->matched != NULL ? tlsa_rec_dup(res->matched) : NULL;
	return d;
}

void
probe_cancel(struct probe *p)
{
	struct probe_result *res;

	if (p == NULL)
		return;
	res = p->res;
	p->res = NULL;
	probe_destroy(p);
	probe_result_free(res);
}
