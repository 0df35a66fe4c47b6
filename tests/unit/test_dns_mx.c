/*
 * Unit tests for src/dns/mx: the RFC 7672 decisions (MX list, address
 * security, TLSA base domain with CNAMEs, usable records) on hand-made
 * answers, with no network.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dns/mx.h"
#include "util/xalloc.h"

static struct dns_answer *
ans(const char *qname, uint16_t type, enum dns_status st, enum dns_sec sec,
	const char *canon)
{
	struct dns_answer *a = dns_answer_new_status(qname, type, st, NULL);

	a->sec = sec;
	if (canon != NULL) {
		free(a->canon);
		a->canon = xstrdup(canon);
		a->ncnames = 1;
	}
	if (sec == DNS_SEC_BOGUS)
		a->why = xstrdup("signature crypto failed");
	return a;
}

static void
add_addr(struct dns_answer *a, const char *addr)
{
	a->rr = xreallocarray(a->rr, a->nrr + 1, sizeof(*a->rr));
	memset(&a->rr[a->nrr], 0, sizeof(a->rr[0]));
	a->rr[a->nrr++].addr = xstrdup(addr);
}

static void
add_mx(struct dns_answer *a, uint16_t pref, const char *name)
{
	a->rr = xreallocarray(a->rr, a->nrr + 1, sizeof(*a->rr));
	memset(&a->rr[a->nrr], 0, sizeof(a->rr[0]));
	a->rr[a->nrr].pref = pref;
	a->rr[a->nrr++].name = xstrdup(name);
}

static void
add_tlsa(struct dns_answer *a, uint8_t u, uint8_t s, uint8_t m, size_t len)
{
	uint8_t data[64] = { 1, 2, 3 };

	a->rr = xreallocarray(a->rr, a->nrr + 1, sizeof(*a->rr));
	memset(&a->rr[a->nrr], 0, sizeof(a->rr[0]));
	a->rr[a->nrr++].tlsa = tlsa_rec_new(u, s, m, data, len);
}

static void
host_init(struct mx_host *h, const char *name)
{
	memset(h, 0, sizeof(*h));
	h->name = xstrdup(name);
}

static void
test_mx_list(void **state)
{
	struct dns_answer *a = ans("d.test", DNS_TYPE_MX, DNS_OK,
	    DNS_SEC_SECURE, NULL);
	struct mx_result res;

	(void)state;
	memset(&res, 0, sizeof(res));
	add_mx(a, 20, "b.test");
	add_mx(a, 10, "c.test");
	add_mx(a, 10, "a.test");
	add_mx(a, 30, "a.test");
	mx_result_hosts(&res, a);
	assert_int_equal(res.nhosts, 3);
	assert_string_equal(res.hosts[0].name, "a.test");
	assert_string_equal(res.hosts[1].name, "c.test");
	assert_string_equal(res.hosts[2].name, "b.test");
	assert_false(res.null_mx);
	while (res.nhosts > 0)
		mx_host_clear(&res.hosts[--res.nhosts]);
	free(res.hosts);
	dns_answer_free(a);
}

static void
test_null_mx(void **state)
{
	struct dns_answer *a = ans("d.test", DNS_TYPE_MX, DNS_OK,
	    DNS_SEC_SECURE, NULL);
	struct mx_result res;

	(void)state;
	memset(&res, 0, sizeof(res));
	add_mx(a, 0, ".");
	mx_result_hosts(&res, a);
	assert_true(res.null_mx);
	assert_int_equal(res.nhosts, 0);
	dns_answer_free(a);
}

static void
test_insecure_addresses(void **state)
{
	struct dns_answer *a4 = ans("h.test", DNS_TYPE_A, DNS_OK,
	    DNS_SEC_INSECURE, NULL);
	struct dns_answer *a6 = ans("h.test", DNS_TYPE_AAAA, DNS_NODATA,
	    DNS_SEC_INSECURE, NULL);
	struct mx_host h;

	(void)state;
	host_init(&h, "h.test");
	add_addr(a4, "192.0.2.1");
	assert_int_equal(mx_host_addrs(&h, 25, a4, a6), 0);
	assert_int_equal(h.dane, MX_DANE_NONE);
	assert_int_equal(h.naddrs, 1);
	assert_int_equal(h.addrs[0].family, 4);
	mx_host_clear(&h);
	dns_answer_free(a4);
	dns_answer_free(a6);
}

static void
test_bogus_aaaa(void **state)
{
	struct dns_answer *a4 = ans("h.test", DNS_TYPE_A, DNS_OK,
	    DNS_SEC_SECURE, NULL);
	struct dns_answer *a6 = ans("h.test", DNS_TYPE_AAAA, DNS_OK,
	    DNS_SEC_BOGUS, NULL);
	struct mx_host h;

	(void)state;
	host_init(&h, "h.test");
	add_addr(a4, "192.0.2.1");
	assert_int_equal(mx_host_addrs(&h, 25, a4, a6), 0);
	assert_int_equal(h.dane, MX_DANE_BOGUS);
	assert_non_null(strstr(h.why, "signature crypto failed"));
	mx_host_clear(&h);
	dns_answer_free(a4);
	dns_answer_free(a6);
}

static void
test_no_address_and_failure(void **state)
{
	struct dns_answer *a4 = ans("h.test", DNS_TYPE_A, DNS_NXDOMAIN,
	    DNS_SEC_SECURE, NULL);
	struct dns_answer *a6 = ans("h.test", DNS_TYPE_AAAA, DNS_TIMEOUT,
	    DNS_SEC_INSECURE, NULL);
	struct mx_host h;

	(void)state;
	host_init(&h, "h.test");
	assert_int_equal(mx_host_addrs(&h, 25, a4, NULL), 0);
	assert_int_equal(h.dane, MX_DANE_NOADDR);
	mx_host_clear(&h);
	host_init(&h, "h.test");
	assert_int_equal(mx_host_addrs(&h, 25, a4, a6), 0);
	assert_int_equal(h.dane, MX_DANE_ERROR);
	mx_host_clear(&h);
	dns_answer_free(a4);
	dns_answer_free(a6);
}

static void
test_tlsa_plain(void **state)
{
	struct dns_answer *a4 = ans("h.test", DNS_TYPE_A, DNS_OK,
	    DNS_SEC_SECURE, NULL);
	struct dns_answer *t = ans("_25._tcp.h.test", DNS_TYPE_TLSA, DNS_OK,
	    DNS_SEC_SECURE, NULL);
	struct mx_host h;

	(void)state;
	host_init(&h, "h.test");
	add_addr(a4, "192.0.2.1");
	assert_int_equal(mx_host_addrs(&h, 25, a4, NULL), 1);
	assert_string_equal(h.tlsa_name, "_25._tcp.h.test");
	add_tlsa(t, 3, 1, 1, 32);
	add_tlsa(t, 1, 1, 1, 32);       /* PKIX-EE: unusable for SMTP */
	add_tlsa(t, 3, 1, 1, 20);       /* bad digest length */
	assert_int_equal(mx_host_tlsa(&h, 25, t), 0);
	assert_int_equal(h.dane, MX_DANE_APPLIES);
	assert_int_equal(h.ntlsa, 3);
	assert_int_equal(h.nusable, 1);
	assert_string_equal(h.base, "h.test");
	mx_host_clear(&h);
	dns_answer_free(a4);
	dns_answer_free(t);
}

