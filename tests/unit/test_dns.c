/*
 * Unit tests for src/dns/dns_answer: wire parsing of validated answers
 * (packets built with ldns), name normalisation.
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

#include "dns/dns_answer.h"

/* A reply packet to (qname, qtype) with the given answer RRs. */
static uint8_t *
mkpkt(const char *qname, uint16_t qtype, int rcode, const char *const *rrs,
	size_t *len)
{
	ldns_pkt *p;
	ldns_rr *rr;
	uint8_t *wire = NULL;
	size_t i;

	assert_int_equal(ldns_pkt_query_new_frm_str(&p, qname, qtype,
	    LDNS_RR_CLASS_IN, LDNS_RD), LDNS_STATUS_OK);
	ldns_pkt_set_qr(p, 1);
	ldns_pkt_set_rcode(p, (uint8_t)rcode);
	for (i = 0; rrs != NULL && rrs[i] != NULL; i++) {
		assert_int_equal(ldns_rr_new_frm_str(&rr, rrs[i], 3600, NULL,
		    NULL), LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	}
	assert_int_equal(ldns_pkt2wire(&wire, p, len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return wire;
}

static struct dns_answer *
parse(const char *qname, uint16_t qtype, int rcode, const char *const *rrs,
	int sec, const char *why)
{
	struct dns_answer *a;
	uint8_t *w;
	size_t len;

	w = mkpkt(qname, qtype, rcode, rrs, &len);
	a = dns_answer_parse(qname, qtype, 0, w, len, sec, why);
	free(w);
	return a;
}

static void
test_normalize(void **state)
{
	char out[DNS_NAME_MAX], label[70];
	struct err e;

	(void)state;
	assert_int_equal(dns_name_normalize("Mx1.Example.ORG.", out,
	    sizeof(out), &e), 0);
	assert_string_equal(out, "mx1.example.org");
	assert_int_equal(dns_name_normalize(".", out, sizeof(out), &e), 0);
	assert_string_equal(out, ".");
	assert_int_equal(dns_name_normalize("a..b", out, sizeof(out), &e), -1);
	/* Issue 12 (fuzz_survey_list): a trailing empty label, too. */
	assert_int_equal(dns_name_normalize("a.b..", out, sizeof(out), &e), -1);
	assert_int_equal(dns_name_normalize("a..", out, sizeof(out), &e), -1);
	assert_int_equal(e.kind, ERR_USAGE);
	assert_int_equal(dns_name_normalize("", out, sizeof(out), &e), -1);
	assert_int_equal(dns_name_normalize("a b", out, sizeof(out), &e), -1);
	memset(label, 'a', 64);
	label[64] = '\0';
	assert_int_equal(dns_name_normalize(label, out, sizeof(out), &e), -1);
	label[63] = '\0';
	assert_int_equal(dns_name_normalize(label, out, sizeof(out), &e), 0);
	assert_true(dns_name_equal("A.b", "a.B"));
}

static void
test_mx_answer(void **state)
{
	const char *rrs[] = { "ex.test. MX 20 MX2.ex.test.",
	    "ex.test. MX 10 mx1.ex.test.", NULL };
	struct dns_answer *a;

	(void)state;
	a = parse("ex.test", DNS_TYPE_MX, 0, rrs, DNS_SEC_SECURE, NULL);
	assert_int_equal(a->status, DNS_OK);
	assert_int_equal(a->sec, DNS_SEC_SECURE);
	assert_int_equal(a->nrr, 2);
	assert_int_equal(a->rr[0].pref, 20);
	assert_string_equal(a->rr[0].name, "mx2.ex.test");
	assert_string_equal(a->rr[1].name, "mx1.ex.test");
	assert_string_equal(a->canon, "ex.test");
	assert_null(a->why);
	dns_answer_free(a);
}

static void
test_cname_chain(void **state)
{
	const char *rrs[] = { "mx.a.test. CNAME mx.b.test.",
	    "mx.b.test. CNAME mx.c.test.", "mx.c.test. A 192.0.2.7",
	    "other.test. A 192.0.2.8", NULL };
	struct dns_answer *a;

	(void)state;
	a = parse("mx.a.test", DNS_TYPE_A, 0, rrs, DNS_SEC_SECURE, NULL);
	assert_int_equal(a->status, DNS_OK);
	assert_int_equal(a->ncnames, 2);
	assert_string_equal(a->canon, "mx.c.test");
	assert_int_equal(a->nrr, 1);
	assert_string_equal(a->rr[0].addr, "192.0.2.7");
	dns_answer_free(a);
}

static void
test_cname_loop(void **state)
{
	const char *rrs[] = { "a.test. CNAME b.test.", "b.test. CNAME a.test.",
	    NULL };
	struct dns_answer *a;

	(void)state;
	a = parse("a.test", DNS_TYPE_AAAA, 0, rrs, DNS_SEC_INSECURE, NULL);
	assert_int_equal(a->status, DNS_NODATA);
	assert_int_equal(a->ncnames, DNS_MAX_CNAMES);
	dns_answer_free(a);
}

static void
test_aaaa_and_tlsa(void **state)
{
	const char *aaaa[] = { "h.test. AAAA 2001:db8::1", NULL };
	const char *tlsa[] = { "_25._tcp.h.test. TLSA 3 1 1 "
	    "0102030405060708091011121314151617181920212223242526272829303132",
	    NULL };
	struct dns_answer *a;

	(void)state;
	a = parse("h.test", DNS_TYPE_AAAA, 0, aaaa, DNS_SEC_SECURE, NULL);
	assert_string_equal(a->rr[0].addr, "2001:db8::1");
	dns_answer_free(a);
	a = parse("_25._tcp.h.test", DNS_TYPE_TLSA, 0, tlsa, DNS_SEC_SECURE,
	    NULL);
	assert_int_equal(a->nrr, 1);
	assert_non_null(a->rr[0].tlsa);
	assert_int_equal(a->rr[0].tlsa->usage, 3);
	assert_int_equal(a->rr[0].tlsa->selector, 1);
	assert_int_equal(a->rr[0].tlsa->mtype, 1);
	assert_int_equal(a->rr[0].tlsa->len, 32);
	assert_int_equal(a->rr[0].tlsa->data[31], 0x32);
	assert_int_equal(a->rr[0].ttl, 3600);
	dns_answer_free(a);
}

/* TXT (TLSRPT): strings joined, NUL bytes shown, the length capped. */
static void
test_txt(void **state)
{
	const char *tlsrpt[] = { "_smtp._tls.d.test. TXT \"v=TLSRPTv1;\" "
	    "\" rua=mailto:r@d.test\"", "_smtp._tls.d.test. TXT \"a\\000b\"",
	    NULL };
	const char *big[2] = { NULL, NULL };
	struct dns_answer *a;
	char *rr, *p;
	size_t i;

	(void)state;
	a = parse("_smtp._tls.d.test", DNS_TYPE_TXT, 0, tlsrpt,
	    DNS_SEC_SECURE, NULL);
	assert_int_equal(a->status, DNS_OK);
	assert_int_equal(a->nrr, 2);
	assert_string_equal(a->rr[0].txt, "v=TLSRPTv1; rua=mailto:r@d.test");
	assert_string_equal(a->rr[1].txt, "a?b");
	assert_string_equal(dns_type_name(DNS_TYPE_TXT), "TXT");
	dns_answer_free(a);
	/* 20 strings of 255 bytes: 5,100 bytes, kept to DNS_TXT_MAX. */
	rr = malloc(64 + 20 * 258);
	p = rr + sprintf(rr, "t.test. TXT");
	for (i = 0; i < 20; i++) {
		p += sprintf(p, " \"");
		memset(p, 'a' + (int)i, 255);
		p += 255;
		p += sprintf(p, "\"");
	}
	big[0] = rr;
	a = parse("t.test", DNS_TYPE_TXT, 0, big, DNS_SEC_INSECURE, NULL);
	assert_int_equal(a->nrr, 1);
	assert_int_equal(strlen(a->rr[0].txt), DNS_TXT_MAX);
	assert_int_equal(a->rr[0].txt[0], 'a');
	assert_int_equal(a->rr[0].txt[255], 'b');
	dns_answer_free(a);
	free(rr);
}

static void
test_nxdomain_nodata(void **state)
{
	const char *soa[] = { NULL };
	struct dns_answer *a;

	(void)state;
	a = parse("nx.test", DNS_TYPE_TLSA, LDNS_RCODE_NXDOMAIN, soa,
	    DNS_SEC_SECURE, NULL);
	assert_int_equal(a->status, DNS_NXDOMAIN);
	assert_int_equal(a->sec, DNS_SEC_SECURE);
	dns_answer_free(a);
	a = parse("nd.test", DNS_TYPE_TLSA, 0, soa, DNS_SEC_SECURE, NULL);
	assert_int_equal(a->status, DNS_NODATA);
	dns_answer_free(a);
	a = parse("sf.test", DNS_TYPE_A, LDNS_RCODE_SERVFAIL, soa,
	    DNS_SEC_SECURE, NULL);
	assert_int_equal(a->status, DNS_SERVFAIL);
	assert_int_equal(a->sec, DNS_SEC_INSECURE);
	assert_non_null(a->why);
	dns_answer_free(a);
}

static void
test_bogus_and_failures(void **state)
{
	const char *rrs[] = { "b.test. A 192.0.2.1", NULL };
	const uint8_t junk[] = { 0x12, 0x34, 0x81, 0x80, 0, 1, 0, 5 };
	struct dns_answer *a;

	(void)state;
	a = parse("b.test", DNS_TYPE_A, 0, rrs, DNS_SEC_BOGUS,
	    "signature expired");
	assert_int_equal(a->sec, DNS_SEC_BOGUS);
	assert_string_equal(a->why, "signature expired");
	dns_answer_free(a);
	a = parse("b.test", DNS_TYPE_A, 0, rrs, DNS_SEC_BOGUS, NULL);
	assert_non_null(a->why);
	dns_answer_free(a);
	a = dns_answer_parse("b.test", DNS_TYPE_A, 2, NULL, 0, 0, NULL);
	assert_int_equal(a->status, DNS_SERVFAIL);
	dns_answer_free(a);
	a = dns_answer_parse("b.test", DNS_TYPE_A, 0, junk, sizeof(junk), 2,
	    NULL);
	assert_int_equal(a->status, DNS_ERROR);
	assert_int_equal(a->sec, DNS_SEC_INSECURE);
	dns_answer_free(a);
	a = dns_answer_new_status("t.test", DNS_TYPE_MX, DNS_TIMEOUT, "slow");
	assert_string_equal(dns_status_name(a->status), "timeout");
	dns_answer_free(a);
	dns_answer_free(NULL);
}

static void
test_truncation(void **state)
{
	const char *rrs[DNS_MAX_RRS + 6];
	char buf[DNS_MAX_RRS + 5][64];
	struct dns_answer *a;
	size_t i;

	(void)state;
	for (i = 0; i < DNS_MAX_RRS + 5; i++) {
		snprintf(buf[i], sizeof(buf[i]), "m.test. A 10.0.%zu.%zu",
		    i / 200, i % 200);
		rrs[i] = buf[i];
	}
	rrs[i] = NULL;
	a = parse("m.test", DNS_TYPE_A, 0, rrs, DNS_SEC_SECURE, NULL);
	assert_int_equal(a->nrr, DNS_MAX_RRS);
	assert_int_equal(a->ntruncated, 5);
	assert_int_equal(a->status, DNS_OK);
	dns_answer_free(a);
}

/*
 * The earliest RRSIG of an answer: over the chain (CNAME and A here),
 * whatever the order; its signer, owner and type; a CNAME asked for
 * itself is parsed; an answer without RRSIG has none.
 */
static void
test_rrsig_expiry(void **state)
{
	const char *rrs[] = { "mx.a.test. CNAME mx.b.test.",
	    "mx.a.test. RRSIG CNAME 13 3 30 20370101000000 20260101000000 "
	    "1 a.test. AAAA",
	    "mx.b.test. A 192.0.2.7",
	    "mx.b.test. RRSIG A 13 3 30 20361231120000 20260101000000 "
	    "2 b.test. AAAA",
	    "mx.b.test. RRSIG A 13 3 30 20370102000000 20260101000000 "
	    "3 b.test. AAAA", NULL };
	const char *cname[] = { "mx.a.test. CNAME mx.b.test.", NULL };
	struct dns_answer *a;
	struct dns_sig copy;
	struct tm tm = { .tm_year = 136, .tm_mon = 11, .tm_mday = 31,
	    .tm_hour = 12 };

	(void)state;
	a = parse("mx.a.test", DNS_TYPE_A, 0, rrs, DNS_SEC_SECURE, NULL);
	assert_int_equal(a->status, DNS_OK);
	assert_int_equal((long long)a->sig.expires, (long long)timegm(&tm));
	assert_int_equal(a->sig.type, DNS_TYPE_A);
	assert_string_equal(a->sig.owner, "mx.b.test");
	assert_string_equal(a->sig.signer, "b.test");
	memset(&copy, 0, sizeof(copy));
	dns_sig_copy(&copy, &a->sig);
	assert_string_equal(copy.signer, "b.test");
	dns_sig_clear(&copy);
	dns_sig_clear(&copy);
	dns_answer_free(a);
	a = parse("mx.a.test", DNS_TYPE_CNAME, 0, cname, DNS_SEC_INSECURE,
	    NULL);
	assert_int_equal(a->status, DNS_OK);
	assert_int_equal(a->nrr, 1);
	assert_string_equal(a->rr[0].name, "mx.b.test");
	assert_int_equal((long long)a->sig.expires, 0);
	assert_null(a->sig.signer);
	assert_string_equal(dns_type_name(DNS_TYPE_DNSKEY), "DNSKEY");
	dns_answer_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_mx_answer),
		cmocka_unit_test(test_cname_chain),
		cmocka_unit_test(test_cname_loop),
		cmocka_unit_test(test_aaaa_and_tlsa),
		cmocka_unit_test(test_txt),
		cmocka_unit_test(test_nxdomain_nodata),
		cmocka_unit_test(test_bogus_and_failures),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_rrsig_expiry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
