/*
 * Unit tests for src/tlsa/certsrc: every kind of input, every refusal, and
 * the usage/depth rules.  Fixtures are tests/data/tlsa (tests/data/mkcerts.sh);
 * the tests run with tests/ as the working directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "tlsa/certsrc.h"
#include "tlsa/tlsa.h"
#include "tlsa/tlsa_gen.h"
#include "util/fileio.h"

#define DATA "data/tlsa/"

/* The SPKI DER of ec.crt, read with OpenSSL alone: what every form must give. */
static int
spki_of_pem_cert(const char *path, uint8_t **der)
{
	FILE *fp = fopen(path, "r");
	X509 *x;
	int len;

	assert_non_null(fp);
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(x);
	*der = NULL;
	len = i2d_PUBKEY(X509_get0_pubkey(x), der);
	X509_free(x);
	assert_true(len > 0);
	return len;
}

static struct certsrc *
load_ok(const char *path)
{
	struct certsrc *s;
	struct err e;

	err_clear(&e);
	s = certsrc_load(path, FILEIO_DEFAULT_MAX, &e);
	if (s == NULL)
		fail_msg("%s: %s", path, e.msg);
	return s;
}

/* The key of whatever s holds, as SPKI DER. */
static int
spki_of_src(const struct certsrc *s, uint8_t **der)
{
	EVP_PKEY *k = s->kind == CERTSRC_CERTS ?
	    X509_get0_pubkey(certsrc_cert(s, 0)) : s->pkey;

	*der = NULL;
	return i2d_PUBKEY(k, der);
}

static void
test_every_input_kind(void **state)
{
	static const struct {
		const char *file;
		enum certsrc_kind kind;
		int ncerts;
		const char *same_key_as;
	} cases[] = {
		{ "ec.crt", CERTSRC_CERTS, 1, "ec.crt" },
		{ "ec.crt.der", CERTSRC_CERTS, 1, "ec.crt" },
		{ "ec-fullchain.pem", CERTSRC_CERTS, 2, "ec.crt" },
		{ "ec-chain.der", CERTSRC_CERTS, 2, "ec.crt" },
		{ "ec-trusted.pem", CERTSRC_CERTS, 1, "ec.crt" },
		{ "ec-cert-and-key.pem", CERTSRC_CERTS, 1, "ec.crt" },
		{ "ec.pub", CERTSRC_PUBKEY, 0, "ec.crt" },
		{ "ec.pub.der", CERTSRC_PUBKEY, 0, "ec.crt" },
		{ "ec.key", CERTSRC_PRIVKEY, 0, "ec.crt" },
		{ "ec.key.der", CERTSRC_PRIVKEY, 0, "ec.crt" },
		{ "ec-trad.key", CERTSRC_PRIVKEY, 0, "ec.crt" },
		{ "ec-trad.key.der", CERTSRC_PRIVKEY, 0, "ec.crt" },
		{ "rsa.key", CERTSRC_PRIVKEY, 0, "rsa.crt" },
		{ "rsa-trad.key", CERTSRC_PRIVKEY, 0, "rsa.crt" },
		{ "rsa-pkcs1.pub", CERTSRC_PUBKEY, 0, "rsa.crt" },
		{ "root.crt", CERTSRC_CERTS, 1, "root.crt" },
	};
	char path[256];
	uint8_t *want, *got;
	int wlen, glen;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct certsrc *s;

		snprintf(path, sizeof(path), DATA "%s", cases[i].file);
		s = load_ok(path);
		assert_int_equal(s->kind, cases[i].kind);
		assert_int_equal(certsrc_ncerts(s), cases[i].ncerts);
		assert_string_equal(s->name, path);
		snprintf(path, sizeof(path), DATA "%s", cases[i].same_key_as);
		wlen = spki_of_pem_cert(path, &want);
		glen = spki_of_src(s, &got);
		assert_int_equal(glen, wlen);
		assert_memory_equal(got, want, (size_t)wlen);
		OPENSSL_free(want);
		OPENSSL_free(got);
		certsrc_free(s);
	}
	certsrc_free(NULL);
}

static void
test_chain_order_is_kept(void **state)
{
	struct certsrc *s = load_ok(DATA "ec-fullchain.pem");
	char *leaf, *issuer;

	(void)state;
	leaf = certsrc_subject(certsrc_cert(s, 0));
	issuer = certsrc_subject(certsrc_cert(s, 1));
	assert_string_equal(leaf, "CN=ec.example.org");
	assert_string_equal(issuer, "CN=daneops-test-int");
	assert_null(certsrc_cert(s, 2));
	assert_null(certsrc_cert(s, -1));
	free(leaf);
	free(issuer);
	certsrc_free(s);
}

