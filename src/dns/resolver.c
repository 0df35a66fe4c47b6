/*
 * resolver - validating DNS lookups for a libevent loop (libunbound on a
 * thread of ours, ubthread).
 *
 * A query moves QUEUED -> INFLIGHT -> READY -> DONE.  It is READY when its
 * answer (or timeout) waits for the zero-time delivery event, DONE when
 * delivered or cancelled.  Independently, in_ub says the thread still holds
 * it: a DONE query is freed only once in_ub is clear, so a late answer
 * never touches freed memory.  holds_slot says it counts against
 * max_inflight; a query that timed out or was cancelled gives its slot back
 * at once, and its late answer is dropped when it comes.
 */
#include "dns/resolver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <ldns/ldns.h>
#include <unbound.h>

#include "dns/ubthread.h"
#include "util/fileio.h"
#include "util/xalloc.h"

#define RESOLVER_QUERY_MS       10000
#define RESOLVER_MAX_INFLIGHT   256

enum query_state { Q_QUEUED, Q_INFLIGHT, Q_READY, Q_DONE };

struct dns_query {
	TAILQ_ENTRY(dns_query) all;     /* every query the resolver holds */
	TAILQ_ENTRY(dns_query) wait;    /* queued for a slot */
	struct resolver *r;
	char *name;
	uint16_t type;
	resolver_cb cb;
	void *arg;
	enum query_state state;
	int in_ub;
	int holds_slot;
	struct event *timer;            /* timeout, then delivery */
	struct dns_answer *ans;
};

TAILQ_HEAD(query_list, dns_query);

struct resolver {
	struct event_base *base;
	struct ubthread *thread;
	struct query_list all;
	struct query_list waiting;
	struct event *pump;             /* start queued queries */
	size_t inflight;
	size_t max_inflight;
	int query_ms;
};

static void resolver_dispatch(struct dns_query *q);

static void
query_free(struct dns_query *q)
{
	TAILQ_REMOVE(&q->r->all, q, all);
	if (q->timer != NULL)
		event_free(q->timer);
	dns_answer_free(q->ans);
	free(q->name);
	free(q);
}

/*
 * A query takes or gives back one of max_inflight slots.  The thread's
 * answers are watched only while a slot is taken, so that an idle
 * resolver (or one whose only queries timed out) does not keep the loop
 * running.
 */
static void
resolver_slot_take(struct dns_query *q)
{
	q->holds_slot = 1;
	if (q->r->inflight++ == 0)
		ubthread_watch(q->r->thread, 1);
}

static void
resolver_slot_give(struct dns_query *q)
{
	struct resolver *r = q->r;

	if (!q->holds_slot)
		return;
	q->holds_slot = 0;
	if (--r->inflight == 0)
		ubthread_watch(r->thread, 0);
	if (!TAILQ_EMPTY(&r->waiting))
		event_active(r->pump, 0, 0);
}

/*
 * Hand q its answer; it is delivered from the loop at once, by an event
 * of its own, so a callback may cancel, query or free the resolver.
 */
static void
query_ready(struct dns_query *q, struct dns_answer *ans)
{
	struct timeval now = { 0, 0 };

	dns_answer_free(q->ans);
	q->ans = ans;
	q->state = Q_READY;
	evtimer_del(q->timer);
	evtimer_add(q->timer, &now);
}

static void
query_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dns_query *q = arg;
	struct dns_answer *ans;
	char why[64];

	(void)fd;
	(void)what;
	if (q->state == Q_INFLIGHT) {
		snprintf(why, sizeof(why), "no answer within %d ms",
		    q->r->query_ms);
		resolver_slot_give(q);
		query_ready(q, dns_answer_new_status(q->name, q->type,
		    DNS_TIMEOUT, why));
		return;
	}
	if (q->state != Q_READY)
		return;
	ans = q->ans;
	q->ans = NULL;
	q->state = Q_DONE;
	if (!q->in_ub) {
		resolver_cb cb = q->cb;
		void *cbarg = q->arg;

		query_free(q);
		cb(cbarg, ans);
	} else
		q->cb(q->arg, ans);
}

