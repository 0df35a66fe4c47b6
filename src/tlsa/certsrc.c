/*
 * certsrc - the inputs of "daneops tlsa": certificates, chains, public and
 * private keys, in PEM or DER.
 *
 * Keys are decoded with OSSL_DECODER and a passphrase callback that always
 * refuses: that both keeps OpenSSL from ever prompting on the terminal (its
 * PEM_read_* functions would) and tells us that a key was encrypted.
 */
#include "tlsa/certsrc.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tlsa/tlsa.h"
#include "util/fileio.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

/* What a scan of one input has found so far. */
struct certsrc_scan {
	const char *name;
	STACK_OF(X509) *certs;
	EVP_PKEY *key;          /* the first key found */
	enum certsrc_kind keykind;
	int nkeys;
	int encrypted;          /* an encrypted private key was seen */
	int csr;                /* a certificate request was seen */
	int blocks;             /* PEM blocks read */
	const char *derwhy;     /* why DER input gave nothing */
	struct sbuf skipped;    /* names of PEM blocks of no use here */
};

/* The passphrase callback: never give one, but note that one was wanted. */
static int
certsrc_refuse_pass(char *buf, size_t size, size_t *len,
	const OSSL_PARAM *params, void *arg)
{
	(void)buf;
	(void)size;
	(void)len;
	(void)params;
	*(int *)arg = 1;
	return 0;
}

/*
 * Decode one DER key.  structure and keytype narrow the decoders (NULL: try
 * them all); selection is EVP_PKEY_KEYPAIR or EVP_PKEY_PUBLIC_KEY.  Sets
 * *encrypted when the key wanted a passphrase.
 */
static EVP_PKEY *
certsrc_decode_key(const uint8_t *der, size_t len, const char *structure,
	const char *keytype, int selection, int *encrypted)
{
	OSSL_DECODER_CTX *ctx;
	EVP_PKEY *pkey = NULL;
	const unsigned char *p = der;
	size_t left = len;

	ctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "DER", structure, keytype,
	    selection, NULL, NULL);
	if (ctx == NULL)
		return NULL;
	OSSL_DECODER_CTX_set_passphrase_cb(ctx, certsrc_refuse_pass,
	    encrypted);
	/* Trailing bytes after a key are as suspect as after a certificate. */
	if (OSSL_DECODER_from_data(ctx, &p, &left) != 1 || left != 0) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	OSSL_DECODER_CTX_free(ctx);
	ERR_clear_error();
	return pkey;
}

static void
certsrc_add_key(struct certsrc_scan *sc, EVP_PKEY *pkey,
	enum certsrc_kind kind)
{
	if (sc->key == NULL) {
		sc->key = pkey;
		sc->keykind = kind;
	} else {
		EVP_PKEY_free(pkey);
	}
	sc->nkeys++;
}

static int
certsrc_push(struct certsrc_scan *sc, X509 *x, struct err *e)
{
	if (sc->certs == NULL)
		sc->certs = sk_X509_new_null();
	if (sc->certs == NULL || sk_X509_push(sc->certs, x) <= 0) {
		X509_free(x);
		return err_set(e, ERR_SYSTEM, "%s: out of memory", sc->name);
	}
	return 0;
}

/* One DER certificate of a PEM block: it must fill der[0..len) exactly. */
static int
certsrc_add_cert(struct certsrc_scan *sc, const uint8_t *der, size_t len,
	int aux, struct err *e)
{
	const unsigned char *p = der;
	X509 *x;

	x = aux ? d2i_X509_AUX(NULL, &p, (long)len) :
	    d2i_X509(NULL, &p, (long)len);
	if (x == NULL || p != der + len) {
		X509_free(x);
		return err_set_ssl(e, ERR_INPUT, "%s: PEM block %d is not a "
		    "valid certificate", sc->name, sc->blocks);
	}
	return certsrc_push(sc, x, e);
}

