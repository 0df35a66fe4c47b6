/*
 * tlsa - TLSA records (RFC 6698, RFC 7671): the value type the whole engine
 * shares.
 *
 * A struct tlsa_rec is one record's RDATA: usage, selector, matching type
 * and the association data in binary.  The owner name and TTL live with the
 * code that publishes or looks records up, not here.
 *
 * Ownership: tlsa_rec_new and tlsa_rec_parse return a record the caller
 * owns and releases with tlsa_rec_free (NULL is a no-op).  The record owns
 * its data.
 */
#ifndef DANEOPS_TLSA_H
#define DANEOPS_TLSA_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Certificate usages (RFC 7218 acronyms). */
enum {
	TLSA_USAGE_PKIX_TA = 0,
	TLSA_USAGE_PKIX_EE = 1,
	TLSA_USAGE_DANE_TA = 2,
	TLSA_USAGE_DANE_EE = 3,
};

/* Selectors. */
enum {
	TLSA_SEL_CERT = 0,
	TLSA_SEL_SPKI = 1,
};

/* Matching types. */
enum {
	TLSA_MATCH_FULL = 0,
	TLSA_MATCH_SHA256 = 1,
	TLSA_MATCH_SHA512 = 2,
};

/* Largest association data accepted (a full certificate, generously). */
#define TLSA_DATA_MAX 65535

struct tlsa_rec {
	uint8_t usage;
	uint8_t selector;
	uint8_t mtype;
	size_t len;
	uint8_t *data;
};

/* A new record with a copy of data[0..len). */
struct tlsa_rec *tlsa_rec_new(uint8_t usage, uint8_t selector, uint8_t mtype,
	const uint8_t *data, size_t len);
struct tlsa_rec *tlsa_rec_dup(const struct tlsa_rec *r);
void tlsa_rec_free(struct tlsa_rec *r);

/*
 * Parse presentation form "U S M HEX" (the hex may contain white space, as
 * in zone files split over lines).  Fields must be 0-255; the digest length
 * must fit the matching type (32 bytes for 1, 64 for 2).  On failure sets e
 * (ERR_USAGE, naming the text) and returns NULL.
 */
struct tlsa_rec *tlsa_rec_parse(const char *text, struct err *e);

/* "U S M hex", lower-case, one line; caller frees. */
char *tlsa_rec_format(const struct tlsa_rec *r);

/* Records equal in every field. */
int tlsa_rec_equal(const struct tlsa_rec *a, const struct tlsa_rec *b);

/*
 * Is the record usable by an SMTP client under RFC 7672 §3.1?  Usages 2 and
 * 3 only, selector 0 or 1, matching type 0-2, digest of the right length.
 * Returns 1 when usable; otherwise 0 and, when why is not NULL, a static
 * reason such as "PKIX-EE usage not used for SMTP".
 */
int tlsa_rec_usable_smtp(const struct tlsa_rec *r, const char **why);

/* RFC 7218 names: "DANE-EE", "SPKI", "SHA2-256"; "unknown" otherwise. */
const char *tlsa_usage_name(unsigned usage);
const char *tlsa_selector_name(unsigned selector);
const char *tlsa_mtype_name(unsigned mtype);

/* Expected data length for a matching type: 32, 64, or 0 (any). */
size_t tlsa_mtype_digest_len(unsigned mtype);

#endif