/* The thread's answer to q, already parsed there. */
static void
query_back(void *token, struct dns_answer *ans, void *arg)
{
	struct dns_query *q = token;

	(void)arg;
	q->in_ub = 0;
	resolver_slot_give(q);
	if (q->state == Q_INFLIGHT) {
		query_ready(q, ans);
		return;
	}
	dns_answer_free(ans);
	if (q->state == Q_DONE)
		query_free(q);
	/* Q_READY: a timeout waits for delivery and frees q then. */
}

static void
resolver_pump_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resolver *r = arg;
	struct dns_query *q;

	(void)fd;
	(void)what;
	while (r->inflight < r->max_inflight &&
	    (q = TAILQ_FIRST(&r->waiting)) != NULL) {
		TAILQ_REMOVE(&r->waiting, q, wait);
		resolver_dispatch(q);
	}
}

static void
resolver_dispatch(struct dns_query *q)
{
	struct resolver *r = q->r;
	struct timeval tv;

	q->state = Q_INFLIGHT;
	q->in_ub = 1;
	resolver_slot_take(q);
	tv.tv_sec = r->query_ms / 1000;
	tv.tv_usec = (r->query_ms % 1000) * 1000;
	evtimer_add(q->timer, &tv);
	ubthread_submit(r->thread, q, q->name, q->type);
}

struct dns_query *
resolver_query(struct resolver *r, const char *name, uint16_t type,
	resolver_cb cb, void *arg, struct err *e)
{
	struct dns_query *q;
	char norm[DNS_NAME_MAX];

	if (dns_name_normalize(name, norm, sizeof(norm), e) == -1)
		return NULL;
	q = xcalloc(1, sizeof(*q));
	q->r = r;
	q->name = xstrdup(norm);
	q->type = type;
	q->cb = cb;
	q->arg = arg;
	q->timer = evtimer_new(r->base, query_timer_cb, q);
	if (q->timer == NULL) {
		free(q->name);
		free(q);
		err_set(e, ERR_SYSTEM, "cannot create a timer event");
		return NULL;
	}
	TAILQ_INSERT_TAIL(&r->all, q, all);
	q->state = Q_QUEUED;
	if (r->inflight < r->max_inflight && TAILQ_EMPTY(&r->waiting))
		resolver_dispatch(q);
	else
		TAILQ_INSERT_TAIL(&r->waiting, q, wait);
	return q;
}

void
resolver_cancel(struct dns_query *q)
{
	if (q == NULL)
		return;
	if (q->state == Q_QUEUED)
		TAILQ_REMOVE(&q->r->waiting, q, wait);
	q->state = Q_DONE;
	q->cb = NULL;
	resolver_slot_give(q);
	evtimer_del(q->timer);
	dns_answer_free(q->ans);
	q->ans = NULL;
	if (!q->in_ub)
		query_free(q);
}

size_t
resolver_pending(const struct resolver *r)
{
	const struct dns_query *q;
	size_t n = 0;

	TAILQ_FOREACH(q, &r->all, all)
		if (q->state != Q_DONE)
			n++;
	return n;
}

