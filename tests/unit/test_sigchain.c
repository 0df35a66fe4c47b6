/*
 * Unit tests for src/dns/sigchain: the walk from signing zones up to the
 * root (which zones are asked, that it ends, its bounds against answers
 * that name ever new or looping signers) and the earliest RRSIG
 * expiration it reports, on DNS packets made here with ldns.
 *
 * The resolver is replaced (this file defines resolver_query and
 * resolver_cancel; tests/meson.build links sigchain.c without
 * src/dns/resolver.c): the test decides which answer each query gets and
 * when, as the event loop would.  The answers go through the real
 * dns_answer_parse, so the expiry is the one the engine computes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "dns/sigchain.h"

/* The fake resolver: every query asked, in order. */
#define MAXQ 256

struct dns_query {
	char name[256];
	uint16_t type;
	resolver_cb cb;
	void *arg;
	int answered;
	int cancelled;
};

static struct dns_query queries[MAXQ];
static size_t nqueries;
static int refuse_queries;      /* resolver_query fails (bad name) */

struct dns_query *
resolver_query(struct resolver *r, const char *name, uint16_t type,
	resolver_cb cb, void *arg, struct err *e)
{
	struct dns_query *q;

	(void)r;
	if (refuse_queries || nqueries == MAXQ) {
		err_set(e, ERR_USAGE, "%s: not a domain name", name);
		return NULL;
	}
	q = &queries[nqueries++];
	memset(q, 0, sizeof(*q));
	snprintf(q->name, sizeof(q->name), "%s", name);
	q->type = type;
	q->cb = cb;
	q->arg = arg;
	return q;
}

void
resolver_cancel(struct dns_query *q)
{
	if (q != NULL)
		q->cancelled = 1;
}

/* The walk's outcome. */
struct got {
	int calls;
	struct sigchain_result *res;
};

static void
got_cb(void *arg, struct sigchain_result *res)
{
	struct got *g = arg;

	g->calls++;
	sigchain_result_free(g->res);
	g->res = res;
}

static int
setup(void **state)
{
	(void)state;
	nqueries = 0;
	refuse_queries = 0;
	return 0;
}

static char *
stamp(time_t t)
{
	static char buf[2][32];
	static int i;
	struct tm tm;

	i ^= 1;
	gmtime_r(&t, &tm);
	strftime(buf[i], sizeof(buf[i]), "%Y%m%d%H%M%S", &tm);
	return buf[i];
}

static void
add_rr(ldns_pkt *p, ldns_pkt_section s, const char *text)
{
	ldns_rr *rr = NULL;

	assert_int_equal(ldns_rr_new_frm_str(&rr, text, 30, NULL, NULL),
	    LDNS_STATUS_OK);
	ldns_pkt_push_rr(p, s, rr);
}

/* name with its trailing dot, as the zone file syntax wants. */
static const char *
dotted(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", name, strcmp(name, ".") == 0 ? "" : ".");
	return buf;
}

/*
 * A secure answer to q from signer: one record of q's type and one RRSIG
 * per expiration in exp[0..nexp-1] (0-terminated list).
 */
