/*
 * Unit tests for src/dns/resolver: libunbound in a libevent loop, with
 * local data and a silent "server" instead of the network: deferred
 * delivery, queueing, our own timeout, cancel, and option errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "dns/resolver.h"

struct got {
	int calls;
	struct dns_answer *ans;
};

static void
got_cb(void *arg, struct dns_answer *a)
{
	struct got *g = arg;

	g->calls++;
	dns_answer_free(g->ans);
	g->ans = a;
}

static char conf_path[64];

static void
write_conf(void)
{
	FILE *fp;
	int fd;

	strcpy(conf_path, "/tmp/test_dns_resolver.XXXXXX");
	fd = mkstemp(conf_path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fprintf(fp, "server:\n"
	    "\tlocal-zone: \"lab.invalid.\" static\n"
	    "\tlocal-data: \"h.lab.invalid. A 192.0.2.9\"\n"
	    "\tlocal-data: \"h.lab.invalid. AAAA 2001:db8::9\"\n");
	fclose(fp);
}

static struct resolver *
mkres(struct event_base *base, size_t inflight, int ms)
{
	struct resolver_opts o;
	struct resolver *r;
	struct err e;

	memset(&o, 0, sizeof(o));
	o.conf_file = conf_path;
	o.max_inflight = inflight;
	o.query_ms = ms;
	r = resolver_new(base, &o, &e);
	if (r == NULL)
		fail_msg("resolver_new: %s", e.msg);
	return r;
}

static void
test_local_data_deferred(void **state)
{
	struct event_base *base = event_base_new();
	struct resolver *r;
	struct got g4 = { 0, NULL }, g6 = { 0, NULL }, gx = { 0, NULL };
	struct err e;

	write_conf();
	(void)state;
	r = mkres(base, 1, 0);
	assert_non_null(resolver_query(r, "H.lab.invalid.", DNS_TYPE_A, got_cb,
	    &g4, &e));
	assert_non_null(resolver_query(r, "h.lab.invalid", DNS_TYPE_AAAA,
	    got_cb, &g6, &e));
	assert_non_null(resolver_query(r, "nx.lab.invalid", DNS_TYPE_A, got_cb,
	    &gx, &e));
	/* Answered from local data, yet never inside resolver_query. */
	assert_int_equal(g4.calls, 0);
	assert_int_equal(resolver_pending(r), 3);
	event_base_dispatch(base);
	assert_int_equal(g4.calls, 1);
	assert_int_equal(g4.ans->status, DNS_OK);
	assert_string_equal(g4.ans->rr[0].addr, "192.0.2.9");
	assert_string_equal(g4.ans->qname, "h.lab.invalid");
	assert_int_equal(g6.calls, 1);
	assert_string_equal(g6.ans->rr[0].addr, "2001:db8::9");
	assert_int_equal(gx.ans->status, DNS_NXDOMAIN);
	assert_int_equal(gx.ans->sec, DNS_SEC_INSECURE);
	assert_int_equal(resolver_pending(r), 0);
	assert_null(resolver_query(r, "a..b", DNS_TYPE_A, got_cb, &gx, &e));
	assert_int_equal(e.kind, ERR_USAGE);
	dns_answer_free(g4.ans);
	dns_answer_free(g6.ans);
	dns_answer_free(gx.ans);
	resolver_free(r);
	event_base_free(base);
	unlink(conf_path);
}

/*
 * Many more queries than slots: every one is answered exactly once, and
 * the slots all come back.
 */
static void
test_many_queries(void **state)
{
	enum { N = 500 };
	struct event_base *base = event_base_new();
	struct resolver *r;
	struct got *g = calloc(N, sizeof(*g));
	struct err e;
	int i;

	write_conf();
	(void)state;
	r = mkres(base, 4, 0);
	for (i = 0; i < N; i++)
		assert_non_null(resolver_query(r, "h.lab.invalid", i % 2 ?
		    DNS_TYPE_A : DNS_TYPE_AAAA, got_cb, &g[i], &e));
	assert_int_equal(resolver_pending(r), N);
	event_base_dispatch(base);
	for (i = 0; i < N; i++) {
		assert_int_equal(g[i].calls, 1);
		assert_int_equal(g[i].ans->status, DNS_OK);
		assert_string_equal(g[i].ans->rr[0].addr, i % 2 ?
		    "192.0.2.9" : "2001:db8::9");
		dns_answer_free(g[i].ans);
		g[i].ans = NULL;
	}
	assert_int_equal(resolver_pending(r), 0);
	/* The slots came back: one more query still goes through. */
	assert_non_null(resolver_query(r, "h.lab.invalid", DNS_TYPE_A, got_cb,
	    &g[0], &e));
	event_base_dispatch(base);
	assert_int_equal(g[0].calls, 2);
	dns_answer_free(g[0].ans);
	resolver_free(r);
	event_base_free(base);
	free(g);
	unlink(conf_path);
}