static void
test_tlsa_unusable_and_bogus(void **state)
{
	struct dns_answer *a4 = ans("h.test", DNS_TYPE_A, DNS_OK,
	    DNS_SEC_SECURE, NULL);
	struct dns_answer *t = ans("_25._tcp.h.test", DNS_TYPE_TLSA, DNS_OK,
	    DNS_SEC_SECURE, NULL);
	struct dns_answer *b = ans("_25._tcp.h.test", DNS_TYPE_TLSA, DNS_OK,
	    DNS_SEC_BOGUS, NULL);
	struct mx_host h;

	(void)state;
	add_addr(a4, "192.0.2.1");
	add_tlsa(t, 0, 0, 1, 32);
	add_tlsa(t, 3, 2, 1, 32);
	host_init(&h, "h.test");
	assert_int_equal(mx_host_addrs(&h, 25, a4, NULL), 1);
	assert_int_equal(mx_host_tlsa(&h, 25, t), 0);
	assert_int_equal(h.dane, MX_DANE_UNUSABLE);
	mx_host_clear(&h);
	host_init(&h, "h.test");
	assert_int_equal(mx_host_addrs(&h, 25, a4, NULL), 1);
	assert_int_equal(mx_host_tlsa(&h, 25, b), 0);
	assert_int_equal(h.dane, MX_DANE_BOGUS);
	mx_host_clear(&h);
	dns_answer_free(a4);
	dns_answer_free(t);
	dns_answer_free(b);
}

/*
 * RFC 7672 2.2: a TLSA lookup that fails as a sender sees it (SERVFAIL,
 * timeout) is marked; a local resolver error is not (could not check).
 */
