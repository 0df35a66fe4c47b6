/*
 * Integration tests for src/probe: real probes on a libevent base against
 * tests/servers/hostile_smtp.py on 127.0.0.1 (and ::1 when the host has
 * it), with a CA and server certificate made at start-up by
 * tests/data/probe/mkcerts.sh.  Run with cwd = tests/ (as tests/run and
 * meson do).  No traffic leaves the loopback interface.
 *
 * The servers are started together in the group setup, one per behaviour,
 * on free ports they report through a port file; timeouts are short so the
 * whole file runs in a few seconds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "probe/probe.h"

#define SERVER_SCRIPT	"servers/hostile_smtp.py"
#define MKCERTS		"data/probe/mkcerts.sh"
#define REPLY_MS	500
#define HANDSHAKE_MS	1500

enum srv {
	SRV_SMTP, SRV_IMAP, SRV_POP3, SRV_TLS, SRV_SMTP6,
	SRV_CLOSE, SRV_STALL, SRV_SLOW, SRV_NOTLS, SRV_INJECT, SRV_GARBAGE,
	SRV_BADGREET, SRV_TLSFAIL, SRV_TLSCLOSE, SRV_TLSSTALL, SRV_IMAP_NOTLS,
	SRV_POP3_BAD,
	SRV_COUNT,
};

static const struct {
	const char *listen, *mode, *proto;
} srv_spec[SRV_COUNT] = {
	[SRV_SMTP] = { "127.0.0.1", "starttls", "smtp" },
	[SRV_IMAP] = { "127.0.0.1", "starttls", "imap" },
	[SRV_POP3] = { "127.0.0.1", "starttls", "pop3" },
	[SRV_TLS] = { "127.0.0.1", "ok", "tls" },
	[SRV_SMTP6] = { "::1", "starttls", "smtp" },
	[SRV_CLOSE] = { "127.0.0.1", "close", "smtp" },
	[SRV_STALL] = { "127.0.0.1", "stall", "smtp" },
	[SRV_SLOW] = { "127.0.0.1", "slow-banner", "smtp" },
	[SRV_NOTLS] = { "127.0.0.1", "no-starttls", "smtp" },
	[SRV_INJECT] = { "127.0.0.1", "inject", "smtp" },
	[SRV_GARBAGE] = { "127.0.0.1", "garbage", "smtp" },
	[SRV_BADGREET] = { "127.0.0.1", "bad-greeting", "smtp" },
	[SRV_TLSFAIL] = { "127.0.0.1", "tls-fail", "smtp" },
	[SRV_TLSCLOSE] = { "127.0.0.1", "tls-close", "smtp" },
	[SRV_TLSSTALL] = { "127.0.0.1", "tls-stall", "smtp" },
	[SRV_IMAP_NOTLS] = { "127.0.0.1", "no-starttls", "imap" },
	[SRV_POP3_BAD] = { "127.0.0.1", "bad-greeting", "pop3" },
};

static struct {
	pid_t pid;
	uint16_t port;		/* 0: did not start */
} srv[SRV_COUNT];

static char tmpdir[] = "/tmp/daneops-probe.XXXXXX";
static char chain_pem[PATH_MAX], ee_key[PATH_MAX];
static SSL_CTX *ctx;
static struct tlsa_rec *ee_311, *ca_211;

static struct tlsa_rec *
spki_sha256(const char *file, uint8_t usage)
{
	char path[PATH_MAX];
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct tlsa_rec *r;
	FILE *f;
	X509 *x;
	int n;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, file);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (x == NULL)
		return NULL;
	n = i2d_PUBKEY(X509_get0_pubkey(x), &der);
	if (n <= 0 || !EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(),
	    NULL))
		mdlen = 0;
	r = mdlen == 32 ? tlsa_rec_new(usage, 1, 1, md, mdlen) : NULL;
	OPENSSL_free(der);
	X509_free(x);
	return r;
}

static void
server_spawn(enum srv i)
{
	char portfile[PATH_MAX];
	pid_t pid;

	snprintf(portfile, sizeof(portfile), "%s/port.%d", tmpdir, (int)i);
	if ((pid = fork()) < 0)
		return;
	if (pid == 0) {
		execlp("python3", "python3", SERVER_SCRIPT, "--listen",
		    srv_spec[i].listen, "--port", "0", "--mode",
		    srv_spec[i].mode, "--proto", srv_spec[i].proto, "--cert",
		    chain_pem, "--key", ee_key, "--portfile", portfile,
		    "--delay", "0.1", (char *)NULL);
		_exit(127);
	}
	srv[i].pid = pid;
}