static struct dns_answer *
signed_answer(const struct dns_query *q, const char *signer, int sec,
	const time_t *exp)
{
	ldns_pkt *p = ldns_pkt_new();
	uint8_t *wire = NULL;
	size_t len = 0, i;
	char text[1024], owner[300], sname[300];
	const char *tname = q->type == DNS_TYPE_DS ? "DS" : "DNSKEY";
	struct dns_answer *a;

	dotted(q->name, owner, sizeof(owner));
	dotted(signer, sname, sizeof(sname));
	ldns_pkt_set_qr(p, 1);
	ldns_pkt_set_rcode(p, LDNS_RCODE_NOERROR);
	if (q->type == DNS_TYPE_DS)
		snprintf(text, sizeof(text), "%s 30 IN DS 12345 13 2 "
		    "0123456789abcdef0123456789abcdef0123456789abcdef"
		    "0123456789abcdef", owner);
	else
		snprintf(text, sizeof(text), "%s 30 IN DNSKEY 257 3 13 "
		    "mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+"
		    "KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==", owner);
	add_rr(p, LDNS_SECTION_ANSWER, text);
	for (i = 0; exp[i] != 0; i++) {
		snprintf(text, sizeof(text), "%s 30 IN RRSIG %s 13 1 30 %s "
		    "%s 4242 %s AAAA", owner, tname, stamp(exp[i]),
		    stamp(exp[i] - 30 * 86400), sname);
		add_rr(p, LDNS_SECTION_ANSWER, text);
	}
	assert_int_equal(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
	a = dns_answer_parse(q->name, q->type, 0, wire, len, sec,
	    sec == DNS_SEC_BOGUS ? "signature expired" : NULL);
	free(wire);
	ldns_pkt_free(p);
	return a;
}

/* Answer query i, as the loop would. */
static void
answer(size_t i, const char *signer, int sec, const time_t *exp)
{
	struct dns_query *q = &queries[i];

	assert_true(i < nqueries);
	assert_false(q->answered);
	assert_false(q->cancelled);
	q->answered = 1;
	q->cb(q->arg, signed_answer(q, signer, sec, exp));
}

static size_t
find_query(const char *name, uint16_t type)
{
	size_t i;

	for (i = 0; i < nqueries; i++)
		if (strcmp(queries[i].name, name) == 0 &&
		    queries[i].type == type)
			return i;
	fail_msg("no %s query for %s", dns_type_name(type), name);
	return 0;
}

static const struct sigchain_rrset *
find_set(const struct sigchain_result *res, const char *name, uint16_t type)
{
	size_t i;

	for (i = 0; i < res->nsets; i++)
		if (strcmp(res->sets[i].name, name) == 0 &&
		    res->sets[i].type == type)
			return &res->sets[i];
	return NULL;
}

/*
 * Answer every open query until none is left: each DS signed by the
 * parent given by parent_of, each DNSKEY by the zone itself.
 */
static void
answer_all(const char *(*parent_of)(const char *), const time_t *exp)
{
	size_t i;

	for (i = 0; i < nqueries; i++) {
		if (queries[i].answered || queries[i].cancelled)
			continue;
		answer(i, queries[i].type == DNS_TYPE_DS ?
		    parent_of(queries[i].name) : queries[i].name,
		    DNS_SEC_SECURE, exp);
	}
}

static const char *
real_parent(const char *zone)
{
	const char *dot = strchr(zone, '.');

	return dot != NULL ? dot + 1 : ".";
}

/* The earliest of several RRSIGs on one RRset is the one reported. */
static void
test_earliest_expiry(void **state)
{
	time_t now = time(NULL), late = now + 20 * 86400,
	    soon = now + 3 * 86400 + 17;
	time_t two[] = { late, soon, now + 9 * 86400, 0 };
	time_t one[] = { late, 0 };
	const char *zones[] = { "." };
	struct got g = { 0, NULL };
	struct sigchain *sc;
	struct err e;

	(void)state;
	sc = sigchain_start(NULL, zones, 1, got_cb, &g, &e);
	assert_non_null(sc);
	assert_int_equal(nqueries, 1);  /* the root has no DS */
	assert_int_equal(queries[0].type, DNS_TYPE_DNSKEY);
	answer(0, ".", DNS_SEC_SECURE, two);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.res->nsets, 1);
	assert_int_equal(g.res->sets[0].expires, soon);
	assert_string_equal(g.res->sets[0].zone, ".");
	sigchain_result_free(g.res);

	/* One signature: its own expiration. */
	setup(NULL);
	g.res = NULL;
	sc = sigchain_start(NULL, zones, 1, got_cb, &g, &e);
	assert_non_null(sc);
	answer(0, ".", DNS_SEC_SECURE, one);
	assert_int_equal(g.res->sets[0].expires, late);
	sigchain_result_free(g.res);
}

/* A signature already expired (validators' skew allowance) still counts. */
static void
test_expired_kept(void **state)
{
	time_t now = time(NULL), past = now - 2 * 3600;
	time_t exp[] = { now + 86400, past, 0 };
	const char *zones[] = { "." };
	struct got g = { 0, NULL };
	struct err e;

	(void)state;
	assert_non_null(sigchain_start(NULL, zones, 1, got_cb, &g, &e));
	answer(0, ".", DNS_SEC_SECURE, exp);
	assert_int_equal(g.res->sets[0].expires, past);
	sigchain_result_free(g.res);
}