int
resolver_ta_parse(const char *name, const char *text, size_t len,
	int (*add)(void *arg, const char *rr), void *arg, struct err *e)
{
	FILE *fp;
	ldns_rr *rr;
	ldns_rdf *origin = NULL, *prev = NULL;
	ldns_status s;
	uint32_t ttl = 3600;
	int line = 1, n = 0, rc = 0;
	char *rrtext;

	if (len == 0)
		return err_set(e, ERR_INPUT, "%s: no DS or DNSKEY record", name);
	/* From memory: no read error can make the loop below spin. */
	if ((fp = fmemopen((void *)text, len, "r")) == NULL)
		return err_set_errno(e, ERR_SYSTEM, errno, "%s", name);
	while (rc == 0 && !feof(fp)) {
		rr = NULL;
		s = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin, &prev, &line);
		if (s == LDNS_STATUS_SYNTAX_EMPTY ||
		    s == LDNS_STATUS_SYNTAX_TTL ||
		    s == LDNS_STATUS_SYNTAX_ORIGIN)
			continue;
		if (s != LDNS_STATUS_OK) {
			if (feof(fp) && s == LDNS_STATUS_SYNTAX_ERR)
				break;
			rc = err_set(e, ERR_INPUT, "%s:%d: %s", name, line,
			    ldns_get_errorstr_by_id(s));
			break;
		}
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_DS &&
		    ldns_rr_get_type(rr) != LDNS_RR_TYPE_DNSKEY) {
			rc = err_set(e, ERR_INPUT, "%s:%d: not a DS or DNSKEY "
			    "record", name, line);
		} else if ((rrtext = ldns_rr2str(rr)) != NULL) {
			rrtext[strcspn(rrtext, "\n")] = '\0';
			if (add(arg, rrtext) != 0)
				rc = err_set(e, ERR_INPUT, "%s:%d: trust "
				    "anchor refused", name, line);
			free(rrtext);
			n++;
		}
		ldns_rr_free(rr);
	}
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	fclose(fp);
	if (rc == 0 && n == 0)
		rc = err_set(e, ERR_INPUT, "%s: no DS or DNSKEY record", name);
	return rc == 0 ? n : -1;
}

static int
resolver_add_ta(void *arg, const char *rr)
{
	return ub_ctx_add_ta(arg, rr);
}

/* Add every DS/DNSKEY record of a zone-format file as a trust anchor. */
static int
resolver_add_ta_file(struct ub_ctx *ctx, const char *path, struct err *e)
{
	size_t len;
	char *text;
	int rc;

	if ((text = fileio_read(path, RESOLVER_TA_MAX, &len, e)) == NULL)
		return -1;
	rc = resolver_ta_parse(path, text, len, resolver_add_ta, ctx, e);
	free(text);
	return rc < 0 ? -1 : 0;
}

/*
 * Check "IP[@PORT]" and return it in the form libunbound takes
 * ("IP@PORT"), or NULL with ERR_USAGE.
 */
static char *
resolver_addr(const char *what, const char *s, struct err *e)
{
	char ip[INET6_ADDRSTRLEN + 1], *end;
	unsigned char bin[16];
	const char *at = strchr(s, '@');
	size_t n = at != NULL ? (size_t)(at - s) : strlen(s);
	long port = 53;

	if (n == 0 || n >= sizeof(ip))
		goto bad;
	memcpy(ip, s, n);
	ip[n] = '\0';
	if (inet_pton(AF_INET, ip, bin) != 1 &&
	    inet_pton(AF_INET6, ip, bin) != 1)
		goto bad;
	if (at != NULL) {
		errno = 0;
		port = strtol(at + 1, &end, 10);
		if (errno != 0 || *end != '\0' || end == at + 1 || port < 1 ||
		    port > 65535)
			goto bad;
	}
	return xasprintf("%s@%ld", ip, port);
bad:
	err_set(e, ERR_USAGE, "%s '%.80s': want IP[@PORT]", what, s);
	return NULL;
}

/* Make a zone transparent so libunbound's RFC 6761 blocks do not hide it. */
static int
resolver_transparent(struct ub_ctx *ctx, const char *zone, struct err *e)
{
	char *v = xasprintf("%s%s transparent", zone,
	    strcmp(zone, ".") == 0 ? "" : ".");
	int rc = ub_ctx_set_option(ctx, "local-zone:", v);

	free(v);
	if (rc != 0)
		return err_set(e, ERR_USAGE, "local-zone %s: %s", zone,
		    ub_strerror(rc));
	return 0;
}