/* Wait (up to 10 s in all) for every server to report its port. */
static void
servers_wait(void)
{
	char portfile[PATH_MAX];
	unsigned port;
	int i, tries, missing;
	FILE *f;

	for (tries = 0; tries < 1000; tries++) {
		missing = 0;
		for (i = 0; i < SRV_COUNT; i++) {
			if (srv[i].port != 0 || srv[i].pid <= 0)
				continue;
			snprintf(portfile, sizeof(portfile), "%s/port.%d",
			    tmpdir, i);
			if ((f = fopen(portfile, "r")) == NULL) {
				/* A server that died (no ::1?) never reports. */
				if (waitpid(srv[i].pid, NULL, WNOHANG) ==
				    srv[i].pid)
					srv[i].pid = 0;
				else
					missing++;
				continue;
			}
			if (fscanf(f, "%u", &port) == 1 && port < 65536)
				srv[i].port = (uint16_t)port;
			fclose(f);
			if (srv[i].port == 0)
				missing++;
		}
		if (missing == 0)
			return;
		usleep(10000);
	}
}

static int
group_setup(void **state)
{
	char cmd[PATH_MAX + 64];
	int i;

	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "sh %s %s", MKCERTS, tmpdir);
	if (system(cmd) != 0)
		return -1;
	snprintf(chain_pem, sizeof(chain_pem), "%s/chain.pem", tmpdir);
	snprintf(ee_key, sizeof(ee_key), "%s/ee.key", tmpdir);
	ee_311 = spki_sha256("ee.pem", 3);
	ca_211 = spki_sha256("ca.pem", 2);
	if ((ctx = probe_ssl_ctx_new(NULL)) == NULL || ee_311 == NULL ||
	    ca_211 == NULL)
		return -1;
	for (i = 0; i < SRV_COUNT; i++)
		server_spawn((enum srv)i);
	servers_wait();
	return srv[SRV_SMTP].port != 0 ? 0 : -1;
}

