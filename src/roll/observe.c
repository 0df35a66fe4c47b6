/*
 * observe - what one round of a run sees of a lineage: its source,
 * deployed and next keys and their records, the provider's records, the
 * keys other lineages use, every authoritative server, and the hold time
 * with where it comes from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider/provider.h"
#include "roll/certbot.h"
#include "roll/run_priv.h"
#include "roll/verify.h"
#include "tlsa/tlsa.h"
#include "util/xalloc.h"

void
run_obs_free(struct run_obs *o)
{
	keys_free(o->src);
	keys_free(o->dep);
	keys_free(o->next);
	keys_list_free(o->src_recs, o->nsrc);
	keys_list_free(o->dep_recs, o->ndep);
	keys_list_free(o->next_recs, o->nnext);
	run_list_free(o->protect, o->nprotect);
	run_list_free(o->prov, o->nprov);
	authns_free(o->auth);
	memset(o, 0, sizeof(*o));
}

/* The provider's records at every owner, as "OWNER U S M HEX". */
static int
run_observe_provider(struct run_ctx *x, struct run_obs *o, struct err *e)
{
	struct tlsa_rec **recs;
	size_t n, i, j;
	char *text;

	for (i = 0; i < x->l->nowners; i++) {
		if (provider_list(x->prov, x->l->owners[i], &recs, &n, e) < 0)
			return -1;
		for (j = 0; j < n; j++) {
			text = tlsa_rec_format(recs[j]);
			run_list_add(&o->prov, &o->nprov, xasprintf("%s %s",
			    x->l->owners[i], text));
			free(text);
		}
		provider_recs_free(recs, n);
	}
	return 0;
}

/* Records of the keys other lineages use: never ours to retire. */
static void
run_protect_others(struct run_ctx *x, struct run_obs *o)
{
	struct conf_lineage *ol;
	struct keyset *k;
	char **recs, *next;
	size_t i, j, n;
	struct err e;

	for (i = 0; i < x->c->nlineages; i++) {
		ol = &x->c->lineages[i];
		if (ol == x->l)
			continue;
		next = xasprintf("%s/%s/next.key", x->c->state_dir, ol->name);
		for (j = 0; j < 2; j++) {
			err_clear(&e);
			k = j == 0 ? keys_load(ol->deploy_key, ol->deploy_chain, ol,
			    &e) : keys_load(next, NULL, ol, &e);
			if (k == NULL)
				continue;
			/* computed with our owners: same names, their key */
			if (keys_records(k, x->l, &recs, &n, &e) == 0) {
				while (n > 0)
					run_list_add(&o->protect, &o->nprotect,
					    recs[--n]);
				free(recs);
			}
			keys_free(k);
		}
		free(next);
	}
}

static void
run_observe_keys(struct run_ctx *x, struct run_obs *o)
{
	char *skey = NULL, *schain = NULL;
	struct err e;

	certbot_source(x->c, x->l, &skey, &schain);
	err_clear(&e);
	if ((o->src = keys_load(skey, schain, x->l, &e)) == NULL)
		snprintf(o->src_why, sizeof(o->src_why), "%s", e.msg);
	else if (keys_check(o->src, x->l, x->c->ca_file, &e) < 0)
		snprintf(o->src_why, sizeof(o->src_why), "%s: %s", schain, e.msg);
	else
		o->src_ok = 1;
	free(skey);
	free(schain);
	err_clear(&e);
	o->dep = keys_load(x->l->deploy_key, x->l->deploy_chain, x->l, &e);
	err_clear(&e);
	o->next = keys_load(x->rl->next_path, NULL, x->l, &e);
	if (!x->l->next_key) {
		keys_free(o->next);
		o->next = NULL;
	}
}

/*
 * Adoption without a gap: no deployed files yet, but every endpoint
 * presents the source's key already (the services still read the ACME
 * client's files).  Deploying that key changes nothing a DANE client can
 * see, so it goes out at once instead of after a hold.
 */
static int
run_presented(struct run_ctx *x, const struct keyset *src)
{
	struct verify *v;
	struct err e;
	size_t i;
	int all;

	if (x->l->nverify == 0)
		return 0;
	err_clear(&e);
	if ((v = verify_endpoints(x->c, x->l, &e)) == NULL)
		return 0;
	all = v->nseen > 0;
	for (i = 0; i < v->nseen; i++)
		if (v->seen[i].key == NULL || strcmp(v->seen[i].key->id,
		    src->id) != 0)
			all = 0;
	verify_free(v);
	if (all)
		x->rl->adopted = 1;
	return all;
}

