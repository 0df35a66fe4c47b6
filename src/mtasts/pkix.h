/*
 * pkix - is a presented certificate chain PKIX-valid for an MX name
 * (RFC 8461 §4.2)?  The chain is the one a probe already holds (the
 * DANE check's connection): MTA-STS costs no second handshake.
 *
 * Trust comes from the system store (OpenSSL's default paths, as
 * Debian's ca-certificates fills them) or, for private setups and the
 * lab, from one CA file instead.
 *
 * Ownership: mtasts_store_new returns an X509_STORE the caller frees
 * with X509_STORE_free.  The chain is borrowed.
 */
#ifndef DANEOPS_MTASTS_PKIX_H
#define DANEOPS_MTASTS_PKIX_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "util/err.h"

/* ca_file NULL: the system store.  ERR_INPUT for an unusable file. */
X509_STORE *mtasts_store_new(const char *ca_file, struct err *e);

/*
 * 0 when chain (leaf first, as sent) builds to a trusted root at time now,
 * is fit for a TLS server and names host (X509_check_host: SAN DNS-IDs,
 * wildcards whole-label only); else -1 with why (one line) filled.
 */
int mtasts_pkix_verify(X509_STORE *store, STACK_OF(X509) *chain,
	const char *host, time_t now, char *why, size_t whylen);

#endif