static void
test_tlsa_lookup_failed(void **state)
{
	static const enum dns_status st[] = { DNS_SERVFAIL, DNS_TIMEOUT,
	    DNS_ERROR };
	static const int marked[] = { 1, 1, 0 };
	struct dns_answer *a4 = ans("h.test", DNS_TYPE_A, DNS_OK,
	    DNS_SEC_SECURE, NULL);
	struct mx_host h;
	size_t i;

	(void)state;
	add_addr(a4, "192.0.2.1");
	for (i = 0; i < 3; i++) {
		struct dns_answer *t = ans("_25._tcp.h.test", DNS_TYPE_TLSA,
		    st[i], DNS_SEC_INSECURE, NULL);

		host_init(&h, "h.test");
		assert_int_equal(mx_host_addrs(&h, 25, a4, NULL), 1);
		assert_int_equal(mx_host_tlsa(&h, 25, t), 0);
		assert_int_equal(h.dane, MX_DANE_ERROR);
		assert_int_equal(h.tlsa_failed, marked[i]);
		mx_host_clear(&h);
		dns_answer_free(t);
	}
	dns_answer_free(a4);
}

/* §2.2.3: expanded name first, then the original; the base follows. */
static void
test_cname_base_domain(void **state)
{
	struct dns_answer *a4 = ans("mx.test", DNS_TYPE_A, DNS_OK,
	    DNS_SEC_SECURE, "real.test");
	struct dns_answer *none = ans("_25._tcp.real.test", DNS_TYPE_TLSA,
	    DNS_NXDOMAIN, DNS_SEC_SECURE, NULL);
	struct dns_answer *t = ans("_25._tcp.mx.test", DNS_TYPE_TLSA, DNS_OK,
	    DNS_SEC_SECURE, NULL);
	struct mx_host h;

	(void)state;
	add_addr(a4, "192.0.2.1");
	add_tlsa(t, 3, 1, 1, 32);
	host_init(&h, "mx.test");
	assert_int_equal(mx_host_addrs(&h, 25, a4, NULL), 1);
	assert_string_equal(h.canon, "real.test");
	assert_string_equal(h.tlsa_name, "_25._tcp.real.test");
	assert_int_equal(mx_host_tlsa(&h, 25, none), 1);
	assert_string_equal(h.tlsa_name, "_25._tcp.mx.test");
	assert_int_equal(mx_host_tlsa(&h, 25, t), 0);
	assert_int_equal(h.dane, MX_DANE_APPLIES);
	assert_string_equal(h.base, "mx.test");
	mx_host_clear(&h);
	/* Records at the expanded name: it is the base domain. */
	host_init(&h, "mx.test");
	assert_int_equal(mx_host_addrs(&h, 587, a4, NULL), 1);
	assert_string_equal(h.tlsa_name, "_587._tcp.real.test");
	assert_int_equal(mx_host_tlsa(&h, 587, t), 0);
	assert_string_equal(h.base, "real.test");
	mx_host_clear(&h);
	/* Nothing at either name: not applicable. */
	host_init(&h, "mx.test");
	assert_int_equal(mx_host_addrs(&h, 25, a4, NULL), 1);
	assert_int_equal(mx_host_tlsa(&h, 25, none), 1);
	assert_int_equal(mx_host_tlsa(&h, 25, none), 0);
	assert_int_equal(h.dane, MX_DANE_NONE);
	mx_host_clear(&h);
	dns_answer_free(a4);
	dns_answer_free(none);
	dns_answer_free(t);
}

static void
test_tlsa_insecure(void **state)
{
	struct dns_answer *a4 = ans("h.test", DNS_TYPE_A, DNS_OK,
	    DNS_SEC_SECURE, NULL);
	struct dns_answer *t = ans("_25._tcp.h.test", DNS_TYPE_TLSA, DNS_OK,
	    DNS_SEC_INSECURE, NULL);
	struct mx_host h;

	(void)state;
	add_addr(a4, "192.0.2.1");
	add_tlsa(t, 3, 1, 1, 32);
	host_init(&h, "h.test");
	assert_int_equal(mx_host_addrs(&h, 25, a4, NULL), 1);
	assert_int_equal(mx_host_tlsa(&h, 25, t), 0);
	assert_int_equal(h.dane, MX_DANE_NONE);
	assert_int_equal(h.ntlsa, 0);
	mx_host_clear(&h);
	dns_answer_free(a4);
	dns_answer_free(t);
	assert_string_equal(mx_dane_name(MX_DANE_UNUSABLE), "unusable");
}

