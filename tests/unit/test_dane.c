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
