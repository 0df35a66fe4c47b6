/*
 * sigchain - the DNSKEY and DS RRsets a set of signed answers hangs from,
 * up to the root, each with its earliest RRSIG expiration.
 *
 * An expired signature anywhere on the way from the trust anchor to a
 * record makes the record bogus, and a DANE sender then defers all mail.
 * A validator used those RRsets but does not hand them out, so they are
 * asked again (libunbound answers from its cache): for every signing
 * zone, its DNSKEY RRset (signed by the zone) and its DS RRset (signed by
 * the parent, whose own chain is followed in turn), up to the root.
 *
 * Ownership: sigchain_start returns a handle valid until the callback has
 * run or sigchain_cancel was called; the callback owns the result and
 * frees it with sigchain_result_free.  The resolver is borrowed.
 */
#ifndef DANEOPS_SIGCHAIN_H
#define DANEOPS_SIGCHAIN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dns/dns_answer.h"
#include "dns/resolver.h"
#include "util/err.h"

#define SIGCHAIN_MAX_ZONES      32      /* zones followed per chain walk */

struct sigchain_rrset {
	char *name;             /* owner: the zone apex */
	uint16_t type;          /* DNS_TYPE_DNSKEY or DNS_TYPE_DS */
	char *zone;             /* the signer: the zone itself, or the parent */
	time_t expires;         /* earliest RRSIG expiration */
};

struct sigchain_result {
	struct sigchain_rrset *sets;
	size_t nsets;
	int truncated;          /* more than SIGCHAIN_MAX_ZONES zones */
};

struct sigchain;
typedef void (*sigchain_done_cb)(void *arg, struct sigchain_result *res);

/*
 * Walk from zones[0..n-1] (signer names, n >= 1) to the root.  Only secure
 * answers carrying RRSIGs give RRsets; the callback runs once, from the
 * loop.  Fails (NULL, e set) for no zones or a name that cannot be asked.
 */
struct sigchain *sigchain_start(struct resolver *r, const char *const *zones,
	size_t n, sigchain_done_cb done, void *arg, struct err *e);
void sigchain_cancel(struct sigchain *sc);
void sigchain_result_free(struct sigchain_result *res);

#endif
