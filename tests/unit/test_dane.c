/*
 * Unit tests for src/dane: the verdict rules (verdict.c) and the JSON model
 * (check_json.c) on hand-made results - DNS outcomes, probe results with a
 * real certificate chain, and the records published for it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dane/check.h"
#include "dane/check_json.h"
#include "survey/survey.h"
#include "tlsa/tlsa_gen.h"
#include "util/xalloc.h"

static X509 *leaf, *issuer;
static time_t now;

static X509 *
mkcert(const char *cn, EVP_PKEY *key, EVP_PKEY *signer)
{
	X509 *x = X509_new();

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 90);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	assert_true(X509_sign(x, signer, EVP_sha256()) > 0);
	return x;
}

static int
setup(void **state)
{
	EVP_PKEY *k1 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *k2 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	(void)state;
	leaf = mkcert("mx.test", k1, k2);
	issuer = mkcert("ca", k2, k2);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	now = time(NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	X509_free(leaf);
	X509_free(issuer);
	return 0;
}

static struct tlsa_rec *
rec_for(X509 *x, unsigned u, unsigned s, unsigned m)
{
	struct err e;
	struct tlsa_rec *r = tlsa_rec_for_cert(x, u, s, m, &e);

	assert_non_null(r);
	return r;
}

static struct tlsa_rec *
rec_junk(unsigned u, unsigned s, unsigned m)
{
	uint8_t data[32] = { 0xde, 0xad };

	return tlsa_rec_new(u, s, m, data, sizeof(data));
}

static struct check_result *
mkres(size_t nhosts)
{
	struct check_result *res = xcalloc(1, sizeof(*res));

	res->domain = xstrdup("d.test");
	res->port = 25;
	res->starttls = STARTTLS_SMTP;
	res->warn_days = 21;
	res->started = now;
	res->mx = xcalloc(1, sizeof(*res->mx));
	res->mx->domain = xstrdup("d.test");
	res->mx->mx_sec = DNS_SEC_SECURE;
	res->mx->hosts = xcalloc(nhosts + 1, sizeof(*res->mx->hosts));
	res->mx->nhosts = nhosts;
	res->hosts = xcalloc(nhosts + 1, sizeof(*res->hosts));
	res->nhosts = nhosts;
	return res;
}

/* Host i: name, DANE state, records (taken), one probed address. */
static struct check_host *
sethost(struct check_result *res, size_t i, enum mx_dane dane,
	struct tlsa_rec **recs, size_t nrecs)
{
	struct mx_host *h = &res->mx->hosts[i];
	struct check_host *ch = &res->hosts[i];
	size_t j;

	h->name = xasprintf("mx%zu.d.test", i);
	h->canon = xstrdup(h->name);
	h->base = xstrdup(h->name);
	h->tlsa_name = xasprintf("_25._tcp.%s", h->name);
	h->dane = dane;
	h->tlsa_sec = DNS_SEC_SECURE;
	h->tlsa = xcalloc(nrecs + 1, sizeof(*h->tlsa));
	for (j = 0; j < nrecs; j++) {
		h->tlsa[h->ntlsa++] = recs[j];
		if (tlsa_rec_usable_smtp(recs[j], NULL))
			h->nusable++;
	}
	if (dane == MX_DANE_NONE || dane == MX_DANE_BOGUS)
		h->why = xstrdup("because");
	ch->mx = h;
	ch->addrs = xcalloc(1, sizeof(*ch->addrs));
	ch->addrs[0].address = xstrdup("192.0.2.1");
	ch->addrs[0].family = 4;
	ch->naddrs = 1;
	return ch;
}

/* A completed handshake presenting leaf + issuer. */
static struct probe_result *
probe_ok(int dane_ok, int usable, const struct tlsa_rec *matched)
{
	struct probe_result *pr = xcalloc(1, sizeof(*pr));

	pr->status = PROBE_OK;
	pr->tls_version = xstrdup("TLSv1.3");
	pr->chain = sk_X509_new_null();
	X509_up_ref(leaf);
	X509_up_ref(issuer);
	sk_X509_push(pr->chain, leaf);
	sk_X509_push(pr->chain, issuer);
	pr->dane_ok = dane_ok;
	pr->dane_usable = usable;
	pr->match_depth = dane_ok ? 0 : -1;
	pr->matched = matched != NULL ? tlsa_rec_dup(matched) : NULL;
	pr->verify_error = dane_ok ? 0 : 65;
	pr->verify_error_str = dane_ok ? NULL :
	    xstrdup("no matching DANE TLSA records");
	pr->leaf_not_after = now + 86400L * 90;
	return pr;
}

static int
has_warning(const struct check_result *res, const char *code)
{
	size_t i;

	for (i = 0; i < res->nwarnings; i++)
		if (strcmp(res->warnings[i].code, code) == 0)
			return 1;
	return 0;
}

static void
test_pass_current_and_next(void **state)
{
	struct tlsa_rec *recs[2];
	struct check_result *res = mkres(1);
	struct check_host *ch;

	(void)state;
	recs[0] = rec_for(leaf, 3, 1, 1);
	recs[1] = rec_junk(3, 1, 1);            /* next key, unmatched */
	ch = sethost(res, 0, MX_DANE_APPLIES, recs, 2);
	ch->addrs[0].probe = probe_ok(1, 2, recs[0]);
	check_evaluate(res, now);
	assert_int_equal(ch->addrs[0].verdict, CHECK_PASS);
	assert_int_equal(ch->verdict, CHECK_PASS);
	assert_int_equal(res->verdict, CHECK_PASS);
	assert_int_equal(ch->recs[0].nmatched, 1);
	assert_int_equal(ch->recs[0].depth, 0);
	assert_int_equal(ch->recs[1].nmatched, 0);
	assert_int_equal(res->nwarnings, 0);
	assert_int_equal(ch->addrs[0].days_left, 90);
	check_result_free(res);
}

static void
test_single_record_and_expiry(void **state)
{
	struct tlsa_rec *recs[1];
	struct check_result *res = mkres(1);
	struct check_host *ch;

	(void)state;
	recs[0] = rec_for(issuer, 2, 0, 1);     /* DANE-TA on the issuer */
	ch = sethost(res, 0, MX_DANE_APPLIES, recs, 1);
	ch->addrs[0].probe = probe_ok(1, 1, recs[0]);
	ch->addrs[0].probe->leaf_not_after = now + 86400L * 5 + 60;
	check_evaluate(res, now);
	assert_int_equal(res->verdict, CHECK_WARN);
	assert_true(has_warning(res, "single-record"));
	assert_true(has_warning(res, "expiring"));
	assert_int_equal(ch->recs[0].depth, 1);
	check_result_free(res);
}