static int
resolver_add_stub(struct ub_ctx *ctx, const char *spec, struct err *e)
{
	char zone[DNS_NAME_MAX], *addr;
	const char *eq = strchr(spec, '=');
	size_t n = eq != NULL ? (size_t)(eq - spec) : 0;
	int rc;

	if (eq == NULL || n == 0 || n >= sizeof(zone))
		return err_set(e, ERR_USAGE, "stub '%.80s': want "
		    "ZONE=IP[@PORT]", spec);
	memcpy(zone, spec, n);
	zone[n] = '\0';
	if (dns_name_normalize(zone, zone, sizeof(zone), e) == -1)
		return -1;
	if ((addr = resolver_addr("stub", eq + 1, e)) == NULL)
		return -1;
	rc = ub_ctx_set_stub(ctx, zone, addr, 0);
	free(addr);
	if (rc != 0)
		return err_set(e, ERR_USAGE, "stub '%.80s': %s", spec,
		    ub_strerror(rc));
	return resolver_transparent(ctx, zone, e);
}

/* Everything that must be set before libunbound's first query. */
static int
resolver_configure(struct ub_ctx *ctx, const struct resolver_opts *o,
	struct err *e)
{
	char *addr;
	size_t i;
	int rc;

	/* Before the configuration file, which may say otherwise. */
	if (o->no_qname_minimisation && ub_ctx_set_option(ctx,
	    "qname-minimisation:", "no") != 0)
		return err_set(e, ERR_INTERNAL, "qname-minimisation: refused");
	/* libunbound reads it by name: bound what it will read. */
	if (o->conf_file != NULL && fileio_check_regular(o->conf_file,
	    FILEIO_DEFAULT_MAX, e) == -1)
		return -1;
	if (o->conf_file != NULL && (rc = ub_ctx_config(ctx,
	    o->conf_file)) != 0)
		return err_set(e, ERR_INPUT, "%s: %s", o->conf_file,
		    ub_strerror(rc));
	if (o->no_ipv6 && ub_ctx_set_option(ctx, "do-ip6:", "no") != 0)
		return err_set(e, ERR_INTERNAL, "do-ip6: refused");
	if (o->ntrust_anchors == 0) {
		if (resolver_add_ta_file(ctx, RESOLVER_ROOT_ANCHOR, e) == -1)
			return -1;
	} else {
		for (i = 0; i < o->ntrust_anchors; i++)
			if (resolver_add_ta_file(ctx, o->trust_anchors[i],
			    e) == -1)
				return -1;
	}
	for (i = 0; i < o->nstubs; i++)
		if (resolver_add_stub(ctx, o->stubs[i], e) == -1)
			return -1;
	if (o->forwarder != NULL) {
		if ((addr = resolver_addr("resolver", o->forwarder, e)) == NULL)
			return -1;
		rc = ub_ctx_set_fwd(ctx, addr);
		free(addr);
		if (rc != 0)
			return err_set(e, ERR_USAGE, "resolver %s: %s",
			    o->forwarder, ub_strerror(rc));
	}
	return 0;
}

struct resolver *
resolver_new(struct event_base *base, const struct resolver_opts *o,
	struct err *e)
{
	struct resolver *r = xcalloc(1, sizeof(*r));

	r->base = base;
	TAILQ_INIT(&r->all);
	TAILQ_INIT(&r->waiting);
	r->query_ms = o->query_ms > 0 ? o->query_ms : RESOLVER_QUERY_MS;
	r->max_inflight = o->max_inflight > 0 ? o->max_inflight :
	    RESOLVER_MAX_INFLIGHT;
	if ((r->thread = ubthread_new(base, query_back, r, e)) == NULL) {
		resolver_free(r);
		return NULL;
	}
	if ((r->pump = event_new(base, -1, 0, resolver_pump_cb, r)) == NULL) {
		err_set(e, ERR_SYSTEM, "cannot create an event");
		resolver_free(r);
		return NULL;
	}
	if (resolver_configure(ubthread_ctx(r->thread), o, e) == -1 ||
	    ubthread_start(r->thread, e) == -1) {
		resolver_free(r);
		return NULL;
	}
	return r;
}

void
resolver_free(struct resolver *r)
{
	struct dns_query *q;

	if (r == NULL)
		return;
	/* Stops the thread; answers not yet delivered are dropped. */
	ubthread_free(r->thread);
	while ((q = TAILQ_FIRST(&r->all)) != NULL)
		query_free(q);
	if (r->pump != NULL)
		event_free(r->pump);
	free(r);
}
