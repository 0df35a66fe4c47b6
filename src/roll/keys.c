/*
 * keys - key identities, records, checks and next-key generation.
 */
#include "roll/keys.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tlsa/certsrc.h"
#include "tlsa/tlsa.h"
#include "tlsa/tlsa_gen.h"
#include "util/fileio.h"
#include "util/hex.h"
#include "util/xalloc.h"

/* Do the configured records depend on more than the public key? */
static int
keys_need_certs(const struct conf_lineage *l)
{
	size_t i;

	for (i = 0; i < l->nparams; i++)
		if (l->params[i].selector != TLSA_SEL_SPKI ||
		    l->params[i].usage != TLSA_USAGE_DANE_EE)
			return 1;
	return 0;
}

static int
keys_make_id(struct keyset *k, const struct conf_lineage *l, struct err *e)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *der = NULL, dig[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	char *hex;
	int n, i, ok;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return err_set_ssl(e, ERR_SYSTEM, "SHA-256");
	}
	n = i2d_PUBKEY(k->pkey, &der);
	ok = n > 0 && EVP_DigestUpdate(md, der, (size_t)n) == 1;
	OPENSSL_free(der);
	for (i = 0; ok && k->chain != NULL && keys_need_certs(l) &&
	    i < sk_X509_num(k->chain); i++) {
		der = NULL;
		n = i2d_X509(sk_X509_value(k->chain, i), &der);
		ok = n > 0 && EVP_DigestUpdate(md, der, (size_t)n) == 1;
		OPENSSL_free(der);
	}
	ok = ok && EVP_DigestFinal_ex(md, dig, &dlen) == 1;
	EVP_MD_CTX_free(md);
	if (!ok)
		return err_set_ssl(e, ERR_INPUT, "cannot hash the public key");
	hex = hex_encode(dig, dlen);
	snprintf(k->id, sizeof(k->id), "%s", hex);
	free(hex);
	return 0;
}

static struct certsrc *
keys_parse(const char *path, const char *text, struct err *e)
{
	return certsrc_parse(path, (const uint8_t *)text, strlen(text), e);
}

struct keyset *
keys_load(const char *key_path, const char *chain_path,
	const struct conf_lineage *l, struct err *e)
{
	struct keyset *k = xcalloc(1, sizeof(*k));
	struct certsrc *ks = NULL, *cs = NULL;

	if ((k->key_pem = fileio_read(key_path, FILEIO_DEFAULT_MAX, NULL,
	    e)) == NULL || (ks = keys_parse(key_path, k->key_pem, e)) == NULL)
		goto fail;
	if (ks->kind != CERTSRC_PRIVKEY) {
		err_set(e, ERR_INPUT, "%s: not a private key", key_path);
		goto fail;
	}
	k->pkey = ks->pkey;
	ks->pkey = NULL;
	if (chain_path != NULL) {
		if ((k->chain_pem = fileio_read(chain_path, FILEIO_DEFAULT_MAX,
		    NULL, e)) == NULL ||
		    (cs = keys_parse(chain_path, k->chain_pem, e)) == NULL)
			goto fail;
		if (cs->kind != CERTSRC_CERTS) {
			err_set(e, ERR_INPUT, "%s: no certificates", chain_path);
			goto fail;
		}
		k->chain = cs->chain;
		cs->chain = NULL;
	}
	if (keys_make_id(k, l, e) < 0)
		goto fail;
	certsrc_free(ks);
	certsrc_free(cs);
	return k;
fail:
	certsrc_free(ks);
	certsrc_free(cs);
	keys_free(k);
	return NULL;
}

struct keyset *
keys_from_chain(STACK_OF(X509) *chain, const struct conf_lineage *l,
	struct err *e)
{
	struct keyset *k;
	EVP_PKEY *pk;

	if (chain == NULL || sk_X509_num(chain) < 1 ||
	    (pk = X509_get_pubkey(sk_X509_value(chain, 0))) == NULL) {
		err_set(e, ERR_INPUT, "no certificate presented");
		return NULL;
	}
	k = xcalloc(1, sizeof(*k));
	k->pkey = pk;
	k->chain = X509_chain_up_ref(chain);
	if (keys_make_id(k, l, e) < 0) {
		keys_free(k);
		return NULL;
	}
	return k;
}

void
keys_free(struct keyset *k)
{
	if (k == NULL)
		return;
	free(k->key_pem);
	free(k->chain_pem);
	EVP_PKEY_free(k->pkey);
	sk_X509_pop_free(k->chain, X509_free);
	free(k);
}