static void
test_stale_fails(void **state)
{
	struct tlsa_rec *recs[1];
	struct check_result *res = mkres(1);
	struct check_host *ch;

	(void)state;
	recs[0] = rec_junk(3, 1, 1);
	ch = sethost(res, 0, MX_DANE_APPLIES, recs, 1);
	ch->addrs[0].probe = probe_ok(0, 1, NULL);
	ch->addrs[0].probe->leaf_not_after = now - 86400L * 3;
	check_evaluate(res, now);
	assert_int_equal(ch->addrs[0].verdict, CHECK_FAIL);
	assert_non_null(strstr(ch->addrs[0].why, "no matching DANE"));
	assert_int_equal(res->verdict, CHECK_FAIL);
	assert_true(has_warning(res, "expired"));
	assert_int_equal(ch->addrs[0].days_left, -3);
	assert_non_null(strstr(res->summary, "192.0.2.1"));
	check_result_free(res);
}

/* A DANE-EE record for the issuer matches nothing: EE means the leaf. */
static void
test_ee_only_leaf(void **state)
{
	struct tlsa_rec *recs[2];
	struct check_result *res = mkres(1);
	struct check_host *ch;

	(void)state;
	recs[0] = rec_for(issuer, 3, 1, 1);
	recs[1] = rec_for(leaf, 3, 0, 2);
	ch = sethost(res, 0, MX_DANE_APPLIES, recs, 2);
	ch->addrs[0].probe = probe_ok(1, 2, recs[1]);
	check_evaluate(res, now);
	assert_int_equal(ch->recs[0].nmatched, 0);
	assert_int_equal(ch->recs[1].nmatched, 1);
	assert_int_equal(res->verdict, CHECK_PASS);
	check_result_free(res);
}

/*
 * No usable record - PKIX usages only, or DANE usages with bad parameters -
 * is one host verdict, "unauthenticated", whose reason says what senders
 * at the level do; a domain none of whose hosts is authenticated fails.
 */
static void
test_unusable_sets(void **state)
{
	struct tlsa_rec *pkix[1], *bad[1];
	struct check_result *res = mkres(2);
	struct check_host *a, *b;

	(void)state;
	pkix[0] = rec_for(leaf, 1, 1, 1);
	bad[0] = rec_junk(3, 2, 1);
	a = sethost(res, 0, MX_DANE_UNUSABLE, pkix, 1);
	b = sethost(res, 1, MX_DANE_UNUSABLE, bad, 1);
	a->addrs[0].probe = probe_ok(0, 0, NULL);
	b->addrs[0].probe = probe_ok(0, 0, NULL);
	check_evaluate(res, now);
	assert_int_equal(a->verdict, CHECK_UNAUTH);
	assert_false(a->recs[0].usable);
	assert_non_null(a->recs[0].unusable_why);
	assert_int_equal(b->verdict, CHECK_UNAUTH);
	assert_string_equal(a->why + strcspn(a->why, ":"),
	    b->why + strcspn(b->why, ":"));
	assert_non_null(strstr(b->addrs[0].why, "level dane "));
	assert_non_null(strstr(b->addrs[0].why, "deliver"));
	assert_int_equal(res->verdict, CHECK_FAIL);
	assert_int_equal(survey_reason_of(res), SR_UNUSABLE);
	assert_non_null(strstr(res->summary, "authenticate nothing"));
	assert_non_null(strstr(res->summary, "deliver"));
	check_result_free(res);
	/* PKIX only, alone, at dane-only: deferred; still a failure. */
	res = mkres(1);
	res->level = CHECK_LEVEL_DANE_ONLY;
	pkix[0] = rec_for(leaf, 0, 0, 1);
	a = sethost(res, 0, MX_DANE_UNUSABLE, pkix, 1);
	a->addrs[0].probe = probe_ok(0, 0, NULL);
	check_evaluate(res, now);
	assert_int_equal(a->verdict, CHECK_UNAUTH);
	assert_non_null(strstr(a->why, "dane-only defer"));
	assert_int_equal(res->verdict, CHECK_FAIL);
	assert_non_null(strstr(res->summary, "dane-only defer"));
	assert_true(has_warning(res, "unusable-records"));
	check_result_free(res);
	/* Next to a host that passes: a warning, not a failure. */
	res = mkres(2);
	pkix[0] = rec_for(leaf, 3, 1, 1);
	a = sethost(res, 0, MX_DANE_APPLIES, pkix, 1);
	a->addrs[0].probe = probe_ok(1, 1, pkix[0]);
	bad[0] = rec_junk(4, 1, 1);
	b = sethost(res, 1, MX_DANE_UNUSABLE, bad, 1);
	b->addrs[0].probe = probe_ok(0, 0, NULL);
	check_evaluate(res, now);
	assert_int_equal(b->verdict, CHECK_UNAUTH);
	assert_int_equal(res->verdict, CHECK_WARN);
	check_result_free(res);
}

/* Per address kind: the probe that yields it, and its rank (worse: more). */
enum akind { AK_PASS, AK_UNAUTH, AK_NOMATCH, AK_CONNECT, AK_NKINDS };

static struct probe_result *
probe_kind(enum akind k, const struct tlsa_rec *r)
{
	struct probe_result *pr;

	switch (k) {
	case AK_PASS:
		return probe_ok(1, 1, r);
	case AK_UNAUTH:
		return probe_ok(0, 0, NULL);
	case AK_NOMATCH:
		return probe_ok(0, 1, NULL);
	default:
		pr = xcalloc(1, sizeof(*pr));
		pr->status = PROBE_CONNECT;
		pr->detail = xstrdup("connection refused");
		pr->match_depth = -1;
		return pr;
	}
}

static enum check_verdict
kind_verdict(enum akind k)
{
	return k == AK_PASS ? CHECK_PASS : k == AK_UNAUTH ? CHECK_UNAUTH :
	    CHECK_FAIL;
}

static int
verdict_rank(enum check_verdict v)
{
	return v == CHECK_PASS ? 0 : v == CHECK_UNAUTH ? 1 : 2;
}

/*
 * The property: a host's verdict is the worst of its addresses' (fail,
 * then unauthenticated, then pass), whatever their number and order, and
 * its reason names an address with that verdict.  Every sequence of one
 * to four addresses over the four kinds.
 */
static void
test_host_worst_of_addresses(void **state)
{
	size_t n, i, combos, c;
	unsigned kinds[4];

	(void)state;
	for (n = 1; n <= 4; n++) {
		combos = 1;
		for (i = 0; i < n; i++)
			combos *= AK_NKINDS;
		for (c = 0; c < combos; c++) {
			struct tlsa_rec *recs[1];
			struct check_result *res = mkres(1);
			struct check_host *ch;
			enum check_verdict want = CHECK_PASS;
			size_t k = c;
			int named = 0;

			recs[0] = rec_for(leaf, 3, 1, 1);
			ch = sethost(res, 0, MX_DANE_APPLIES, recs, 1);
			free(ch->addrs[0].address);
			free(ch->addrs);
			ch->addrs = xcalloc(n, sizeof(*ch->addrs));
			ch->naddrs = n;
			for (i = 0; i < n; i++) {
				kinds[i] = k % AK_NKINDS;
				k /= AK_NKINDS;
				ch->addrs[i].address = xasprintf("192.0.2.%zu",
				    i + 1);
				ch->addrs[i].family = 4;
				ch->addrs[i].probe = probe_kind(kinds[i],
				    recs[0]);
				if (verdict_rank(kind_verdict(kinds[i])) >
				    verdict_rank(want))
					want = kind_verdict(kinds[i]);
			}
			check_evaluate(res, now);
			for (i = 0; i < n; i++) {
				assert_int_equal(ch->addrs[i].verdict,
				    kind_verdict(kinds[i]));
				assert_int_equal(strstr(ch->addrs[i].why,
				    "next address") != NULL,
				    kinds[i] == AK_CONNECT && n > 1);
			}
			assert_int_equal(ch->verdict, want);
			for (i = 0; i < n && want != CHECK_PASS; i++)
				if (ch->addrs[i].verdict == want &&
				    strstr(ch->why, ch->addrs[i].address) !=
				    NULL)
					named = 1;
			assert_true(want == CHECK_PASS || named);
			/* The domain of one host follows it. */
			assert_int_equal(res->verdict, want == CHECK_PASS ?
			    CHECK_WARN : CHECK_FAIL);
			check_result_free(res);
		}
	}
}