/* PEM block names of keys and how to decode them. */
static const struct {
	const char *pem;
	const char *structure;
	const char *keytype;
	int selection;
} certsrc_keyblocks[] = {
	{ "PRIVATE KEY", "PrivateKeyInfo", NULL, EVP_PKEY_KEYPAIR },
	{ "RSA PRIVATE KEY", NULL, "RSA", EVP_PKEY_KEYPAIR },
	{ "EC PRIVATE KEY", NULL, "EC", EVP_PKEY_KEYPAIR },
	{ "DSA PRIVATE KEY", NULL, "DSA", EVP_PKEY_KEYPAIR },
	{ "PUBLIC KEY", "SubjectPublicKeyInfo", NULL, EVP_PKEY_PUBLIC_KEY },
	{ "RSA PUBLIC KEY", NULL, "RSA", EVP_PKEY_PUBLIC_KEY },
};
#define CERTSRC_NKEYBLOCKS \
	(sizeof(certsrc_keyblocks) / sizeof(certsrc_keyblocks[0]))

static int
certsrc_pem_key(struct certsrc_scan *sc, size_t i, const char *header,
	const uint8_t *der, size_t len, struct err *e)
{
	EVP_PKEY *pkey;
	int priv = certsrc_keyblocks[i].selection == EVP_PKEY_KEYPAIR;

	/* Traditional encrypted keys say so in a header, not in the DER. */
	if (priv && strstr(header, "ENCRYPTED") != NULL) {
		sc->encrypted = 1;
		return 0;
	}
	pkey = certsrc_decode_key(der, len, certsrc_keyblocks[i].structure,
	    certsrc_keyblocks[i].keytype, certsrc_keyblocks[i].selection,
	    &sc->encrypted);
	if (pkey == NULL)
		return err_set(e, ERR_INPUT, "%s: PEM block %d (%s) is not a "
		    "valid key", sc->name, sc->blocks,
		    certsrc_keyblocks[i].pem);
	certsrc_add_key(sc, pkey, priv ? CERTSRC_PRIVKEY : CERTSRC_PUBKEY);
	return 0;
}

static int
certsrc_pem_block(struct certsrc_scan *sc, const char *type,
	const char *header, const uint8_t *der, size_t len, struct err *e)
{
	size_t i;

	if (strcmp(type, "CERTIFICATE") == 0 ||
	    strcmp(type, "X509 CERTIFICATE") == 0)
		return certsrc_add_cert(sc, der, len, 0, e);
	if (strcmp(type, "TRUSTED CERTIFICATE") == 0)
		return certsrc_add_cert(sc, der, len, 1, e);
	if (strcmp(type, "ENCRYPTED PRIVATE KEY") == 0) {
		sc->encrypted = 1;
		return 0;
	}
	for (i = 0; i < CERTSRC_NKEYBLOCKS; i++)
		if (strcmp(type, certsrc_keyblocks[i].pem) == 0)
			return certsrc_pem_key(sc, i, header, der, len, e);
	if (strstr(type, "CERTIFICATE REQUEST") != NULL)
		sc->csr = 1;
	/* Anything else (EC PARAMETERS, DH PARAMETERS, ...) is ignored. */
	if (sc->skipped.len < 200)
		sbuf_printf(&sc->skipped, "%s%s", sc->skipped.len ? ", " : "",
		    type);
	return 0;
}

static int
certsrc_scan_pem(struct certsrc_scan *sc, const uint8_t *data, size_t len,
	struct err *e)
{
	char *type = NULL, *header = NULL;
	unsigned char *der = NULL;
	unsigned long code;
	long derlen;
	BIO *bio;
	int rc = 0;