static void
test_refusals(void **state)
{
	static const struct {
		const char *file;
		const char *msg;
	} cases[] = {
		{ "empty", "empty; expected a certificate or key" },
		{ "text.txt", "neither PEM (no -----BEGIN line) nor DER" },
		{ "truncated.pem", "truncated or damaged PEM block 1" },
		{ "bad-base64.pem", "truncated or damaged PEM block 1" },
		{ "truncated.der", "truncated or damaged DER" },
		{ "garbage.der", "truncated or damaged DER" },
		{ "enc-pkcs8.pem", "private key is encrypted; daneops never asks" },
		{ "enc-pkcs8.der", "private key is encrypted" },
		{ "enc-trad.pem", "private key is encrypted" },
		{ "two-keys.pem", "holds 2 keys and no certificate" },
		{ "ec.csr", "a certificate request, not a certificate or key" },
		{ "params-only.pem", "no certificate or key in it (PEM blocks: "
		    "EC PARAMETERS)" },
		{ "no-such-file", "cannot open: No such file or directory" },
		{ ".", "is a directory, not a file to read" },
	};
	char path[256];
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), DATA "%s", cases[i].file);
		err_clear(&e);
		if (certsrc_load(path, FILEIO_DEFAULT_MAX, &e) != NULL)
			fail_msg("%s: loaded, but should not", path);
		assert_int_equal(e.kind, ERR_INPUT);
		/* One line, naming the input first. */
		assert_non_null(strstr(e.msg, cases[i].msg));
		assert_int_equal(strncmp(e.msg, path, strlen(path)), 0);
		assert_null(strchr(e.msg, '\n'));
	}
}

static void
test_size_cap(void **state)
{
	struct err e;

	(void)state;
	assert_null(certsrc_load(DATA "rsa.crt", 100, &e));
	assert_int_equal(e.kind, ERR_INPUT);
	assert_non_null(strstr(e.msg, "larger than 100 bytes"));
}