void
keys_list_free(char **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

/* The record of one kind for k, or NULL when k cannot yield it. */
static struct tlsa_rec *
keys_one(const struct keyset *k, const struct conf_params *p, struct err *e)
{
	int ee = p->usage == TLSA_USAGE_DANE_EE || p->usage == TLSA_USAGE_PKIX_EE;
	int depth = ee ? 0 : 1;

	if (ee && p->selector == TLSA_SEL_SPKI)
		return tlsa_rec_for_pkey(k->pkey, p->usage, p->selector,
		    p->mtype, e);
	if (k->chain == NULL || sk_X509_num(k->chain) <= depth)
		return NULL;
	return tlsa_rec_for_cert(sk_X509_value(k->chain, depth), p->usage,
	    p->selector, p->mtype, e);
}

int
keys_records(const struct keyset *k, const struct conf_lineage *l,
	char ***recs, size_t *nrecs, struct err *e)
{
	struct tlsa_rec *r;
	char **list, *text;
	size_t i, j, n = 0;

	list = xcalloc(l->nowners * l->nparams + 1, sizeof(*list));
	for (j = 0; j < l->nparams; j++) {
		err_clear(e);
		if ((r = keys_one(k, &l->params[j], e)) == NULL) {
			if (e->kind != ERR_NONE) {
				keys_list_free(list, n);
				return -1;
			}
			continue;
		}
		text = tlsa_rec_format(r);
		tlsa_rec_free(r);
		for (i = 0; i < l->nowners; i++)
			list[n++] = xasprintf("%s %s", l->owners[i], text);
		free(text);
	}
	*recs = list;
	*nrecs = n;
	return 0;
}

static int
keys_verify_chain(const struct keyset *k, const char *ca_file, struct err *e)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	int i, ok = 0;

	if (store == NULL || ctx == NULL || untrusted == NULL) {
		err_set_ssl(e, ERR_SYSTEM, "certificate store");
		goto done;
	}
	/* OpenSSL reads it by name: no directory, device or giant file. */
	if (ca_file != NULL && fileio_check_regular(ca_file, 16 * 1024 * 1024,
	    e) < 0)
		goto done;
	if ((ca_file != NULL ? X509_STORE_load_file(store, ca_file) :
	    X509_STORE_set_default_paths(store)) != 1) {
		err_set_ssl(e, ERR_INPUT, "%s: cannot load CA certificates",
		    ca_file != NULL ? ca_file : "the system store");
		goto done;
	}
	for (i = 1; i < sk_X509_num(k->chain); i++)
		sk_X509_push(untrusted, sk_X509_value(k->chain, i));
	if (X509_STORE_CTX_init(ctx, store, sk_X509_value(k->chain, 0),
	    untrusted) != 1) {
		err_set_ssl(e, ERR_SYSTEM, "certificate store");
		goto done;
	}
	if (X509_verify_cert(ctx) != 1) {
		err_set(e, ERR_INPUT, "the chain does not verify to %s: %s",
		    ca_file != NULL ? ca_file : "the system store",
		    X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
		goto done;
	}
	ok = 1;
done:
	sk_X509_free(untrusted);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ok ? 0 : -1;
}

int
keys_check(const struct keyset *k, const struct conf_lineage *l,
	const char *ca_file, struct err *e)
{
	X509 *leaf;
	char *host;
	size_t i;
	int rc;

	if (k->chain == NULL || sk_X509_num(k->chain) < 1)
		return err_set(e, ERR_INPUT, "no certificate");
	leaf = sk_X509_value(k->chain, 0);
	if (X509_check_private_key(leaf, k->pkey) != 1) {
		ERR_clear_error();
		return err_set(e, ERR_INPUT, "the key does not match the "
		    "certificate");
	}
	if (keys_verify_chain(k, ca_file, e) < 0)
		return -1;
	for (i = 0; i < l->nowners; i++) {
		if ((host = conf_owner_host(l->owners[i])) == NULL)
			return err_set(e, ERR_INTERNAL, "owner %s", l->owners[i]);
		rc = X509_check_host(leaf, host, 0, 0, NULL);
		if (rc != 1) {
			err_set(e, ERR_INPUT, "the certificate does not name %s "
			    "(needed by %s)", host, l->owners[i]);
			free(host);
			return -1;
		}
		free(host);
	}
	return 0;
}

int
keys_generate(const char *path, const char *type, struct err *e)
{
	EVP_PKEY *pk;
	BIO *bio;
	BUF_MEM *mem;
	int rc;

	if (strcmp(type, "rsa") == 0)
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	else
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (pk == NULL)
		return err_set_ssl(e, ERR_SYSTEM, "cannot generate a %s key", type);
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL) != 1) {
		BIO_free(bio);
		EVP_PKEY_free(pk);
		return err_set_ssl(e, ERR_SYSTEM, "cannot encode the new key");
	}
	BIO_get_mem_ptr(bio, &mem);
	rc = fileio_write_atomic(path, mem->data, mem->length, 0600, e);
	BIO_free(bio);
	EVP_PKEY_free(pk);
	return rc;
}
