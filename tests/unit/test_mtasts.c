/*
 * Unit tests for src/mtasts: the _mta-sts and _smtp._tls TXT records
 * (RFC 8461 §3.1, RFC 8460 §3, the RFCs' own examples first), the policy
 * (§3.2's example, then each way to break it), the mx patterns of §4.1,
 * the HTTP rules of §3.3 (status, media type) and PKIX validation of a
 * presented chain for an MX name (tests/data/tlsa: root -> int -> leaf
 * for mx1.example.org).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "mtasts/mtasts.h"
#include "mtasts/pkix.h"
#include "mtasts/policy.h"
#include "mtasts/record.h"
#include "util/xalloc.h"

/* --- _mta-sts TXT ------------------------------------------------------ */

static void
test_txt_rfc_example(void **state)
{
	struct mtasts_txt t;
	struct err e;

	(void)state;
	/* RFC 8461 §3.1. */
	assert_int_equal(mtasts_txt_parse("v=STSv1; id=20160831085700Z;", &t,
	    &e), 0);
	assert_string_equal(t.id, "20160831085700Z");
	assert_int_equal(mtasts_txt_parse("v=STSv1;id=abc", &t, &e), 0);
	assert_string_equal(t.id, "abc");
	/* An extension field is allowed and ignored. */
	assert_int_equal(mtasts_txt_parse("v=STSv1; id=1; ext_1=some.val ;",
	    &t, &e), 0);
	assert_string_equal(t.id, "1");
	/* 32 characters is the most. */
	assert_int_equal(mtasts_txt_parse(
	    "v=STSv1; id=0123456789abcdef0123456789ABCDEF", &t, &e), 0);
}

static void
test_txt_invalid(void **state)
{
	static const char *const bad[] = {
		"v=STSv1;",                             /* no fields */
		"v=STSv1; ext=x",                       /* no id */
		"v=STSv1; id=",                         /* empty id */
		"v=STSv1; id=0123456789abcdef0123456789ABCDEF0",  /* 33 */
		"v=STSv1; id=2016-08-31",               /* not alnum */
		"v=STSv1; id=a; id=b",                  /* twice */
		"v=STSv1 id=abc",                       /* no ';' */
		"v=STSv1; id=abc; =x",                  /* no name */
		"v=STSv1; id=abc; x==y",                /* '=' in value */
		"v=STSv1; ID=abc",                      /* names are %s */
		"v=STSv2; id=abc",
		"id=abc; v=STSv1",                      /* v must be first */
	};
	struct mtasts_txt t;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		if (mtasts_txt_parse(bad[i], &t, &e) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(e.kind, ERR_INPUT);
		assert_true(e.msg[0] != '\0');
	}
}

static void
test_txt_select(void **state)
{
	const char *one[] = { "v=spf1 -all", "v=STSv1; id=x1;", "hello" };
	const char *two[] = { "v=STSv1; id=a", "v=STSv1; id=b" };
	const char *none[] = { "v=spf1 -all", "v=STSv10; id=a" };
	const char *bad[] = { "v=STSv1; id=a-b" };
	struct mtasts_txt t;
	struct err e;

	(void)state;
	assert_int_equal(mtasts_txt_select(one, 3, &t, &e), MTASTS_SEL_ONE);
	assert_string_equal(t.id, "x1");
	assert_int_equal(mtasts_txt_select(two, 2, &t, &e), MTASTS_SEL_MANY);
	assert_non_null(strstr(e.msg, "2 TXT records"));
	assert_int_equal(mtasts_txt_select(none, 2, &t, &e), MTASTS_SEL_NONE);
	assert_int_equal(mtasts_txt_select(none, 0, &t, &e), MTASTS_SEL_NONE);
	assert_int_equal(mtasts_txt_select(bad, 1, &t, &e),
	    MTASTS_SEL_INVALID);
}

/* --- _smtp._tls TXT ---------------------------------------------------- */