static void
test_parse_in_memory(void **state)
{
	static const char half[] = "junk before\n-----BEGIN CERTIFICATE-----\n"
	    "MIIB\n";
	static const uint8_t der_junk[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
	struct err e;

	(void)state;
	assert_null(certsrc_parse("mem", (const uint8_t *)half, strlen(half),
	    &e));
	assert_non_null(strstr(e.msg, "mem: truncated or damaged PEM"));
	assert_null(certsrc_parse("mem", der_junk, sizeof(der_junk), &e));
	assert_non_null(strstr(e.msg, "mem: DER data that is not"));
	assert_null(certsrc_parse("mem", (const uint8_t *)"", 0, &e));
	assert_non_null(strstr(e.msg, "mem: empty"));
	assert_null(certsrc_parse("mem", (const uint8_t *)"x -----BEGIN \n",
	    14, &e));
	assert_string_equal(e.msg, "mem: truncated or damaged PEM: a "
	    "-----BEGIN but no complete block");
}

static void
test_depth_rules(void **state)
{
	struct certsrc *chain = load_ok(DATA "ec-fullchain.pem");
	struct certsrc *leaf = load_ok(DATA "ec.crt");
	struct certsrc *ca = load_ok(DATA "int.crt");
	struct certsrc *key = load_ok(DATA "ec.key");
	unsigned u;

	(void)state;
	for (u = 0; u < 4; u++) {
		int ee = u == 1 || u == 3;

		assert_int_equal(certsrc_depth_fits(chain, u, 0), ee);
		assert_int_equal(certsrc_depth_fits(chain, u, 1), !ee);
		assert_int_equal(certsrc_depth_fits(chain, u, 2), 0);
		assert_int_equal(certsrc_depth_fits(leaf, u, 0), ee);
		/* A lone CA certificate is the issuer's own file. */
		assert_int_equal(certsrc_depth_fits(ca, u, 0), 1);
		assert_int_equal(certsrc_depth_fits(key, u, -1), ee);
		assert_int_equal(certsrc_depth_fits(chain, u, -1), 0);
	}
	assert_true(certsrc_is_ca(certsrc_cert(ca, 0)));
	assert_false(certsrc_is_ca(certsrc_cert(leaf, 0)));
	certsrc_free(chain);
	certsrc_free(leaf);
	certsrc_free(ca);
	certsrc_free(key);
}

static void
test_pick(void **state)
{
	struct certsrc *chain = load_ok(DATA "ec-fullchain.pem");
	struct certsrc *leaf = load_ok(DATA "ec.crt");
	struct certsrc *ca = load_ok(DATA "int.crt");
	struct certsrc *key = load_ok(DATA "ec.pub");
	struct certsrc_pick p;
	struct err e;

	(void)state;
	assert_int_equal(certsrc_pick(chain, 3, 1, -1, &p, &e), 0);
	assert_int_equal(p.depth, 0);
	assert_ptr_equal(p.cert, certsrc_cert(chain, 0));
	assert_int_equal(certsrc_pick(chain, 2, 0, -1, &p, &e), 0);
	assert_int_equal(p.depth, 1);
	assert_ptr_equal(p.cert, certsrc_cert(chain, 1));
	assert_int_equal(certsrc_pick(chain, 0, 1, -1, &p, &e), 0);
	assert_int_equal(p.depth, 1);
	/* --depth forces any certificate, whatever the usage. */
	assert_int_equal(certsrc_pick(chain, 3, 1, 1, &p, &e), 0);
	assert_int_equal(p.depth, 1);
	assert_int_equal(certsrc_pick(chain, 3, 1, 2, &p, &e), -1);
	assert_int_equal(e.kind, ERR_USAGE);
	assert_non_null(strstr(e.msg, "no certificate at depth 2 (it holds 2"));
	/* A lone leaf cannot give an issuer's record... */
	assert_int_equal(certsrc_pick(leaf, 2, 1, -1, &p, &e), -1);
	assert_int_equal(e.kind, ERR_USAGE);
	assert_non_null(strstr(e.msg, "ec.crt: usage 2 (DANE-TA) needs the "
	    "issuer's certificate"));
	assert_non_null(strstr(e.msg, "CN=ec.example.org"));
	assert_non_null(strstr(e.msg, "--depth"));
	/* ...unless forced, and a lone CA certificate can. */
	assert_int_equal(certsrc_pick(leaf, 2, 1, 0, &p, &e), 0);
	assert_int_equal(certsrc_pick(ca, 2, 1, -1, &p, &e), 0);
	assert_int_equal(p.depth, 0);
	/* Keys: selector 1 and an end-entity usage only; depth 0 at most,
	 * as for a lone certificate (issue 12: -d 5 on a key was ignored). */
	assert_int_equal(certsrc_pick(key, 3, 1, 5, &p, &e), -1);
	assert_int_equal(e.kind, ERR_USAGE);
	assert_non_null(strstr(e.msg, "no certificate at depth 5"));
	assert_int_equal(certsrc_pick(key, 3, 1, 0, &p, &e), 0);
	assert_ptr_equal(p.pkey, key->pkey);
	assert_null(p.cert);
	assert_int_equal(p.depth, -1);
	assert_int_equal(certsrc_pick(key, 3, 0, -1, &p, &e), -1);
	assert_int_equal(e.kind, ERR_USAGE);
	assert_non_null(strstr(e.msg, "selector 0 (full certificate) needs a "
	    "certificate"));
	assert_int_equal(certsrc_pick(key, 2, 1, -1, &p, &e), -1);
	assert_non_null(strstr(e.msg, "names an issuer"));
	certsrc_free(chain);
	certsrc_free(leaf);
	certsrc_free(ca);
	certsrc_free(key);
}

static X509 *
cert_with_subject(const char *field, const char *value)
{
	X509 *x = X509_new();

	assert_non_null(x);
	assert_int_equal(X509_NAME_add_entry_by_txt(X509_get_subject_name(x),
	    field, MBSTRING_UTF8, (const unsigned char *)value, -1, -1, 0), 1);
	return x;
}

static void
test_subject_is_printable(void **state)
{
	char longname[61];
	X509 *x;
	char *s;

	(void)state;
	x = cert_with_subject("CN", "evil\x1b[31m\xc3\xa9.example");
	s = certsrc_subject(x);
	assert_string_equal(s, "CN=evil?[31m??.example");
	free(s);
	X509_free(x);
	x = cert_with_subject("O", "Example Org");
	s = certsrc_subject(x);
	assert_string_equal(s, "O=Example Org");
	free(s);
	X509_free(x);
	/* Each field is capped at 64 characters; three make a long subject. */
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	x = cert_with_subject("O", longname);
	assert_int_equal(X509_NAME_add_entry_by_txt(X509_get_subject_name(x),
	    "OU", MBSTRING_UTF8, (const unsigned char *)longname, -1, -1, 0), 1);
	assert_int_equal(X509_NAME_add_entry_by_txt(X509_get_subject_name(x),
	    "L", MBSTRING_UTF8, (const unsigned char *)longname, -1, -1, 0), 1);
	s = certsrc_subject(x);
	assert_true(strlen(s) <= 83);
	assert_non_null(strstr(s, "..."));
	free(s);
	X509_free(x);
	x = X509_new();
	s = certsrc_subject(x);
	assert_string_equal(s, "an empty subject");
	free(s);
	X509_free(x);
}

static void
test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(certsrc_kind_name(CERTSRC_CERTS), "certificate");
	assert_string_equal(certsrc_kind_name(CERTSRC_PUBKEY), "public key");
	assert_string_equal(certsrc_kind_name(CERTSRC_PRIVKEY), "private key");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_input_kind),
		cmocka_unit_test(test_chain_order_is_kept),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_parse_in_memory),
		cmocka_unit_test(test_depth_rules),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_subject_is_printable),
		cmocka_unit_test(test_kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
