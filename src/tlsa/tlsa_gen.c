/*
 * tlsa_gen - compute and match TLSA association data with OpenSSL.
 *
 * One function, tlsa_gen_data, turns DER (a certificate or a
 * SubjectPublicKeyInfo) into association data; everything else here picks
 * the DER and compares.  Selector 1 of a certificate uses the
 * SubjectPublicKeyInfo exactly as encoded in the certificate, as OpenSSL's
 * own DANE verifier does (x509_vfy.c dane_match), so a record daneops makes
 * is byte for byte the one a verifier computes.
 */
#include "tlsa/tlsa_gen.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "util/xalloc.h"

/* Longest parameter text worth looking at ("DANE-EE, SPKI, SHA2-256"). */
#define TLSA_PARAMS_TEXT_MAX 64

int
tlsa_params_check(unsigned usage, unsigned selector, unsigned mtype,
	struct err *e)
{
	if (usage > TLSA_USAGE_DANE_EE)
		return err_set(e, ERR_USAGE, "certificate usage %u is not "
		    "supported (0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE)",
		    usage);
	if (selector > TLSA_SEL_SPKI)
		return err_set(e, ERR_USAGE, "selector %u is not supported "
		    "(0 Cert, 1 SPKI)", selector);
	if (mtype > TLSA_MATCH_SHA512)
		return err_set(e, ERR_USAGE, "matching type %u is not "
		    "supported (0 Full, 1 SHA2-256, 2 SHA2-512)", mtype);
	return 0;
}

/*
 * Association data for DER input: the DER itself (matching type 0) or its
 * digest.  The caller has checked mtype.  Returns a new record.
 */
static struct tlsa_rec *
tlsa_gen_data(const uint8_t *der, size_t len, unsigned usage,
	unsigned selector, unsigned mtype, struct err *e)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	const EVP_MD *alg;

	if (mtype == TLSA_MATCH_FULL) {
		if (len > TLSA_DATA_MAX) {
			err_set(e, ERR_INPUT, "%zu bytes of DER do not fit in "
			    "a TLSA record (%d at most); use matching type 1 "
			    "or 2", len, TLSA_DATA_MAX);
			return NULL;
		}
		return tlsa_rec_new(usage, selector, mtype, der, len);
	}
	alg = mtype == TLSA_MATCH_SHA256 ? EVP_sha256() : EVP_sha512();
	if (EVP_Digest(der, len, md, &mdlen, alg, NULL) != 1) {
		err_set_ssl(e, ERR_INTERNAL, "cannot compute %s",
		    tlsa_mtype_name(mtype));
		return NULL;
	}
	return tlsa_rec_new(usage, selector, mtype, md, mdlen);
}

/* DER of cert (selector 0) or of its SPKI (selector 1); caller frees. */
static int
tlsa_cert_der(X509 *cert, unsigned selector, uint8_t **der)
{
	*der = NULL;
	if (selector == TLSA_SEL_CERT)
		return i2d_X509(cert, der);
	return i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), der);
}

struct tlsa_rec *
tlsa_rec_for_cert(X509 *cert, unsigned usage, unsigned selector,
	unsigned mtype, struct err *e)
{
	struct tlsa_rec *r;
	uint8_t *der;
	int len;

	if (tlsa_params_check(usage, selector, mtype, e) < 0)
		return NULL;
	len = tlsa_cert_der(cert, selector, &der);
	if (len <= 0) {
		err_set_ssl(e, ERR_INPUT, "cannot encode the %s",
		    selector == TLSA_SEL_CERT ? "certificate" : "public key");
		return NULL;
	}
	r = tlsa_gen_data(der, (size_t)len, usage, selector, mtype, e);
	OPENSSL_free(der);
	return r;
}

struct tlsa_rec *
tlsa_rec_for_pkey(EVP_PKEY *pkey, unsigned usage, unsigned selector,
	unsigned mtype, struct err *e)
{
	struct tlsa_rec *r;
	uint8_t *der = NULL;
	int len;

	if (tlsa_params_check(usage, selector, mtype, e) < 0)
		return NULL;
	if (selector != TLSA_SEL_SPKI) {
		err_set(e, ERR_USAGE, "selector 0 (full certificate) needs a "
		    "certificate");
		return NULL;
	}
	/* For a private key this encodes only its public half. */
	len = i2d_PUBKEY(pkey, &der);
	if (len <= 0) {
		err_set_ssl(e, ERR_INPUT, "cannot encode the public key");
		return NULL;
	}
	r = tlsa_gen_data(der, (size_t)len, usage, selector, mtype, e);
	OPENSSL_free(der);
	return r;
}

