/*
 * check - resolve, probe and evaluate one domain or service.
 */
#include "dane/check.h"

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "dns/sigchain.h"
#include "util/xalloc.h"

struct check {
	const struct check_env *env;
	struct check_opts o;
	struct check_result *res;
	struct mx_lookup *lk;
	struct sigchain *sc;            /* DNSKEY/DS walk in flight */
	struct event *deadline;
	struct timeval t0;
	size_t pending;                 /* probes in flight */
	check_done_cb done;
	void *arg;
};

const char *
check_verdict_name(enum check_verdict v)
{
	switch (v) {
	case CHECK_PASS:
		return "pass";
	case CHECK_WARN:
		return "warn";
	case CHECK_UNAUTH:
		return "unauthenticated";
	case CHECK_NONE:
		return "not-applicable";
	case CHECK_FAIL:
		return "fail";
	default:
		return "unknown";
	}
}

const char *
check_level_name(enum check_level l)
{
	return l == CHECK_LEVEL_DANE_ONLY ? "dane-only" : "dane";
}

int
check_level_parse(const char *s, enum check_level *l)
{
	if (strcmp(s, "dane") == 0)
		*l = CHECK_LEVEL_DANE;
	else if (strcmp(s, "dane-only") == 0)
		*l = CHECK_LEVEL_DANE_ONLY;
	else
		return -1;
	return 0;
}

void
check_result_free(struct check_result *res)
{
	size_t i, j;

	if (res == NULL)
		return;
	for (i = 0; i < res->nhosts; i++) {
		struct check_host *h = &res->hosts[i];

		for (j = 0; j < h->naddrs; j++) {
			free(h->addrs[j].address);
			free(h->addrs[j].why);
			free(h->addrs[j].probe_error);
			probe_result_free(h->addrs[j].probe);
		}
		free(h->addrs);
		free(h->recs);
		free(h->why);
	}
	free(res->hosts);
	for (i = 0; i < res->nwarnings; i++) {
		free(res->warnings[i].code);
		free(res->warnings[i].host);
		free(res->warnings[i].address);
		free(res->warnings[i].zone);
		free(res->warnings[i].rrset);
		free(res->warnings[i].message);
	}
	free(res->warnings);
	for (i = 0; i < res->nrrsigs; i++) {
		free(res->rrsigs[i].name);
		free(res->rrsigs[i].zone);
	}
	free(res->rrsigs);
	mx_result_free(res->mx);
	free(res->domain);
	free(res->summary);
	free(res);
}

/* The host model (addresses, probes) before the mx_result is ours. */
static void
check_hosts_drop(struct check_result *res)
{
	size_t i, j;

	if (res->hosts == NULL)
		return;
	for (i = 0; i <= MX_MAX_HOSTS; i++) {
		struct check_host *h = &res->hosts[i];

		for (j = 0; j < h->naddrs; j++) {
			free(h->addrs[j].address);
			free(h->addrs[j].probe_error);
			probe_result_free(h->addrs[j].probe);
		}
		free(h->addrs);
	}
	free(res->hosts);
	res->hosts = NULL;
	res->nhosts = 0;
}

static void
check_finish(struct check *c)
{
	struct check_result *res = c->res;
	check_done_cb done = c->done;
	void *arg = c->arg;
	struct timeval now, d;

	gettimeofday(&now, NULL);
	timersub(&now, &c->t0, &d);
	res->elapsed_ms = d.tv_sec * 1000.0 + d.tv_usec / 1000.0;
	if (c->deadline != NULL)
		event_free(c->deadline);
	free(c);
	check_evaluate(res, time(NULL));
	done(arg, res);
}

static void
check_probe_cb(void *arg, struct probe_result *pr)
{
	struct check_addr *a = arg;
	struct check *c = a->c;

	a->p = NULL;
	a->job = NULL;
	a->probe = pr;
	if (--c->pending == 0 && c->lk == NULL && c->sc == NULL)
		check_finish(c);
}

static void
check_name_add(const char *names[5], const char *name)
{
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (dns_name_equal(names[i], name))
			return;
	if (i < 4)
		names[i] = name;
}

/*
 * Reference identifiers for DANE-TA (RFC 7672 3.2.2, as Postfix): the
 * base domain and the MX name; with DANE-TA records, after a secure MX
 * lookup, also the mail domain itself.  Not the MX name's CNAME target
 * when the base is the original name (Postfix: "hostname mismatch").
 * (Only DANE-TA uses names: sets without it keep the short list, so that
 * a survey's probes of one host stay shared between domains.)
 */
