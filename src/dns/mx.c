/*
 * mx - RFC 7672 resolution: MX, A/AAAA and TLSA for a mail domain.
 *
 * Every host's lookups run in parallel on the one resolver; the lookup
 * ends, and the callback runs, when the last host is decided.
 */
#include "dns/mx.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct mx_lookup {
	struct resolver *r;
	struct mx_result *res;
	struct mx_opts opts;
	struct dns_query *qmx;
	size_t pending;                 /* hosts not yet decided */
	mx_done_cb done;
	void *arg;
};

const char *
mx_dane_name(enum mx_dane d)
{
	switch (d) {
	case MX_DANE_APPLIES:
		return "applies";
	case MX_DANE_UNUSABLE:
		return "unusable";
	case MX_DANE_NONE:
		return "not-applicable";
	case MX_DANE_BOGUS:
		return "bogus";
	case MX_DANE_ERROR:
		return "error";
	case MX_DANE_NOADDR:
		return "no-address";
	default:
		return "pending";
	}
}

static void
mx_host_decide(struct mx_host *h, enum mx_dane d, char *why)
{
	h->dane = d;
	free(h->why);
	h->why = why;
}

void
mx_host_clear(struct mx_host *h)
{
	size_t i;

	for (i = 0; i < h->naddrs; i++)
		free(h->addrs[i].addr);
	free(h->addrs);
	for (i = 0; i < h->ntlsa; i++)
		tlsa_rec_free(h->tlsa[i]);
	free(h->tlsa);
	free(h->name);
	free(h->canon);
	free(h->base);
	free(h->tlsa_name);
	free(h->why);
	dns_answer_free(h->a4);
	dns_answer_free(h->a6);
	dns_answer_free(h->ao);
	dns_answer_free(h->ax);
	dns_answer_free(h->ac);
	dns_sig_clear(&h->addr_sig);
	dns_sig_clear(&h->cname_sig);
	dns_sig_clear(&h->tlsa_sig);
	memset(h, 0, sizeof(*h));
}

void
mx_result_free(struct mx_result *res)
{
	size_t i;

	if (res == NULL)
		return;
	for (i = 0; i < res->nhosts; i++)
		mx_host_clear(&res->hosts[i]);
	free(res->hosts);
	free(res->domain);
	free(res->mx_why);
	dns_sig_clear(&res->mx_sig);
	free(res);
}

static int
mx_failed(const struct dns_answer *a)
{
	return a != NULL && (a->status == DNS_SERVFAIL ||
	    a->status == DNS_TIMEOUT || a->status == DNS_ERROR);
}

static void
mx_host_add_addrs(struct mx_host *h, const struct dns_answer *a, int family)
{
	size_t i;

	if (a == NULL || a->status != DNS_OK)
		return;
	for (i = 0; i < a->nrr && h->naddrs < MX_MAX_ADDRS; i++) {
		if (a->rr[i].addr == NULL)
			continue;
		h->addrs[h->naddrs].addr = xstrdup(a->rr[i].addr);
		h->addrs[h->naddrs].family = family;
		h->naddrs++;
	}
}

/* IPv4 before IPv6, each in numeric order. */
static int
mx_addr_cmp(const void *a, const void *b)
{
	const struct mx_addr *x = a, *y = b;
	unsigned char bx[16] = { 0 }, by[16] = { 0 };
	int af = x->family == 4 ? AF_INET : AF_INET6;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (inet_pton(af, x->addr, bx) != 1 || inet_pton(af, y->addr, by) != 1)
		return strcmp(x->addr, y->addr);
	return memcmp(bx, by, sizeof(bx));
}