static int
tlsa_rec_same_data(const struct tlsa_rec *want, struct tlsa_rec *got)
{
	int same;

	if (got == NULL)
		return 0;
	same = got->len == want->len &&
	    memcmp(got->data, want->data, got->len) == 0;
	tlsa_rec_free(got);
	return same;
}

int
tlsa_rec_matches_cert(const struct tlsa_rec *r, X509 *cert)
{
	struct err e;

	if (r->selector > TLSA_SEL_SPKI || r->mtype > TLSA_MATCH_SHA512)
		return 0;
	/* Usage is ignored: compute with a fixed valid one. */
	return tlsa_rec_same_data(r, tlsa_rec_for_cert(cert,
	    TLSA_USAGE_DANE_EE, r->selector, r->mtype, &e));
}

int
tlsa_rec_matches_pkey(const struct tlsa_rec *r, EVP_PKEY *pkey)
{
	struct err e;

	if (r->selector != TLSA_SEL_SPKI || r->mtype > TLSA_MATCH_SHA512)
		return 0;
	return tlsa_rec_same_data(r, tlsa_rec_for_pkey(pkey,
	    TLSA_USAGE_DANE_EE, r->selector, r->mtype, &e));
}

int
tlsa_rec_match_chain(const struct tlsa_rec *r, STACK_OF(X509) *chain)
{
	int i, n;

	n = chain != NULL ? sk_X509_num(chain) : 0;
	for (i = 0; i < n; i++)
		if (tlsa_rec_matches_cert(r, sk_X509_value(chain, i)))
			return i;
	return -1;
}

/* One field: a decimal number 0-255 or the RFC 7218 name name() gives. */
static int
tlsa_params_field(const char *tok, const char *(*name)(unsigned),
	unsigned *out)
{
	unsigned long v;
	char *end;
	unsigned i;

	if (isdigit((unsigned char)tok[0])) {
		errno = 0;
		v = strtoul(tok, &end, 10);
		if (errno != 0 || *end != '\0' || v > 255)
			return -1;
		*out = (unsigned)v;
		return 0;
	}
	for (i = 0; i < 4; i++) {
		if (strcasecmp(tok, name(i)) == 0 &&
		    strcmp(name(i), "unknown") != 0) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

int
tlsa_params_parse(const char *text, unsigned *usage, unsigned *selector,
	unsigned *mtype, struct err *e)
{
	const char *(*names[3])(unsigned) = { tlsa_usage_name,
	    tlsa_selector_name, tlsa_mtype_name };
	unsigned *out[3] = { usage, selector, mtype };
	char buf[TLSA_PARAMS_TEXT_MAX], *tok[4], *p, *save = NULL;
	struct err sub;
	size_t n = 0, i;

	if (strlen(text) >= sizeof(buf))
		return err_set(e, ERR_USAGE, "parameters '%.20s...': too long",
		    text);
	memcpy(buf, text, strlen(text) + 1);
	for (p = strtok_r(buf, " \t,", &save); p != NULL && n < 4;
	    p = strtok_r(NULL, " \t,", &save))
		tok[n++] = p;
	if (n == 1 && strlen(tok[0]) == 3 &&
	    strspn(tok[0], "0123456789") == 3) {
		for (i = 0; i < 3; i++)
			*out[i] = (unsigned)(tok[0][i] - '0');
	} else if (n == 3) {
		for (i = 0; i < 3; i++)
			if (tlsa_params_field(tok[i], names[i], out[i]) < 0)
				return err_set(e, ERR_USAGE, "parameters '%s': "
				    "'%s' is not a number 0-255 or a name "
				    "such as DANE-EE, SPKI, SHA2-256", text,
				    tok[i]);
	} else {
		return err_set(e, ERR_USAGE, "parameters '%s': expected usage, "
		    "selector and matching type, as 311, 3,1,1 or \"3 1 1\"",
		    text);
	}
	if (tlsa_params_check(*usage, *selector, *mtype, &sub) < 0)
		return err_set(e, ERR_USAGE, "parameters '%s': %s", text,
		    sub.msg);
	return 0;
}