static void
check_names(const char *domain, const struct mx_host *h,
	const char *names[5])
{
	size_t i;

	memset(names, 0, 5 * sizeof(*names));
	check_name_add(names, h->base);
	check_name_add(names, h->name);
	for (i = 0; i < h->ntlsa; i++)
		if (h->tlsa[i]->usage == TLSA_USAGE_DANE_TA &&
		    tlsa_rec_usable_smtp(h->tlsa[i], NULL))
			break;
	if (i == h->ntlsa)
		return;
	if (h->mx_secure && domain != NULL)
		check_name_add(names, domain);
}

/* Hosts whose addresses a sender would connect to. */
static int
check_host_probed(enum mx_dane d)
{
	return d == MX_DANE_APPLIES || d == MX_DANE_UNUSABLE ||
	    d == MX_DANE_NONE;
}

static void
check_target(const struct check *c, struct probe_target *t)
{
	memset(t, 0, sizeof(*t));
	t->port = c->res->port;
	t->starttls = c->res->starttls;
	t->ehlo_name = c->o.ehlo_name;
	t->connect_ms = c->o.connect_ms;
	t->reply_ms = c->o.reply_ms;
	t->handshake_ms = c->o.handshake_ms;
}

/* Start one address's probe (or prober job); a refusal is recorded. */
static void
check_probe_addr(struct check *c, struct check_addr *a,
	struct probe_target *t)
{
	const struct check_prober *pr = c->o.prober;
	struct err e;

	t->address = a->address;
	if (pr != NULL && !t->defer_tlsa) {
		a->job = pr->start(pr->ctx, t, check_probe_cb, a, &e);
		if (a->job != NULL)
			c->pending++;
	} else {
		a->p = probe_start(c->env->base, c->env->ctx, t,
		    check_probe_cb, a, &e);
		if (a->p != NULL)
			c->pending++;
	}
	if (a->p == NULL && a->job == NULL)
		a->probe_error = xstrdup(e.msg);
}

/*
 * The host is decided: hand its records to the probes already talking
 * (started when its addresses came), or start its probes now.
 */
static void
check_probe_host(struct check *c, struct check_host *ch)
{
	struct mx_host *h = ch->mx;
	struct probe_target t;
	struct tlsa_rec **usable;
	const char *names[5];
	char domain[DNS_NAME_MAX];
	size_t i, n = 0;

	usable = xcalloc(h->ntlsa + 1, sizeof(*usable));
	for (i = 0; i < h->ntlsa; i++)
		if (tlsa_rec_usable_smtp(h->tlsa[i], NULL))
			usable[n++] = h->tlsa[i];
	check_target(c, &t);
	if (h->dane == MX_DANE_APPLIES) {
		check_names(dns_name_normalize(c->res->domain, domain,
		    sizeof(domain), NULL) == 0 ? domain : NULL, h, names);
		t.names = names;
		t.tlsa = usable;
		t.ntlsa = n;
	}
	t.sni = h->base != NULL ? h->base : h->canon;
	for (i = 0; i < ch->naddrs; i++) {
		struct check_addr *a = &ch->addrs[i];

		if (a->p != NULL)
			probe_set_tlsa(a->p, &t);
		else if (a->probe == NULL && a->probe_error == NULL)
			check_probe_addr(c, a, &t);
	}
	free(usable);
}

static void
check_host_addrs(struct check *c, struct check_host *ch)
{
	struct mx_host *h = ch->mx;
	size_t j;

	ch->addrs = xcalloc(h->naddrs + 1, sizeof(*ch->addrs));
	ch->naddrs = h->naddrs;
	for (j = 0; j < h->naddrs; j++) {
		ch->addrs[j].address = xstrdup(h->addrs[j].addr);
		ch->addrs[j].family = h->addrs[j].family;
		ch->addrs[j].c = c;
	}
}

/* Cancel a host's probes and forget its addresses (not to be probed). */
static void
check_host_unprobe(struct check *c, struct check_host *ch)
{
	size_t j;

	for (j = 0; j < ch->naddrs; j++) {
		struct check_addr *a = &ch->addrs[j];

		if (a->p != NULL) {
			probe_cancel(a->p);
			c->pending--;
		}
		free(a->address);
		free(a->probe_error);
		probe_result_free(a->probe);
	}
	free(ch->addrs);
	ch->addrs = NULL;
	ch->naddrs = 0;
}

