/*
 * lineage - each lineage of the daneops configuration, checked live: what
 * its endpoints present against the TLSA records published at its owners,
 * through the check engine (src/dane/check.h) on one event loop.
 *
 * Per TLSA owner of every lineage:
 *   tlsa-stale       a usable record that matches no key an endpoint
 *                    presents, nor the current, source or next key of any
 *                    configured lineage (the keys daneops roll keeps
 *                    records for): a leftover from an old key
 *   no-next-key      the lineage keeps a next key whose record is not
 *                    published, or no record would survive a new key
 *   tlsa-too-many    more than CHECK_MAX_SANE_RECORDS records in the set
 *   cert-expiring    a presented certificate expires within warn_days
 *   cert-expired
 *   tlsa-unusable    a record no DANE SMTP client can use
 *   dane-fail        DANE fails: bogus DNS, or no record matches
 *   dane-missing     no secure TLSA records at the owner
 * A check that ends "unknown" (DNS failure, timeout) is unchecked.
 *
 * Paths in the configuration are used as written, also with --root: they
 * are the paths daneops roll uses on the host that runs it.
 */
#ifndef DANEOPS_DOCTOR_LINEAGE_H
#define DANEOPS_DOCTOR_LINEAGE_H

#include "dns/resolver.h"
#include "doctor/findings.h"
#include "util/err.h"

struct conf;

struct lineage_opts {
	const struct resolver_opts *ro;
	int warn_days;
	int timeout;                    /* seconds, for all checks together */
};

/*
 * Check every lineage of c (borrowed).  Returns 0, or -1 with e set when
 * the checks could not start at all (resolver, bad owner).
 */
int lineage_check(const struct conf *c, const struct lineage_opts *o,
	struct findings *f, struct err *e);

#endif
