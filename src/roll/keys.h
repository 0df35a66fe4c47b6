/*
 * keys - the keys and certificates of a lineage: identities, the records
 * they need, next-key generation, and the checks before anything goes live.
 *
 * A key's id is the SHA-256 of its SubjectPublicKeyInfo (hex), extended
 * with the certificates when a configured record kind depends on them
 * (selector 0, or a usage other than 3): "the same key" then means "the
 * same records", which is what decides whether a renewal may go live at
 * once.
 *
 * Ownership: keys_load returns a keyset the caller frees with
 * keys_free (NULL is a no-op); record lists come from keys_records and
 * are freed with keys_list_free.
 */
#ifndef DANEOPS_ROLL_KEYS_H
#define DANEOPS_ROLL_KEYS_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "roll/conf.h"
#include "util/err.h"

#define KEYS_ID_LEN     64      /* hex digits */

struct keyset {
	char *key_pem;          /* the files' bytes, as read */
	char *chain_pem;        /* NULL for a bare key */
	EVP_PKEY *pkey;
	STACK_OF(X509) *chain;  /* leaf first; NULL for a bare key */
	char id[KEYS_ID_LEN + 1];
};

/* Load a key and (chain_path non-NULL) its chain. */
struct keyset *keys_load(const char *key_path, const char *chain_path,
	const struct conf_lineage *l, struct err *e);
/* The same from a presented chain (no private key): the leaf's key. */
struct keyset *keys_from_chain(STACK_OF(X509) *chain,
	const struct conf_lineage *l, struct err *e);
void keys_free(struct keyset *k);

/*
 * The records "OWNER U S M HEX" the key needs at every owner.  A bare key
 * yields only the selector 1, usage 3 kinds (others need a certificate).
 */
int keys_records(const struct keyset *k, const struct conf_lineage *l,
	char ***recs, size_t *nrecs, struct err *e);
void keys_list_free(char **list, size_t n);

/*
 * Before anything goes live: the key matches the certificate, the chain
 * verifies to ca_file (NULL: the system store) and every TLSA owner's host
 * is a name of the certificate.  0 if fine; -1 with e saying why.
 */
int keys_check(const struct keyset *k, const struct conf_lineage *l,
	const char *ca_file, struct err *e);

/* Make a new key ("rsa": RSA 2048, "ec": P-256), written 0600 atomically. */
int keys_generate(const char *path, const char *type, struct err *e);

#endif