/* From a zone to the root: DNSKEY and DS of each, no DS for the root. */
static void
test_walk_to_root(void **state)
{
	time_t exp[] = { time(NULL) + 86400, 0 };
	const char *zones[] = { "mail.example.test" };
	struct got g = { 0, NULL };
	struct err e;
	size_t i;

	(void)state;
	assert_non_null(sigchain_start(NULL, zones, 1, got_cb, &g, &e));
	assert_int_equal(nqueries, 2);
	/* Answer DS queries first: the walk grows while others wait. */
	answer(find_query("mail.example.test", DNS_TYPE_DS), "example.test",
	    DNS_SEC_SECURE, exp);
	assert_int_equal(g.calls, 0);
	answer_all(real_parent, exp);
	answer_all(real_parent, exp);
	answer_all(real_parent, exp);
	assert_int_equal(g.calls, 1);
	/* mail.example.test, example.test, test: 2 each; the root: 1. */
	assert_int_equal(nqueries, 7);
	for (i = 0; i < nqueries; i++)
		assert_false(strcmp(queries[i].name, ".") == 0 &&
		    queries[i].type == DNS_TYPE_DS);
	assert_int_equal(g.res->nsets, 7);
	assert_int_equal(g.res->truncated, 0);
	assert_non_null(find_set(g.res, ".", DNS_TYPE_DNSKEY));
	assert_string_equal(find_set(g.res, "test", DNS_TYPE_DS)->zone, ".");
	assert_string_equal(find_set(g.res, "example.test",
	    DNS_TYPE_DNSKEY)->zone, "example.test");
	sigchain_result_free(g.res);
}

/* Several starting zones sharing parents: each zone asked once. */
static void
test_shared_parents(void **state)
{
	time_t exp[] = { time(NULL) + 86400, 0 };
	const char *zones[] = { "a.test", "b.test", "a.test", "A.TEST" };
	struct got g = { 0, NULL };
	struct err e;

	(void)state;
	assert_non_null(sigchain_start(NULL, zones, 4, got_cb, &g, &e));
	assert_int_equal(nqueries, 4);
	for (int i = 0; i < 10 && g.calls == 0; i++)
		answer_all(real_parent, exp);
	assert_int_equal(g.calls, 1);
	/* a.test, b.test, test: DNSKEY and DS; the root: DNSKEY. */
	assert_int_equal(nqueries, 7);
	assert_int_equal(g.res->nsets, 7);
	sigchain_result_free(g.res);
}

static const char *
self_parent(const char *zone)
{
	return zone;
}

static const char *
swap_parent(const char *zone)
{
	return strcmp(zone, "x.test") == 0 ? "y.test" : "x.test";
}

/* Hostile answers: a zone signing its own DS, two signing each other's. */
static void
test_loops_end(void **state)
{
	time_t exp[] = { time(NULL) + 86400, 0 };
	const char *one[] = { "x.test" };
	struct got g = { 0, NULL };
	struct err e;

	(void)state;
	assert_non_null(sigchain_start(NULL, one, 1, got_cb, &g, &e));
	answer_all(self_parent, exp);
	assert_int_equal(g.calls, 1);
	assert_int_equal(nqueries, 2);
	sigchain_result_free(g.res);

	setup(NULL);
	g.calls = 0;
	g.res = NULL;
	assert_non_null(sigchain_start(NULL, one, 1, got_cb, &g, &e));
	answer_all(swap_parent, exp);
	answer_all(swap_parent, exp);
	assert_int_equal(g.calls, 1);
	assert_int_equal(nqueries, 4);  /* x and y, once each */
	for (size_t i = 0; i < nqueries; i++)
		assert_true(queries[i].answered);
	sigchain_result_free(g.res);
}