/* A UDP socket nobody reads: a server that never answers. */
static int
silent_server(int *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static char silent_stub[64];
static const char *silent_stubs[1] = { silent_stub };

/* Options that send slow.test to the silent server on port. */
static void
silent_opts(struct resolver_opts *o, int port, int query_ms)
{
	snprintf(silent_stub, sizeof(silent_stub), "slow.test=127.0.0.1@%d",
	    port);
	memset(o, 0, sizeof(*o));
	o->stubs = silent_stubs;
	o->nstubs = 1;
	o->query_ms = query_ms;
}

static void
test_timeout_and_cancel(void **state)
{
	struct event_base *base = event_base_new();
	struct resolver_opts o;
	struct resolver *r;
	struct got g = { 0, NULL }, gc = { 0, NULL };
	struct dns_query *q;
	struct timespec t0, t1;
	struct err e;
	int fd, port;

	(void)state;
	fd = silent_server(&port);
	silent_opts(&o, port, 300);
	r = resolver_new(base, &o, &e);
	assert_non_null(r);
	assert_non_null(resolver_query(r, "x.slow.test", DNS_TYPE_TLSA, got_cb,
	    &g, &e));
	q = resolver_query(r, "y.slow.test", DNS_TYPE_A, got_cb, &gc, &e);
	assert_non_null(q);
	resolver_cancel(q);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	event_base_dispatch(base);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.ans->status, DNS_TIMEOUT);
	assert_int_equal(gc.calls, 0);
	dns_answer_free(g.ans);
	/*
	 * libunbound still retries both (for many seconds), but on its
	 * thread: the loop ends at our timeout, not at libunbound's.
	 */
	assert_true(t1.tv_sec - t0.tv_sec < 3);
	assert_int_equal(resolver_pending(r), 0);
	resolver_free(r);
	event_base_free(base);
	close(fd);
}

/*
 * A query that timed out gives its slot back at once: with one slot, a
 * query queued behind a silent server's is still answered.
 */
static void
test_timeout_frees_slot(void **state)
{
	struct event_base *base = event_base_new();
	struct resolver_opts o;
	struct resolver *r;
	struct got gs = { 0, NULL }, gl = { 0, NULL };
	struct err e;
	int fd, port;

	(void)state;
	write_conf();
	fd = silent_server(&port);
	silent_opts(&o, port, 200);
	o.conf_file = conf_path;
	o.max_inflight = 1;
	r = resolver_new(base, &o, &e);
	if (r == NULL)
		fail_msg("resolver_new: %s", e.msg);
	assert_non_null(resolver_query(r, "x.slow.test", DNS_TYPE_A, got_cb,
	    &gs, &e));
	assert_non_null(resolver_query(r, "h.lab.invalid", DNS_TYPE_A,
	    got_cb, &gl, &e));
	event_base_dispatch(base);
	assert_int_equal(gs.calls, 1);
	assert_int_equal(gs.ans->status, DNS_TIMEOUT);
	assert_int_equal(gl.calls, 1);
	assert_int_equal(gl.ans->status, DNS_OK);
	assert_string_equal(gl.ans->rr[0].addr, "192.0.2.9");
	dns_answer_free(gs.ans);
	dns_answer_free(gl.ans);
	resolver_free(r);
	event_base_free(base);
	close(fd);
	unlink(conf_path);
}

/* The name of the first query the silent server got, or "" */
static void
first_qname(int fd, char *out, size_t outlen)
{
	uint8_t buf[512];
	ldns_pkt *pkt = NULL;
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	char *name;

	*out = '\0';
	if (n <= 0 || ldns_wire2pkt(&pkt, buf, (size_t)n) != LDNS_STATUS_OK)
		return;
	if (ldns_pkt_qdcount(pkt) == 1 && (name = ldns_rdf2str(ldns_rr_owner(
	    ldns_rr_list_rr(ldns_pkt_question(pkt), 0)))) != NULL) {
		snprintf(out, outlen, "%s", name);
		free(name);
	}
	ldns_pkt_free(pkt);
}