int
mx_host_addrs(struct mx_host *h, uint16_t port, const struct dns_answer *a4,
	const struct dns_answer *a6)
{
	const struct dns_answer *ans[2] = { a4, a6 }, *first = NULL;
	int i, secure = 1, failed = 0;

	for (i = 0; i < 2; i++) {
		if (ans[i] == NULL)
			continue;
		if (ans[i]->sec == DNS_SEC_BOGUS) {
			mx_host_decide(h, MX_DANE_BOGUS, xasprintf("%s lookup "
			    "for %s is bogus: %s", dns_type_name(ans[i]->qtype),
			    h->name, ans[i]->why));
			h->addr_sec = DNS_SEC_BOGUS;
			return 0;
		}
		if (mx_failed(ans[i])) {
			failed = i + 1;
			continue;
		}
		if (ans[i]->sec != DNS_SEC_SECURE)
			secure = 0;
		if (first == NULL || (first->status != DNS_OK &&
		    ans[i]->status == DNS_OK))
			first = ans[i];
	}
	for (i = 0; i < 2; i++)
		if (ans[i] != NULL && ans[i]->sec == DNS_SEC_SECURE &&
		    ans[i]->sig.expires != 0 && (h->addr_sig.expires == 0 ||
		    ans[i]->sig.expires < h->addr_sig.expires))
			dns_sig_copy(&h->addr_sig, &ans[i]->sig);
	h->addrs = xcalloc(MX_MAX_ADDRS, sizeof(*h->addrs));
	mx_host_add_addrs(h, a4, 4);
	mx_host_add_addrs(h, a6, 6);
	/* Resolvers rotate RRsets: a stable order keeps outputs comparable. */
	qsort(h->addrs, h->naddrs, sizeof(*h->addrs), mx_addr_cmp);
	free(h->canon);
	h->canon = xstrdup(first != NULL ? first->canon : h->name);
	h->addr_sec = first != NULL && secure ? DNS_SEC_SECURE :
	    DNS_SEC_INSECURE;
	if (h->naddrs == 0) {
		if (failed)
			mx_host_decide(h, MX_DANE_ERROR, xasprintf("%s lookup "
			    "for %s failed: %s", failed == 1 ? "A" : "AAAA",
			    h->name, ans[failed - 1]->why));
		else
			mx_host_decide(h, MX_DANE_NOADDR, xasprintf("%s has no "
			    "address records", h->name));
		return 0;
	}
	if (h->addr_sec != DNS_SEC_SECURE && !dns_name_equal(h->canon,
	    h->name)) {
		/* §2.2.2: is the chain insecure only past a secure CNAME? */
		h->cname_asked = 1;
		return MX_ASK_CNAME;
	}
	if (h->addr_sec != DNS_SEC_SECURE) {
		mx_host_decide(h, MX_DANE_NONE, xasprintf("address records of "
		    "%s are not DNSSEC-signed", h->name));
		return 0;
	}
	free(h->tlsa_name);
	h->tlsa_name = xasprintf("_%u._tcp.%s", port, h->canon);
	h->tried_original = dns_name_equal(h->canon, h->name);
	return 1;
}

int
mx_host_cname(struct mx_host *h, uint16_t port, const struct dns_answer *c)
{
	h->cname_sec = c->sec;
	if (c->sec == DNS_SEC_SECURE)
		dns_sig_copy(&h->cname_sig, &c->sig);
	if (c->sec == DNS_SEC_BOGUS) {
		mx_host_decide(h, MX_DANE_BOGUS, xasprintf("CNAME lookup for %s "
		    "is bogus: %s", h->name, c->why));
		return 0;
	}
	if (mx_failed(c)) {
		mx_host_decide(h, MX_DANE_ERROR, xasprintf("CNAME lookup for %s "
		    "failed: %s", h->name, c->why));
		return 0;
	}
	if (c->sec != DNS_SEC_SECURE || c->status != DNS_OK) {
		mx_host_decide(h, MX_DANE_NONE, xasprintf("address records of "
		    "%s (a CNAME for %s) are not DNSSEC-signed, nor is the "
		    "CNAME", h->name, h->canon));
		return 0;
	}
	/* A secure CNAME into unsigned DNS: the original name only. */
	free(h->tlsa_name);
	h->tlsa_name = xasprintf("_%u._tcp.%s", port, h->name);
	h->tried_original = 1;
	return 1;
}

static void
mx_host_take_tlsa(struct mx_host *h, const struct dns_answer *t,
	const char *base)
{
	size_t i;

	h->tlsa = xcalloc(t->nrr, sizeof(*h->tlsa));
	for (i = 0; i < t->nrr; i++) {
		if (t->rr[i].tlsa == NULL)
			continue;
		h->tlsa[h->ntlsa++] = tlsa_rec_dup(t->rr[i].tlsa);
		if (tlsa_rec_usable_smtp(t->rr[i].tlsa, NULL))
			h->nusable++;
		h->tlsa_ttl = t->rr[i].ttl;
	}
	free(h->base);
	h->base = xstrdup(base);
}