static void
test_tlsrpt_rfc_examples(void **state)
{
	struct mtasts_tlsrpt r;
	struct err e;

	(void)state;
	/* RFC 8460 §3 examples. */
	assert_int_equal(mtasts_tlsrpt_parse(
	    "v=TLSRPTv1;rua=mailto:reports@example.com", &r, &e), 0);
	assert_int_equal(r.nrua, 1);
	assert_int_equal(r.nmailto, 1);
	assert_string_equal(r.rua[0], "mailto:reports@example.com");
	mtasts_tlsrpt_clear(&r);
	assert_int_equal(mtasts_tlsrpt_parse(
	    "v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt", &r,
	    &e), 0);
	assert_int_equal(r.nhttps, 1);
	mtasts_tlsrpt_clear(&r);
	/* Several URIs, spaces around the commas, an extension. */
	assert_int_equal(mtasts_tlsrpt_parse("v=TLSRPTv1; rua=mailto:a@x.test"
	    " , https://r.x.test/rpt,mailto:b@y.test; ext=1;", &r, &e), 0);
	assert_int_equal(r.nrua, 3);
	assert_int_equal(r.nmailto, 2);
	assert_int_equal(r.nhttps, 1);
	assert_string_equal(r.rua[1], "https://r.x.test/rpt");
	mtasts_tlsrpt_clear(&r);
}

static void
test_tlsrpt_invalid(void **state)
{
	static const char *const bad[] = {
		"v=TLSRPTv1",
		"v=TLSRPTv1; ext=1",                    /* no rua */
		"v=TLSRPTv1; rua=",
		"v=TLSRPTv1; rua=reports@example.com",  /* not a URI */
		"v=TLSRPTv1; rua=mailto:nobody",        /* no address */
		"v=TLSRPTv1; rua=mailto:a@b,",          /* empty URI */
		"v=TLSRPTv1; rua=mailto:a@b; rua=mailto:c@d",
		"v=TLSRPTv1 rua=mailto:a@b",
		"v=TLSRPTv2; rua=mailto:a@b",
	};
	const char *two[] = { "v=TLSRPTv1; rua=mailto:a@b",
	    "v=TLSRPTv1; rua=mailto:c@d" };
	struct mtasts_tlsrpt r;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mtasts_tlsrpt_parse(bad[i], &r, &e) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(r.nrua, 0);
	}
	assert_int_equal(mtasts_tlsrpt_select(two, 2, &r, &e),
	    MTASTS_SEL_MANY);
	assert_int_equal(mtasts_tlsrpt_select(two, 1, &r, &e), MTASTS_SEL_ONE);
	mtasts_tlsrpt_clear(&r);
}

/* --- the policy --------------------------------------------------------- */

/* RFC 8461 §3.2's example, with CRLF as the RFC's first line shows. */
static const char rfc_policy[] =
	"version: STSv1\r\n"
	"mode: enforce\r\n"
	"mx: mail.example.com\r\n"
	"mx: *.example.net\r\n"
	"mx: backupmx.example.com\r\n"
	"max_age: 604800\r\n";

static struct mtasts_policy *
parse(const char *s, struct err *e)
{
	err_clear(e);
	return mtasts_policy_parse(s, strlen(s), e);
}

static void
test_policy_rfc_example(void **state)
{
	struct mtasts_policy *p;
	struct err e;

	(void)state;
	p = parse(rfc_policy, &e);
	assert_non_null(p);
	assert_int_equal(p->mode, MTASTS_MODE_ENFORCE);
	assert_int_equal(p->max_age, 604800);
	assert_int_equal(p->nmx, 3);
	assert_string_equal(p->mx[1], "*.example.net");
	/* §4.1 against this policy. */
	assert_string_equal(mtasts_policy_match(p, "mail.example.com"),
	    "mail.example.com");
	assert_string_equal(mtasts_policy_match(p, "MX1.Example.NET."),
	    "*.example.net");
	assert_null(mtasts_policy_match(p, "example.net"));
	assert_null(mtasts_policy_match(p, "a.b.example.net"));
	assert_null(mtasts_policy_match(p, "mail.example.org"));
	mtasts_policy_free(p);

	/* LF only, extra spaces, an unknown key, no final newline. */
	p = parse("version: STSv1\nmode:testing  \nfoo_bar: some thing\n"
	    "max_age:\t86400\nmx: MX.Example.ORG", &e);
	assert_non_null(p);
	assert_int_equal(p->mode, MTASTS_MODE_TESTING);
	assert_int_equal(p->nunknown, 1);
	assert_string_equal(p->mx[0], "mx.example.org");
	mtasts_policy_free(p);

	/* mode none needs no mx (how a domain withdraws, §8.3). */
	p = parse("version: STSv1\nmode: none\nmax_age: 0\n", &e);
	assert_non_null(p);
	assert_int_equal(p->mode, MTASTS_MODE_NONE);
	mtasts_policy_free(p);
	p = parse("version: STSv1\nmode: enforce\nmax_age: 31557600\n"
	    "mx: a.test\n", &e);
	assert_non_null(p);
	mtasts_policy_free(p);
}