/*
 * One host's progress (mx_host_cb): connect as soon as its addresses are
 * known, so that banner, EHLO and STARTTLS overlap the TLSA lookup; the
 * records follow when the host is decided.  A host found bogus meanwhile
 * loses its probes: a sender would not connect.
 */
static void
check_host_cb(void *arg, struct mx_host *h, size_t index, int decided)
{
	struct check *c = arg;
	struct check_host *ch;
	struct probe_target t;
	size_t i;

	if (c->res->hosts == NULL)
		c->res->hosts = xcalloc(MX_MAX_HOSTS + 1,
		    sizeof(*c->res->hosts));
	ch = &c->res->hosts[index];
	ch->mx = h;
	if (!decided) {
		if (c->o.prober != NULL || ch->addrs != NULL)
			return;
		check_host_addrs(c, ch);
		check_target(c, &t);
		t.defer_tlsa = 1;
		for (i = 0; i < ch->naddrs; i++)
			check_probe_addr(c, &ch->addrs[i], &t);
		return;
	}
	if (!check_host_probed(h->dane)) {
		check_host_unprobe(c, ch);
		return;
	}
	if (ch->addrs == NULL)
		check_host_addrs(c, ch);
	check_probe_host(c, ch);
}

static void
check_rrsig_add(struct check_result *res, const char *name, uint16_t type,
	const char *zone, time_t expires)
{
	struct check_rrsig *r;
	size_t i;

	if (expires == 0)
		return;
	for (i = 0; i < res->nrrsigs; i++)
		if (res->rrsigs[i].type == type &&
		    dns_name_equal(res->rrsigs[i].name, name))
			return;
	res->rrsigs = xreallocarray(res->rrsigs, res->nrrsigs + 1,
	    sizeof(*res->rrsigs));
	r = &res->rrsigs[res->nrrsigs++];
	r->name = xstrdup(name);
	r->type = type;
	r->zone = xstrdup(zone);
	r->expires = expires;
}

static void
check_rrsig_sig(struct check_result *res, const struct dns_sig *s)
{
	if (s->expires != 0)
		check_rrsig_add(res, s->owner, s->type, s->signer, s->expires);
}

/* The signed RRsets of the lookup, hosts that were decided included. */
static void
check_rrsigs_from_mx(struct check_result *res)
{
	const struct mx_result *mx = res->mx;
	size_t i;

	check_rrsig_sig(res, &mx->mx_sig);
	for (i = 0; i < mx->nhosts; i++) {
		check_rrsig_sig(res, &mx->hosts[i].addr_sig);
		check_rrsig_sig(res, &mx->hosts[i].cname_sig);
		check_rrsig_sig(res, &mx->hosts[i].tlsa_sig);
	}
}

static void
check_sigchain_cb(void *arg, struct sigchain_result *sr)
{
	struct check *c = arg;
	size_t i;

	c->sc = NULL;
	for (i = 0; i < sr->nsets; i++)
		check_rrsig_add(c->res, sr->sets[i].name, sr->sets[i].type,
		    sr->sets[i].zone, sr->sets[i].expires);
	c->res->rrsigs_incomplete = sr->truncated;
	sigchain_result_free(sr);
	if (c->pending == 0)
		check_finish(c);
}

/* Walk the DNSKEY/DS chain of every zone that signed an answer. */
static void
check_start_sigchain(struct check *c)
{
	const char *zones[SIGCHAIN_MAX_ZONES];
	struct check_result *res = c->res;
	size_t i, j, n = 0;
	struct err e;

	for (i = 0; i < res->nrrsigs && n < SIGCHAIN_MAX_ZONES; i++) {
		for (j = 0; j < n; j++)
			if (dns_name_equal(zones[j], res->rrsigs[i].zone))
				break;
		if (j == n)
			zones[n++] = res->rrsigs[i].zone;
	}
	if (n > 0)
		c->sc = sigchain_start(c->env->resolver, zones, n,
		    check_sigchain_cb, c, &e);
}

/*
 * DNS is done: the model takes the result, the signing chain is walked;
 * finish unless probes or the walk run.
 */