int
mx_host_tlsa(struct mx_host *h, uint16_t port, const struct dns_answer *t)
{
	const char *at = h->tried_original ? h->name : h->canon;

	h->tlsa_sec = t->sec;
	h->tlsa_status = t->status;
	if (t->sec == DNS_SEC_SECURE)
		dns_sig_copy(&h->tlsa_sig, &t->sig);
	if (t->sec == DNS_SEC_BOGUS) {
		mx_host_decide(h, MX_DANE_BOGUS, xasprintf("TLSA lookup for %s "
		    "is bogus: %s", h->tlsa_name, t->why));
		return 0;
	}
	if (mx_failed(t)) {
		/* What a sender sees too (not a local resolver error). */
		h->tlsa_failed = t->status == DNS_SERVFAIL ||
		    t->status == DNS_TIMEOUT;
		mx_host_decide(h, MX_DANE_ERROR, xasprintf("TLSA lookup for %s "
		    "failed: %s", h->tlsa_name, t->why));
		return 0;
	}
	if (t->status == DNS_OK && t->sec == DNS_SEC_SECURE && t->nrr > 0) {
		mx_host_take_tlsa(h, t, at);
		mx_host_decide(h, h->nusable > 0 ? MX_DANE_APPLIES :
		    MX_DANE_UNUSABLE, h->nusable > 0 ? NULL : xasprintf("all "
		    "TLSA records at %s are unusable", h->tlsa_name));
		return 0;
	}
	if (!h->tried_original) {
		/* §2.2.3: no secure records at the expanded name. */
		h->tried_original = 1;
		free(h->tlsa_name);
		h->tlsa_name = xasprintf("_%u._tcp.%s", port, h->name);
		return 1;
	}
	mx_host_decide(h, MX_DANE_NONE, t->sec != DNS_SEC_SECURE ?
	    xasprintf("TLSA records at %s are not DNSSEC-signed",
	    h->tlsa_name) :
	    xasprintf("no TLSA records at %s (secure %s)", h->tlsa_name,
	    dns_status_name(t->status)));
	return 0;
}

static int
mx_pref_cmp(const void *a, const void *b)
{
	const struct mx_host *x = a, *y = b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return strcmp(x->name, y->name);
}

void
mx_result_hosts(struct mx_result *res, const struct dns_answer *mx)
{
	size_t i, j;

	if (mx->nrr == 1 && mx->rr[0].name != NULL &&
	    strcmp(mx->rr[0].name, ".") == 0) {
		res->null_mx = 1;
		return;
	}
	res->hosts = xcalloc(MX_MAX_HOSTS, sizeof(*res->hosts));
	for (i = 0; i < mx->nrr; i++) {
		const char *name = mx->rr[i].name;

		if (name == NULL || strcmp(name, ".") == 0)
			continue;
		for (j = 0; j < res->nhosts; j++)
			if (dns_name_equal(res->hosts[j].name, name))
				break;
		if (j < res->nhosts)
			continue;
		if (res->nhosts == MX_MAX_HOSTS) {
			res->nhosts_truncated++;
			continue;
		}
		res->hosts[res->nhosts].name = xstrdup(name);
		res->hosts[res->nhosts].pref = mx->rr[i].pref;
		res->nhosts++;
	}
	qsort(res->hosts, res->nhosts, sizeof(*res->hosts), mx_pref_cmp);
}

static void
mx_finish(struct mx_lookup *lk)
{
	struct mx_result *res = lk->res;
	mx_done_cb done = lk->done;
	void *arg = lk->arg;
	size_t i;

	for (i = 0; i < res->nhosts; i++) {
		res->hosts[i].lk = NULL;
		dns_answer_free(res->hosts[i].a4);
		dns_answer_free(res->hosts[i].a6);
		res->hosts[i].a4 = res->hosts[i].a6 = NULL;
	}
	free(lk);
	done(arg, res);
}

/* The host is decided: drop what is still asked, count it done. */
static void
mx_host_done(struct mx_host *h)
{
	struct mx_lookup *lk = h->lk;

	resolver_cancel(h->qo);
	resolver_cancel(h->qx);
	resolver_cancel(h->qc);
	h->qo = h->qx = h->qc = NULL;
	dns_answer_free(h->ao);
	dns_answer_free(h->ax);
	h->ao = h->ax = NULL;
	if (lk->opts.host_cb != NULL)
		lk->opts.host_cb(lk->arg, h, (size_t)(h - lk->res->hosts), 1);
	if (--lk->pending == 0)
		mx_finish(lk);
}

