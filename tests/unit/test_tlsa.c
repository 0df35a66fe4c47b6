/*
 * Unit tests for src/tlsa: the record type (tlsa), computing and matching
 * records (tlsa_gen) and the --match verdict (tlsa_match).
 *
 * Expected association data is derived here by other means than tlsa_gen
 * uses: the DER files the openssl command wrote (tests/data/mkcerts.sh),
 * i2d_PUBKEY of the decoded key rather than the certificate's own SPKI
 * encoding, and the one-shot SHA256()/SHA512() rather than EVP_Digest.
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
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "tlsa/certsrc.h"
#include "tlsa/tlsa.h"
#include "tlsa/tlsa_gen.h"
#include "tlsa/tlsa_match.h"
#include "util/fileio.h"

#define DATA "data/tlsa/"

static void
test_parse_format_roundtrip(void **state)
{
	const char *text = "3 1 1 "
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	struct tlsa_rec *r;
	struct err e;
	char *s;

	(void)state;
	r = tlsa_rec_parse(text, &e);
	assert_non_null(r);
	assert_int_equal(r->usage, 3);
	assert_int_equal(r->len, 32);
	s = tlsa_rec_format(r);
	assert_string_equal(s, text);
	assert_true(tlsa_rec_usable_smtp(r, NULL));
	free(s);
	tlsa_rec_free(r);
	tlsa_rec_free(NULL);
}

static void
test_parse_rejects_wrong_digest_length(void **state)
{
	struct err e;

	(void)state;
	assert_null(tlsa_rec_parse("3 1 1 abcd", &e));
	assert_int_equal(e.kind, ERR_USAGE);
	assert_non_null(strstr(e.msg, "needs 32"));
	assert_null(tlsa_rec_parse("3 1 256 abcd", &e));
	assert_null(tlsa_rec_parse("3 1", &e));
	assert_null(tlsa_rec_parse("3 1 0 xyz", &e));
}

static void
test_usable_smtp(void **state)
{
	uint8_t d[32] = { 0 };
	struct tlsa_rec *r = tlsa_rec_new(1, 1, 1, d, sizeof(d));
	const char *why;

	(void)state;
	assert_false(tlsa_rec_usable_smtp(r, &why));
	assert_non_null(strstr(why, "PKIX"));
	r->usage = 2;
	assert_true(tlsa_rec_usable_smtp(r, &why));
	r->mtype = 2;	/* 32 bytes but SHA-512 wants 64 */
	assert_false(tlsa_rec_usable_smtp(r, &why));
	r->mtype = 7;
	assert_false(tlsa_rec_usable_smtp(r, &why));
	tlsa_rec_free(r);
}

static X509 *
read_cert(const char *path)
{
	FILE *fp = fopen(path, "r");
	X509 *x;

	assert_non_null(fp);
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(x);
	return x;
}

static uint8_t *
read_file(const char *path, size_t *len)
{
	struct err e;
	char *data = fileio_read(path, FILEIO_DEFAULT_MAX, len, &e);

	if (data == NULL)
		fail_msg("%s", e.msg);
	return (uint8_t *)data;
}

/* The association data for selector/mtype, computed without tlsa_gen. */
static uint8_t *
expected_data(X509 *x, unsigned selector, unsigned mtype, size_t *len)
{
	uint8_t *der = NULL, *out;
	int dlen;

	dlen = selector == 0 ? i2d_X509(x, &der) :
	    i2d_PUBKEY(X509_get0_pubkey(x), &der);
	assert_true(dlen > 0);
	if (mtype == 0) {
		out = malloc((size_t)dlen);
		memcpy(out, der, (size_t)dlen);
		*len = (size_t)dlen;
	} else if (mtype == 1) {
		out = malloc(SHA256_DIGEST_LENGTH);
		SHA256(der, (size_t)dlen, out);
		*len = SHA256_DIGEST_LENGTH;
	} else {
		out = malloc(SHA512_DIGEST_LENGTH);
		SHA512(der, (size_t)dlen, out);
		*len = SHA512_DIGEST_LENGTH;
	}
	OPENSSL_free(der);
	return out;
}

