/*
 * pcache - one probe per (address, SNI, record set) per run, politely.
 *
 * An entry moves QUEUED -> RUNNING -> DONE.  Waiters of a QUEUED or
 * RUNNING entry sit on its list and get a copy of the result when the
 * probe ends; a waiter of a DONE entry gets its copy from a zero-time
 * event.  Indexes are tsearch(3) trees (keys and addresses); the queue of
 * entries waiting for a connection slot and the eviction order are lists.
 */
#include "survey/pcache.h"

#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/time.h>

#include <openssl/evp.h>

#include "util/hex.h"
#include "util/xalloc.h"

#define PCACHE_PER_ADDRESS      2
#define PCACHE_MAX_ENTRIES      4096
#define PCACHE_KEY_MAX          (64 + 80 + 256 + 64)

enum pc_state { PC_QUEUED, PC_RUNNING, PC_DONE };

struct pc_waiter {
	TAILQ_ENTRY(pc_waiter) link;
	struct pc_entry *en;
	struct event *ev;               /* delivery of a stored result */
	probe_done_cb done;
	void *arg;
};

struct pc_addr {
	char *addr;
	size_t active;
};

struct pc_entry {
	char *key;
	enum pc_state state;
	struct pcache *pc;
	struct pc_addr *pa;
	struct probe_target t;          /* our copy, for a queued start */
	char *names[5];                 /* DANE-TA reference names, NULL-ended */
	struct tlsa_rec **tlsa;
	struct probe *p;
	struct probe_result *res;
	TAILQ_HEAD(, pc_waiter) waiters;
	TAILQ_ENTRY(pc_entry) qlink;    /* queue (QUEUED) or age (DONE) */
};

TAILQ_HEAD(pc_list, pc_entry);

struct pcache {
	struct event_base *base;
	SSL_CTX *ctx;
	struct pcache_opts o;
	void *keys;                     /* tsearch: struct pc_entry */
	void *addrs;                    /* tsearch: struct pc_addr */
	struct pc_list queue;
	struct pc_list aged;
	size_t ndone;
	struct event *pump;             /* rate limit: start queued later */
	struct timeval next_start;
	size_t seq;                     /* unique keys for no_share */
	struct pcache_stats st;
};

static int
pc_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pc_entry *)a)->key,
	    ((const struct pc_entry *)b)->key);
}

static int
pc_addr_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pc_addr *)a)->addr,
	    ((const struct pc_addr *)b)->addr);
}