/*
 * The domain over its hosts, every combination of one to three hosts of
 * the kinds pass, unauthenticated, not-applicable, fail: fail when a host
 * fails or none passes while one is unauthenticated; not-applicable when
 * none has DANE; otherwise pass or warn.
 */
static void
test_domain_over_hosts(void **state)
{
	static const enum check_verdict hv[] = { CHECK_PASS, CHECK_UNAUTH,
	    CHECK_NONE, CHECK_FAIL };
	size_t n, i, c, combos;

	(void)state;
	for (n = 1; n <= 3; n++) {
		combos = n == 1 ? 4 : n == 2 ? 16 : 64;
		for (c = 0; c < combos; c++) {
			struct check_result *res = mkres(n);
			size_t k = c, np = 0, nu = 0, nn = 0, nf = 0;
			enum check_verdict want;

			for (i = 0; i < n; i++, k /= 4) {
				struct tlsa_rec *recs[2];
				struct check_host *ch;
				enum check_verdict v = hv[k % 4];

				recs[0] = rec_for(leaf, 3, 1, 1);
				recs[1] = rec_junk(3, 1, 1);
				if (v == CHECK_NONE) {
					tlsa_rec_free(recs[0]);
					tlsa_rec_free(recs[1]);
					ch = sethost(res, i, MX_DANE_NONE, NULL,
					    0);
					ch->addrs[0].probe = probe_ok(0, 0,
					    NULL);
					nn++;
					continue;
				}
				ch = sethost(res, i, v == CHECK_UNAUTH ?
				    MX_DANE_UNUSABLE : MX_DANE_APPLIES, recs,
				    2);
				ch->addrs[0].probe = v == CHECK_PASS ?
				    probe_ok(1, 2, recs[0]) : v == CHECK_UNAUTH ?
				    probe_ok(0, 0, NULL) : probe_ok(0, 2, NULL);
				np += v == CHECK_PASS;
				nu += v == CHECK_UNAUTH;
				nf += v == CHECK_FAIL;
			}
			check_evaluate(res, now);
			for (i = 0, k = c; i < n; i++, k /= 4)
				assert_int_equal(res->hosts[i].verdict,
				    hv[k % 4]);
			if (nf > 0 || (np == 0 && nu > 0))
				want = CHECK_FAIL;
			else if (nn == n)
				want = CHECK_NONE;
			else
				want = nu + nn > 0 ? CHECK_WARN : CHECK_PASS;
			if (res->verdict != want)
				fail_msg("hosts %zu (code %zu): verdict %s, "
				    "want %s", n, c,
				    check_verdict_name(res->verdict),
				    check_verdict_name(want));
			check_result_free(res);
		}
	}
}

/*
 * DANE-TA matching an intermediate and no DANE-EE for the leaf: a warning
 * that suggests the leaf key's 3 1 1; not with a DANE-EE match, nor when
 * the matched issuer is a self-signed root.
 */
static void
test_ta_pinned_issuer(void **state)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *inter = mkcert("intermediate", k, k);
	struct tlsa_rec *recs[2], *ee;
	struct check_result *res;
	struct check_host *ch;
	char *text;
	size_t i;
	int round;

	(void)state;
	/* Issued by "ca": not self-signed any more. */
	X509_NAME_add_entry_by_txt(X509_get_issuer_name(inter), "O",
	    MBSTRING_ASC, (const unsigned char *)"ca", -1, -1, 0);
	assert_true(X509_sign(inter, k, EVP_sha256()) > 0);
	ee = rec_for(leaf, 3, 1, 1);
	text = tlsa_rec_format(ee);
	for (round = 0; round < 3; round++) {
		res = mkres(1);
		recs[0] = rec_for(round == 2 ? issuer : inter, 2, 1, 1);
		recs[1] = tlsa_rec_dup(ee);
		ch = sethost(res, 0, MX_DANE_APPLIES, recs, round == 1 ? 2 : 1);
		if (round != 1)
			tlsa_rec_free(recs[1]);
		ch->addrs[0].probe = probe_ok(1, 1, recs[0]);
		if (round != 2) {
			X509_free(sk_X509_pop(ch->addrs[0].probe->chain));
			X509_up_ref(inter);
			sk_X509_push(ch->addrs[0].probe->chain, inter);
		}
		ch->addrs[0].probe->match_depth = 1;
		check_evaluate(res, now);
		assert_int_equal(ch->recs[0].depth, 1);
		assert_int_equal(has_warning(res, "ta-pinned-issuer"),
		    round == 0);
		for (i = 0; round == 0 && i < res->nwarnings; i++)
			if (strcmp(res->warnings[i].code,
			    "ta-pinned-issuer") == 0)
				assert_non_null(strstr(res->warnings[i].message,
				    text));
		check_result_free(res);
	}
	free(text);
	tlsa_rec_free(ee);
	X509_free(inter);
	EVP_PKEY_free(k);
}

static void
test_none_and_mixed(void **state)
{
	struct tlsa_rec *recs[2];
	struct check_result *res = mkres(1);
	struct check_host *ch;

	(void)state;
	ch = sethost(res, 0, MX_DANE_NONE, NULL, 0);
	ch->addrs[0].probe = probe_ok(0, 0, NULL);
	check_evaluate(res, now);
	assert_int_equal(res->verdict, CHECK_NONE);
	assert_int_equal(ch->addrs[0].verdict, CHECK_NONE);
	check_result_free(res);
	res = mkres(2);
	recs[0] = rec_for(leaf, 3, 1, 1);
	recs[1] = rec_for(leaf, 3, 1, 2);
	ch = sethost(res, 0, MX_DANE_APPLIES, recs, 2);
	ch->addrs[0].probe = probe_ok(1, 2, recs[0]);
	ch = sethost(res, 1, MX_DANE_NONE, NULL, 0);
	ch->addrs[0].probe = probe_ok(0, 0, NULL);
	check_evaluate(res, now);
	assert_int_equal(res->verdict, CHECK_WARN);
	assert_true(has_warning(res, "no-dane-host"));
	/* 3 1 1 and 3 1 2 of the same key: nothing for the next key. */
	assert_true(has_warning(res, "no-next-key"));
	check_result_free(res);
}