static void
test_gen_known_answers(void **state)
{
	static const char *certs[] = { DATA "ec.crt", DATA "rsa.crt",
	    DATA "int.crt" };
	struct tlsa_rec *r;
	struct err e;
	uint8_t *want;
	size_t i, wlen;
	unsigned u, sel, m;

	(void)state;
	for (i = 0; i < 3; i++) {
		X509 *x = read_cert(certs[i]);

		for (u = 0; u < 4; u++)
		for (sel = 0; sel < 2; sel++)
		for (m = 0; m < 3; m++) {
			r = tlsa_rec_for_cert(x, u, sel, m, &e);
			assert_non_null(r);
			want = expected_data(x, sel, m, &wlen);
			assert_int_equal(r->usage, u);
			assert_int_equal(r->selector, sel);
			assert_int_equal(r->mtype, m);
			assert_int_equal(r->len, wlen);
			assert_memory_equal(r->data, want, wlen);
			assert_true(tlsa_rec_matches_cert(r, x));
			free(want);
			tlsa_rec_free(r);
		}
		X509_free(x);
	}
}

/* Full data (matching type 0) is the DER the openssl command wrote. */
static void
test_gen_full_is_openssl_der(void **state)
{
	X509 *x = read_cert(DATA "ec.crt");
	struct tlsa_rec *r;
	struct err e;
	uint8_t *der;
	size_t len;

	(void)state;
	der = read_file(DATA "ec.crt.der", &len);
	r = tlsa_rec_for_cert(x, 3, 0, 0, &e);
	assert_int_equal(r->len, len);
	assert_memory_equal(r->data, der, len);
	tlsa_rec_free(r);
	free(der);
	der = read_file(DATA "ec.pub.der", &len);
	r = tlsa_rec_for_cert(x, 3, 1, 0, &e);
	assert_int_equal(r->len, len);
	assert_memory_equal(r->data, der, len);
	tlsa_rec_free(r);
	free(der);
	X509_free(x);
}

/* Record from the private key == from the public key == from the cert. */
static void
test_gen_key_equals_cert(void **state)
{
	static const char *keys[] = { "ec.key", "ec.pub", "ec-trad.key",
	    "rsa.key", "rsa-trad.key", "rsa-pkcs1.pub" };
	struct tlsa_rec *rk, *rc;
	struct certsrc *s;
	struct err e;
	char path[128];
	unsigned m;
	size_t i;
	X509 *x;

	(void)state;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(path, sizeof(path), DATA "%s", keys[i]);
		s = certsrc_load(path, FILEIO_DEFAULT_MAX, &e);
		assert_non_null(s);
		x = read_cert(keys[i][0] == 'e' ? DATA "ec.crt" : DATA "rsa.crt");
		for (m = 0; m < 3; m++) {
			rk = tlsa_rec_for_pkey(s->pkey, 3, 1, m, &e);
			rc = tlsa_rec_for_cert(x, 3, 1, m, &e);
			assert_non_null(rk);
			assert_true(tlsa_rec_equal(rk, rc));
			assert_true(tlsa_rec_matches_pkey(rc, s->pkey));
			tlsa_rec_free(rk);
			tlsa_rec_free(rc);
		}
		X509_free(x);
		certsrc_free(s);
	}
}

static void
test_gen_refuses_bad_params(void **state)
{
	X509 *x = read_cert(DATA "ec.crt");
	EVP_PKEY *k = X509_get0_pubkey(x);
	struct err e;

	(void)state;
	assert_null(tlsa_rec_for_cert(x, 4, 1, 1, &e));
	assert_int_equal(e.kind, ERR_USAGE);
	assert_non_null(strstr(e.msg, "certificate usage 4"));
	assert_null(tlsa_rec_for_cert(x, 3, 2, 1, &e));
	assert_non_null(strstr(e.msg, "selector 2"));
	assert_null(tlsa_rec_for_cert(x, 3, 1, 3, &e));
	assert_non_null(strstr(e.msg, "matching type 3"));
	assert_null(tlsa_rec_for_pkey(k, 3, 0, 1, &e));
	assert_int_equal(e.kind, ERR_USAGE);
	assert_non_null(strstr(e.msg, "selector 0 (full certificate) needs a "
	    "certificate"));
	X509_free(x);
}

static void
test_matches_negative(void **state)
{
	X509 *ec = read_cert(DATA "ec.crt");
	X509 *rsa = read_cert(DATA "rsa.crt");
	struct tlsa_rec *r;
	struct err e;

	(void)state;
	r = tlsa_rec_for_cert(ec, 3, 1, 1, &e);
	assert_true(tlsa_rec_matches_cert(r, ec));
	assert_false(tlsa_rec_matches_cert(r, rsa));
	assert_false(tlsa_rec_matches_pkey(r, X509_get0_pubkey(rsa)));
	r->data[0] ^= 1;
	assert_false(tlsa_rec_matches_cert(r, ec));
	assert_false(tlsa_rec_matches_pkey(r, X509_get0_pubkey(ec)));
	r->data[0] ^= 1;
	r->mtype = 2;		/* same data, other matching type */
	assert_false(tlsa_rec_matches_cert(r, ec));
	r->mtype = 9;
	assert_false(tlsa_rec_matches_cert(r, ec));
	r->mtype = 1;
	r->selector = 0;	/* a key has no selector 0 data */
	assert_false(tlsa_rec_matches_pkey(r, X509_get0_pubkey(ec)));
	tlsa_rec_free(r);
	X509_free(ec);
	X509_free(rsa);
}