static int
pc_rec_cmp(const void *a, const void *b)
{
	const struct tlsa_rec *x = *(struct tlsa_rec *const *)a;
	const struct tlsa_rec *y = *(struct tlsa_rec *const *)b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c;

	if (x->usage != y->usage)
		return x->usage - y->usage;
	if (x->selector != y->selector)
		return x->selector - y->selector;
	if (x->mtype != y->mtype)
		return x->mtype - y->mtype;
	if ((c = memcmp(x->data, y->data, n)) != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/*
 * The key: what the server is asked and what the handshake verifies.  The
 * records are sorted first, as DNS may return a set in any order.
 */
static char *
pc_key(const struct probe_target *t)
{
	unsigned char md[EVP_MAX_MD_SIZE], hdr[3];
	unsigned int mdlen = 0;
	struct tlsa_rec **recs;
	EVP_MD_CTX *m;
	char *hex, *key;
	size_t i;

	recs = xcalloc(t->ntlsa + 1, sizeof(*recs));
	if (t->ntlsa > 0)
		memcpy(recs, t->tlsa, t->ntlsa * sizeof(*recs));
	qsort(recs, t->ntlsa, sizeof(*recs), pc_rec_cmp);
	if ((m = EVP_MD_CTX_new()) == NULL)
		abort();
	EVP_DigestInit_ex(m, EVP_sha256(), NULL);
	for (i = 0; t->names != NULL && t->names[i] != NULL; i++)
		EVP_DigestUpdate(m, t->names[i], strlen(t->names[i]) + 1);
	EVP_DigestUpdate(m, "|", 1);
	for (i = 0; i < t->ntlsa; i++) {
		hdr[0] = recs[i]->usage;
		hdr[1] = recs[i]->selector;
		hdr[2] = recs[i]->mtype;
		EVP_DigestUpdate(m, hdr, 3);
		EVP_DigestUpdate(m, recs[i]->data, recs[i]->len);
		EVP_DigestUpdate(m, "|", 1);
	}
	EVP_DigestFinal_ex(m, md, &mdlen);
	EVP_MD_CTX_free(m);
	free(recs);
	hex = hex_encode(md, mdlen);
	key = xasprintf("%s|%u|%d|%s|%s", t->address, t->port, t->starttls,
	    t->sni != NULL ? t->sni : "", hex);
	free(hex);
	return key;
}

static void
pc_copy_target(struct pc_entry *en, const struct probe_target *t)
{
	size_t i;

	en->t = *t;
	en->t.address = xstrdup(t->address);
	en->t.sni = t->sni != NULL ? xstrdup(t->sni) : NULL;
	en->t.ehlo_name = t->ehlo_name != NULL ? xstrdup(t->ehlo_name) : NULL;
	for (i = 0; i < 4 && t->names != NULL && t->names[i] != NULL; i++)
		en->names[i] = xstrdup(t->names[i]);
	en->t.names = (const char *const *)en->names;
	en->tlsa = xcalloc(t->ntlsa + 1, sizeof(*en->tlsa));
	for (i = 0; i < t->ntlsa; i++)
		en->tlsa[i] = tlsa_rec_dup(t->tlsa[i]);
	en->t.tlsa = en->tlsa;
}

/* The target is needed only until the probe starts. */
static void
pc_drop_target(struct pc_entry *en)
{
	size_t i;

	free((char *)en->t.address);
	free((char *)en->t.sni);
	free((char *)en->t.ehlo_name);
	for (i = 0; i < 4; i++)
		free(en->names[i]);
	for (i = 0; en->tlsa != NULL && i < en->t.ntlsa; i++)
		tlsa_rec_free(en->tlsa[i]);
	free(en->tlsa);
	en->tlsa = NULL;
	memset(&en->t, 0, sizeof(en->t));
	memset(en->names, 0, sizeof(en->names));
}

static struct pc_addr *
pc_addr_get(struct pcache *pc, const char *addr)
{
	struct pc_addr find, *pa, **slot;

	find.addr = (char *)addr;
	if ((slot = tfind(&find, &pc->addrs, pc_addr_cmp)) != NULL)
		return *slot;
	pa = xcalloc(1, sizeof(*pa));
	pa->addr = xstrdup(addr);
	if (tsearch(pa, &pc->addrs, pc_addr_cmp) == NULL)
		abort();
	pc->st.addresses++;
	return pa;
}

static void
pc_waiter_free(struct pc_waiter *w)
{
	if (w->ev != NULL)
		event_free(w->ev);
	free(w);
}

static void
pc_entry_free(struct pc_entry *en)
{
	struct pc_waiter *w;

	while ((w = TAILQ_FIRST(&en->waiters)) != NULL) {
		TAILQ_REMOVE(&en->waiters, w, link);
		pc_waiter_free(w);
	}
	probe_cancel(en->p);
	probe_result_free(en->res);
	pc_drop_target(en);
	free(en->key);
	free(en);
}

/* Beyond max_entries stored results: forget the oldest unwatched. */
static void
pc_evict(struct pcache *pc)
{
	struct pc_entry *en, *next;

	for (en = TAILQ_FIRST(&pc->aged); en != NULL &&
	    pc->ndone > pc->o.max_entries; en = next) {
		next = TAILQ_NEXT(en, qlink);
		if (!TAILQ_EMPTY(&en->waiters))
			continue;
		TAILQ_REMOVE(&pc->aged, en, qlink);
		tdelete(en, &pc->keys, pc_entry_cmp);
		pc->ndone--;
		pc->st.evicted++;
		pc_entry_free(en);
	}
}

static void pc_pump(struct pcache *pc);

/* The probe ended: store, hand a copy to every waiter, free the slot. */
static void
pc_probe_cb(void *arg, struct probe_result *res)
{
	struct pc_entry *en = arg;
	struct pcache *pc = en->pc;
	struct pc_waiter *w;

	en->p = NULL;
	en->res = res;
	en->state = PC_DONE;
	en->pa->active--;
	TAILQ_INSERT_TAIL(&pc->aged, en, qlink);
	pc->ndone++;
	/* Pop one at a time: a callback may cancel other waiters. */
	while ((w = TAILQ_FIRST(&en->waiters)) != NULL) {
		TAILQ_REMOVE(&en->waiters, w, link);
		w->done(w->arg, probe_result_dup(res));
		pc_waiter_free(w);
	}
	pc_pump(pc);
	pc_evict(pc);
}

static void pc_deliver_cb(evutil_socket_t fd, short what, void *arg);

/*
 * A probe refused at once (no socket: descriptors exhausted, say) still
 * answers its waiters, each from a zero-time event: the refusal may
 * happen inside pcache_start, which never calls back.
 */
static void
pc_start_refused(struct pc_entry *en, const struct err *e)
{
	struct pcache *pc = en->pc;
	struct probe_result *res = xcalloc(1, sizeof(*res));
	struct pc_waiter *w;

	res->status = PROBE_CONNECT;
	res->detail = xstrdup(e->msg);
	res->verify_error = -1;
	res->match_depth = -1;
	en->res = res;
	en->state = PC_DONE;
	TAILQ_INSERT_TAIL(&pc->aged, en, qlink);
	pc->ndone++;
	TAILQ_FOREACH(w, &en->waiters, link) {
		if (w->ev == NULL)
			w->ev = event_new(pc->base, -1, 0, pc_deliver_cb, w);
		if (w->ev != NULL)
			event_active(w->ev, 0, 0);
	}
}

static int
pc_rate_wait(struct pcache *pc)
{
	struct timeval now, d;

	if (pc->o.rate <= 0)
		return 0;
	gettimeofday(&now, NULL);
	if (timercmp(&now, &pc->next_start, <)) {
		timersub(&pc->next_start, &now, &d);
		evtimer_add(pc->pump, &d);
		return 1;
	}
	d.tv_sec = (time_t)(1.0 / pc->o.rate);
	d.tv_usec = (suseconds_t)((1.0 / pc->o.rate - (double)d.tv_sec) *
	    1e6);
	timeradd(&now, &d, &pc->next_start);
	return 0;
}

/* Start what the per-address and rate limits allow, in queue order. */
static void
pc_pump(struct pcache *pc)
{
	struct pc_entry *en, *next;
	struct err e;

	for (en = TAILQ_FIRST(&pc->queue); en != NULL; en = next) {
		next = TAILQ_NEXT(en, qlink);
		if (en->pa->active >= pc->o.per_address)
			continue;
		if (pc_rate_wait(pc))
			return;
		TAILQ_REMOVE(&pc->queue, en, qlink);
		en->state = PC_RUNNING;
		pc->st.probes++;
		en->p = probe_start(pc->base, pc->ctx, &en->t, pc_probe_cb, en,
		    &e);
		pc_drop_target(en);
		if (en->p == NULL) {
			pc_start_refused(en, &e);
			continue;
		}
		if (++en->pa->active > pc->st.max_active_per_address)
			pc->st.max_active_per_address = en->pa->active;
	}
}

static void
pc_pump_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	pc_pump(arg);
}

static void
pc_deliver_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pc_waiter *w = arg;
	struct pc_entry *en = w->en;
	probe_done_cb done = w->done;
	void *cbarg = w->arg;

	(void)fd;
	(void)what;
	TAILQ_REMOVE(&en->waiters, w, link);
	pc_waiter_free(w);
	/* Used again: it is the youngest now. */
	TAILQ_REMOVE(&en->pc->aged, en, qlink);
	TAILQ_INSERT_TAIL(&en->pc->aged, en, qlink);
	done(cbarg, probe_result_dup(en->res));
}