	if (len > INT32_MAX)
		return err_set(e, ERR_INPUT, "%s: too large", sc->name);
	bio = BIO_new_mem_buf(data, (int)len);
	if (bio == NULL)
		return err_set_ssl(e, ERR_SYSTEM, "%s: cannot read", sc->name);
	while (rc == 0) {
		if (PEM_read_bio(bio, &type, &header, &der, &derlen) != 1) {
			/* "No start line" is the normal end of the input. */
			code = ERR_peek_last_error();
			if (ERR_GET_LIB(code) != ERR_LIB_PEM ||
			    ERR_GET_REASON(code) != PEM_R_NO_START_LINE)
				rc = err_set_ssl(e, ERR_INPUT, "%s: truncated "
				    "or damaged PEM block %d", sc->name,
				    sc->blocks + 1);
			ERR_clear_error();
			break;
		}
		sc->blocks++;
		rc = certsrc_pem_block(sc, type, header, der, (size_t)derlen,
		    e);
		OPENSSL_free(type);
		OPENSSL_free(header);
		/* It may have been a private key: wipe it, as certsrc_load does. */
		OPENSSL_clear_free(der, (size_t)derlen);
	}
	BIO_free(bio);
	return rc;
}

/* Why DER data that no decoder took is no good, judged by its outer header. */
static const char *
certsrc_der_why(const uint8_t *data, size_t len)
{
	const unsigned char *p = data;
	long body;
	int tag, xclass, ret;

	ret = ASN1_get_object(&p, &body, &tag, &xclass, (long)len);
	ERR_clear_error();
	if (ret & 0x80)
		return "truncated or damaged DER: the data ends before its "
		    "outer SEQUENCE does";
	if ((size_t)(p - data) + (size_t)body < len)
		return "DER with trailing data after its outer SEQUENCE";
	return "DER data that is not a certificate, public key or private key";
}

/* DER: one or more certificates back to back, or one key. */
static int
certsrc_scan_der(struct certsrc_scan *sc, const uint8_t *data, size_t len,
	struct err *e)
{
	const unsigned char *p = data, *end = data + len;
	EVP_PKEY *pkey;
	X509 *x;
	int n = 0;

	while (p < end && (x = d2i_X509(NULL, &p, (long)(end - p))) != NULL) {
		if (certsrc_push(sc, x, e) < 0)
			return -1;
		n++;
	}
	ERR_clear_error();
	if (n > 0 && p != end)
		return err_set(e, ERR_INPUT, "%s: truncated or damaged DER "
		    "after certificate %d", sc->name, n);
	if (n > 0)
		return 0;
	pkey = certsrc_decode_key(data, len, NULL, NULL, EVP_PKEY_KEYPAIR,
	    &sc->encrypted);
	if (pkey != NULL) {
		certsrc_add_key(sc, pkey, CERTSRC_PRIVKEY);
		return 0;
	}
	if (sc->encrypted)
		return 0;
	pkey = certsrc_decode_key(data, len, NULL, NULL, EVP_PKEY_PUBLIC_KEY,
	    &sc->encrypted);
	if (pkey != NULL)
		certsrc_add_key(sc, pkey, CERTSRC_PUBKEY);
	else
		sc->derwhy = certsrc_der_why(data, len);
	return 0;
}