static void
test_dns_outcomes(void **state)
{
	struct check_result *res;

	(void)state;
	res = mkres(0);
	res->mx->mx_sec = DNS_SEC_BOGUS;
	res->mx->mx_why = xstrdup("signature expired");
	check_evaluate(res, now);
	assert_int_equal(res->verdict, CHECK_FAIL);
	assert_non_null(strstr(res->summary, "signature expired"));
	check_result_free(res);
	res = mkres(0);
	res->mx->null_mx = 1;
	check_evaluate(res, now);
	assert_int_equal(res->verdict, CHECK_NONE);
	check_result_free(res);
	res = mkres(0);
	res->mx->mx_status = DNS_NXDOMAIN;
	check_evaluate(res, now);
	assert_int_equal(res->verdict, CHECK_UNKNOWN);
	check_result_free(res);
	res = mkres(0);
	mx_result_free(res->mx);
	res->mx = NULL;
	check_evaluate(res, now);
	assert_int_equal(res->verdict, CHECK_UNKNOWN);
	check_result_free(res);
}

static void
test_bogus_host_and_timeout(void **state)
{
	struct tlsa_rec *recs[16];
	struct check_result *res = mkres(2);
	struct check_host *ch;
	size_t i;

	(void)state;
	sethost(res, 0, MX_DANE_BOGUS, NULL, 0);
	for (i = 0; i < 13; i++)
		recs[i] = rec_junk(3, 1, 1);
	ch = sethost(res, 1, MX_DANE_APPLIES, recs, 13);
	ch->addrs[0].timed_out = 1;
	check_evaluate(res, now);
	assert_int_equal(res->hosts[0].verdict, CHECK_FAIL);
	assert_int_equal(ch->addrs[0].verdict, CHECK_FAIL);
	assert_non_null(strstr(ch->addrs[0].why, "timeout"));
	assert_true(has_warning(res, "too-many-records"));
	assert_int_equal(res->verdict, CHECK_FAIL);
	check_result_free(res);
	check_result_free(NULL);
}

/*
 * RFC 7672 2.2: a failed TLSA lookup (SERVFAIL, timeout, bogus) under a
 * secure host name fails the host at both levels, and the reason says
 * senders defer; any other failed lookup could not be checked.
 */
static void
test_tlsa_lookup_failed(void **state)
{
	struct check_result *res;
	struct check_host *ch;
	int lv;

	(void)state;
	for (lv = 0; lv < 2; lv++) {
		res = mkres(3);
		res->level = lv == 0 ? CHECK_LEVEL_DANE :
		    CHECK_LEVEL_DANE_ONLY;
		ch = sethost(res, 0, MX_DANE_ERROR, NULL, 0);
		ch->mx->tlsa_failed = 1;
		ch->mx->why = xstrdup("TLSA lookup for _25._tcp.mx0.d.test "
		    "failed: no answer (SERVFAIL)");
		ch = sethost(res, 1, MX_DANE_BOGUS, NULL, 0);
		ch->mx->tlsa_sec = DNS_SEC_BOGUS;
		ch = sethost(res, 2, MX_DANE_ERROR, NULL, 0);
		ch->mx->why = xstrdup("A lookup for mx2.d.test failed");
		check_evaluate(res, now);
		assert_int_equal(res->hosts[0].verdict, CHECK_FAIL);
		assert_non_null(strstr(res->hosts[0].why, "(SERVFAIL); DANE "
		    "senders defer mail to this host"));
		assert_int_equal(res->hosts[1].verdict, CHECK_FAIL);
		assert_non_null(strstr(res->hosts[1].why, "senders defer"));
		assert_int_equal(res->hosts[2].verdict, CHECK_UNKNOWN);
		assert_null(strstr(res->hosts[2].why, "defer"));
		assert_int_equal(res->verdict, CHECK_FAIL);
		check_result_free(res);
	}
}

static size_t
count_warnings(const struct check_result *res, const char *code,
	const char *zone)
{
	size_t i, n = 0;

	for (i = 0; i < res->nwarnings; i++)
		if (strcmp(res->warnings[i].code, code) == 0 &&
		    (zone == NULL || (res->warnings[i].zone != NULL &&
		    strcmp(res->warnings[i].zone, zone) == 0)))
			n++;
	return n;
}

static void
add_rrsig(struct check_result *res, const char *name, uint16_t type,
	const char *zone, time_t expires)
{
	struct check_rrsig *r;

	res->rrsigs = xreallocarray(res->rrsigs, res->nrrsigs + 1,
	    sizeof(*res->rrsigs));
	r = &res->rrsigs[res->nrrsigs++];
	r->name = xstrdup(name);
	r->type = type;
	r->zone = xstrdup(zone);
	r->expires = expires;
}

/*
 * RRSIG expiry: one warning per zone whose earliest signature expires
 * within sig_warn_days (naming zone and RRset), one for an expired one;
 * none beyond the threshold; the list ends sorted, earliest first.
 */
static void
test_rrsig_warnings(void **state)
{
	struct tlsa_rec *recs[2];
	struct check_result *res;
	struct check_host *ch;
	json_t *j;
	int round;
	size_t i;

	(void)state;
	for (round = 0; round < 2; round++) {
		res = mkres(1);
		res->sig_warn_days = round == 0 ? 7 : 0;
		recs[0] = rec_for(leaf, 3, 1, 1);
		recs[1] = rec_junk(3, 1, 1);
		ch = sethost(res, 0, MX_DANE_APPLIES, recs, 2);
		ch->addrs[0].probe = probe_ok(1, 2, recs[0]);
		add_rrsig(res, "b.test", DNS_TYPE_DNSKEY, "b.test",
		    now + 86400L * 10);
		add_rrsig(res, "a.test", DNS_TYPE_MX, "a.test",
		    now + 86400L * 3);
		add_rrsig(res, "mx.a.test", DNS_TYPE_A, "a.test",
		    now + 86400L * 2 + 60);
		add_rrsig(res, "c.test", DNS_TYPE_DS, "test", now - 3 * 3600);
		check_evaluate(res, now);
		for (i = 1; i < res->nrrsigs; i++)
			assert_true(res->rrsigs[i - 1].expires <=
			    res->rrsigs[i].expires);
		assert_int_equal(count_warnings(res, "rrsig-expiring", "a.test"),
		    round == 0 ? 1 : 0);
		assert_int_equal(count_warnings(res, "rrsig-expiring", "b.test"),
		    0);
		assert_int_equal(count_warnings(res, "rrsig-expired", "test"),
		    1);
		for (i = 0; round == 0 && i < res->nwarnings; i++)
			if (strcmp(res->warnings[i].code,
			    "rrsig-expiring") == 0) {
				assert_string_equal(res->warnings[i].rrset,
				    "mx.a.test A");
				assert_non_null(strstr(res->warnings[i].message,
				    "expires in 2 day(s)"));
			}
		assert_int_equal(res->verdict, CHECK_WARN);
		j = check_json(res);
		assert_int_equal(json_array_size(json_object_get(
		    json_object_get(j, "dnssec"), "rrsets")), 4);
		assert_true(json_is_string(json_object_get(json_object_get(j,
		    "dnssec"), "rrsig_expires")));
		json_decref(j);
		check_result_free(res);
	}
}