static const char *
new_parent(const char *zone)
{
	static char buf[64][32];
	static size_t n;
	char *p = buf[n++ % 64];

	(void)zone;
	snprintf(p, sizeof(buf[0]), "z%zu.test", n);
	return p;
}

/* Every DS signed by a zone never seen: the walk stops at its bound. */
static void
test_bounded(void **state)
{
	time_t exp[] = { time(NULL) + 86400, 0 };
	const char *zones[] = { "start.test" };
	struct got g = { 0, NULL };
	struct err e;
	int rounds;

	(void)state;
	assert_non_null(sigchain_start(NULL, zones, 1, got_cb, &g, &e));
	for (rounds = 0; g.calls == 0 && rounds < 200; rounds++)
		answer_all(new_parent, exp);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.res->truncated, 1);
	assert_true(nqueries <= 2 * SIGCHAIN_MAX_ZONES);
	assert_int_equal(nqueries, 2 * SIGCHAIN_MAX_ZONES);
	assert_int_equal(g.res->nsets, 2 * SIGCHAIN_MAX_ZONES);
	sigchain_result_free(g.res);
}

/* Only secure answers with RRSIGs count, and only they extend the walk. */
static void
test_insecure_ignored(void **state)
{
	time_t exp[] = { time(NULL) + 86400, 0 };
	time_t none[] = { 0 };
	const char *zones[] = { "a.test" };
	struct got g = { 0, NULL };
	struct err e;

	(void)state;
	assert_non_null(sigchain_start(NULL, zones, 1, got_cb, &g, &e));
	answer(find_query("a.test", DNS_TYPE_DS), "evil.test",
	    DNS_SEC_INSECURE, exp);
	answer(find_query("a.test", DNS_TYPE_DNSKEY), "a.test",
	    DNS_SEC_SECURE, none);
	assert_int_equal(g.calls, 1);
	assert_int_equal(nqueries, 2);  /* evil.test. not followed */
	assert_int_equal(g.res->nsets, 0);
	sigchain_result_free(g.res);

	setup(NULL);
	g.calls = 0;
	g.res = NULL;
	assert_non_null(sigchain_start(NULL, zones, 1, got_cb, &g, &e));
	answer(find_query("a.test", DNS_TYPE_DS), "evil.test",
	    DNS_SEC_BOGUS, exp);
	answer(find_query("a.test", DNS_TYPE_DNSKEY), "a.test",
	    DNS_SEC_SECURE, exp);
	assert_int_equal(nqueries, 2);
	assert_int_equal(g.res->nsets, 1);
	assert_int_equal(g.res->sets[0].type, DNS_TYPE_DNSKEY);
	sigchain_result_free(g.res);
}

/* Start errors, and cancel: the callback never runs, queries cancelled. */
static void
test_start_cancel(void **state)
{
	const char *zones[] = { "a.test" };
	struct got g = { 0, NULL };
	struct sigchain *sc;
	struct err e;

	(void)state;
	assert_null(sigchain_start(NULL, zones, 0, got_cb, &g, &e));
	assert_int_equal(e.kind, ERR_INTERNAL);
	refuse_queries = 1;
	assert_null(sigchain_start(NULL, zones, 1, got_cb, &g, &e));
	assert_int_equal(e.kind, ERR_USAGE);
	assert_non_null(strstr(e.msg, "a.test"));
	refuse_queries = 0;
	sc = sigchain_start(NULL, zones, 1, got_cb, &g, &e);
	assert_non_null(sc);
	sigchain_cancel(sc);
	assert_int_equal(nqueries, 2);
	assert_true(queries[0].cancelled);
	assert_true(queries[1].cancelled);
	assert_int_equal(g.calls, 0);
	sigchain_cancel(NULL);
	sigchain_result_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_earliest_expiry, setup),
		cmocka_unit_test_setup(test_expired_kept, setup),
		cmocka_unit_test_setup(test_walk_to_root, setup),
		cmocka_unit_test_setup(test_shared_parents, setup),
		cmocka_unit_test_setup(test_loops_end, setup),
		cmocka_unit_test_setup(test_bounded, setup),
		cmocka_unit_test_setup(test_insecure_ignored, setup),
		cmocka_unit_test_setup(test_start_cancel, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