/*
 * RFC 7672 2.2.2 as Postfix: addresses insecure behind a CNAME - ask the
 * name's own CNAME; secure: the original name is the only TLSA candidate
 * (and the base domain); insecure: DANE does not apply; bogus, failed.
 */
static void
test_secure_cname_unsigned_target(void **state)
{
	struct dns_answer *a4 = ans("mx.test", DNS_TYPE_A, DNS_OK,
	    DNS_SEC_INSECURE, "mx.hoster.test");
	struct dns_answer *cs = ans("mx.test", DNS_TYPE_CNAME, DNS_OK,
	    DNS_SEC_SECURE, NULL);
	struct dns_answer *ci = ans("mx.test", DNS_TYPE_CNAME, DNS_OK,
	    DNS_SEC_INSECURE, NULL);
	struct dns_answer *cb = ans("mx.test", DNS_TYPE_CNAME, DNS_OK,
	    DNS_SEC_BOGUS, NULL);
	struct dns_answer *cf = ans("mx.test", DNS_TYPE_CNAME, DNS_SERVFAIL,
	    DNS_SEC_INSECURE, NULL);
	struct dns_answer *t = ans("_25._tcp.mx.test", DNS_TYPE_TLSA, DNS_OK,
	    DNS_SEC_SECURE, NULL);
	struct mx_host h;

	(void)state;
	add_addr(a4, "192.0.2.10");
	add_addr(a4, "192.0.2.1");
	add_addr(a4, "192.0.2.9");
	add_tlsa(t, 3, 1, 1, 32);
	cs->sig.expires = 1000;
	cs->sig.owner = xstrdup("mx.test");
	cs->sig.signer = xstrdup("test");
	cs->sig.type = DNS_TYPE_CNAME;
	host_init(&h, "mx.test");
	assert_int_equal(mx_host_addrs(&h, 25, a4, NULL), MX_ASK_CNAME);
	assert_int_equal(h.addr_sec, DNS_SEC_INSECURE);
	assert_int_equal(h.naddrs, 3);
	/* In numeric order, whatever the resolver's rotation. */
	assert_string_equal(h.addrs[0].addr, "192.0.2.1");
	assert_string_equal(h.addrs[1].addr, "192.0.2.9");
	assert_string_equal(h.addrs[2].addr, "192.0.2.10");
	assert_int_equal(mx_host_cname(&h, 25, cs), 1);
	assert_string_equal(h.tlsa_name, "_25._tcp.mx.test");
	assert_int_equal(h.cname_sec, DNS_SEC_SECURE);
	assert_int_equal((long long)h.cname_sig.expires, 1000);
	assert_int_equal(mx_host_tlsa(&h, 25, t), 0);
	assert_int_equal(h.dane, MX_DANE_APPLIES);
	assert_string_equal(h.base, "mx.test");
	mx_host_clear(&h);
	host_init(&h, "mx.test");
	assert_int_equal(mx_host_addrs(&h, 25, a4, NULL), MX_ASK_CNAME);
	assert_int_equal(mx_host_cname(&h, 25, ci), 0);
	assert_int_equal(h.dane, MX_DANE_NONE);
	assert_null(h.base);
	mx_host_clear(&h);
	host_init(&h, "mx.test");
	assert_int_equal(mx_host_addrs(&h, 25, a4, NULL), MX_ASK_CNAME);
	assert_int_equal(mx_host_cname(&h, 25, cb), 0);
	assert_int_equal(h.dane, MX_DANE_BOGUS);
	mx_host_clear(&h);
	host_init(&h, "mx.test");
	assert_int_equal(mx_host_addrs(&h, 25, a4, NULL), MX_ASK_CNAME);
	assert_int_equal(mx_host_cname(&h, 25, cf), 0);
	assert_int_equal(h.dane, MX_DANE_ERROR);
	mx_host_clear(&h);
	dns_answer_free(a4);
	dns_answer_free(cs);
	dns_answer_free(ci);
	dns_answer_free(cb);
	dns_answer_free(cf);
	dns_answer_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mx_list),
		cmocka_unit_test(test_tlsa_lookup_failed),
		cmocka_unit_test(test_null_mx),
		cmocka_unit_test(test_insecure_addresses),
		cmocka_unit_test(test_bogus_aaaa),
		cmocka_unit_test(test_no_address_and_failure),
		cmocka_unit_test(test_tlsa_plain),
		cmocka_unit_test(test_tlsa_unusable_and_bogus),
		cmocka_unit_test(test_cname_base_domain),
		cmocka_unit_test(test_tlsa_insecure),
		cmocka_unit_test(test_secure_cname_unsigned_target),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