static void
test_json_model(void **state)
{
	struct tlsa_rec *recs[2];
	struct check_result *res = mkres(1);
	struct check_host *ch;
	json_t *j, *host, *rec;

	(void)state;
	recs[0] = rec_for(leaf, 3, 1, 1);
	recs[1] = rec_junk(1, 1, 1);
	ch = sethost(res, 0, MX_DANE_APPLIES, recs, 2);
	ch->addrs[0].probe = probe_ok(1, 1, recs[0]);
	check_evaluate(res, now);
	j = check_json(res);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "schema")),
	    CHECK_JSON_SCHEMA);
	assert_string_equal(json_string_value(json_object_get(j, "verdict")),
	    "warn");
	assert_string_equal(json_string_value(json_object_get(j, "level")),
	    "dane");
	assert_true(json_is_null(json_object_get(json_object_get(j, "dnssec"),
	    "rrsig_expires")));
	host = json_array_get(json_object_get(j, "hosts"), 0);
	assert_string_equal(json_string_value(json_object_get(host, "dane")),
	    "applies");
	rec = json_array_get(json_object_get(json_object_get(host, "tlsa"),
	    "records"), 1);
	assert_string_equal(json_string_value(json_object_get(rec, "status")),
	    "unusable");
	assert_true(json_is_string(json_object_get(rec, "unusable_reason")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    json_array_get(json_object_get(host, "addresses"), 0), "dane"),
	    "match_depth")), 0);
	assert_true(json_is_array(json_object_get(j, "warnings")));
	json_decref(j);
	check_result_free(res);
	/* A host whose TLSA was never asked (unsigned addresses). */
	res = mkres(1);
	ch = sethost(res, 0, MX_DANE_NONE, NULL, 0);
	free(ch->mx->tlsa_name);
	ch->mx->tlsa_name = NULL;
	check_evaluate(res, now);
	j = check_json(res);
	host = json_array_get(json_object_get(j, "hosts"), 0);
	assert_true(json_is_null(json_object_get(host, "tlsa")));
	assert_true(json_is_null(json_object_get(json_array_get(
	    json_object_get(host, "addresses"), 0), "dane")));
	json_decref(j);
	check_result_free(res);
}

/* Host kinds for the order properties; a host's name is its kind's. */
static const enum check_verdict okinds[] = { CHECK_PASS, CHECK_UNAUTH,
    CHECK_NONE, CHECK_FAIL, CHECK_UNKNOWN };
#define NOKINDS (sizeof(okinds) / sizeof(okinds[0]))

static struct check_result *
domain_of(const unsigned *kinds, size_t n)
{
	struct check_result *res = mkres(n);
	size_t i;

	for (i = 0; i < n; i++) {
		enum check_verdict v = okinds[kinds[i]];
		struct tlsa_rec *recs[2];
		struct check_host *ch;
		struct mx_host *h;

		recs[0] = rec_for(leaf, 3, 1, 1);
		recs[1] = rec_junk(3, 1, 1);
		ch = sethost(res, i, v == CHECK_NONE ? MX_DANE_NONE :
		    v == CHECK_UNKNOWN ? MX_DANE_ERROR : v == CHECK_UNAUTH ?
		    MX_DANE_UNUSABLE : MX_DANE_APPLIES, recs, 2);
		h = ch->mx;
		free(h->name);
		free(h->canon);
		free(h->base);
		free(h->tlsa_name);
		h->name = xasprintf("%s.d.test", check_verdict_name(v));
		h->canon = xstrdup(h->name);
		h->base = xstrdup(h->name);
		h->tlsa_name = xasprintf("_25._tcp.%s", h->name);
		if (v == CHECK_UNKNOWN) {
			free(h->why);
			h->why = xstrdup("TLSA lookup timed out");
		}
		ch->addrs[0].probe = v == CHECK_PASS ? probe_ok(1, 2,
		    recs[0]) : v == CHECK_FAIL ? probe_ok(0, 2, NULL) :
		    probe_ok(0, 0, NULL);
	}
	check_evaluate(res, now);
	for (i = 0; i < n; i++)
		assert_int_equal(res->hosts[i].verdict, okinds[kinds[i]]);
	return res;
}

/*
 * The property: the domain's verdict, its summary (the host and reason it
 * names) and its warnings do not depend on the order of its hosts.  Every
 * sequence of one to three hosts over five kinds against the same hosts
 * sorted; a domain that could not be checked says why with the reason of
 * a host that could not be checked.
 */
static void
test_domain_any_order(void **state)
{
	size_t n, i, j, c, combos;

	(void)state;
	for (n = 1; n <= 3; n++) {
		combos = 1;
		for (i = 0; i < n; i++)
			combos *= NOKINDS;
		for (c = 0; c < combos; c++) {
			unsigned kinds[3], sorted[3], t;
			struct check_result *a, *b;
			size_t k = c, nunknown = 0;

			for (i = 0; i < n; i++, k /= NOKINDS) {
				kinds[i] = sorted[i] = k % NOKINDS;
				nunknown += okinds[kinds[i]] == CHECK_UNKNOWN;
			}
			for (i = 0; i < n; i++)
				for (j = i + 1; j < n; j++)
					if (sorted[j] < sorted[i]) {
						t = sorted[i];
						sorted[i] = sorted[j];
						sorted[j] = t;
					}
			a = domain_of(kinds, n);
			b = domain_of(sorted, n);
			assert_int_equal(a->verdict, b->verdict);
			if (strcmp(a->summary, b->summary) != 0)
				fail_msg("hosts %zu (code %zu): \"%s\" but "
				    "sorted \"%s\"", n, c, a->summary,
				    b->summary);
			assert_int_equal(a->nwarnings, b->nwarnings);
			for (i = 0; i < a->nwarnings; i++) {
				for (j = 0; j < b->nwarnings; j++)
					if (strcmp(a->warnings[i].message,
					    b->warnings[j].message) == 0)
						break;
				assert_true(j < b->nwarnings);
			}
			if (a->verdict == CHECK_UNKNOWN)
				assert_non_null(strstr(a->summary,
				    "TLSA lookup timed out"));
			assert_int_equal(a->verdict == CHECK_UNKNOWN,
			    nunknown > 0 && strstr(a->summary, "fails") ==
			    NULL);
			check_result_free(a);
			check_result_free(b);
		}
	}
}

/* n records at host 0: the current key's 3 1 1, then more (junk or TA). */
static struct check_result *
one_host(size_t n, unsigned usage_more, int presented)
{
	struct check_result *res = mkres(1);
	struct tlsa_rec *recs[16];
	struct check_host *ch;
	size_t i;

	recs[0] = rec_for(leaf, 3, 1, 1);
	for (i = 1; i < n; i++)
		recs[i] = usage_more == 3 ? rec_for(leaf, 3, 1, 1) :
		    rec_junk(usage_more, 1, 1);
	ch = sethost(res, 0, MX_DANE_APPLIES, recs, n);
	if (presented)
		ch->addrs[0].probe = probe_ok(1, (int)n, recs[0]);
	else
		ch->addrs[0].probe = probe_kind(AK_CONNECT, NULL);
	check_evaluate(res, now);
	return res;
}

