/*
 * certsrc - the inputs of "daneops tlsa": a certificate, a chain, a public
 * key or a private key, in PEM or DER, from a file or standard input.
 *
 * certsrc_load reads a file (bounded by fileio_read) and certsrc_parse
 * decodes bytes.  Every certificate in an input becomes its chain, leaf
 * first as in fullchain.pem; an input without certificates must hold
 * exactly one key.  A key is never decrypted: an encrypted private key is an
 * error, and no passphrase is ever asked for.  certsrc_pick and
 * certsrc_depth_fits hold the one rule that ties a certificate usage to a
 * depth in a chain, for generating and for matching alike.
 *
 * Ownership: a struct certsrc owns its name, chain and key; certsrc_free
 * releases them (NULL is a no-op).  Certificates and keys that
 * certsrc_cert and certsrc_pick hand out are borrowed from the source.
 */
#ifndef DANEOPS_CERTSRC_H
#define DANEOPS_CERTSRC_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "util/err.h"

enum certsrc_kind {
	CERTSRC_CERTS,          /* one or more certificates */
	CERTSRC_PUBKEY,         /* a bare public key */
	CERTSRC_PRIVKEY,        /* a private key: its public half is used */
};

struct certsrc {
	char *name;             /* the path as given; "-" is "standard input" */
	enum certsrc_kind kind;
	STACK_OF(X509) *chain;  /* CERTSRC_CERTS: leaf first; else NULL */
	EVP_PKEY *pkey;         /* the key kinds: the key; else NULL */
};

/*
 * Read path ("-": standard input) of at most max bytes and decode it.  On
 * failure sets e (ERR_INPUT, naming the input) and returns NULL.
 */
struct certsrc *certsrc_load(const char *path, size_t max, struct err *e);

/* Decode data[0..len) of the input called name (for messages). */
struct certsrc *certsrc_parse(const char *name, const uint8_t *data,
	size_t len, struct err *e);

void certsrc_free(struct certsrc *s);

/* Number of certificates (0 for a key) and the one at depth (or NULL). */
int certsrc_ncerts(const struct certsrc *s);
X509 *certsrc_cert(const struct certsrc *s, int depth);

/* 1 when cert may issue certificates (basicConstraints CA:TRUE, ...). */
int certsrc_is_ca(X509 *cert);

/*
 * Does a record of this usage describe what sits at depth in s (-1: the
 * key of a key input)?  PKIX-EE(1) and DANE-EE(3) name the leaf, depth 0,
 * or a key.  PKIX-TA(0) and DANE-TA(2) name an issuer: depth 1 or more, or
 * depth 0 when s is a lone CA certificate (the issuer's own file); never a
 * bare key, since nothing says whose key it is.
 */
int certsrc_depth_fits(const struct certsrc *s, unsigned usage, int depth);

struct certsrc_pick {
	X509 *cert;             /* the certificate the record is for, or NULL */
	EVP_PKEY *pkey;         /* else the key */
	int depth;              /* depth of cert; -1 for a key */
};

/*
 * Choose what a record with this usage and selector is made from.  depth -1
 * applies the rule of certsrc_depth_fits (leaf, or depth 1 for an issuer);
 * depth >= 0 forces that certificate of a chain (a key input ignores it).
 * Fails with ERR_USAGE and a message naming the input and a way out when
 * the input cannot give such a record.
 */
int certsrc_pick(const struct certsrc *s, unsigned usage, unsigned selector,
	int depth, struct certsrc_pick *pick, struct err *e);

/*
 * "CN=mx1.example.org", or the whole subject when it has no CN: printable
 * ASCII only (anything else becomes '?'), at most about 80 characters.
 * Caller frees.
 */
char *certsrc_subject(X509 *cert);

/* "certificate", "public key" or "private key". */
const char *certsrc_kind_name(enum certsrc_kind kind);

#endif
