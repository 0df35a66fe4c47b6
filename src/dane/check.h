/*
 * check - verify one mail domain (or one service) as a DANE-aware sending
 * MTA would (RFC 7672), on the caller's event loop.
 *
 * check_start resolves (dns/mx), probes every address of every host it may
 * (probe), then evaluates (check_evaluate, verdict.c) and calls back with a
 * struct check_result: the model that the human, JSON and Nagios outputs
 * print and that a survey can aggregate.  A check keeps no global state,
 * holds a bounded amount of memory (MX_MAX_HOSTS x MX_MAX_ADDRS probes) and
 * ends by its deadline whatever its peers do, so thousands can share one
 * loop, resolver and SSL_CTX.
 *
 * Verdicts:
 *   pass            every address of every host authenticated by TLSA
 *   warn            passed, with warnings (expiry, one record, a host
 *                   without DANE or with unusable records, ...)
 *   fail            a DANE failure: bogus DNS, a handshake or STARTTLS
 *                   failure where DANE applies, no matching record
 *   not-applicable  DANE does not apply (unsigned, no TLSA, null MX)
 *   unknown         could not check (DNS failure or timeout)
 * An address or host may also be "unauthenticated": a secure TLSA set
 * with no usable record (PKIX usages, unknown parameters, bad digests),
 * where a sender at level dane requires TLS but authenticates nothing and
 * one at level dane-only defers.  A domain none of whose hosts is
 * authenticated fails: its records authenticate nothing.
 *
 * Ownership: check_start returns a handle valid until the callback has
 * run or check_cancel was called; the callback owns the check_result and
 * frees it with check_result_free.  The struct check_env is borrowed and
 * must outlive the check.
 */
#ifndef DANEOPS_CHECK_H
#define DANEOPS_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <event2/event.h>
#include <openssl/ssl.h>

#include "dns/mx.h"
#include "dns/resolver.h"
#include "probe/probe.h"
#include "tlsa/tlsa.h"
#include "util/err.h"

enum check_verdict {
	CHECK_PASS = 0,
	CHECK_WARN,
	CHECK_UNAUTH,           /* addresses and hosts only */
	CHECK_NONE,
	CHECK_FAIL,
	CHECK_UNKNOWN,
};

/*
 * The sender's policy, with Postfix's names (smtp_tls_security_level):
 * at "dane" a host without usable TLSA records gets TLS without
 * authentication (or none without TLSA); at "dane-only" the mail to such
 * a host is deferred.  Host verdicts do not change with the level; what
 * the reasons and the summary say senders do does.
 */
enum check_level {
	CHECK_LEVEL_DANE = 0,
	CHECK_LEVEL_DANE_ONLY,
};

/* Some large senders stop reading a TLSA set after this many records. */
#define CHECK_MAX_SANE_RECORDS  12

struct check_warning {
	char *code;             /* "expiring", "single-record", ... */
	char *host;             /* or NULL */
	char *address;          /* or NULL */
	char *zone;             /* DNSSEC warnings: the signing zone, or NULL */
	char *rrset;            /* and the RRset, "NAME TYPE", or NULL */
	char *message;          /* one line */
};

/*
 * One signed RRset the verdict used - MX, A/AAAA (with CNAMEs), TLSA, and
 * the DNSKEY/DS chain of every signing zone up to the root - with its
 * earliest RRSIG expiration.  An expired one makes the domain bogus for
 * every validating sender.
 */
struct check_rrsig {
	char *name;             /* owner */
	uint16_t type;
	char *zone;             /* signer */
	time_t expires;
};

struct check_addr {
	char *address;
	int family;
	enum check_verdict verdict;
	char *why;
	struct probe_result *probe;     /* NULL when not probed */
	char *probe_error;              /* probe_start refused */
	int timed_out;                  /* the run's deadline passed */
	int days_left;                  /* leaf expiry; valid with probe */
	struct probe *p;                /* in flight */
	void *job;                      /* in flight at the prober */
	struct check *c;
};

struct check_rec {
	struct tlsa_rec *rec;           /* borrowed from the mx_host */
	int usable;
	const char *unusable_why;       /* static */
	size_t nmatched;                /* addresses that presented a match */
	int depth;                      /* smallest depth matched, -1 */
};

struct check_host {
	struct mx_host *mx;             /* borrowed from result->mx */
	enum check_verdict verdict;
	char *why;
	struct check_rec *recs;
	size_t nrecs;
	struct check_addr *addrs;
	size_t naddrs;
};

struct check_result {
	char *domain;
	uint16_t port;
	enum starttls_kind starttls;
	int single;                     /* --host */
	int warn_days;
	int sig_warn_days;
	enum check_level level;
	time_t started;
	double elapsed_ms;
	int dns_timed_out;
	struct mx_result *mx;           /* owned; NULL if DNS did not end */
	struct check_host *hosts;
	size_t nhosts;
	enum check_verdict verdict;
	char *summary;                  /* one line */
	struct check_warning *warnings;
	size_t nwarnings;
	struct check_rrsig *rrsigs;     /* by expiry, earliest first */
	size_t nrrsigs;
	int rrsigs_incomplete;          /* the chain walk did not finish */
};

/*
 * A prober shared by many checks (survey's probe cache).  start behaves as
 * probe_start (the callback runs once, from the loop, and owns the result;
 * NULL with e set when refused); cancel (before the callback) drops the
 * job without calling back.  With a prober a check asks once a host is
 * decided, with its full target (no deferred records).
 */
struct check_prober {
	void *(*start)(void *ctx, const struct probe_target *t,
	    probe_done_cb done, void *arg, struct err *e);
	void (*cancel)(void *ctx, void *job);
	void *ctx;
};

struct check_opts {
	uint16_t port;                  /* 0: 25 */
	enum starttls_kind starttls;
	int starttls_set;               /* else from the port */
	int single;                     /* the name is a host, not a domain */
	int no_ipv4, no_ipv6;
	int warn_days;                  /* < 0: 21 */
	int sig_warn_days;              /* RRSIG expiry; 0: 7, < 0: 0 */
	enum check_level level;         /* 0: dane */
	int total_ms;                   /* deadline for the check; 0: none */
	int connect_ms, reply_ms, handshake_ms;     /* 0: probe defaults */
	const char *ehlo_name;
	/*
	 * Without a prober a check probes each host's addresses as soon as
	 * they are known, handing the probes the TLSA records when they come.
	 */
	const struct check_prober *prober;      /* or NULL; borrowed */
};

/*
 * What many checks share: one loop, one resolver (one cache), one client
 * SSL_CTX (probe_ssl_ctx_new).  Borrowed by every check.
 */
struct check_env {
	struct event_base *base;
	struct resolver *resolver;
	SSL_CTX *ctx;
};

struct check;
typedef void (*check_done_cb)(void *arg, struct check_result *res);

struct check *check_start(const struct check_env *env, const char *name,
	const struct check_opts *o, check_done_cb done, void *arg,
	struct err *e);
void check_cancel(struct check *c);
void check_result_free(struct check_result *res);

/* verdict.c: records, addresses, hosts, the domain and the warnings. */
void check_evaluate(struct check_result *res, time_t now);

const char *check_verdict_name(enum check_verdict v);
const char *check_level_name(enum check_level l);   /* "dane" */
/* "dane" or "dane-only"; -1 when unknown. */
int check_level_parse(const char *s, enum check_level *l);

#endif