/*
 * Rollover-safety warnings: one usable record is "single-record" and not
 * also "no-next-key"; several records all matching the presented key are
 * "no-next-key", unless none was presented (nothing to compare) or one
 * is a next key's or DANE-TA; "too-many-records" only above the limit.
 * A passing host's reason describes its records, not an address.
 */
static void
test_rollover_warnings(void **state)
{
	struct check_result *res;

	(void)state;
	res = one_host(1, 3, 1);
	assert_true(has_warning(res, "single-record"));
	assert_false(has_warning(res, "no-next-key"));
	assert_int_equal(res->hosts[0].verdict, CHECK_PASS);
	assert_non_null(strstr(res->hosts[0].why, "1 TLSA record(s)"));
	check_result_free(res);
	res = one_host(2, 3, 1);
	assert_false(has_warning(res, "single-record"));
	assert_true(has_warning(res, "no-next-key"));
	check_result_free(res);
	res = one_host(2, 3, 0);
	assert_false(has_warning(res, "no-next-key"));
	check_result_free(res);
	res = one_host(2, 2, 1);
	assert_false(has_warning(res, "no-next-key"));
	check_result_free(res);
	res = one_host(CHECK_MAX_SANE_RECORDS, 3, 1);
	assert_false(has_warning(res, "too-many-records"));
	check_result_free(res);
	res = one_host(CHECK_MAX_SANE_RECORDS + 1, 3, 1);
	assert_true(has_warning(res, "too-many-records"));
	check_result_free(res);
}

/* A host of the given kind at index i of res, as domain_of() makes. */
static struct check_host *
kind_host(struct check_result *res, size_t i, enum check_verdict v)
{
	struct tlsa_rec *recs[2];
	struct check_host *ch;

	recs[0] = rec_for(leaf, 3, 1, 1);
	recs[1] = rec_junk(3, 1, 1);
	ch = sethost(res, i, v == CHECK_UNKNOWN ? MX_DANE_ERROR :
	    v == CHECK_NONE ? MX_DANE_NONE : MX_DANE_APPLIES, recs, 2);
	ch->addrs[0].probe = v == CHECK_PASS ? probe_ok(1, 2, recs[0]) :
	    v == CHECK_FAIL ? probe_ok(0, 2, NULL) : probe_ok(0, 0, NULL);
	return ch;
}

/*
 * What the reasons say: a failed probe, a match (abbreviated at 20
 * characters), the certificate's last valid second and the warning
 * threshold, the domain's summary with and without unauthenticated hosts
 * or warnings, the first of two unknown hosts' reasons, and when an
 * insecure MX set is worth a warning.
 */
static void
test_reasons(void **state)
{
	static const uint8_t d7[7] = { 1, 2, 3, 4, 5, 6, 7 };
	struct check_result *res;
	struct check_host *ch;
	struct tlsa_rec *r;
	size_t i;

	(void)state;
	/* A probe that failed without detail; one to a host without DANE. */
	res = mkres(2);
	ch = kind_host(res, 0, CHECK_FAIL);
	probe_result_free(ch->addrs[0].probe);
	ch->addrs[0].probe = probe_kind(AK_CONNECT, NULL);
	free(ch->addrs[0].probe->detail);
	ch->addrs[0].probe->detail = NULL;
	ch = kind_host(res, 1, CHECK_NONE);
	probe_result_free(ch->addrs[0].probe);
	ch->addrs[0].probe = probe_kind(AK_CONNECT, NULL);
	check_evaluate(res, now);
	assert_string_equal(res->hosts[0].addrs[0].why, "probe failed");
	assert_string_equal(res->hosts[1].addrs[0].why,
	    "no TLS: connection refused");
	check_result_free(res);
	/* Matched: a 20-character record in full, longer ones cut. */
	res = mkres(1);
	ch = kind_host(res, 0, CHECK_PASS);
	r = tlsa_rec_new(3, 1, 1, d7, sizeof(d7));
	tlsa_rec_free(ch->addrs[0].probe->matched);
	ch->addrs[0].probe->matched = r;
	check_evaluate(res, now);
	assert_string_equal(ch->addrs[0].why,
	    "matched 3 1 1 01020304050607 at depth 0");
	ch->addrs[0].probe->matched = NULL;
	tlsa_rec_free(r);
	check_evaluate(res, now);
	assert_string_equal(ch->addrs[0].why, "matched a record at depth 0");
	ch->addrs[0].probe->matched = rec_for(leaf, 3, 1, 1);
	check_evaluate(res, now);
	assert_non_null(strstr(ch->addrs[0].why, "... at depth 0"));
	assert_int_equal(strcspn(ch->addrs[0].why, "."), 28);
	/* Valid through its notAfter second; warned below warn_days. */
	ch->addrs[0].probe->leaf_not_after = now;
	check_evaluate(res, now);
	assert_false(has_warning(res, "expired"));
	assert_true(has_warning(res, "expiring"));
	check_result_free(res);
	res = mkres(1);
	ch = kind_host(res, 0, CHECK_PASS);
	ch->addrs[0].probe->leaf_not_after = now + 86400L * 21 + 60;
	check_evaluate(res, now);
	assert_int_equal(ch->addrs[0].days_left, 21);
	assert_false(has_warning(res, "expiring"));
	assert_int_equal(res->nwarnings, 0);
	assert_string_equal(res->summary, "DANE authenticated for 1 of 1 "
	    "host(s)");
	check_result_free(res);
	/* One pass, one unauthenticated without warnings. */
	res = mkres(2);
	kind_host(res, 0, CHECK_PASS);
	kind_host(res, 1, CHECK_UNAUTH);
	check_evaluate(res, now);
	assert_int_equal(res->verdict, CHECK_PASS);
	assert_string_equal(res->summary, "DANE authenticated for 1 of 2 "
	    "host(s), no usable TLSA record at 1");
	check_result_free(res);
	/* One unauthenticated host alone: not "and other hosts". */
	res = mkres(1);
	kind_host(res, 0, CHECK_UNAUTH);
	check_evaluate(res, now);
	assert_int_equal(res->verdict, CHECK_FAIL);
	assert_null(strstr(res->summary, "other hosts"));
	check_result_free(res);
	/* Two unknown hosts: the first one's reason. */
	res = mkres(2);
	for (i = 0; i < 2; i++) {
		ch = kind_host(res, i, CHECK_UNKNOWN);
		ch->mx->why = xasprintf("lookup %zu failed", i);
	}
	check_evaluate(res, now);
	assert_string_equal(res->summary, "could not check: lookup 0 failed");
	check_result_free(res);
	/* Insecure MX: warned when some host has DANE, wherever it is. */
	for (i = 0; i < 6; i++) {
		res = mkres(2);
		res->mx->mx_sec = DNS_SEC_INSECURE;
		res->mx->single = i == 3;
		res->mx->implicit_mx = i == 4;
		kind_host(res, 0, i == 1 || i == 5 ? CHECK_NONE : CHECK_PASS);
		kind_host(res, 1, i == 5 ? CHECK_NONE : CHECK_PASS);
		check_evaluate(res, now);
		assert_int_equal(has_warning(res, "mx-insecure"), i < 3);
		check_result_free(res);
	}
}

