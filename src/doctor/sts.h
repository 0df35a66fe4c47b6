/*
 * sts - the local domain's MTA-STS policy (RFC 8461) against this host's
 * configuration, for "daneops doctor".
 *
 * Live (DNS and HTTPS, through mtasts.h on a loop of its own): the
 * _mta-sts record and the policy; the domain's MX hosts from DNS.  Local:
 * the MX host names this host serves (Postfix's myhostname, and the hosts
 * of the TLSA owners of every lineage in the daneops configuration) and
 * the certificate files deployed for them (each lineage's deploy_chain).
 *
 * A domain without an _mta-sts record gets no finding: MTA-STS is optional.
 * Findings: sts-txt-invalid, sts-policy-unusable
 * (errors: senders ignore it), sts-testing (info), sts-mx-unmatched (error:
 * an MX host or a host this machine serves that no mx pattern matches),
 * sts-cert-invalid (error: a deployed chain that is not PKIX-valid for its
 * host now, e.g. a self-signed DANE-EE certificate).
 */
#ifndef DANEOPS_DOCTOR_STS_H
#define DANEOPS_DOCTOR_STS_H

#include "doctor/findings.h"
#include "doctor/host.h"
#include "dns/resolver.h"
#include "roll/conf.h"
#include "util/err.h"

struct sts_opts {
	const struct resolver_opts *ro;
	int timeout;                    /* seconds, for DNS and the fetch */
	const char *ca_file;            /* or NULL: the system store */
};

/*
 * Check domain; c (the daneops configuration) may be NULL.  -1 with e
 * when the live part could not run (DNS failed or timed out).
 */
int sts_check(const char *domain, const struct host *h, const struct conf *c,
	const struct sts_opts *o, struct findings *f, struct err *e);

#endif
