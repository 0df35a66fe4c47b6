/*
 * lineage - live checks of every configured lineage's TLSA owners.
 */
#include "doctor/lineage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "dane/check.h"
#include "probe/probe.h"
#include "roll/certbot.h"
#include "roll/conf.h"
#include "roll/keys.h"
#include "util/xalloc.h"

#define LINEAGE_MAX_JOBS        (CONF_MAX_LIST * 16)

struct lin_job {
	const struct conf_lineage *l;
	size_t li;                      /* index of l */
	const char *owner;              /* "_25._tcp.mx.example.org." */
	struct check *c;
	struct check_result *res;
};

/* Records daneops keeps: "OWNER U S M hex" of every lineage's keys. */
struct lin_recs {
	char **v;
	size_t n;
};

struct lin_ctx {
	const struct lineage_opts *o;
	const struct conf *c;
	struct lin_recs known;          /* current, source, next of all */
	struct lin_recs *next;          /* per lineage: next key's records */
	struct lin_job jobs[LINEAGE_MAX_JOBS];
	size_t njobs;
};

static void
lin_recs_add(struct lin_recs *r, char **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		r->v = xreallocarray(r->v, r->n + 1, sizeof(*r->v));
		r->v[r->n++] = list[i];
	}
	free(list);
}

static void
lin_recs_free(struct lin_recs *r)
{
	keys_list_free(r->v, r->n);
	r->v = NULL;
	r->n = 0;
}

static int
lin_recs_has(const struct lin_recs *r, const char *rec)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i], rec) == 0)
			return 1;
	return 0;
}

/* The records of one key file (and chain) of l, added to out. */
static void
lin_key_recs(const struct conf_lineage *l, const char *key,
	const char *chain, struct lin_recs *out)
{
	struct keyset *k;
	struct err e;
	char **list;
	size_t n;

	if (key == NULL)
		return;
	/* A file that is not there yet is simply not a known key. */
	if ((k = keys_load(key, chain, l, &e)) == NULL)
		return;
	if (keys_records(k, l, &list, &n, &e) == 0)
		lin_recs_add(out, list, n);
	keys_free(k);
}

static void
lin_known(struct lin_ctx *x)
{
	const struct conf_lineage *l;
	char *key, *chain, *next;
	size_t i;

	x->next = xcalloc(x->c->nlineages + 1, sizeof(*x->next));
	for (i = 0; i < x->c->nlineages; i++) {
		l = &x->c->lineages[i];
		lin_key_recs(l, l->deploy_key, l->deploy_chain, &x->known);
		certbot_source(x->c, l, &key, &chain);
		lin_key_recs(l, key, chain, &x->known);
		free(key);
		free(chain);
		next = xasprintf("%s/%s/next.key", x->c->state_dir, l->name);
		lin_key_recs(l, next, NULL, &x->next[i]);
		lin_key_recs(l, next, NULL, &x->known);
		free(next);
	}
}

static void
lin_done(void *arg, struct check_result *res)
{
	((struct lin_job *)arg)->res = res;
}

/* "_25._tcp.mx.example.org." -> 25, or 0. */
static uint16_t
lin_port(const char *owner)
{
	char *end;
	long v;

	if (owner[0] != '_')
		return 0;
	errno = 0;
	v = strtol(owner + 1, &end, 10);
	if (errno != 0 || *end != '.' || v < 1 || v > 65535)
		return 0;
	return (uint16_t)v;
}

/* Start one check per owner of every lineage, all on env. */
static int
lin_start(struct lin_ctx *x, const struct check_env *env, struct err *e)
{
	const struct conf_lineage *l;
	struct lin_job *j;
	char *host;
	size_t i, k;

	for (i = 0; i < x->c->nlineages; i++) {
		l = &x->c->lineages[i];
		for (k = 0; k < l->nowners && x->njobs < LINEAGE_MAX_JOBS; k++) {
			struct check_opts co = {
				.port = lin_port(l->owners[k]),
				.single = 1,
				.warn_days = x->o->warn_days,
				.total_ms = x->o->timeout * 1000,
			};

			j = &x->jobs[x->njobs];
			j->l = l;
			j->li = i;
			j->owner = l->owners[k];
			if ((host = conf_owner_host(l->owners[k])) == NULL ||
			    co.port == 0) {
				free(host);
				return err_set(e, ERR_INPUT, "[lineage %s] tlsa "
				    "'%s' is not _PORT._tcp.HOST", l->name,
				    l->owners[k]);
			}
			j->c = check_start(env, host, &co, lin_done, j, e);
			free(host);
			if (j->c == NULL)
				return -1;
			x->njobs++;
		}
	}
	return 0;
}