/* Host 0 with the given records (taken), presenting leaf + issuer. */
static struct check_result *
host_with(struct tlsa_rec **recs, size_t n, const struct tlsa_rec *matched)
{
	struct check_result *res = mkres(1);
	struct check_host *ch;

	ch = sethost(res, 0, MX_DANE_APPLIES, recs, n);
	ch->addrs[0].probe = probe_ok(1, (int)n, matched);
	check_evaluate(res, now);
	assert_int_equal(res->hosts[0].verdict, CHECK_PASS);
	return res;
}

/*
 * Digest agility (RFC 7671 section 9): a matched SHA-256 record is no
 * help where a usable SHA-512 record of the same usage and selector
 * exists; not for another usage or selector, nor when the SHA-256 record
 * matched nothing.
 */
static void
test_digest_agility(void **state)
{
	static const unsigned other[][3] = { { 3, 1, 2 }, { 3, 0, 2 },
	    { 2, 1, 2 } };
	struct check_result *res;
	struct tlsa_rec *recs[2];
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		recs[0] = rec_for(leaf, 3, 1, 1);
		recs[1] = rec_for(issuer, other[i][0], other[i][1],
		    other[i][2]);
		res = host_with(recs, 2, recs[0]);
		assert_int_equal(has_warning(res, "digest-agility"), i == 0);
		check_result_free(res);
	}
	/* The SHA-512 record matched, the SHA-256 one is a next key's. */
	recs[0] = rec_junk(3, 1, 1);
	recs[1] = rec_for(leaf, 3, 1, 2);
	res = host_with(recs, 2, recs[1]);
	assert_false(has_warning(res, "digest-agility"));
	check_result_free(res);
}

/*
 * --host (single): no MX lookup, so its status says nothing; an MX
 * lookup without MX records (implicit MX) goes on to the hosts; a failed
 * one says why, or "?" without a reason.
 */
static void
test_dns_single_and_nodata(void **state)
{
	static const enum dns_status st[] = { DNS_NXDOMAIN, DNS_SERVFAIL };
	struct check_result *res;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		res = mkres(1);
		res->mx->single = 1;
		res->mx->mx_status = st[i];
		kind_host(res, 0, CHECK_PASS);
		check_evaluate(res, now);
		assert_int_equal(res->verdict, CHECK_PASS);
		check_result_free(res);
	}
	res = mkres(1);
	res->mx->mx_status = DNS_NODATA;
	res->mx->implicit_mx = 1;
	kind_host(res, 0, CHECK_PASS);
	check_evaluate(res, now);
	assert_int_equal(res->verdict, CHECK_PASS);
	check_result_free(res);
	res = mkres(0);
	res->mx->mx_status = DNS_SERVFAIL;
	check_evaluate(res, now);
	assert_int_equal(res->verdict, CHECK_UNKNOWN);
	assert_string_equal(res->summary, "d.test: MX lookup failed: ?");
	check_result_free(res);
}

/* The message of the warning with this code and zone. */
static const char *
zone_warning(const struct check_result *res, const char *code,
	const char *zone)
{
	size_t i;

	for (i = 0; i < res->nwarnings; i++)
		if (strcmp(res->warnings[i].code, code) == 0 &&
		    res->warnings[i].zone != NULL &&
		    strcmp(res->warnings[i].zone, zone) == 0)
			return res->warnings[i].message;
	fail_msg("no %s warning for zone %s", code, zone);
	return NULL;
}

/*
 * RRSIG warnings at their bounds: a signature is valid through its
 * expiration second (RFC 4034 3.1.5); one expiring exactly sig_warn_days
 * ahead is not warned about, nor counted as another RRset of its zone;
 * "and other RRsets of it" only when the zone has another one expiring
 * (not because an earlier zone was warned about); a day is "1 day(s)";
 * the date is the expiration's.
 */
static void
test_rrsig_bounds(void **state)
{
	struct tlsa_rec *recs[2];
	struct check_result *res = mkres(1);
	struct check_host *ch;
	const char *m;
	char date[32];
	time_t t = now + 86400;
	struct tm tm;

	(void)state;
	res->sig_warn_days = 7;
	recs[0] = rec_for(leaf, 3, 1, 1);
	recs[1] = rec_junk(3, 1, 1);
	ch = sethost(res, 0, MX_DANE_APPLIES, recs, 2);
	ch->addrs[0].probe = probe_ok(1, 2, recs[0]);
	add_rrsig(res, "z.test", DNS_TYPE_DNSKEY, "z.test", now + 86400L * 7);
	add_rrsig(res, "x.b.test", DNS_TYPE_A, "b.test", now + 86400L * 7);
	add_rrsig(res, "mx.a.test", DNS_TYPE_A, "a.test", now + 86400L * 3);
	add_rrsig(res, "b.test", DNS_TYPE_DNSKEY, "b.test", t);
	add_rrsig(res, "a.test", DNS_TYPE_MX, "a.test", now);
	add_rrsig(res, "c.test", DNS_TYPE_DS, "test", now - 3600);
	check_evaluate(res, now);
	assert_int_equal(res->nwarnings, 3);
	m = zone_warning(res, "rrsig-expired", "test");
	assert_non_null(strstr(m, "expired 1 hour(s) ago"));
	m = zone_warning(res, "rrsig-expiring", "a.test");
	assert_non_null(strstr(m, "(zone a.test, and other RRsets of it)"));
	assert_non_null(strstr(m, "expires in 0 hour(s)"));
	m = zone_warning(res, "rrsig-expiring", "b.test");
	assert_non_null(strstr(m, "(zone b.test)"));
	assert_non_null(strstr(m, "expires in 1 day(s)"));
	assert_non_null(gmtime_r(&t, &tm));
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", &tm);
	assert_non_null(strstr(m, date));
	check_result_free(res);
}

/* The message of the first warning with this code. */
static const char *
first_warning(const struct check_result *res, const char *code)
{
	size_t i;

	for (i = 0; i < res->nwarnings; i++)
		if (strcmp(res->warnings[i].code, code) == 0)
			return res->warnings[i].message;
	fail_msg("no %s warning", code);
	return NULL;
}

/*
 * The TA-pinned warning, further: a next key's DANE-EE record (matching
 * nothing) does not stand in for the current key's; a DANE-TA record
 * matching the presented leaf (depth 0) pins no intermediate; and an
 * address that presented nothing, before or after the one that did,
 * changes nothing.
 */