static void
test_match_chain_depths(void **state)
{
	static const char *files[] = { DATA "ec.crt", DATA "int.crt",
	    DATA "root.crt" };
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509 *other = read_cert(DATA "rsa.crt");
	struct tlsa_rec *r;
	struct err e;
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		sk_X509_push(chain, read_cert(files[i]));
	for (i = 0; i < 3; i++) {
		r = tlsa_rec_for_cert(sk_X509_value(chain, i), 2, 0, 2, &e);
		assert_int_equal(tlsa_rec_match_chain(r, chain), i);
		tlsa_rec_free(r);
	}
	r = tlsa_rec_for_cert(other, 3, 1, 1, &e);
	assert_int_equal(tlsa_rec_match_chain(r, chain), -1);
	assert_int_equal(tlsa_rec_match_chain(r, NULL), -1);
	tlsa_rec_free(r);
	sk_X509_pop_free(chain, X509_free);
	X509_free(other);
}

static void
test_params_parse(void **state)
{
	static const struct {
		const char *text;
		int u, s, m;    /* -1: must fail */
		const char *msg;
	} cases[] = {
		{ "311", 3, 1, 1, NULL },
		{ "3,1,1", 3, 1, 1, NULL },
		{ "3 1 1", 3, 1, 1, NULL },
		{ " 2, 0 ,2 ", 2, 0, 2, NULL },
		{ "dane-ee spki sha2-256", 3, 1, 1, NULL },
		{ "PKIX-TA,Cert,Full", 0, 0, 0, NULL },
		{ "411", -1, 0, 0, "certificate usage 4 is not supported" },
		{ "321", -1, 0, 0, "selector 2 is not supported" },
		{ "313", -1, 0, 0, "matching type 3 is not supported" },
		{ "3 1 255", -1, 0, 0, "matching type 255" },
		{ "3 1 256", -1, 0, 0, "'256' is not a number 0-255" },
		{ "31", -1, 0, 0, "expected usage, selector and matching type" },
		{ "3 1", -1, 0, 0, "expected usage" },
		{ "3 1 1 1", -1, 0, 0, "expected usage" },
		{ "", -1, 0, 0, "expected usage" },
		{ "3 x 1", -1, 0, 0, "'x' is not a number" },
		{ "3 1x 1", -1, 0, 0, "'1x' is not a number" },
		{ "SPKI SPKI SPKI", -1, 0, 0, "'SPKI' is not a number" },
		{ "3 1 1111111111111111111111", -1, 0, 0, "is not a number" },
		{ "3 1 1                                                      "
		    "             ", -1, 0, 0, "too long" },
	};
	unsigned u, s, m;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_clear(&e);
		if (cases[i].u >= 0) {
			if (tlsa_params_parse(cases[i].text, &u, &s, &m, &e) != 0)
				fail_msg("'%s': %s", cases[i].text, e.msg);
			assert_int_equal(u, cases[i].u);
			assert_int_equal(s, cases[i].s);
			assert_int_equal(m, cases[i].m);
			continue;
		}
		if (tlsa_params_parse(cases[i].text, &u, &s, &m, &e) != -1)
			fail_msg("'%s' accepted", cases[i].text);
		assert_int_equal(e.kind, ERR_USAGE);
		if (strstr(e.msg, cases[i].msg) == NULL)
			fail_msg("'%s': message '%s'", cases[i].text, e.msg);
	}
}

static struct certsrc *
src(const char *file)
{
	struct certsrc *s;
	struct err e;

	s = certsrc_load(file, FILEIO_DEFAULT_MAX, &e);
	if (s == NULL)
		fail_msg("%s", e.msg);
	return s;
}