static int
run_observe_recs(struct run_ctx *x, struct run_obs *o, struct err *e)
{
	if ((o->src != NULL && keys_records(o->src, x->l, &o->src_recs,
	    &o->nsrc, e) < 0) ||
	    (o->dep != NULL && keys_records(o->dep, x->l, &o->dep_recs,
	    &o->ndep, e) < 0) ||
	    (o->next != NULL && keys_records(o->next, x->l, &o->next_recs,
	    &o->nnext, e) < 0))
		return -1;
	/*
	 * A state without a current key adopts what the services read (saved
	 * with the next step).
	 */
	if (x->st->current == NULL && o->dep != NULL)
		state_set_str(&x->st->current, o->dep->id);
	else if (x->st->current == NULL && o->src_ok && run_presented(x, o->src))
		state_set_str(&x->st->current, o->src->id);
	/* rollover_days counts from the first key daneops looks after. */
	if (x->st->last_rollover == 0 && x->st->current != NULL)
		x->st->last_rollover = x->now;
	o->cur = x->st->current;
	if (o->cur != NULL && o->dep != NULL && strcmp(o->dep->id, o->cur) == 0) {
		o->cur_recs = o->dep_recs;
		o->ncur = o->ndep;
	} else if (o->cur != NULL && o->src != NULL &&
	    strcmp(o->src->id, o->cur) == 0) {
		o->cur_recs = o->src_recs;
		o->ncur = o->nsrc;
	}
	/* Whatever the deployed files hold is in use: protect it. */
	for (size_t i = 0; i < o->ndep; i++)
		run_list_add(&o->protect, &o->nprotect, xstrdup(o->dep_recs[i]));
	return 0;
}

static const char *
run_zone(const struct conf_lineage *l)
{
	size_t i;

	for (i = 0; i < l->prov->nparams; i++)
		if (strcmp(l->prov->params[i].key, "zone") == 0)
			return l->prov->params[i].value;
	return NULL;
}

/*
 * Where the wait comes from, for the plan: "hold 20 s = 2 x max(TTL 2,
 * negative TTL 10 = min(SOA TTL 2, SOA MINIMUM 10) of roll.test.)".
 */
static void
run_hold_why(struct run_ctx *x, const struct authns *a)
{
	char served[64] = "", neg[160] = "";

	if (a != NULL && a->tlsa_ttl > x->l->ttl)
		snprintf(served, sizeof(served), ", TLSA TTL %u served",
		    a->tlsa_ttl);
	if (a != NULL)
		snprintf(neg, sizeof(neg), ", negative TTL %u = min(SOA TTL "
		    "%u, SOA MINIMUM %u) of %.80s", a->neg_ttl, a->soa_ttl,
		    a->soa_min, a->zone);
	else
		snprintf(neg, sizeof(neg), ", negative TTL unknown: the "
		    "authoritative servers were not found");
	free(x->rl->hold_why);
	x->rl->hold_why = xasprintf("hold %ld s = 2 x max(TTL %u%s%s)%s",
	    x->rl->hold, x->l->ttl, served, neg, x->l->min_wait >
	    x->rl->hold ? "; min_wait is longer" : "");
}

int
run_observe(struct run_ctx *x, struct run_obs *o, struct err *e)
{
	const char *zone = run_zone(x->l);
	struct err ae;
	long ttl;

	memset(o, 0, sizeof(*o));
	run_observe_keys(x, o);
	if (run_observe_recs(x, o, e) < 0 || run_observe_provider(x, o, e) < 0)
		return -1;
	run_protect_others(x, o);
	err_clear(&ae);
	if (zone == NULL)
		snprintf(o->auth_error, sizeof(o->auth_error), "[provider %s] "
		    "has no zone: cannot find the authoritative servers",
		    x->l->prov->name);
	else if ((o->auth = authns_query(zone, x->l->owners, x->l->nowners,
	    x->c->resolver, &ae)) == NULL)
		snprintf(o->auth_error, sizeof(o->auth_error), "%s", ae.msg);
	ttl = x->l->ttl;
	if (o->auth != NULL && (long)o->auth->tlsa_ttl > ttl)
		ttl = o->auth->tlsa_ttl;
	if (o->auth != NULL && (long)o->auth->neg_ttl > ttl)
		ttl = o->auth->neg_ttl;
	x->rl->hold = 2 * ttl;
	run_hold_why(x, o->auth);
	return 0;
}