static void
test_ta_pinned_more(void **state)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *inter = mkcert("intermediate", k, k);
	struct tlsa_rec *recs[2];
	struct check_result *res;
	struct check_host *ch;
	struct probe_result *ok;
	int round;

	(void)state;
	X509_NAME_add_entry_by_txt(X509_get_issuer_name(inter), "O",
	    MBSTRING_ASC, (const unsigned char *)"ca", -1, -1, 0);
	assert_true(X509_sign(inter, k, EVP_sha256()) > 0);
	for (round = 0; round < 4; round++) {
		res = mkres(1);
		recs[0] = rec_for(inter, 2, 1, 1);
		recs[1] = rec_junk(3, 1, 1);
		ch = sethost(res, 0, MX_DANE_APPLIES, recs, 2);
		ok = probe_ok(1, 2, recs[0]);
		X509_free(sk_X509_pop(ok->chain));
		X509_up_ref(inter);
		sk_X509_push(ok->chain, inter);
		if (round == 1)         /* the intermediate's key as the leaf */
			X509_free(sk_X509_shift(ok->chain));
		ok->match_depth = round == 1 ? 0 : 1;
		if (round >= 2) {
			ch->addrs = xreallocarray(ch->addrs, 3,
			    sizeof(*ch->addrs));
			memset(&ch->addrs[1], 0, 2 * sizeof(*ch->addrs));
			ch->addrs[1].address = xstrdup("192.0.2.2");
			ch->addrs[1].family = 4;
			ch->naddrs = 2;
			ch->addrs[round - 2].probe = probe_kind(AK_CONNECT,
			    NULL);
			ch->addrs[3 - round].probe = ok;
		} else
			ch->addrs[0].probe = ok;
		check_evaluate(res, now);
		assert_int_equal(ch->recs[0].depth, round == 1 ? 0 : 1);
		assert_int_equal(has_warning(res, "ta-pinned-issuer"),
		    round != 1);
		check_result_free(res);
	}
	X509_free(inter);
	EVP_PKEY_free(k);
}

/*
 * Hosts without DANE: what senders at each level do, said in the
 * warning next to a host that passes and in an all-none summary.
 */
static void
test_no_dane_levels(void **state)
{
	struct check_result *res;
	int level, i;

	(void)state;
	for (level = 0; level < 2; level++) {
		for (i = 0; i < 2; i++) {
			res = mkres(2);
			res->level = level == 0 ? CHECK_LEVEL_DANE :
			    CHECK_LEVEL_DANE_ONLY;
			kind_host(res, 0, i == 0 ? CHECK_PASS : CHECK_NONE);
			kind_host(res, 1, CHECK_NONE);
			check_evaluate(res, now);
			assert_int_equal(res->verdict, i == 0 ? CHECK_WARN :
			    CHECK_NONE);
			if (i == 0)
				assert_int_equal(strstr(first_warning(res,
				    "no-dane-host"), "dane-only defer") != NULL,
				    level == 1);
			else
				assert_int_equal(strstr(res->summary,
				    "dane-only defer") != NULL, level == 1);
			check_result_free(res);
		}
	}
}

/*
 * A DANE-TA record for a self-signed root at depth 1 pins no
 * intermediate, also when an address before the one that presented the
 * root presented a shorter chain (the leaf alone).
 */
static void
test_ta_root_short_chain_first(void **state)
{
	struct tlsa_rec *recs[2];
	struct check_result *res = mkres(1);
	struct check_host *ch;

	(void)state;
	recs[0] = rec_for(issuer, 2, 1, 1);
	recs[1] = rec_junk(3, 1, 1);
	ch = sethost(res, 0, MX_DANE_APPLIES, recs, 2);
	ch->addrs = xreallocarray(ch->addrs, 3, sizeof(*ch->addrs));
	memset(&ch->addrs[1], 0, 2 * sizeof(*ch->addrs));
	ch->addrs[1].address = xstrdup("192.0.2.2");
	ch->addrs[1].family = 4;
	ch->naddrs = 2;
	ch->addrs[0].probe = probe_ok(0, 2, NULL);
	X509_free(sk_X509_pop(ch->addrs[0].probe->chain));
	ch->addrs[1].probe = probe_ok(1, 2, recs[0]);
	ch->addrs[1].probe->match_depth = 1;
	check_evaluate(res, now);
	assert_int_equal(ch->recs[0].depth, 1);
	assert_false(has_warning(res, "ta-pinned-issuer"));
	check_result_free(res);
}

/*
 * A record's depth is the least at which any address matched it, in
 * either address order: a DANE-TA record for a key one address presents
 * as its leaf (depth 0) and another as its issuer (depth 1).
 */
static void
test_record_depth_any_order(void **state)
{
	int round;

	(void)state;
	for (round = 0; round < 2; round++) {
		struct tlsa_rec *recs[2];
		struct check_result *res = mkres(1);
		struct check_host *ch;
		struct probe_result *pr;

		recs[0] = rec_for(leaf, 2, 1, 1);
		recs[1] = rec_junk(3, 1, 1);
		ch = sethost(res, 0, MX_DANE_APPLIES, recs, 2);
		ch->addrs = xreallocarray(ch->addrs, 3, sizeof(*ch->addrs));
		memset(&ch->addrs[1], 0, 2 * sizeof(*ch->addrs));
		ch->addrs[1].address = xstrdup("192.0.2.2");
		ch->addrs[1].family = 4;
		ch->naddrs = 2;
		ch->addrs[round].probe = probe_ok(1, 2, recs[0]);
		pr = probe_ok(1, 2, recs[0]);
		pr->match_depth = 1;
		X509_free(sk_X509_shift(pr->chain));    /* leaf */
		X509_up_ref(leaf);
		sk_X509_push(pr->chain, leaf);          /* issuer, leaf */
		ch->addrs[1 - round].probe = pr;
		check_evaluate(res, now);
		assert_int_equal(ch->recs[0].nmatched, 2);
		assert_int_equal(ch->recs[0].depth, 0);
		check_result_free(res);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass_current_and_next),
		cmocka_unit_test(test_single_record_and_expiry),
		cmocka_unit_test(test_stale_fails),
		cmocka_unit_test(test_ee_only_leaf),
		cmocka_unit_test(test_unusable_sets),
		cmocka_unit_test(test_host_worst_of_addresses),
		cmocka_unit_test(test_domain_over_hosts),
		cmocka_unit_test(test_domain_any_order),
		cmocka_unit_test(test_rollover_warnings),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_digest_agility),
		cmocka_unit_test(test_dns_single_and_nodata),
		cmocka_unit_test(test_rrsig_bounds),
		cmocka_unit_test(test_ta_pinned_more),
		cmocka_unit_test(test_ta_root_short_chain_first),
		cmocka_unit_test(test_record_depth_any_order),
		cmocka_unit_test(test_no_dane_levels),
		cmocka_unit_test(test_ta_pinned_issuer),
		cmocka_unit_test(test_rrsig_warnings),
		cmocka_unit_test(test_none_and_mixed),
		cmocka_unit_test(test_dns_outcomes),
		cmocka_unit_test(test_bogus_host_and_timeout),
		cmocka_unit_test(test_tlsa_lookup_failed),
		cmocka_unit_test(test_json_model),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