static void
test_policy_invalid(void **state)
{
	static const struct {
		const char *body, *msg;
	} bad[] = {
		{ "mode: enforce\nmax_age: 1\nmx: a.test\n", "no version" },
		{ "version: STSv1\nmax_age: 1\nmx: a.test\n", "no mode" },
		{ "version: STSv1\nmode: enforce\nmx: a.test\n", "no max_age" },
		{ "version: STSv1\nmode: enforce\nmax_age: 1\n", "without an mx" },
		{ "version: STSv2\nmode: enforce\nmax_age: 1\nmx: a\n", "STSv1" },
		{ "version: STSv1\nmode: Enforce\nmax_age: 1\nmx: a\n", "mode" },
		{ "version: STSv1\nmode: enforce\nmax_age: 31557601\nmx: a\n",
		    "max_age" },
		{ "version: STSv1\nmode: enforce\nmax_age: -1\nmx: a\n",
		    "max_age" },
		{ "version: STSv1\nmode: enforce\nmax_age: 12345678901\nmx: a\n",
		    "max_age" },
		{ "version: STSv1\nmode: enforce\nmode: testing\nmax_age: 1\n"
		    "mx: a\n", "twice" },
		{ "version: STSv1\nmode: enforce\nmax_age: 1\nmx: a..b\n", "mx" },
		{ "version: STSv1\nmode: enforce\nmax_age: 1\nmx: *.*.a\n", "mx" },
		{ "version: STSv1\nmode: enforce\nmax_age: 1\nmx: a*.b\n", "mx" },
		{ "version: STSv1\nmode: enforce\nmax_age: 1\nmx: -a.b\n", "mx" },
		{ "version: STSv1\nmode: enforce\nmax_age: 1\nmx: a.b\nhello\n",
		    "line 5" },
		{ "<html><body>not found</body></html>\n", "line 1" },
		{ "version: STSv1\nmode:\nmax_age: 1\nmx: a\n", "no value" },
	};
	struct mtasts_policy *p;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = parse(bad[i].body, &e);
		if (p != NULL)
			fail_msg("accepted policy %zu", i);
		assert_int_equal(e.kind, ERR_INPUT);
		if (strstr(e.msg, bad[i].msg) == NULL)
			fail_msg("policy %zu: \"%s\" lacks \"%s\"", i, e.msg,
			    bad[i].msg);
	}
	/* A NUL byte. */
	p = mtasts_policy_parse("version: STSv1\0", 15, &e);
	assert_null(p);
}

static void
test_mx_match(void **state)
{
	(void)state;
	/* §4.1: "*.example.com" matches mail.example.com only. */
	assert_true(mtasts_mx_match("*.example.com", "mail.example.com"));
	assert_false(mtasts_mx_match("*.example.com", "example.com"));
	assert_false(mtasts_mx_match("*.example.com", "a.mail.example.com"));
	assert_false(mtasts_mx_match("*.example.com", ".example.com"));
	assert_false(mtasts_mx_match("*.example.com", "mailexample.com"));
	assert_true(mtasts_mx_match("mail.example.com", "MAIL.example.com."));
	assert_false(mtasts_mx_match("mail.example.com", "mail.example.co"));
	assert_false(mtasts_mx_match("mail.example.com", "x.mail.example.com"));
	assert_false(mtasts_mx_match("", ""));
}

/* --- the fetch's answer (§3.3) ------------------------------------------ */

static struct mtasts_result *
take(long status, const char *ct, const char *body)
{
	struct mtasts_result *r = xcalloc(1, sizeof(*r));

	r->url = xstrdup("https://mta-sts.example.com/.well-known/mta-sts.txt");
	mtasts_take_policy(r, status, ct, body, body != NULL ? strlen(body) :
	    0);
	return r;
}