static struct pc_entry *
pc_entry_new(struct pcache *pc, char *key, const struct probe_target *t)
{
	struct pc_entry *en = xcalloc(1, sizeof(*en));

	en->key = key;
	en->pc = pc;
	TAILQ_INIT(&en->waiters);
	en->pa = pc_addr_get(pc, t->address);
	pc_copy_target(en, t);
	en->state = PC_QUEUED;
	if (tsearch(en, &pc->keys, pc_entry_cmp) == NULL)
		abort();
	TAILQ_INSERT_TAIL(&pc->queue, en, qlink);
	return en;
}

void *
pcache_start(void *arg, const struct probe_target *t, probe_done_cb done,
	void *cbarg, struct err *e)
{
	struct pcache *pc = arg;
	struct pc_entry find, *en, **slot;
	struct pc_waiter *w;

	if (t == NULL || t->address == NULL || done == NULL ||
	    t->defer_tlsa) {
		err_set(e, ERR_INTERNAL, "pcache_start: bad target");
		return NULL;
	}
	find.key = pc_key(t);
	if (pc->o.no_share) {
		/* A key of its own: never found by another asker. */
		char *k = xasprintf("%s#%zu", find.key, ++pc->seq);

		free(find.key);
		find.key = k;
	}
	w = xcalloc(1, sizeof(*w));
	w->done = done;
	w->arg = cbarg;
	if ((slot = tfind(&find, &pc->keys, pc_entry_cmp)) != NULL) {
		free(find.key);
		en = *slot;
		if (en->state == PC_DONE) {
			w->ev = event_new(pc->base, -1, 0, pc_deliver_cb, w);
			if (w->ev == NULL) {
				free(w);
				err_set(e, ERR_SYSTEM, "cannot create an event");
				return NULL;
			}
			event_active(w->ev, 0, 0);
			pc->st.hits++;
		} else
			pc->st.coalesced++;
	} else
		en = pc_entry_new(pc, find.key, t);
	w->en = en;
	TAILQ_INSERT_TAIL(&en->waiters, w, link);
	if (en->state == PC_QUEUED)
		pc_pump(pc);
	return w;
}