static void mx_host_advance(struct mx_host *h);

static void
mx_cname_cb(void *arg, struct dns_answer *ans)
{
	struct mx_host *h = arg;

	h->qc = NULL;
	h->ac = ans;
	mx_host_advance(h);
}

/* The addresses (or the CNAME) say TLSA is next: probes may start. */
static void
mx_host_ready(struct mx_host *h)
{
	if (h->lk->opts.host_cb != NULL)
		h->lk->opts.host_cb(h->lk->arg, h,
		    (size_t)(h - h->lk->res->hosts), 0);
}

static void
mx_tlsa_orig_cb(void *arg, struct dns_answer *ans)
{
	struct mx_host *h = arg;

	h->qo = NULL;
	h->ao = ans;
	mx_host_advance(h);
}

static void
mx_tlsa_exp_cb(void *arg, struct dns_answer *ans)
{
	struct mx_host *h = arg;

	h->qx = NULL;
	h->ax = ans;
	mx_host_advance(h);
}

/*
 * Move the host on as far as the answers so far allow.  The TLSA query at
 * the original name is sent with the address queries (it is needed
 * whenever there is no CNAME, and as the fallback when there is one), so
 * the common case costs one round trip less than asking in sequence; its
 * answer is only used once the addresses turned out secure.
 */
static void
mx_host_advance(struct mx_host *h)
{
	uint16_t port = h->lk->opts.port;
	struct err e;
	int r;

	if (h->q4 != NULL || h->q6 != NULL || h->qc != NULL)
		return;
	if (!h->addrs_done) {
		h->addrs_done = 1;
		r = mx_host_addrs(h, port, h->a4, h->a6);
		if (r == 0) {
			mx_host_done(h);
			return;
		}
		if (r == MX_ASK_CNAME) {
			if ((h->qc = resolver_query(h->lk->r, h->name,
			    DNS_TYPE_CNAME, mx_cname_cb, h, &e)) == NULL) {
				mx_host_decide(h, MX_DANE_ERROR,
				    xstrdup(e.msg));
				mx_host_done(h);
			}
			return;
		}
		mx_host_ready(h);
	}
	if (h->ac != NULL) {
		r = mx_host_cname(h, port, h->ac);
		dns_answer_free(h->ac);
		h->ac = NULL;
		if (r == 0) {
			mx_host_done(h);
			return;
		}
		mx_host_ready(h);
	}
	if (!h->tried_original) {
		if (h->ax == NULL) {
			if (h->qx == NULL && (h->qx = resolver_query(h->lk->r,
			    h->tlsa_name, DNS_TYPE_TLSA, mx_tlsa_exp_cb, h,
			    &e)) == NULL) {
				mx_host_decide(h, MX_DANE_ERROR,
				    xstrdup(e.msg));
				mx_host_done(h);
			}
			return;
		}
		if (!mx_host_tlsa(h, port, h->ax)) {
			mx_host_done(h);
			return;
		}
	}
	if (h->ao == NULL) {
		if (h->qo == NULL) {
			mx_host_decide(h, MX_DANE_ERROR, xasprintf("cannot ask "
			    "TLSA for %s", h->name));
			mx_host_done(h);
		}
		return;
	}
	mx_host_tlsa(h, port, h->ao);
	mx_host_done(h);
}

static void
mx_a4_cb(void *arg, struct dns_answer *ans)
{
	struct mx_host *h = arg;

	h->q4 = NULL;
	h->a4 = ans;
	mx_host_advance(h);
}

static void
mx_a6_cb(void *arg, struct dns_answer *ans)
{
	struct mx_host *h = arg;

	h->q6 = NULL;
	h->a6 = ans;
	mx_host_advance(h);
}

/* TLSA at the original name, asked alongside A and AAAA. */
static void
mx_ask_tlsa_early(struct mx_lookup *lk, struct mx_host *h)
{
	char *name = xasprintf("_%u._tcp.%s", lk->opts.port, h->name);
	struct err e;

	/* A name too long for the prefix is reported when it is needed. */
	h->qo = resolver_query(lk->r, name, DNS_TYPE_TLSA, mx_tlsa_orig_cb, h,
	    &e);
	free(name);
}