/*
 * QNAME minimisation (RFC 9156): on by default, the server below the stub
 * is first asked for a shorter name; off (as a survey has it), the full
 * name goes out at once.
 */
static void
test_qname_minimisation(void **state)
{
	int off;

	(void)state;
	for (off = 0; off <= 1; off++) {
		struct event_base *base = event_base_new();
		struct resolver_opts o;
		struct resolver *r;
		struct got g = { 0, NULL };
		char seen[300];
		struct err e;
		int fd, port;

		fd = silent_server(&port);
		silent_opts(&o, port, 200);
		o.no_qname_minimisation = off;
		r = resolver_new(base, &o, &e);
		assert_non_null(r);
		assert_non_null(resolver_query(r, "a.b.c.slow.test",
		    DNS_TYPE_TLSA, got_cb, &g, &e));
		event_base_dispatch(base);
		assert_int_equal(g.ans->status, DNS_TIMEOUT);
		first_qname(fd, seen, sizeof(seen));
		if (off)
			assert_string_equal(seen, "a.b.c.slow.test.");
		else {
			assert_true(*seen != '\0');
			assert_string_not_equal(seen, "a.b.c.slow.test.");
		}
		dns_answer_free(g.ans);
		resolver_free(r);
		event_base_free(base);
		close(fd);
	}
}

static void
test_bad_options(void **state)
{
	struct event_base *base = event_base_new();
	struct resolver_opts o;
	const char *list[1];
	struct err e;
	char path[] = "/tmp/test_dns_ta.XXXXXX";
	FILE *fp;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.stubs = list;
	o.nstubs = 1;
	list[0] = "example.test";
	assert_null(resolver_new(base, &o, &e));
	assert_int_equal(e.kind, ERR_USAGE);
	list[0] = "example.test=127.0.0.1@70000";
	assert_null(resolver_new(base, &o, &e));
	assert_int_equal(e.kind, ERR_USAGE);
	o.nstubs = 0;
	o.forwarder = "not-an-ip";
	assert_null(resolver_new(base, &o, &e));
	assert_int_equal(e.kind, ERR_USAGE);
	o.forwarder = NULL;
	o.trust_anchors = list;
	o.ntrust_anchors = 1;
	list[0] = "/nonexistent/root.key";
	assert_null(resolver_new(base, &o, &e));
	assert_int_equal(e.kind, ERR_INPUT);
	fp = fdopen(mkstemp(path), "w");
	fprintf(fp, "; comment\nexample. 3600 IN A 192.0.2.1\n");
	fclose(fp);
	list[0] = path;
	assert_null(resolver_new(base, &o, &e));
	assert_non_null(strstr(e.msg, "not a DS or DNSKEY"));
	fp = fopen(path, "w");
	fprintf(fp, "; lab root\n. IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D"
	    "7C65D08458E880409BBC683457104237C7F8EC8D\n");
	fclose(fp);
	{
		struct resolver *r = resolver_new(base, &o, &e);

		if (r == NULL)
			fail_msg("good anchor refused: %s", e.msg);
		resolver_free(r);
	}
	/* Issue 12: no endless read, whatever the path names. */
	list[0] = "/dev/zero";
	assert_null(resolver_new(base, &o, &e));
	assert_string_equal(e.msg, "/dev/zero: is a character device, not a "
	    "file to read");
	list[0] = "/tmp";
	assert_null(resolver_new(base, &o, &e));
	assert_int_equal(e.kind, ERR_INPUT);
	assert_non_null(strstr(e.msg, "/tmp: is a directory"));
	list[0] = path;
	o.conf_file = "/dev/zero";
	assert_null(resolver_new(base, &o, &e));
	assert_int_equal(e.kind, ERR_INPUT);
	assert_non_null(strstr(e.msg, "character device"));
	o.conf_file = NULL;
	unlink(path);
	resolver_free(NULL);
	resolver_cancel(NULL);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local_data_deferred),
		cmocka_unit_test(test_many_queries),
		cmocka_unit_test(test_timeout_and_cancel),
		cmocka_unit_test(test_timeout_frees_slot),
		cmocka_unit_test(test_qname_minimisation),
		cmocka_unit_test(test_bad_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