static int
group_teardown(void **state)
{
	char cmd[PATH_MAX + 16];
	int i;

	(void)state;
	for (i = 0; i < SRV_COUNT; i++) {
		if (srv[i].pid > 0) {
			kill(srv[i].pid, SIGTERM);
			waitpid(srv[i].pid, NULL, 0);
		}
	}
	SSL_CTX_free(ctx);
	tlsa_rec_free(ee_311);
	tlsa_rec_free(ca_211);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A target for server i with short timeouts and the given records. */
static struct probe_target
target_for(enum srv i, struct tlsa_rec **recs, size_t n)
{
	struct probe_target t;
	const char *proto = srv_spec[i].proto;

	memset(&t, 0, sizeof(t));
	t.address = srv_spec[i].listen;
	t.port = srv[i].port;
	starttls_parse(strcmp(proto, "tls") == 0 ? "none" : proto,
	    &t.starttls);
	t.sni = "mx.hostile.test";
	t.tlsa = recs;
	t.ntlsa = n;
	t.connect_ms = 2000;
	t.reply_ms = REPLY_MS;
	t.handshake_ms = HANDSHAKE_MS;
	t.total_ms = 5000;
	return t;
}

struct outcome {
	struct probe_result *res;
	int calls;
};

static void
on_done(void *arg, struct probe_result *res)
{
	struct outcome *o = arg;

	o->calls++;
	o->res = res;
}

/* Run one probe to completion on its own base. */
static struct probe_result *
run(const struct probe_target *t)
{
	struct event_base *base = event_base_new();
	struct outcome o = { NULL, 0 };
	struct probe *p;
	struct err e;

	assert_non_null(base);
	p = probe_start(base, ctx, t, on_done, &o, &e);
	if (p == NULL)
		fail_msg("probe_start: %s", e.msg);
	assert_int_equal(o.calls, 0);	/* never from inside probe_start */
	event_base_dispatch(base);
	event_base_free(base);
	assert_int_equal(o.calls, 1);
	assert_non_null(o.res);
	/* A TAP comment, for whoever reads the log of a failure. */
	printf("# %s port %u: status %d, %.0f ms, %s; verify %ld (%s), "
	    "depth %d\n", t->address, t->port, (int)o.res->status,
	    o.res->elapsed_ms, o.res->detail ? o.res->detail : "no detail",
	    o.res->verify_error, o.res->verify_error_str ?
	    o.res->verify_error_str : "-", o.res->match_depth);
	return o.res;
}

static void
expect_detail(const struct probe_result *res, enum probe_status status,
	const char *substring)
{
	if (res->status != status || res->detail == NULL ||
	    strstr(res->detail, substring) == NULL)
		fail_msg("status %d detail '%s', want %d '%s'",
		    (int)res->status, res->detail ? res->detail : "(null)",
		    (int)status, substring);
	assert_null(strchr(res->detail, '\n'));
	assert_int_equal(res->dane_ok, 0);
	assert_null(res->chain);
}

static void
expect_dane_ok(const struct probe_result *res, int depth)
{
	if (res->status != PROBE_OK)
		fail_msg("status %d: %s", (int)res->status, res->detail);
	assert_null(res->detail);
	assert_int_equal(res->dane_usable, 1);
	assert_int_equal(res->verify_error, X509_V_OK);
	assert_string_equal(res->verify_error_str, "ok");
	assert_int_equal(res->dane_ok, 1);
	assert_int_equal(res->match_depth, depth);
	assert_non_null(res->matched);
	assert_non_null(res->chain);
	assert_int_equal(sk_X509_num(res->chain), 2);	/* leaf + CA */
	assert_non_null(res->tls_version);
	assert_non_null(res->cipher);
	assert_true(res->leaf_not_after > time(NULL));
	assert_true(res->elapsed_ms > 0 && res->elapsed_ms < 5000);
}

static void
test_smtp_dane_ee_match(void **state)
{
	struct tlsa_rec *recs[] = { ee_311 };
	struct probe_target t = target_for(SRV_SMTP, recs, 1);
	struct probe_result *res;

	(void)state;
	res = run(&t);
	expect_dane_ok(res, 0);
	assert_true(tlsa_rec_equal(res->matched, ee_311));
	assert_string_equal(res->tls_version, "TLSv1.3");
	assert_non_null(res->banner);
	assert_non_null(strstr(res->banner, "220 hostile.test ESMTP"));
	probe_result_free(res);
	probe_result_free(NULL);
}

static void
test_smtp_dane_ee_mismatch(void **state)
{
	uint8_t zero[32] = { 0 };
	struct tlsa_rec *bad = tlsa_rec_new(3, 1, 1, zero, sizeof(zero));
	struct tlsa_rec *recs[] = { bad };
	struct probe_target t = target_for(SRV_SMTP, recs, 1);
	struct probe_result *res;

	(void)state;
	res = run(&t);
	assert_int_equal(res->status, PROBE_OK);
	assert_int_equal(res->dane_usable, 1);
	assert_int_equal(res->dane_ok, 0);
	assert_int_not_equal(res->verify_error, X509_V_OK);
	assert_non_null(res->verify_error_str);
	assert_int_equal(res->match_depth, -1);
	assert_null(res->matched);
	/* The chain is reported even when DANE fails. */
	assert_non_null(res->chain);
	probe_result_free(res);
	tlsa_rec_free(bad);
}

static void
test_dane_ta_names(void **state)
{
	const char *right[] = { "mx.hostile.test", NULL };
	const char *wrong[] = { "mx.other.test", NULL };
	struct tlsa_rec *recs[] = { ca_211 };
	struct probe_target t = target_for(SRV_SMTP, recs, 1);
	struct probe_result *res;

	(void)state;
	t.sni = "hostile.test";		/* the base domain need not match */
	t.names = right;
	res = run(&t);
	expect_dane_ok(res, 1);
	assert_true(tlsa_rec_equal(res->matched, ca_211));
	probe_result_free(res);

	t.sni = "other.test";
	t.names = wrong;
	res = run(&t);
	assert_int_equal(res->status, PROBE_OK);
	assert_int_equal(res->dane_ok, 0);
	assert_int_equal(res->verify_error, X509_V_ERR_HOSTNAME_MISMATCH);
	probe_result_free(res);

	/* No SNI at all: the first name is the reference identifier. */
	t.sni = NULL;
	t.names = right;
	res = run(&t);
	expect_dane_ok(res, 1);
	probe_result_free(res);
}

static void
test_no_usable_records(void **state)
{
	uint8_t d[32] = { 0 };
	struct tlsa_rec *shortdigest = tlsa_rec_new(3, 1, 1, d, 16);
	struct tlsa_rec *badusage = tlsa_rec_new(7, 1, 1, d, 32);
	struct tlsa_rec *recs[] = { shortdigest, badusage };
	struct probe_target t = target_for(SRV_SMTP, recs, 2);
	struct probe_result *res;

	(void)state;
	res = run(&t);
	/* The handshake completes (the chain is worth reporting)... */
	assert_int_equal(res->status, PROBE_OK);
	assert_non_null(res->chain);
	/* ...but OpenSSL fell back to PKIX, which must not count. */
	assert_int_equal(res->dane_usable, 0);
	assert_int_equal(res->dane_ok, 0);
	assert_int_equal(res->match_depth, -1);
	assert_int_not_equal(res->verify_error, X509_V_OK);
	probe_result_free(res);
	tlsa_rec_free(shortdigest);
	tlsa_rec_free(badusage);
}

static void
test_imap_pop3_direct_tls(void **state)
{
	static const enum srv which[] = { SRV_IMAP, SRV_POP3, SRV_TLS };
	struct tlsa_rec *recs[] = { ee_311 };
	struct probe_target t;
	struct probe_result *res;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		t = target_for(which[i], recs, 1);
		res = run(&t);
		expect_dane_ok(res, 0);
		if (which[i] == SRV_TLS)
			assert_null(res->banner);
		else
			assert_non_null(res->banner);
		probe_result_free(res);
	}
}

