/*
 * rua - where the domain's TLS reports (RFC 8460) go, and whether that
 * address reaches a mailbox or "daneops report ingest" on this host.
 *
 * The TXT record at _smtp._tls.DOMAIN ("v=TLSRPTv1; rua=mailto:a@b,...")
 * is looked up through dns/resolver, validating as the check engine does
 * (the same trust anchors, stubs and forwarder), on an event loop of its
 * own with the lookup's timeout.
 *
 * Each mailto: address in a local domain (mydestination) is followed
 * through the alias maps; it must end at a mailbox, a file or a pipe to
 * daneops report ingest.
 *
 * Findings: rua-unreachable, rua-pipe, rua-remote, tlsrpt-missing,
 * tlsrpt-insecure.
 *
 * Ownership: rua_lookup fills a caller's struct rua_txt, released with
 * rua_txt_free; rua_parse's addresses are the caller's to free.
 */
#ifndef DANEOPS_DOCTOR_RUA_H
#define DANEOPS_DOCTOR_RUA_H

#include <stddef.h>

#include "dns/resolver.h"
#include "doctor/aliasmap.h"
#include "doctor/findings.h"
#include "util/err.h"

#define RUA_MAX_TXT     16
#define RUA_MAX_ADDRS   16

struct rua_txt {
	char *v[RUA_MAX_TXT];   /* each record's strings joined */
	size_t n;
	int secure;             /* DNSSEC validated */
};

/*
 * Look up the TXT records at _smtp._tls.domain.  0 with t filled (n may be
 * 0: no record), or -1 with e set (bogus, timeout, bad options).
 */
int rua_lookup(const char *domain, const struct resolver_opts *ro,
	int timeout, struct rua_txt *t, struct err *e);
void rua_txt_free(struct rua_txt *t);

/*
 * The mailto: addresses of a TLSRPT record into addrs (caller frees each);
 * returns how many, or -1 when txt is not a TLSRPTv1 record.
 */
int rua_parse(const char *txt, char **addrs, size_t max);

/* Findings for the domain's records t. */
void rua_check(struct aliasmap *am, const char *domain,
	const struct rua_txt *t, struct findings *f);

#endif