/* 1 when the engine gave the result a warning with code. */
static const struct check_warning *
lin_warning(const struct check_result *res, const char *code)
{
	size_t i;

	for (i = 0; i < res->nwarnings; i++)
		if (strcmp(res->warnings[i].code, code) == 0)
			return &res->warnings[i];
	return NULL;
}

/* Usable records that match nothing presented and no key daneops keeps. */
static void
lin_stale(const struct lin_ctx *x, const struct lin_job *j,
	const struct check_host *h, const char *subj, struct findings *f)
{
	char *text, *rec, fix[1024];
	size_t i;

	for (i = 0; i < h->nrecs; i++) {
		if (!h->recs[i].usable || h->recs[i].nmatched > 0)
			continue;
		text = tlsa_rec_format(h->recs[i].rec);
		rec = xasprintf("%s %s", j->owner, text);
		if (!lin_recs_has(&x->known, rec)) {
			snprintf(fix, sizeof(fix), "delete it once no server "
			    "presents that key (nsupdate: update delete %s TLSA "
			    "%.60s...)", j->owner, text);
			findings_add(f, FINDING_WARNING, "tlsa-stale", subj, fix,
			    "[lineage %s] %.80s matches no key the endpoints "
			    "present, nor a current, source or next key of any "
			    "lineage", j->l->name, text);
		}
		free(rec);
		free(text);
	}
}

/* 1 when rec ("OWNER U S M hex") is among the records at the owner. */
static int
lin_published(const struct check_host *h, const char *owner,
	const char *rec)
{
	char *text, *full;
	size_t i;
	int found = 0;

	for (i = 0; i < h->nrecs && !found; i++) {
		text = tlsa_rec_format(h->recs[i].rec);
		full = xasprintf("%s %s", owner, text);
		found = strcmp(full, rec) == 0;
		free(full);
		free(text);
	}
	return found;
}

static void
lin_next_key(const struct lin_ctx *x, const struct lin_job *j,
	const struct check_result *res, const struct check_host *h,
	const char *subj, struct findings *f)
{
	const struct lin_recs *next = &x->next[j->li];
	size_t i, olen = strlen(j->owner), n = 0;
	int warned = lin_warning(res, "no-next-key") != NULL ||
	    lin_warning(res, "single-record") != NULL;

	for (i = 0; i < next->n; i++) {
		if (strncmp(next->v[i], j->owner, olen) != 0 ||
		    next->v[i][olen] != ' ')
			continue;
		n++;
		if (!lin_published(h, j->owner, next->v[i]))
			findings_add(f, FINDING_WARNING, "no-next-key", subj,
			    "daneops roll run publishes it",
			    "[lineage %s] the next key's record %.80s is not "
			    "published", j->l->name, next->v[i] + olen + 1);
	}
	if (n > 0 || !warned)
		return;
	if (j->l->next_key)
		findings_add(f, FINDING_WARNING, "no-next-key", subj,
		    "run daneops roll run: it makes a next key and publishes "
		    "its records", "[lineage %s] every record matches the "
		    "current key: a new key would have none", j->l->name);
	else
		findings_add(f, FINDING_INFO, "no-next-key", subj,
		    "set next_key = yes in the lineage, then daneops roll run",
		    "[lineage %s] every record matches the current key "
		    "(next_key = no): a new key would have none", j->l->name);
}