static void
test_ipv6(void **state)
{
	struct tlsa_rec *recs[] = { ee_311 };
	struct probe_target t = target_for(SRV_SMTP6, recs, 1);
	struct probe_result *res;

	(void)state;
	if (srv[SRV_SMTP6].port == 0)
		skip();		/* no ::1 on this host */
	res = run(&t);
	expect_dane_ok(res, 0);
	probe_result_free(res);
}

static void
test_hostile_servers(void **state)
{
	static const struct {
		enum srv srv;
		enum probe_status status;
		const char *detail;
	} cases[] = {
		{ SRV_CLOSE, PROBE_PROTOCOL, "closed the connection while we "
		    "waited for the greeting" },
		{ SRV_STALL, PROBE_TIMEOUT, "waiting for the greeting" },
		{ SRV_SLOW, PROBE_TIMEOUT, "waiting for the greeting" },
		{ SRV_NOTLS, PROBE_PROTOCOL, "STARTTLS not offered" },
		{ SRV_INJECT, PROBE_PROTOCOL, "server sent data after the "
		    "STARTTLS reply (STARTTLS injection)" },
		{ SRV_GARBAGE, PROBE_PROTOCOL, "line too long" },
		{ SRV_BADGREET, PROBE_PROTOCOL, "bad greeting: 554 5.7.1" },
		{ SRV_TLSFAIL, PROBE_TLS, "TLS handshake failed" },
		{ SRV_TLSCLOSE, PROBE_TLS, "TLS handshake failed" },
		{ SRV_TLSSTALL, PROBE_TIMEOUT, "in the TLS handshake" },
		{ SRV_IMAP_NOTLS, PROBE_PROTOCOL, "STARTTLS not offered" },
		{ SRV_POP3_BAD, PROBE_PROTOCOL, "bad greeting: -ERR" },
	};
	struct tlsa_rec *recs[] = { ee_311 };
	struct probe_target t;
	struct probe_result *res;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = target_for(cases[i].srv, recs, 1);
		res = run(&t);
		expect_detail(res, cases[i].status, cases[i].detail);
		/* A step timeout fires on time, not at the total deadline. */
		assert_true(res->elapsed_ms < HANDSHAKE_MS + 1000);
		probe_result_free(res);
	}
}

static void
test_connect_refused_and_total_timeout(void **state)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct probe_target t = target_for(SRV_STALL, NULL, 0);
	struct probe_result *res;
	int fd;

	(void)state;
	/* A port that was free a moment ago: nobody listens there. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	t.port = ntohs(sin.sin_port);
	res = run(&t);
	expect_detail(res, PROBE_CONNECT, "Connection refused");
	probe_result_free(res);

	t = target_for(SRV_STALL, NULL, 0);
	t.reply_ms = 10000;
	t.total_ms = 300;
	res = run(&t);
	expect_detail(res, PROBE_TIMEOUT, "probe timed out after 300 ms "
	    "(waiting for the greeting)");
	assert_true(res->elapsed_ms < 1000);
	probe_result_free(res);
}

/*
 * A connect that never completes, on loopback: a listener with a backlog of
 * 0 that never accepts holds one connection; Linux drops further SYNs while
 * its accept queue is full.
 */
static void
test_connect_timeout(void **state)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct probe_target t = target_for(SRV_STALL, NULL, 0);
	struct probe_result *res;
	int lfd, cfd;

	(void)state;
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 0), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(cfd, (struct sockaddr *)&sin, len), 0);
	t.port = ntohs(sin.sin_port);
	t.connect_ms = 300;
	res = run(&t);
	expect_detail(res, PROBE_TIMEOUT, "timed out after 300 ms connecting "
	    "to 127.0.0.1 port");
	assert_true(res->elapsed_ms < 1000);
	probe_result_free(res);
	close(cfd);
	close(lfd);
}

