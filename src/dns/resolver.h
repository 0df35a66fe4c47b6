/*
 * resolver - validating DNS lookups for a libevent loop (libunbound).
 *
 * One struct resolver wraps one libunbound context that resolves and
 * validates on a thread of ours (ubthread.h: its own event base, batched
 * hand-over both ways, answers parsed there); the caller's loop only
 * queues queries and takes answers.  Why a thread: a survey's DNSSEC work
 * (signature checks are a third of its CPU time) runs beside its TLS work
 * on another core; and a query that timed out no longer lives in the
 * caller's loop, so libunbound's own retries (which can take minutes)
 * never keep a command running past its timeouts.  DNSSEC validation
 * happens in-process: an AD bit from elsewhere is never trusted.  By
 * default the resolver recurses from the root with Debian's root trust
 * anchor (dns-root-data).
 *
 * Options:
 *   trust anchors  files of DS or DNSKEY records (zone-file syntax); they
 *                  replace the root anchor.  Nothing else changes: names
 *                  libunbound answers locally (RFC 6761's "test.") stay
 *                  so unless the conf file says otherwise (the lab's
 *                  does: local-zone "test." nodefault).  A stub zone is
 *                  made transparent, since it was asked for by name.
 *   stubs          "ZONE=IP[@PORT]": send ZONE to that authoritative server.
 *   forwarder      "IP[@PORT]": forward to a recursive resolver, validating
 *                  its answers here.
 *   conf file      handed to ub_ctx_config for anything else.
 *   no_qname_minimisation
 *                  ask for full names (RFC 9156 off): a survey's names
 *                  are public and minimisation costs the surveyed
 *                  servers up to three extra queries per TLSA lookup;
 *                  the conf file can turn it back on.
 *   query_ms       our own per-query timeout: libunbound's internal retries
 *                  can take minutes, and a check must not.
 *   max_inflight   queries given to libunbound at once; more wait in a
 *                  queue (libunbound sets no limit of its own on callback
 *                  queries, and a survey may ask thousands).
 *
 * Answers are delivered from the event loop, never from inside
 * resolver_query (libunbound may answer from its cache re-entrantly; the
 * answer is deferred to a zero-time event).
 *
 * Ownership: resolver_new/resolver_free.  resolver_query returns a handle
 * valid until its callback has run or resolver_cancel was called; the
 * callback owns the struct dns_answer it receives.  resolver_free cancels
 * outstanding queries without calling back.  libunbound's ub_cancel cannot
 * be used with event contexts (it frees a query its mesh still holds), so
 * a cancelled or timed-out query stays known to the resolver until
 * libunbound is done with it or the resolver is freed; it gives its
 * max_inflight slot back at once.
 */
#ifndef DANEOPS_RESOLVER_H
#define DANEOPS_RESOLVER_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "dns/dns_answer.h"
#include "util/err.h"

/* Debian's dns-root-data: the root KSK as DNSKEY records. */
#define RESOLVER_ROOT_ANCHOR "/usr/share/dns/root.key"

struct resolver_opts {
	const char *const *trust_anchors;       /* files; none: root anchor */
	size_t ntrust_anchors;
	const char *const *stubs;               /* "ZONE=IP[@PORT]" */
	size_t nstubs;
	const char *forwarder;                  /* "IP[@PORT]" or NULL */
	const char *conf_file;                  /* or NULL */
	int query_ms;                           /* 0: 10 s */
	size_t max_inflight;                    /* 0: 256 */
	int no_ipv6;                            /* do not query over IPv6 */
	int no_qname_minimisation;              /* unless conf_file says */
};

struct resolver;
struct dns_query;

typedef void (*resolver_cb)(void *arg, struct dns_answer *ans);

/*
 * Configure a context on base.  Fails with ERR_USAGE for a malformed stub
 * or forwarder and ERR_INPUT for an unreadable or invalid trust anchor or
 * configuration file.
 */
struct resolver *resolver_new(struct event_base *base,
	const struct resolver_opts *opts, struct err *e);
void resolver_free(struct resolver *r);

/*
 * Ask for (name, type).  The callback runs exactly once, from the loop,
 * unless the query is cancelled.  Fails (NULL, ERR_USAGE) only for a name
 * that is not a domain name.
 */
struct dns_query *resolver_query(struct resolver *r, const char *name,
	uint16_t type, resolver_cb cb, void *arg, struct err *e);
void resolver_cancel(struct dns_query *q);

/* Queries not yet answered (in libunbound or queued). */
size_t resolver_pending(const struct resolver *r);

/* Largest trust anchor file read (the root's is about 1 KiB). */
#define RESOLVER_TA_MAX (64 * 1024)

/*
 * The trust anchor reader, for files from --trust-anchor and daneops.conf
 * (read through fileio: bounded, no directories or devices): every DS or
 * DNSKEY record of text (zone-file syntax, len bytes) goes to add as one
 * line of presentation format; add returns 0 to accept it.  name is for
 * errors.  The number of records, or -1 (ERR_INPUT) for a syntax error, a
 * record of another type, a refused one, or none at all.
 */
int resolver_ta_parse(const char *name, const char *text, size_t len,
	int (*add)(void *arg, const char *rr), void *arg, struct err *e);

#endif