static void
test_match_verdicts(void **state)
{
	struct certsrc *srcs[3];
	struct tlsa_match *m;
	struct tlsa_rec *r;
	X509 *x;
	struct err e;

	(void)state;
	srcs[0] = src(DATA "ec-fullchain.pem");
	srcs[1] = src(DATA "rsa.key");
	srcs[2] = src(DATA "int.crt");
	/* DANE-EE of the leaf: counts at depth 0 only. */
	r = tlsa_rec_for_cert(certsrc_cert(srcs[0], 0), 3, 1, 1, &e);
	m = tlsa_match_run(r, srcs, 3);
	assert_int_equal(m->nfits, 1);
	assert_int_equal(m->hits[0].depth, 0);
	assert_int_equal(strncmp(m->line, "match: 3 1 1 ", 13), 0);
	assert_non_null(strstr(m->line, "... matches data/tlsa/ec-fullchain.pem "
	    "(depth 0, CN=ec.example.org)"));
	tlsa_match_free(m);
	/* The same data as DANE-TA: only the leaf matched, which does not do. */
	r->usage = 2;
	m = tlsa_match_run(r, srcs, 3);
	assert_int_equal(m->nhits, 1);
	assert_int_equal(m->nfits, 0);
	assert_int_equal(strncmp(m->line, "no match: 2 1 1 ", 16), 0);
	assert_non_null(strstr(m->line, "matches nothing usable in "
	    "data/tlsa/ec-fullchain.pem, data/tlsa/rsa.key, data/tlsa/int.crt; "
	    "it matches the leaf at depth 0"));
	assert_non_null(strstr(m->line, "but usage 2 (DANE-TA) needs an issuer"));
	tlsa_match_free(m);
	tlsa_rec_free(r);
	/* The issuer: at depth 1 of the chain and alone in int.crt. */
	r = tlsa_rec_for_cert(certsrc_cert(srcs[2], 0), 2, 0, 2, &e);
	m = tlsa_match_run(r, srcs, 3);
	assert_int_equal(m->nfits, 2);
	assert_non_null(strstr(m->line, "ec-fullchain.pem (depth 1, "
	    "CN=daneops-test-int), data/tlsa/int.crt (depth 0, "
	    "CN=daneops-test-int)"));
	tlsa_match_free(m);
	/* As DANE-EE it fits int.crt on its own (depth 0), not the chain. */
	r->usage = 3;
	m = tlsa_match_run(r, srcs, 3);
	assert_int_equal(m->nfits, 1);
	assert_non_null(strstr(m->line, "match: 3 0 2 "));
	assert_non_null(strstr(m->line, "matches data/tlsa/int.crt (depth 0"));
	tlsa_match_free(m);
	m = tlsa_match_run(r, srcs, 2);
	assert_int_equal(m->nfits, 0);
	assert_non_null(strstr(m->line, "the issuer at depth 1 in "
	    "data/tlsa/ec-fullchain.pem (CN=daneops-test-int)"));
	assert_non_null(strstr(m->line, "needs the leaf (depth 0)"));
	tlsa_match_free(m);
	tlsa_rec_free(r);
	/* A key. */
	x = read_cert(DATA "rsa.crt");
	r = tlsa_rec_for_cert(x, 3, 1, 2, &e);
	m = tlsa_match_run(r, srcs, 3);
	assert_int_equal(m->nfits, 1);
	assert_int_equal(m->hits[0].depth, -1);
	assert_non_null(strstr(m->line, "matches data/tlsa/rsa.key (private "
	    "key)"));
	tlsa_match_free(m);
	tlsa_rec_free(r);
	/* Selector 0 and a key: say why it can never match. */
	r = tlsa_rec_for_cert(x, 3, 0, 1, &e);
	m = tlsa_match_run(r, srcs + 1, 1);
	assert_int_equal(m->nhits, 0);
	assert_non_null(strstr(m->line, "no match: 3 0 1 "));
	assert_non_null(strstr(m->line, "matches nothing in data/tlsa/rsa.key "
	    "(selector 0 compares whole certificates"));
	tlsa_match_free(m);
	tlsa_rec_free(r);
	tlsa_match_free(NULL);
	X509_free(x);
	certsrc_free(srcs[0]);
	certsrc_free(srcs[1]);
	certsrc_free(srcs[2]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format_roundtrip),
		cmocka_unit_test(test_parse_rejects_wrong_digest_length),
		cmocka_unit_test(test_usable_smtp),
		cmocka_unit_test(test_gen_known_answers),
		cmocka_unit_test(test_gen_full_is_openssl_der),
		cmocka_unit_test(test_gen_key_equals_cert),
		cmocka_unit_test(test_gen_refuses_bad_params),
		cmocka_unit_test(test_matches_negative),
		cmocka_unit_test(test_match_chain_depths),
		cmocka_unit_test(test_params_parse),
		cmocka_unit_test(test_match_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