static void
test_bad_arguments(void **state)
{
	struct event_base *base = event_base_new();
	struct probe_target t = target_for(SRV_SMTP, NULL, 0);
	struct outcome o = { NULL, 0 };
	struct err e;

	(void)state;
	t.address = "mx.example";
	assert_null(probe_start(base, ctx, &t, on_done, &o, &e));
	assert_int_equal(e.kind, ERR_USAGE);
	t.address = "127.0.0.1";
	t.ehlo_name = "x\r\nQUIT";
	assert_null(probe_start(base, ctx, &t, on_done, &o, &e));
	assert_int_equal(e.kind, ERR_USAGE);
	assert_null(probe_start(base, NULL, &t, on_done, &o, &e));
	event_base_dispatch(base);
	assert_int_equal(o.calls, 0);
	event_base_free(base);
	probe_cancel(NULL);
}

struct many {
	int done, ok;
};

static void
on_many(void *arg, struct probe_result *res)
{
	struct many *m = arg;

	m->done++;
	if (res->status == PROBE_OK && res->dane_ok)
		m->ok++;
	probe_result_free(res);
}

static void
test_many_concurrent(void **state)
{
	enum { N = 50 };
	struct tlsa_rec *recs[] = { ee_311 };
	struct probe_target t = target_for(SRV_SMTP, recs, 1);
	struct event_base *base = event_base_new();
	struct many m = { 0, 0 };
	struct err e;
	int i;

	(void)state;
	t.reply_ms = 5000;
	t.handshake_ms = 5000;
	t.total_ms = 10000;
	for (i = 0; i < N; i++)
		assert_non_null(probe_start(base, ctx, &t, on_many, &m, &e));
	event_base_dispatch(base);
	event_base_free(base);
	assert_int_equal(m.done, N);
	assert_int_equal(m.ok, N);
}

struct canceller {
	struct probe *probes[3];
	int calls;
};

static void
on_cancelled(void *arg, struct probe_result *res)
{
	struct canceller *c = arg;

	c->calls++;
	probe_result_free(res);
}

static void
cancel_all(evutil_socket_t fd, short what, void *arg)
{
	struct canceller *c = arg;
	size_t i;

	(void)fd;
	(void)what;
	for (i = 0; i < 3; i++)
		probe_cancel(c->probes[i]);
}

/* Cancel in the dialogue, in the handshake, and before the loop ran. */
static void
test_cancel(void **state)
{
	struct tlsa_rec *recs[] = { ee_311 };
	struct event_base *base = event_base_new();
	struct canceller c;
	struct probe_target t;
	struct timeval tv = { 0, 250000 };
	struct probe *p;
	struct err e;

	(void)state;
	memset(&c, 0, sizeof(c));
	t = target_for(SRV_STALL, recs, 1);
	t.reply_ms = 5000;
	c.probes[0] = probe_start(base, ctx, &t, on_cancelled, &c, &e);
	t = target_for(SRV_TLSSTALL, recs, 1);
	t.handshake_ms = 5000;
	c.probes[1] = probe_start(base, ctx, &t, on_cancelled, &c, &e);
	t = target_for(SRV_SLOW, recs, 1);
	t.reply_ms = 5000;
	c.probes[2] = probe_start(base, ctx, &t, on_cancelled, &c, &e);
	assert_non_null(c.probes[0]);
	assert_non_null(c.probes[1]);
	assert_non_null(c.probes[2]);
	p = probe_start(base, ctx, &t, on_cancelled, &c, &e);
	probe_cancel(p);
	event_base_once(base, -1, EV_TIMEOUT, cancel_all, &c, &tv);
	event_base_dispatch(base);	/* returns once nothing is pending */
	event_base_free(base);
	assert_int_equal(c.calls, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smtp_dane_ee_match),
		cmocka_unit_test(test_smtp_dane_ee_mismatch),
		cmocka_unit_test(test_dane_ta_names),
		cmocka_unit_test(test_no_usable_records),
		cmocka_unit_test(test_imap_pop3_direct_tls),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_hostile_servers),
		cmocka_unit_test(test_connect_refused_and_total_timeout),
		cmocka_unit_test(test_connect_timeout),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_many_concurrent),
		cmocka_unit_test(test_cancel),
	};

	signal(SIGPIPE, SIG_DFL);	/* the engine must not need SIG_IGN */
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
