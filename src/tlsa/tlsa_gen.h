/*
 * tlsa_gen - compute and match TLSA association data with OpenSSL.
 *
 * The digest of a certificate (selector 0: its DER) or of its public key
 * (selector 1: the DER SubjectPublicKeyInfo), per RFC 6698 §2.1; matching
 * type 0 is the DER itself.  The same code serves record generation
 * (daneops tlsa) and the per-record analysis of a presented chain (check,
 * roll), so a record daneops publishes and a record it verifies are computed
 * one way only.
 *
 * Ownership: functions returning struct tlsa_rec * give the caller a record
 * to free with tlsa_rec_free.  X509, STACK_OF(X509) and EVP_PKEY arguments
 * are borrowed.
 */
#ifndef DANEOPS_TLSA_GEN_H
#define DANEOPS_TLSA_GEN_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tlsa/tlsa.h"
#include "util/err.h"

/* Record U S M for a certificate; NULL and e set on an unsupported S or M. */
struct tlsa_rec *tlsa_rec_for_cert(X509 *cert, unsigned usage,
	unsigned selector, unsigned mtype, struct err *e);

/* Record U 1 M for a bare public (or private) key: selector must be 1. */
struct tlsa_rec *tlsa_rec_for_pkey(EVP_PKEY *pkey, unsigned usage,
	unsigned selector, unsigned mtype, struct err *e);

/* 1 if r's selector/matching type/data match cert (usage ignored), else 0. */
int tlsa_rec_matches_cert(const struct tlsa_rec *r, X509 *cert);

/* 1 if r (selector 1) matches the public key, else 0. */
int tlsa_rec_matches_pkey(const struct tlsa_rec *r, EVP_PKEY *pkey);

/*
 * The smallest depth (0 = leaf) in chain whose certificate r matches,
 * ignoring usage; -1 when none does.
 */
int tlsa_rec_match_chain(const struct tlsa_rec *r, STACK_OF(X509) *chain);

/*
 * Check that usage 0-3, selector 0-1 and matching type 0-2 are parameters
 * daneops can compute; otherwise ERR_USAGE naming the field and -1.
 */
int tlsa_params_check(unsigned usage, unsigned selector, unsigned mtype,
	struct err *e);

/*
 * Parse the parameters a user asks for: "311", "3,1,1", "3 1 1" or the
 * RFC 7218 names ("DANE-EE SPKI SHA2-256", any case), then check them as
 * tlsa_params_check does.  Returns 0, or -1 with ERR_USAGE.
 */
int tlsa_params_parse(const char *text, unsigned *usage, unsigned *selector,
	unsigned *mtype, struct err *e);

#endif