static void
test_take_policy(void **state)
{
	struct mtasts_result *r;

	(void)state;
	r = take(200, "text/plain; charset=utf-8", rfc_policy);
	assert_null(r->policy_error);
	assert_non_null(r->policy);
	mtasts_result_free(r);
	r = take(200, "TEXT/PLAIN", rfc_policy);
	assert_null(r->policy_error);
	mtasts_result_free(r);
	r = take(301, "text/html", "moved");
	assert_null(r->policy);
	assert_non_null(strstr(r->policy_error, "redirect"));
	mtasts_result_free(r);
	r = take(404, "text/plain", "no");
	assert_non_null(strstr(r->policy_error, "HTTP 404"));
	mtasts_result_free(r);
	r = take(200, "text/html", rfc_policy);
	assert_non_null(strstr(r->policy_error, "media type"));
	mtasts_result_free(r);
	r = take(200, "text/plainx", rfc_policy);
	assert_non_null(strstr(r->policy_error, "media type"));
	mtasts_result_free(r);
	r = take(200, NULL, rfc_policy);
	assert_non_null(r->policy_error);
	mtasts_result_free(r);
	r = take(200, "text/plain", "version: STSv1\n");
	assert_non_null(strstr(r->policy_error, "no mode"));
	mtasts_result_free(r);
}

/* --- PKIX ---------------------------------------------------------------- */

static X509 *
cert(const char *path)
{
	FILE *fp = fopen(path, "r");
	X509 *x;

	assert_non_null(fp);
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(x);
	return x;
}