static void
check_mx_cb(void *arg, struct mx_result *mx)
{
	struct check *c = arg;
	struct check_result *res = c->res;
	size_t i;

	c->lk = NULL;
	res->mx = mx;
	if (res->hosts == NULL)
		res->hosts = xcalloc(MX_MAX_HOSTS + 1, sizeof(*res->hosts));
	res->nhosts = mx->nhosts;
	for (i = 0; i < mx->nhosts; i++)
		res->hosts[i].mx = &mx->hosts[i];
	check_rrsigs_from_mx(res);
	check_start_sigchain(c);
	if (c->pending == 0 && c->sc == NULL)
		check_finish(c);
}

static void
check_cancel_probes(struct check *c, int timed_out)
{
	struct check_result *res = c->res;
	const struct check_prober *pr = c->o.prober;
	size_t i, j, n;

	if (res->hosts == NULL)
		return;
	n = res->mx != NULL ? res->nhosts : MX_MAX_HOSTS;
	for (i = 0; i < n; i++)
		for (j = 0; j < res->hosts[i].naddrs; j++) {
			struct check_addr *a = &res->hosts[i].addrs[j];

			if (a->p == NULL && a->job == NULL)
				continue;
			if (a->p != NULL)
				probe_cancel(a->p);
			else
				pr->cancel(pr->ctx, a->job);
			a->p = NULL;
			a->job = NULL;
			a->timed_out = timed_out;
		}
	c->pending = 0;
}

static void
check_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct check *c = arg;

	(void)fd;
	(void)what;
	check_cancel_probes(c, 1);
	if (c->sc != NULL) {
		sigchain_cancel(c->sc);
		c->sc = NULL;
		c->res->rrsigs_incomplete = 1;
	}
	if (c->lk != NULL) {
		/* The hosts go with the lookup: so does their model. */
		mx_lookup_cancel(c->lk);
		c->lk = NULL;
		c->res->dns_timed_out = 1;
		check_hosts_drop(c->res);
	}
	check_finish(c);
}

struct check *
check_start(const struct check_env *env, const char *name,
	const struct check_opts *o, check_done_cb done, void *arg,
	struct err *e)
{
	struct check *c = xcalloc(1, sizeof(*c));
	struct mx_opts mo;
	struct timeval tv;

	c->env = env;
	c->o = *o;
	c->done = done;
	c->arg = arg;
	gettimeofday(&c->t0, NULL);
	c->res = xcalloc(1, sizeof(*c->res));
	c->res->domain = xstrdup(name);
	c->res->port = o->port != 0 ? o->port : 25;
	c->res->starttls = o->starttls_set ? o->starttls :
	    starttls_for_port(c->res->port);
	c->res->single = o->single;
	c->res->warn_days = o->warn_days >= 0 ? o->warn_days : 21;
	c->res->level = o->level;
	c->res->sig_warn_days = o->sig_warn_days == 0 ? 7 :
	    o->sig_warn_days < 0 ? 0 : o->sig_warn_days;
	c->res->started = time(NULL);
	memset(&mo, 0, sizeof(mo));
	mo.port = c->res->port;
	mo.single = o->single;
	mo.no_ipv4 = o->no_ipv4;
	mo.no_ipv6 = o->no_ipv6;
	mo.host_cb = check_host_cb;
	if (o->total_ms > 0) {
		c->deadline = evtimer_new(env->base, check_deadline_cb, c);
		tv.tv_sec = o->total_ms / 1000;
		tv.tv_usec = (o->total_ms % 1000) * 1000;
		if (c->deadline == NULL || evtimer_add(c->deadline, &tv) != 0) {
			err_set(e, ERR_SYSTEM, "cannot arm the check's timer");
			check_cancel(c);
			return NULL;
		}
	}
	c->lk = mx_lookup_start(env->resolver, name, &mo, check_mx_cb, c, e);
	if (c->lk == NULL) {
		check_cancel(c);
		return NULL;
	}
	return c;
}

void
check_cancel(struct check *c)
{
	if (c == NULL)
		return;
	check_cancel_probes(c, 0);
	sigchain_cancel(c->sc);
	if (c->lk != NULL) {
		mx_lookup_cancel(c->lk);
		check_hosts_drop(c->res);
	}
	if (c->deadline != NULL)
		event_free(c->deadline);
	check_result_free(c->res);
	free(c);
}