/* Ask A and AAAA for every host; fails only for an unaskable name. */
static void
mx_start_hosts(struct mx_lookup *lk)
{
	struct mx_result *res = lk->res;
	struct err e;
	size_t i;

	lk->pending = res->nhosts;
	for (i = 0; i < res->nhosts; i++) {
		struct mx_host *h = &res->hosts[i];

		h->lk = lk;
		h->mx_secure = !res->single && !res->implicit_mx &&
		    res->mx_sec == DNS_SEC_SECURE;
		if (!lk->opts.no_ipv4)
			h->q4 = resolver_query(lk->r, h->name, DNS_TYPE_A,
			    mx_a4_cb, h, &e);
		if (!lk->opts.no_ipv6 && (lk->opts.no_ipv4 || h->q4 != NULL))
			h->q6 = resolver_query(lk->r, h->name, DNS_TYPE_AAAA,
			    mx_a6_cb, h, &e);
		if (h->q4 == NULL && h->q6 == NULL) {
			mx_host_decide(h, MX_DANE_ERROR, xstrdup(e.msg));
			lk->pending--;
			continue;
		}
		mx_ask_tlsa_early(lk, h);
	}
}

static void
mx_result_one_host(struct mx_result *res, const char *name)
{
	res->hosts = xcalloc(1, sizeof(*res->hosts));
	res->hosts[0].name = xstrdup(name);
	res->nhosts = 1;
}

static void
mx_mx_cb(void *arg, struct dns_answer *ans)
{
	struct mx_lookup *lk = arg;
	struct mx_result *res = lk->res;

	lk->qmx = NULL;
	res->mx_status = ans->status;
	res->mx_sec = ans->sec;
	if (ans->sec == DNS_SEC_SECURE)
		dns_sig_copy(&res->mx_sig, &ans->sig);
	if (ans->why != NULL)
		res->mx_why = xstrdup(ans->why);
	if (ans->sec == DNS_SEC_BOGUS || mx_failed(ans) ||
	    ans->status == DNS_NXDOMAIN) {
		;
	} else if (ans->status == DNS_NODATA) {
		res->implicit_mx = 1;
		mx_result_one_host(res, res->domain);
	} else
		mx_result_hosts(res, ans);
	dns_answer_free(ans);
	mx_start_hosts(lk);
	if (lk->pending == 0)
		mx_finish(lk);
}

struct mx_lookup *
mx_lookup_start(struct resolver *r, const char *domain,
	const struct mx_opts *opts, mx_done_cb done, void *arg, struct err *e)
{
	struct mx_lookup *lk;
	char norm[DNS_NAME_MAX];

	if (dns_name_normalize(domain, norm, sizeof(norm), e) == -1)
		return NULL;
	lk = xcalloc(1, sizeof(*lk));
	lk->r = r;
	lk->opts = *opts;
	if (lk->opts.port == 0)
		lk->opts.port = 25;
	lk->done = done;
	lk->arg = arg;
	lk->res = xcalloc(1, sizeof(*lk->res));
	lk->res->domain = xstrdup(norm);
	lk->res->port = lk->opts.port;
	lk->res->single = opts->single;
	if (opts->single) {
		mx_result_one_host(lk->res, norm);
		mx_start_hosts(lk);
		if (lk->pending > 0)
			return lk;
		err_set(e, ERR_USAGE, "%s", lk->res->hosts[0].why);
	} else if ((lk->qmx = resolver_query(r, norm, DNS_TYPE_MX, mx_mx_cb,
	    lk, e)) != NULL)
		return lk;
	mx_result_free(lk->res);
	free(lk);
	return NULL;
}

void
mx_lookup_cancel(struct mx_lookup *lk)
{
	size_t i;

	if (lk == NULL)
		return;
	resolver_cancel(lk->qmx);
	for (i = 0; i < lk->res->nhosts; i++) {
		resolver_cancel(lk->res->hosts[i].q4);
		resolver_cancel(lk->res->hosts[i].q6);
		resolver_cancel(lk->res->hosts[i].qo);
		resolver_cancel(lk->res->hosts[i].qx);
		resolver_cancel(lk->res->hosts[i].qc);
	}
	mx_result_free(lk->res);
	free(lk);
}
