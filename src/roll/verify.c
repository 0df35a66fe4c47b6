/*
 * verify - endpoint checks on one event loop through the check engine.
 */
#include "roll/verify.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "dane/check.h"
#include "dns/dns_answer.h"
#include "dns/resolver.h"
#include "probe/probe.h"
#include "util/xalloc.h"

#define VERIFY_TOTAL_MS 30000

/*
 * One endpoint: through the check engine (the host's own addresses), or,
 * with a connect address, a TLSA lookup and one probe of that address.
 */
struct verify_one {
	struct check_result *res;       /* check engine */
	const struct conf_endpoint *ep;
	const struct check_env *env;
	struct dns_query *q;
	struct probe *p;
	struct probe_result *pres;
	char *why;                      /* the lookup failed or was not secure */
	int done;
};

static void
verify_done(void *arg, struct check_result *res)
{
	((struct verify_one *)arg)->res = res;
}

static void
verify_probe_done(void *arg, struct probe_result *res)
{
	struct verify_one *one = arg;

	one->p = NULL;
	one->pres = res;
	one->done = 1;
}

/* The TLSA set of the endpoint is known: probe the connect address. */
static void
verify_tlsa_done(void *arg, struct dns_answer *ans)
{
	struct verify_one *one = arg;
	const struct conf_endpoint *ep = one->ep;
	struct tlsa_rec *recs[DNS_MAX_RRS];
	const char *names[2] = { ep->host, NULL };
	struct probe_target t;
	struct err e;
	size_t i, n = 0;

	one->q = NULL;
	if (ans->status != DNS_OK || ans->sec != DNS_SEC_SECURE) {
		one->why = xasprintf("TLSA at _%u._tcp.%s: %s, %s", ep->port,
		    ep->host, dns_status_name(ans->status), dns_sec_name(ans->sec));
		one->done = 1;
		dns_answer_free(ans);
		return;
	}
	for (i = 0; i < ans->nrr && n < DNS_MAX_RRS; i++)
		if (ans->rr[i].tlsa != NULL)
			recs[n++] = ans->rr[i].tlsa;
	memset(&t, 0, sizeof(t));
	t.address = ep->connect;
	t.port = ep->port;
	if (ep->starttls == NULL || starttls_parse(ep->starttls, &t.starttls) < 0)
		t.starttls = starttls_for_port(ep->port);
	t.sni = ep->host;
	t.names = names;
	t.tlsa = recs;
	t.ntlsa = n;
	t.total_ms = VERIFY_TOTAL_MS;
	if ((one->p = probe_start(one->env->base, one->env->ctx, &t,
	    verify_probe_done, one, &e)) == NULL) {
		one->why = xstrdup(e.msg);
		one->done = 1;
	}
	dns_answer_free(ans);
}

static int
verify_start_connect(struct verify_one *one, struct err *e)
{
	char *owner = xasprintf("_%u._tcp.%s", one->ep->port, one->ep->host);

	one->q = resolver_query(one->env->resolver, owner, DNS_TYPE_TLSA,
	    verify_tlsa_done, one, e);
	free(owner);
	return one->q != NULL ? 0 : -1;
}

static void
verify_add(struct verify *v, const char *ep, const char *addr,
	struct keyset *k, int ok, const char *why)
{
	struct verify_seen *s;

	v->seen = xreallocarray(v->seen, v->nseen + 1, sizeof(*v->seen));
	s = &v->seen[v->nseen++];
	s->where = xasprintf("%s %s", ep, addr != NULL ? addr : "-");
	s->key = k;
	s->dane_ok = ok;
	s->why = why != NULL ? xstrdup(why) : NULL;
}

/* Turn one endpoint's check result into seen entries. */
static void
verify_collect(struct verify *v, const struct conf_lineage *l,
	const struct conf_endpoint *ep, struct check_result *res)
{
	struct check_addr *a;
	struct keyset *k;
	struct err e;
	size_t h, i;
	int ok;

	if (res == NULL || res->nhosts == 0) {
		verify_add(v, ep->text, NULL, NULL, 0, res != NULL ?
		    res->summary : "the check did not finish");
		return;
	}
	for (h = 0; h < res->nhosts; h++) {
		for (i = 0; i < res->hosts[h].naddrs; i++) {
			a = &res->hosts[h].addrs[i];
			err_clear(&e);
			k = a->probe != NULL && a->probe->status == PROBE_OK ?
			    keys_from_chain(a->probe->chain, l, &e) : NULL;
			ok = a->verdict == CHECK_PASS || a->verdict == CHECK_WARN;
			verify_add(v, ep->text, a->address, k, ok, a->why);
		}
		if (res->hosts[h].naddrs == 0)
			verify_add(v, ep->text, NULL, NULL, 0, res->hosts[h].why);
	}
}