static void
test_pkix(void **state)
{
	STACK_OF(X509) *chain = sk_X509_new_null(), *leaf = sk_X509_new_null();
	X509_STORE *st, *sys;
	struct err e;
	char why[300];
	time_t now = time(NULL);

	(void)state;
	st = mtasts_store_new("data/tlsa/root.crt", &e);
	assert_non_null(st);
	sk_X509_push(chain, cert("data/tlsa/ec.crt"));
	sk_X509_push(chain, cert("data/tlsa/int.crt"));
	sk_X509_push(leaf, X509_dup(sk_X509_value(chain, 0)));
	assert_int_equal(mtasts_pkix_verify(st, chain, "mx1.example.org", now,
	    why, sizeof(why)), 0);
	assert_int_equal(mtasts_pkix_verify(st, chain, "MX1.example.org", now,
	    why, sizeof(why)), 0);
	/* The leaf names mx1 only (its CN ec.example.org is no DNS-ID). */
	assert_int_equal(mtasts_pkix_verify(st, chain, "mx2.example.org", now,
	    why, sizeof(why)), -1);
	assert_non_null(strstr(why, "does not name mx2.example.org"));
	assert_int_equal(mtasts_pkix_verify(st, chain, "ec.example.org", now,
	    why, sizeof(why)), -1);
	/* Without its intermediate the chain builds to nothing. */
	assert_int_equal(mtasts_pkix_verify(st, leaf, "mx1.example.org", now,
	    why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not PKIX-valid"));
	/* In 2300 the certificates have expired. */
	assert_int_equal(mtasts_pkix_verify(st, chain, "mx1.example.org",
	    (time_t)10445241600LL, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "expired"));
	/* The system store does not trust the test root. */
	sys = mtasts_store_new(NULL, &e);
	assert_non_null(sys);
	assert_int_equal(mtasts_pkix_verify(sys, chain, "mx1.example.org",
	    now, why, sizeof(why)), -1);
	assert_int_equal(mtasts_pkix_verify(sys, NULL, "mx1.example.org",
	    now, why, sizeof(why)), -1);
	assert_null(mtasts_store_new("data/tlsa/text.txt", &e));
	assert_int_equal(e.kind, ERR_INPUT);
	X509_STORE_free(sys);
	X509_STORE_free(st);
	sk_X509_pop_free(chain, X509_free);
	sk_X509_pop_free(leaf, X509_free);
}

/* --- judging against a DANE check's probes ------------------------------- */

/* A check result: hosts names[i], each with one address whose probe shows
 * chain (or fails when status says so), DANE-authenticated as dane[i]. */
struct fake {
	struct check_result res;
	struct mx_result mx;
	struct mx_host mh[3];
	struct check_host ch[3];
	struct check_addr ca[3];
	struct probe_result pr[3];
};

static void
fake_init(struct fake *f, const char *const *names, size_t n,
	STACK_OF(X509) *chain, const enum probe_status *status, const int *dane)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	f->res.mx = &f->mx;
	f->res.hosts = f->ch;
	f->res.nhosts = n;
	f->mx.nhosts = n;
	for (i = 0; i < n; i++) {
		f->mh[i].name = (char *)names[i];
		f->mh[i].dane = MX_DANE_NONE;
		f->ch[i].mx = &f->mh[i];
		f->ch[i].addrs = &f->ca[i];
		f->ch[i].naddrs = 1;
		f->ca[i].address = (char *)"192.0.2.1";
		f->ca[i].probe = &f->pr[i];
		f->pr[i].status = status[i];
		f->pr[i].chain = status[i] == PROBE_OK ? chain : NULL;
		f->pr[i].detail = (char *)"no STARTTLS";
		f->pr[i].dane_ok = dane[i];
	}
}

/* A result with a valid record and the given policy and TLSRPT record. */
static struct mtasts_result *
sts_result(const char *policy, const char *tlsrpt)
{
	struct mtasts_result *m = xcalloc(1, sizeof(*m));
	struct err e;

	m->domain = xstrdup("example.org");
	m->sts.name = xstrdup("_mta-sts.example.org");
	m->rpt.name = xstrdup("_smtp._tls.example.org");
	m->sts.sel = MTASTS_SEL_ONE;
	m->url = xstrdup("https://mta-sts.example.org/.well-known/mta-sts.txt");
	m->policy = mtasts_policy_parse(policy, strlen(policy), &e);
	assert_non_null(m->policy);
	if (tlsrpt != NULL)
		m->rpt.sel = mtasts_tlsrpt_parse(tlsrpt, &m->tlsrpt, &e) == 0 ?
		    MTASTS_SEL_ONE : MTASTS_SEL_INVALID;
	return m;
}

static int
has_warning(const struct mtasts_result *m, const char *code)
{
	size_t i;

	for (i = 0; i < m->nwarnings; i++)
		if (strcmp(m->warnings[i].code, code) == 0)
			return 1;
	return 0;
}

#define RPT "v=TLSRPTv1; rua=mailto:tls@example.org"
#define ENFORCE "version: STSv1\nmode: enforce\nmax_age: 1209600\n"

static void
test_judge(void **state)
{
	static const char *const two[] = { "mx1.example.org", "mx2.example.org" };
	static const enum probe_status ok2[] = { PROBE_OK, PROBE_OK };
	static const int nodane[] = { 0, 0 }, dane[] = { 1, 0 };
	STACK_OF(X509) *chain = sk_X509_new_null();
	struct mtasts_result *m;
	X509_STORE *st;
	struct fake f;
	struct err e;
	time_t now = time(NULL);

	(void)state;
	st = mtasts_store_new("data/tlsa/root.crt", &e);
	assert_non_null(st);
	sk_X509_push(chain, cert("data/tlsa/ec.crt"));
	sk_X509_push(chain, cert("data/tlsa/int.crt"));

	/* mx1 matched and valid: pass. */
	fake_init(&f, two, 1, chain, ok2, nodane);
	m = sts_result(ENFORCE "mx: mx1.example.org\n", RPT);
	mtasts_judge(m, &f.res, st, now);
	assert_string_equal(check_verdict_name(m->verdict), "pass");
	assert_int_equal(m->hosts[0].addrs[0].verdict, CHECK_PASS);
	mtasts_result_free(m);

	/* mx2 unmatched by the pattern, and its certificate names mx1 only. */
	fake_init(&f, two, 2, chain, ok2, nodane);
	m = sts_result(ENFORCE "mx: mx1.example.org\n", RPT);
	mtasts_judge(m, &f.res, st, now);
	assert_int_equal(m->verdict, CHECK_FAIL);
	assert_int_equal(m->hosts[0].verdict, CHECK_PASS);
	assert_int_equal(m->hosts[1].verdict, CHECK_FAIL);
	assert_null(m->hosts[1].pattern);
	assert_non_null(strstr(m->hosts[1].addrs[0].why, "does not name"));
	mtasts_result_free(m);

	/* The wildcard covers both; mx2's certificate still fails. */
	m = sts_result(ENFORCE "mx: *.example.org\n", RPT);
	mtasts_judge(m, &f.res, st, now);
	assert_string_equal(m->hosts[1].pattern, "*.example.org");
	assert_int_equal(m->verdict, CHECK_FAIL);
	mtasts_result_free(m);

	/* DANE passes an address MTA-STS fails: flagged (the system store
	 * does not know the test root, as a self-signed certificate). */
	X509_STORE_free(st);
	st = mtasts_store_new(NULL, &e);
	fake_init(&f, two, 1, chain, ok2, dane);
	m = sts_result(ENFORCE "mx: mx1.example.org\n", RPT);
	mtasts_judge(m, &f.res, st, now);
	assert_int_equal(m->verdict, CHECK_FAIL);
	assert_true(has_warning(m, "dane-sts-conflict"));
	assert_true(m->hosts[0].addrs[0].dane_ok);
	mtasts_result_free(m);
	X509_STORE_free(st);
	st = mtasts_store_new("data/tlsa/root.crt", &e);

	/* Testing mode, a short max_age, no TLSRPT: warn, with each reason. */
	fake_init(&f, two, 1, chain, ok2, nodane);
	m = sts_result("version: STSv1\nmode: testing\nmax_age: 3600\n"
	    "mx: mx1.example.org\n", NULL);
	mtasts_judge(m, &f.res, st, now);
	assert_int_equal(m->verdict, CHECK_WARN);
	assert_true(has_warning(m, "short-max-age"));
	assert_true(has_warning(m, "no-tlsrpt"));
	assert_false(has_warning(m, "dane-sts-conflict"));
	mtasts_result_free(m);

	/* No STARTTLS at an address: fail; a probe that timed out: unknown. */
	{
		static const enum probe_status bad[] = { PROBE_PROTOCOL,
		    PROBE_TIMEOUT };

		fake_init(&f, two, 2, chain, bad, nodane);
		m = sts_result(ENFORCE "mx: *.example.org\n", RPT);
		mtasts_judge(m, &f.res, st, now);
		assert_int_equal(m->hosts[0].verdict, CHECK_FAIL);
		assert_non_null(strstr(m->hosts[0].addrs[0].why, "no TLS"));
		assert_int_equal(m->hosts[1].verdict, CHECK_UNKNOWN);
		assert_int_equal(m->verdict, CHECK_FAIL);
		mtasts_result_free(m);
	}

	/* No record; mode none; DNS not done: no hosts judged. */
	m = sts_result(ENFORCE "mx: a.example.org\n", RPT);
	m->sts.sel = MTASTS_SEL_NONE;
	mtasts_judge(m, &f.res, st, now);
	assert_int_equal(m->verdict, CHECK_NONE);
	assert_int_equal(m->nhosts, 0);
	mtasts_result_free(m);
	m = sts_result("version: STSv1\nmode: none\nmax_age: 0\n", RPT);
	mtasts_judge(m, &f.res, st, now);
	assert_int_equal(m->verdict, CHECK_NONE);
	mtasts_result_free(m);
	m = sts_result(ENFORCE "mx: a.example.org\n", RPT);
	mtasts_judge(m, NULL, st, now);
	assert_int_equal(m->verdict, CHECK_UNKNOWN);
	mtasts_result_free(m);

	X509_STORE_free(st);
	sk_X509_pop_free(chain, X509_free);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txt_rfc_example),
		cmocka_unit_test(test_txt_invalid),
		cmocka_unit_test(test_txt_select),
		cmocka_unit_test(test_tlsrpt_rfc_examples),
		cmocka_unit_test(test_tlsrpt_invalid),
		cmocka_unit_test(test_policy_rfc_example),
		cmocka_unit_test(test_policy_invalid),
		cmocka_unit_test(test_mx_match),
		cmocka_unit_test(test_take_policy),
		cmocka_unit_test(test_pkix),
		cmocka_unit_test(test_judge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
