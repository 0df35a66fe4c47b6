/*
 * mtasts - a mail domain's MTA-STS (RFC 8461) and TLSRPT (RFC 8460)
 * records and policy, judged beside its DANE check.
 *
 * mtasts_start runs on the check's event loop and resolver: the TXT
 * records at _mta-sts.DOMAIN and _smtp._tls.DOMAIN and the addresses of
 * mta-sts.DOMAIN, then (when a v=STSv1 record is published) the policy
 * fetch, which runs on a thread of its own through the daneops-http
 * plugin (fetch.h) so the loop keeps probing meanwhile.  It calls back
 * with a struct mtasts_result.
 *
 * mtasts_judge then needs no network: it matches every MX host of the
 * DANE check's result against the policy's mx patterns and judges the
 * certificate chain each of its probes was shown (one connection per
 * address, shared with DANE) as PKIX-valid for the MX name or not.
 *
 * Verdicts (enum check_verdict, as DANE's):
 *   pass            enforce policy; every MX host matched, every address
 *                   showed a PKIX-valid certificate for its name
 *   warn            as pass, but mode testing, a short max_age, or no
 *                   usable TLSRPT record
 *   fail            a TXT record that senders ignore (syntax, several),
 *                   a policy that cannot be fetched or parsed, an MX host
 *                   no pattern matches, an address without STARTTLS or
 *                   with a certificate not PKIX-valid for the MX name
 *   not-applicable  no _mta-sts record, or policy mode none
 *   unknown         DNS or the fetch timed out / failed temporarily
 * Where DANE passes an address that MTA-STS fails (a self-signed or
 * expired DANE-EE certificate) the warning "dane-sts-conflict" says so:
 * senders that do MTA-STS but not DANE will not deliver there.
 *
 * Ownership: mtasts_start returns a handle valid until the callback has
 * run or mtasts_cancel was called; the callback owns the result, freed
 * with mtasts_result_free.  The resolver and base are borrowed.
 */
#ifndef DANEOPS_MTASTS_H
#define DANEOPS_MTASTS_H

#include <stddef.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>
#include <openssl/x509.h>

#include "dane/check.h"
#include "dns/resolver.h"
#include "mtasts/policy.h"
#include "mtasts/record.h"
#include "util/err.h"

#define MTASTS_PATH "/.well-known/mta-sts.txt"
#define MTASTS_MAX_TXT  16

struct mtasts_opts {
	const char *ca_file;            /* or NULL: the system store */
	int timeout_ms;                 /* the fetch; 0: 60 s (§3.3) */
	int no_ipv4, no_ipv6;
};

/* One TXT lookup: what DNS said and the records. */
struct mtasts_txtset {
	char *name;
	enum dns_status status;
	enum dns_sec sec;
	char *error;                    /* DNS failure, or NULL */
	char *txt[MTASTS_MAX_TXT];
	size_t ntxt;
	enum mtasts_sel sel;
	char *sel_error;                /* why the selection is unusable */
};

struct mtasts_addr {
	char *address;
	enum check_verdict verdict;
	char *why;
	int dane_ok;                    /* DANE authenticated this address */
};

struct mtasts_host {
	char *name;
	char *pattern;                  /* the mx pattern matched, or NULL */
	enum check_verdict verdict;
	char *why;
	struct mtasts_addr *addrs;
	size_t naddrs;
};

struct mtasts_result {
	char *domain;
	struct mtasts_txtset sts;       /* _mta-sts.DOMAIN */
	struct mtasts_txt rec;          /* valid when sts.sel == ONE */
	struct mtasts_txtset rpt;       /* _smtp._tls.DOMAIN */
	struct mtasts_tlsrpt tlsrpt;    /* valid when rpt.sel == ONE */
	/* the policy */
	char *url;
	int fetched;                    /* a fetch was tried */
	long http_status;
	char *content_type;
	char *policy_text;              /* the body, when it came */
	char *policy_error;             /* fetch or parse failure, or NULL */
	int policy_temp;                /* the failure was temporary */
	struct mtasts_policy *policy;   /* parsed, or NULL */
	/* mtasts_judge */
	int judged;
	enum check_verdict verdict;
	char *summary;
	struct mtasts_host *hosts;
	size_t nhosts;
	struct check_warning *warnings;
	size_t nwarnings;
};

struct mtasts_job;
typedef void (*mtasts_done_cb)(void *arg, struct mtasts_result *res);

/*
 * NULL with e set when the domain is not a name (ERR_USAGE).  The
 * daneops-http plugin is loaded only when a policy is to be fetched; when
 * it cannot be, the result says so (verdict unknown).
 */
struct mtasts_job *mtasts_start(struct event_base *base, struct resolver *r,
	const char *domain, const struct mtasts_opts *o, mtasts_done_cb done,
	void *arg, struct err *e);
void mtasts_cancel(struct mtasts_job *j);
void mtasts_result_free(struct mtasts_result *res);

/*
 * Judge m against the DANE check of the same domain (its MX hosts and
 * probes; dane may be NULL when it did not end: unknown) with the trust
 * store (pkix.h).
 */
void mtasts_judge(struct mtasts_result *m, const struct check_result *dane,
	X509_STORE *store, time_t now);

/* The "mta_sts" object of docs/check-json.md; a new reference. */
json_t *mtasts_json(const struct mtasts_result *m);

/*
 * From the fetch's answer to res's policy fields (split out for tests):
 * status 200, media type text/plain, then the parse.
 */
void mtasts_take_policy(struct mtasts_result *res, long status,
	const char *content_type, const char *body, size_t len);

#endif