static void
verify_collect_probe(struct verify *v, const struct conf_lineage *l,
	struct verify_one *one)
{
	struct probe_result *r = one->pres;
	struct keyset *k = NULL;
	struct err e;

	if (r == NULL) {
		verify_add(v, one->ep->text, one->ep->connect, NULL, 0,
		    one->why != NULL ? one->why : "the check did not finish");
		return;
	}
	err_clear(&e);
	if (r->status == PROBE_OK)
		k = keys_from_chain(r->chain, l, &e);
	verify_add(v, one->ep->text, one->ep->connect, k, r->dane_ok,
	    r->status != PROBE_OK ? r->detail : r->dane_ok ? NULL :
	    r->verify_error_str != NULL ? r->verify_error_str :
	    "no TLSA record matched");
}

struct verify *
verify_endpoints(const struct conf *c, const struct conf_lineage *l,
	struct err *e)
{
	struct verify_one one[CONF_MAX_LIST];
	struct check *cs[CONF_MAX_LIST];
	struct check_env env = { NULL, NULL, NULL };
	struct resolver_opts ro;
	struct check_opts co;
	struct verify *v = xcalloc(1, sizeof(*v));
	const struct conf_endpoint *ep;
	size_t i, started = 0;

	memset(one, 0, sizeof(one));
	conf_resolver_opts(c, &ro);
	if ((env.base = event_base_new()) == NULL) {
		err_set(e, ERR_SYSTEM, "cannot create an event loop");
		goto fail;
	}
	if ((env.resolver = resolver_new(env.base, &ro, e)) == NULL ||
	    (env.ctx = probe_ssl_ctx_new(e)) == NULL)
		goto fail;
	for (i = 0; i < l->nverify; i++) {
		ep = &l->verify[i];
		memset(&co, 0, sizeof(co));
		co.port = ep->port;
		co.single = 1;
		co.warn_days = -1;
		co.total_ms = VERIFY_TOTAL_MS;
		if (ep->starttls != NULL) {
			if (starttls_parse(ep->starttls, &co.starttls) < 0) {
				err_set(e, ERR_INPUT, "verify %s: unknown STARTTLS "
				    "kind", ep->text);
				goto fail;
			}
			co.starttls_set = 1;
		}
		one[i].ep = ep;
		one[i].env = &env;
		if (ep->connect != NULL) {
			if (verify_start_connect(&one[i], e) < 0)
				goto fail;
		} else if ((cs[i] = check_start(&env, ep->host, &co, verify_done,
		    &one[i], e)) == NULL)
			goto fail;
		started++;
	}
	event_base_dispatch(env.base);
	for (i = 0; i < l->nverify; i++) {
		if (l->verify[i].connect != NULL)
			verify_collect_probe(v, l, &one[i]);
		else
			verify_collect(v, l, &l->verify[i], one[i].res);
		check_result_free(one[i].res);
		probe_result_free(one[i].pres);
		free(one[i].why);
	}
	resolver_free(env.resolver);
	SSL_CTX_free(env.ctx);
	event_base_free(env.base);
	return v;
fail:
	for (i = 0; i < started; i++) {
		if (l->verify[i].connect != NULL) {
			resolver_cancel(one[i].q);
			probe_cancel(one[i].p);
			probe_result_free(one[i].pres);
			free(one[i].why);
		} else if (one[i].res == NULL)
			check_cancel(cs[i]);
		else
			check_result_free(one[i].res);
	}
	resolver_free(env.resolver);
	SSL_CTX_free(env.ctx);
	if (env.base != NULL)
		event_base_free(env.base);
	verify_free(v);
	return NULL;
}

int
verify_all_present(const struct verify *v, const char *key_id,
	struct err *e)
{
	const struct verify_seen *s;
	size_t i;

	for (i = 0; i < v->nseen; i++) {
		s = &v->seen[i];
		if (s->key == NULL)
			return err_set(e, ERR_NETWORK, "%s: no certificate "
			    "presented (%s)", s->where, s->why != NULL ? s->why :
			    "no answer");
		if (strcmp(s->key->id, key_id) != 0)
			return err_set(e, ERR_NETWORK, "%s presents key %.16s, "
			    "not the deployed key %.16s: did the reload command "
			    "reload every service?", s->where, s->key->id, key_id);
		if (!s->dane_ok)
			return err_set(e, ERR_NETWORK, "%s: DANE does not "
			    "authenticate it yet: %s", s->where,
			    s->why != NULL ? s->why : "?");
	}
	return 0;
}

void
verify_free(struct verify *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->nseen; i++) {
		free(v->seen[i].where);
		keys_free(v->seen[i].key);
		free(v->seen[i].why);
	}
	free(v->seen);
	free(v);
}