/* Make the scan's findings a source, or explain why there is none. */
static struct certsrc *
certsrc_finish(struct certsrc_scan *sc, int der, struct err *e)
{
	struct certsrc *s;

	if (sc->certs == NULL && sc->key == NULL) {
		if (sc->encrypted)
			err_set(e, ERR_INPUT, "%s: private key is encrypted; "
			    "daneops never asks for a passphrase: give the "
			    "certificate or the public key (openssl pkey -in "
			    "KEY -pubout)", sc->name);
		else if (sc->csr)
			err_set(e, ERR_INPUT, "%s: a certificate request, not "
			    "a certificate or key: give the certificate, or "
			    "the key the request was made with", sc->name);
		else if (der)
			err_set(e, ERR_INPUT, "%s: %s", sc->name, sc->derwhy);
		else if (sc->blocks == 0)
			err_set(e, ERR_INPUT, "%s: truncated or damaged PEM: "
			    "a -----BEGIN but no complete block", sc->name);
		else
			err_set(e, ERR_INPUT, "%s: no certificate or key in it "
			    "(PEM blocks: %s)", sc->name, sc->skipped.data);
		return NULL;
	}
	if (sc->certs == NULL && sc->nkeys > 1) {
		err_set(e, ERR_INPUT, "%s: holds %d keys and no certificate; "
		    "give one key per file", sc->name, sc->nkeys);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->name = xstrdup(sc->name);
	if (sc->certs != NULL) {
		/* A key kept with the chain (for some servers) goes unused. */
		s->kind = CERTSRC_CERTS;
		s->chain = sc->certs;
		sc->certs = NULL;
	} else {
		s->kind = sc->keykind;
		s->pkey = sc->key;
		sc->key = NULL;
	}
	return s;
}

struct certsrc *
certsrc_parse(const char *name, const uint8_t *data, size_t len,
	struct err *e)
{
	static const char begin[] = "-----BEGIN ";
	struct certsrc_scan sc;
	struct certsrc *s = NULL;
	int der, rc;

	if (len == 0) {
		err_set(e, ERR_INPUT, "%s: empty; expected a certificate or "
		    "key (PEM or DER)", name);
		return NULL;
	}
	der = memmem(data, len, begin, sizeof(begin) - 1) == NULL;
	/* Every DER certificate or key is a SEQUENCE. */
	if (der && data[0] != 0x30) {
		err_set(e, ERR_INPUT, "%s: not a certificate or key: neither "
		    "PEM (no -----BEGIN line) nor DER", name);
		return NULL;
	}
	memset(&sc, 0, sizeof(sc));
	sc.name = name;
	sbuf_init(&sc.skipped, 256);
	rc = der ? certsrc_scan_der(&sc, data, len, e) :
	    certsrc_scan_pem(&sc, data, len, e);
	if (rc == 0)
		s = certsrc_finish(&sc, der, e);
	sk_X509_pop_free(sc.certs, X509_free);
	EVP_PKEY_free(sc.key);
	sbuf_free(&sc.skipped);
	ERR_clear_error();
	return s;
}

struct certsrc *
certsrc_load(const char *path, size_t max, struct err *e)
{
	struct certsrc *s;
	size_t len;
	char *data;

	data = fileio_read(path, max, &len, e);
	if (data == NULL)
		return NULL;
	s = certsrc_parse(strcmp(path, "-") == 0 ? "standard input" : path,
	    (const uint8_t *)data, len, e);
	/* A private key was in here: do not leave it lying in the heap. */
	OPENSSL_cleanse(data, len);
	free(data);
	return s;
}

void
certsrc_free(struct certsrc *s)
{
	if (s == NULL)
		return;
	free(s->name);
	sk_X509_pop_free(s->chain, X509_free);
	EVP_PKEY_free(s->pkey);
	free(s);
}

int
certsrc_ncerts(const struct certsrc *s)
{
	return s->chain != NULL ? sk_X509_num(s->chain) : 0;
}

X509 *
certsrc_cert(const struct certsrc *s, int depth)
{
	if (depth < 0 || depth >= certsrc_ncerts(s))
		return NULL;
	return sk_X509_value(s->chain, depth);
}

int
certsrc_is_ca(X509 *cert)
{
	/* 1: CA:TRUE; 3: self-signed v1; 4, 5: keyCertSign or Netscape CA. */
	return X509_check_ca(cert) != 0;
}

int
certsrc_depth_fits(const struct certsrc *s, unsigned usage, int depth)
{
	int ee = usage == TLSA_USAGE_PKIX_EE || usage == TLSA_USAGE_DANE_EE;

	if (depth < 0)
		return ee && s->kind != CERTSRC_CERTS;
	if (depth >= certsrc_ncerts(s))
		return 0;
	if (ee)
		return depth == 0;
	return depth > 0 || (certsrc_ncerts(s) == 1 &&
	    certsrc_is_ca(certsrc_cert(s, 0)));
}

/* The default depth for usage in a chain, or -1 with e set. */
static int
certsrc_default_depth(const struct certsrc *s, unsigned usage, struct err *e)
{
	char *subject;

	if (usage == TLSA_USAGE_PKIX_EE || usage == TLSA_USAGE_DANE_EE)
		return 0;
	if (certsrc_ncerts(s) > 1)
		return 1;
	if (certsrc_depth_fits(s, usage, 0))
		return 0;
	subject = certsrc_subject(certsrc_cert(s, 0));
	err_set(e, ERR_USAGE, "%s: usage %u (%s) needs the issuer's "
	    "certificate, but this holds only %s, which is not a CA: give "
	    "the chain (fullchain.pem) or the issuer's certificate, or "
	    "--depth 0 to use it anyway", s->name, usage,
	    tlsa_usage_name(usage), subject);
	free(subject);
	return -1;
}

int
certsrc_pick(const struct certsrc *s, unsigned usage, unsigned selector,
	int depth, struct certsrc_pick *pick, struct err *e)
{
	memset(pick, 0, sizeof(*pick));
	pick->depth = -1;
	if (s->kind != CERTSRC_CERTS) {
		/* A bare key is depth 0 and nothing else, as a lone
		 * certificate is. */
		if (depth > 0)
			return err_set(e, ERR_USAGE, "%s: no certificate at "
			    "depth %d (a %s has none; leave out --depth)",
			    s->name, depth, certsrc_kind_name(s->kind));
		if (selector == TLSA_SEL_CERT)
			return err_set(e, ERR_USAGE, "%s: selector 0 (full "
			    "certificate) needs a certificate, but this is a "
			    "%s; use selector 1 (SPKI)", s->name,
			    certsrc_kind_name(s->kind));
		if (!certsrc_depth_fits(s, usage, -1))
			return err_set(e, ERR_USAGE, "%s: usage %u (%s) names "
			    "an issuer, but this is a bare %s and nothing "
			    "says whose: make %s records from the chain or "
			    "the issuer's certificate, in a run of their own",
			    s->name, usage, tlsa_usage_name(usage),
			    certsrc_kind_name(s->kind), tlsa_usage_name(usage));
		pick->pkey = s->pkey;
		return 0;
	}
	if (depth >= certsrc_ncerts(s))
		return err_set(e, ERR_USAGE, "%s: no certificate at depth %d "
		    "(it holds %d, depth 0 to %d)", s->name, depth,
		    certsrc_ncerts(s), certsrc_ncerts(s) - 1);
	if (depth < 0 && (depth = certsrc_default_depth(s, usage, e)) < 0)
		return -1;
	pick->cert = certsrc_cert(s, depth);
	pick->depth = depth;
	return 0;
}

/* Copy text, making it printable ASCII and at most max bytes long. */
static char *
certsrc_printable(const unsigned char *text, size_t len, size_t max)
{
	char *out;
	size_t i, n = len > max ? max : len;

	out = xmalloc(n + 4);
	for (i = 0; i < n; i++)
		out[i] = text[i] >= 0x20 && text[i] < 0x7f ? (char)text[i] :
		    '?';
	if (n < len) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

char *
certsrc_subject(X509 *cert)
{
	X509_NAME *name = X509_get_subject_name(cert);
	X509_NAME_ENTRY *ent;
	unsigned char *utf8 = NULL, *mem;
	char *s, *cn;
	long memlen;
	int i, n;
	BIO *bio;

	i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	ent = i >= 0 ? X509_NAME_get_entry(name, i) : NULL;
	if (ent != NULL && (n = ASN1_STRING_to_UTF8(&utf8,
	    X509_NAME_ENTRY_get_data(ent))) >= 0) {
		cn = certsrc_printable(utf8, (size_t)n, 72);
		OPENSSL_free(utf8);
		s = xasprintf("CN=%s", cn);
		free(cn);
		return s;
	}
	ERR_clear_error();
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL ||
	    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) < 0) {
		BIO_free(bio);
		ERR_clear_error();
		return xstrdup("an unreadable subject");
	}
	memlen = BIO_get_mem_data(bio, &mem);
	s = memlen > 0 ? certsrc_printable(mem, (size_t)memlen, 80) :
	    xstrdup("an empty subject");
	BIO_free(bio);
	return s;
}

const char *
certsrc_kind_name(enum certsrc_kind kind)
{
	switch (kind) {
	case CERTSRC_CERTS:	return "certificate";
	case CERTSRC_PUBKEY:	return "public key";
	case CERTSRC_PRIVKEY:	return "private key";
	}
	return "input";
}