/*
 * The asker went away.  A probe already running goes on (its result is
 * stored for the next asker); so does a queued one, to keep one order.
 */
void
pcache_cancel(void *arg, void *job)
{
	struct pc_waiter *w = job;

	(void)arg;
	if (w == NULL)
		return;
	TAILQ_REMOVE(&w->en->waiters, w, link);
	pc_waiter_free(w);
}

struct pcache *
pcache_new(struct event_base *base, SSL_CTX *ctx, const struct pcache_opts *o)
{
	struct pcache *pc = xcalloc(1, sizeof(*pc));

	pc->base = base;
	pc->ctx = ctx;
	pc->o = *o;
	if (pc->o.per_address == 0)
		pc->o.per_address = PCACHE_PER_ADDRESS;
	if (pc->o.no_share)
		pc->o.max_entries = 0;
	else if (pc->o.max_entries == 0)
		pc->o.max_entries = PCACHE_MAX_ENTRIES;
	TAILQ_INIT(&pc->queue);
	TAILQ_INIT(&pc->aged);
	if ((pc->pump = evtimer_new(base, pc_pump_cb, pc)) == NULL) {
		free(pc);
		return NULL;
	}
	return pc;
}

static void
pc_addr_free(void *p)
{
	struct pc_addr *pa = p;

	free(pa->addr);
	free(pa);
}

static void
pc_entry_free_node(void *p)
{
	pc_entry_free(p);
}

void
pcache_free(struct pcache *pc)
{
	if (pc == NULL)
		return;
	tdestroy(pc->keys, pc_entry_free_node);
	tdestroy(pc->addrs, pc_addr_free);
	event_free(pc->pump);
	free(pc);
}

void
pcache_get_stats(const struct pcache *pc, struct pcache_stats *st)
{
	*st = pc->st;
}