/* The engine's warnings that become findings as they are. */
static void
lin_warnings(const struct lin_job *j, const struct check_result *res,
	const char *subj, struct findings *f)
{
	const struct check_warning *w;
	size_t i;

	for (i = 0; i < res->nwarnings; i++) {
		w = &res->warnings[i];
		if (strcmp(w->code, "expiring") == 0)
			findings_add(f, FINDING_WARNING, "cert-expiring", subj,
			    "find out why renewal did not happen (see the "
			    "renew-* findings, certbot renew --dry-run)",
			    "[lineage %s] %s", j->l->name, w->message);
		else if (strcmp(w->code, "expired") == 0)
			findings_add(f, FINDING_ERROR, "cert-expired", subj,
			    "renew now (certbot renew), then daneops roll run "
			    "deploys it", "[lineage %s] %s", j->l->name,
			    w->message);
		else if (strcmp(w->code, "too-many-records") == 0)
			findings_add(f, FINDING_WARNING, "tlsa-too-many", subj,
			    "delete stale records: current and next key, at "
			    "most 12 records", "[lineage %s] %s", j->l->name,
			    w->message);
		else if (strcmp(w->code, "unusable-record") == 0)
			findings_add(f, FINDING_WARNING, "tlsa-unusable", subj,
			    "delete it; publish DANE-EE (3 1 1) or DANE-TA "
			    "(2 1 1) records", "[lineage %s] %s", j->l->name,
			    w->message);
	}
}

static void
lin_eval(const struct lin_ctx *x, const struct lin_job *j,
	struct findings *f)
{
	const struct check_result *res = j->res;
	const struct check_host *h;
	char subj[300], what[300];

	snprintf(subj, sizeof(subj), "%.*s", (int)strlen(j->owner) - 1,
	    j->owner);
	snprintf(what, sizeof(what), "lineage %s", j->l->name);
	if (res == NULL || res->verdict == CHECK_UNKNOWN) {
		findings_unchecked(f, what, "%s: %s", subj, res != NULL ?
		    res->summary : "the check did not finish");
		return;
	}
	if (res->verdict == CHECK_NONE) {
		findings_add(f, FINDING_ERROR, "dane-missing", subj,
		    "daneops roll run publishes the lineage's records",
		    "[lineage %s] %s", j->l->name, res->summary);
		return;
	}
	if (res->verdict == CHECK_FAIL)
		findings_add(f, FINDING_ERROR, "dane-fail", subj,
		    "publish a record for the key the server presents, or deploy "
		    "the key the records match (daneops roll status)",
		    "[lineage %s] %s", j->l->name, res->summary);
	lin_warnings(j, res, subj, f);
	if (res->nhosts == 0)
		return;
	h = &res->hosts[0];
	lin_stale(x, j, h, subj, f);
	lin_next_key(x, j, res, h, subj, f);
}

/* Run every check on one loop and evaluate; -1 when setup failed. */
static int
lin_run(struct lin_ctx *x, struct findings *f, struct err *e)
{
	struct check_env env = { .base = NULL, .resolver = NULL, .ctx = NULL };
	size_t i;
	int rc = -1;

	if ((env.base = event_base_new()) == NULL) {
		err_set(e, ERR_SYSTEM, "cannot create an event loop");
		return -1;
	}
	if ((env.resolver = resolver_new(env.base, x->o->ro, e)) == NULL ||
	    (env.ctx = probe_ssl_ctx_new(e)) == NULL ||
	    lin_start(x, &env, e) == -1)
		goto out;
	event_base_dispatch(env.base);
	for (i = 0; i < x->njobs; i++)
		lin_eval(x, &x->jobs[i], f);
	rc = 0;
out:
	for (i = 0; i < x->njobs; i++) {
		if (x->jobs[i].res == NULL)
			check_cancel(x->jobs[i].c);
		check_result_free(x->jobs[i].res);
	}
	resolver_free(env.resolver);
	SSL_CTX_free(env.ctx);
	event_base_free(env.base);
	return rc;
}

int
lineage_check(const struct conf *c, const struct lineage_opts *o,
	struct findings *f, struct err *e)
{
	struct lin_ctx *x;
	size_t i;
	int rc;

	x = xcalloc(1, sizeof(*x));
	x->o = o;
	x->c = c;
	lin_known(x);
	rc = lin_run(x, f, e);
	lin_recs_free(&x->known);
	for (i = 0; i < x->c->nlineages; i++)
		lin_recs_free(&x->next[i]);
	free(x->next);
	free(x);
	return rc;
}
