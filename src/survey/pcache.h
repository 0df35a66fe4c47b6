/*
 * pcache - a per-run probe cache shared by many checks, with politeness.
 *
 * A survey names the same MX host and address for thousands of domains;
 * the probe of an address is done once and its result handed to every
 * check that asks for the same thing.  The same thing is the key (address,
 * port, dialogue, SNI, digest of the reference names and the TLSA set):
 * what a server presents depends on the SNI, and what the handshake
 * verified depends on the records, so a different SNI or record set is a
 * different probe even at one address.  Checks asking while a probe runs
 * wait for it (coalescing); later ones get a copy of the stored result.
 *
 * Politeness: at most per_address connections to one address at a time,
 * and with rate > 0 at most rate new connections per second overall;
 * probes that must wait are queued in the order asked.  Stored results
 * are evicted oldest first beyond max_entries.
 *
 * pcache_start/pcache_cancel have the shapes of struct check_prober (ctx is
 * the struct pcache).  A result is delivered from the loop, never from
 * inside pcache_start; the callback owns it.
 *
 * Ownership: pcache_new/pcache_free; pcache_free cancels every waiting job
 * without calling back.  The base and SSL_CTX are borrowed.
 */
#ifndef DANEOPS_PCACHE_H
#define DANEOPS_PCACHE_H

#include <stddef.h>

#include <event2/event.h>
#include <openssl/ssl.h>

#include "probe/probe.h"
#include "util/err.h"

struct pcache_opts {
	size_t per_address;     /* 0: 2 */
	double rate;            /* new connections per second; 0: no limit */
	size_t max_entries;     /* stored results; 0: 4096 */
	int no_share;           /* one probe per asker, nothing stored: a
				   baseline, politeness still applies */
};

struct pcache_stats {
	size_t probes;          /* probes started (connections) */
	size_t hits;            /* answered from a stored result */
	size_t coalesced;       /* joined a probe already running */
	size_t addresses;       /* distinct addresses probed */
	size_t evicted;
	size_t max_active_per_address;  /* the most seen at once */
};

struct pcache;

struct pcache *pcache_new(struct event_base *base, SSL_CTX *ctx,
	const struct pcache_opts *o);
void pcache_free(struct pcache *pc);

void *pcache_start(void *pc, const struct probe_target *t,
	probe_done_cb done, void *arg, struct err *e);
void pcache_cancel(void *pc, void *job);

void pcache_get_stats(const struct pcache *pc, struct pcache_stats *st);

#endif
