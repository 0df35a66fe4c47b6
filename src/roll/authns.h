/*
 * authns - what every authoritative server of a zone serves, asked
 * directly at each of its addresses (RD=0), not through a cache.
 *
 * The NS set comes from the (validating) resolver, then the A and AAAA of
 * each NS name; each address is asked for the SOA (the negative TTL:
 * min(SOA TTL, SOA MINIMUM), RFC 2308) and the TLSA set of every owner.
 * An address that does not answer, or answers without the AA bit, counts
 * as not serving: a rollover waits for it.  Blocking ldns calls are fine
 * here: a roll run asks a handful of servers a handful of questions.
 *
 * Ownership: authns_query returns a result the caller frees with
 * authns_free (NULL is a no-op).
 */
#ifndef DANEOPS_ROLL_AUTHNS_H
#define DANEOPS_ROLL_AUTHNS_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct authns_addr {
	char *ns;               /* the NS name */
	char *addr;             /* numeric */
	char *error;            /* NULL when it answered for every owner */
	char **recs;            /* "OWNER U S M HEX" served */
	size_t nrecs;
};

struct authns {
	char *zone;
	uint32_t neg_ttl;       /* largest over the servers */
	uint32_t tlsa_ttl;      /* largest TLSA TTL served */
	struct authns_addr *addrs;
	size_t naddrs;
	uint32_t soa_ttl, soa_min;      /* of the SOA neg_ttl comes from */
};

/*
 * resolver: "IP[@PORT]" for the NS and address lookups, NULL for
 * /etc/resolv.conf.  server_port: the port to ask the authoritative
 * servers on (53).  Fails only when the NS set or no address is found.
 */
struct authns *authns_query(const char *zone, char *const *owners,
	size_t nowners, const char *resolver, struct err *e);
void authns_free(struct authns *a);

/* Every address answered and serves every one of recs. */
int authns_served(const struct authns *a, const char *const *recs, size_t n);

#endif
