/*
 * run - observe, plan, execute; one lineage at a time.
 */
#include "roll/run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "provider/provider.h"
#include "roll/certbot.h"
#include "roll/deploy.h"
#include "roll/handoff.h"
#include "roll/run_priv.h"
#include "roll/state.h"
#include "roll/verify.h"
#include "tlsa/tlsa.h"
#include "util/spawn.h"
#include "util/xalloc.h"

#define RUN_MAX_ROUNDS  12      /* observe-plan-execute rounds per lineage */
#define RUN_VERIFY_TRIES 5

void
run_crash_point(const char *step)
{
	const char *at = getenv(RUN_CRASH_ENV), *log, *p;
	size_t n = strlen(step);
	FILE *fp;

	for (p = at; p != NULL && *p != '\0'; p += strcspn(p, ",")) {
		p += *p == ',';
		if (strncmp(p, step, n) != 0 || (p[n] != ',' && p[n] != '\0'))
			continue;
		/* The test learns where the "crash" happened. */
		if ((log = getenv(RUN_CRASH_LOG_ENV)) != NULL &&
		    (fp = fopen(log, "a")) != NULL) {
			fprintf(fp, "%s\n", step);
			fclose(fp);
		}
		_exit(RUN_CRASH_EXIT);
	}
}

void
run_list_add(char ***list, size_t *n, char *s)
{
	*list = xreallocarray(*list, *n + 1, sizeof(**list));
	(*list)[(*n)++] = s;
}

void
run_list_free(char **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

char *
run_lineage_dir(const struct conf *c, const struct conf_lineage *l,
	struct err *e)
{
	char *dir;

	if (mkdir(c->state_dir, 0700) < 0 && errno != EEXIST) {
		err_set_errno(e, ERR_SYSTEM, errno, "%s: cannot create",
		    c->state_dir);
		return NULL;
	}
	dir = xasprintf("%s/%s", c->state_dir, l->name);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		err_set_errno(e, ERR_SYSTEM, errno, "%s: cannot create", dir);
		free(dir);
		return NULL;
	}
	return dir;
}

static void
run_plan_key(struct run_ctx *x, struct run_obs *o, struct plan_key *pk,
	const char *id, char **recs, size_t n)
{
	pk->id = id;
	pk->recs = (const char *const *)recs;
	pk->nrecs = n;
	pk->served = id != NULL && n > 0 &&
	    authns_served(o->auth, (const char *const *)recs, n);
	pk->seen_at = state_seen_at(x->st, id);
}

static void
run_plan_in(struct run_ctx *x, struct run_obs *o, struct plan_in *in)
{
	const struct state *st = x->st;
	long every = (long)x->l->rollover_days * 86400;

	memset(in, 0, sizeof(*in));
	in->now = x->now;
	run_plan_key(x, o, &in->cur, o->cur, o->cur_recs, o->ncur);
	run_plan_key(x, o, &in->src, o->src != NULL ? o->src->id : NULL,
	    o->src_recs, o->nsrc);
	run_plan_key(x, o, &in->next, o->next != NULL ? o->next->id : NULL,
	    o->next_recs, o->nnext);
	in->src_ok = o->src_ok;
	in->src_why = o->src_why[0] != '\0' ? o->src_why : NULL;
	in->src_deployed = o->src != NULL && deploy_matches(x->l, o->src);
	in->need_reload = st->need_reload;
	in->verified = st->verified;
	in->at_provider = (const char *const *)o->prov;
	in->nat_provider = o->nprov;
	in->published = (const char *const *)st->published;
	in->npublished = st->npublished;
	in->protect = (const char *const *)o->protect;
	in->nprotect = o->nprotect;
	in->hold = x->rl->hold;
	in->hold_why = x->rl->hold_why;
	in->min_wait = x->l->min_wait;
	in->next_enabled = x->l->next_key;
	in->rollover_due = st->rollover_requested != 0 || (every > 0 &&
	    st->last_rollover != 0 && x->now - st->last_rollover >= every);
	in->handed_off = st->handed_off;
}

static int
run_plan_has(const struct plan *p, enum plan_kind k)
{
	size_t i;

	for (i = 0; i < p->nacts; i++)
		if (p->acts[i].kind == k)
			return 1;
	return 0;
}

/*
 * Plan; when the plan retires records, first ask the endpoints which keys
 * they present and protect those records too (then plan again).
 */
static struct plan *
run_plan(struct run_ctx *x, struct run_obs *o)
{
	struct plan_in in;
	struct plan *p;
	struct verify *v;
	struct err e;
	char **recs;
	size_t i, n;

	run_plan_in(x, o, &in);
	p = plan_make(&in);
	if (!run_plan_has(p, PLAN_DELETE) || x->l->nverify == 0)
		return p;
	plan_free(p);
	err_clear(&e);
	if ((v = verify_endpoints(x->c, x->l, &e)) == NULL) {
		in.verified = NULL;     /* cannot tell: retire nothing now */
		return plan_make(&in);
	}
	for (i = 0; i < v->nseen; i++) {
		if (v->seen[i].key == NULL)
			in.verified = NULL;     /* unknown key: keep all */
		if (v->seen[i].key == NULL ||
		    keys_records(v->seen[i].key, x->l, &recs, &n, &e) < 0)
			continue;
		while (n > 0)
			run_list_add(&o->protect, &o->nprotect, recs[--n]);
		free(recs);
	}
	verify_free(v);
	if (in.verified == NULL)
		return plan_make(&in);
	run_plan_in(x, o, &in);
	return plan_make(&in);
}

static int
run_save(struct run_ctx *x, struct err *e)
{
	return state_save(x->st, e);
}

static void
run_done(struct run_ctx *x, const struct plan_action *a)
{
	run_list_add(&x->rl->done, &x->rl->ndone, xasprintf("%s%s%s: %s",
	    plan_kind_name(a->kind), a->rec != NULL ? " " : "",
	    a->rec != NULL ? a->rec : "", a->why));
}

/* "OWNER U S M HEX" -> owner and record. */
static struct tlsa_rec *
run_split(const char *text, char *owner, size_t len, struct err *e)
{
	const char *sp = strchr(text, ' ');

	if (sp == NULL || (size_t)(sp - text) >= len) {
		err_set(e, ERR_INTERNAL, "bad record text '%s'", text);
		return NULL;
	}
	memcpy(owner, text, (size_t)(sp - text));
	owner[sp - text] = '\0';
	return tlsa_rec_parse(sp + 1, e);
}

/* Publish or retire one record through the provider. */
static int
run_record(struct run_ctx *x, const struct plan_action *a, struct err *e)
{
	struct tlsa_rec *r;
	char owner[256];
	int rc;

	if ((r = run_split(a->rec, owner, sizeof(owner), e)) == NULL)
		return -1;
	if (a->kind == PLAN_ADD) {
		/* Intent first: a record added is always one we may retire. */
		if (state_published_add(x->st, a->rec, e) < 0 ||
		    run_save(x, e) < 0) {
			tlsa_rec_free(r);
			return -1;
		}
		rc = provider_add(x->prov, owner, x->l->ttl, r, e);
	} else
		rc = provider_delete(x->prov, owner, r, e);
	tlsa_rec_free(r);
	if (rc < 0)
		return -1;
	run_crash_point(plan_kind_name(a->kind));
	if (a->kind == PLAN_DELETE) {
		state_published_del(x->st, a->rec);
		return run_save(x, e);
	}
	return 0;
}

/*
 * Run the reload command: no shell, stdin /dev/null, its own process group,
 * killed with the group at reload_timeout.
 */
static int
run_reload(const struct conf_lineage *l, struct err *e)
{
	struct spawn_opts so;
	struct spawn_result sr;
	char how[ERR_MSG_MAX];
	int rc = 0;

	if (l->reload[0] == NULL)
		return 0;
	memset(&so, 0, sizeof(so));
	so.argv = l->reload;
	so.echo_err = 1;
	so.timeout_ms = l->reload_timeout * 1000L;
	if (spawn_run(&so, &sr, e) < 0) {
		snprintf(how, sizeof(how), "%s", e->msg);
		spawn_result_free(&sr);
		return err_set(e, ERR_INPUT, "[lineage %s] reload: %s%s", l->name,
		    how, l->reload[0][0] != '/' ? " (reload needs an absolute "
		    "path)" : "");
	}
	if (!spawn_ok(&sr))
		rc = err_set(e, ERR_INPUT, "[lineage %s] reload: %s: %s; %s the "
		    "deployed files are in place, run again", l->name,
		    l->reload[0], spawn_describe(&so, &sr, 160, how, sizeof(how)),
		    sr.timed_out ? "the command and its process group were "
		    "killed (reload_timeout);" : "fix the command;");
	spawn_result_free(&sr);
	return rc;
}

static int
run_deploy(struct run_ctx *x, struct run_obs *o, struct err *e)
{
	struct state *st = x->st;

	if (o->src == NULL || !o->src_ok)
		return err_set(e, ERR_INTERNAL, "deploy without a valid source");
	if (st->current == NULL || (o->next != NULL &&
	    strcmp(o->src->id, o->next->id) == 0 &&
	    strcmp(st->current, o->src->id) != 0)) {
		st->last_rollover = x->now;
		st->rollover_requested = 0;
		st->handed_off = 0;
	}
	state_set_str(&st->current, o->src->id);
	state_set_str(&st->verified, NULL);
	st->need_reload = 1;
	if (run_save(x, e) < 0)
		return -1;
	run_crash_point("deploy-begin");
	if (deploy_install(x->l, o->src, e) < 0)
		return -1;
	run_crash_point("deploy");
	return 0;
}

static int
run_verify(struct run_ctx *x, struct err *e)
{
	struct verify *v;
	int rc, try;

	if (x->st->current == NULL)
		return err_set(e, ERR_INTERNAL, "verify without a current key");
	/* A reloaded server may take a moment to hand over: a few tries. */
	for (try = 0; x->l->nverify > 0; try++) {
		if ((v = verify_endpoints(x->c, x->l, e)) == NULL)
			return -1;
		rc = verify_all_present(v, x->st->current, e);
		verify_free(v);
		if (rc == 0)
			break;
		if (try + 1 >= RUN_VERIFY_TRIES)
			return -1;
		sleep(1);
	}
	state_set_str(&x->st->verified, x->st->current);
	if (run_save(x, e) < 0)
		return -1;
	run_crash_point("verify");
	return 0;
}

static void
run_handoff_ctx(struct run_ctx *x, struct handoff_ctx *h)
{
	memset(h, 0, sizeof(*h));
	h->c = x->c;
	h->l = x->l;
	h->st = x->st;
	h->next_path = x->rl->next_path;
	h->dir = x->dir;
	h->now = time(NULL);
}

static int
run_action(struct run_ctx *x, struct run_obs *o, const struct plan_action *a,
	struct err *e)
{
	struct handoff_ctx h;

	switch (a->kind) {
	case PLAN_GENKEY:
		if (keys_generate(x->rl->next_path, x->l->key_type, e) < 0)
			return -1;
		run_crash_point("genkey");
		return 0;
	case PLAN_ADD:
	case PLAN_DELETE:
		return run_record(x, a, e);
	case PLAN_MARK_SEEN:
	case PLAN_UNSEE:
		state_set_seen(x->st, a->key, a->kind == PLAN_UNSEE ? 0 : x->now);
		if (run_save(x, e) < 0)
			return -1;
		run_crash_point(plan_kind_name(a->kind));
		return 0;
	case PLAN_FORGET:
		state_published_del(x->st, a->rec);
		return run_save(x, e);
	case PLAN_DEPLOY:
		return run_deploy(x, o, e);
	case PLAN_RELOAD:
		if (run_reload(x->l, e) < 0)
			return -1;
		run_crash_point("reload");
		x->st->need_reload = 0;
		return run_save(x, e);
	case PLAN_VERIFY:
		return run_verify(x, e);
	case PLAN_HANDOFF:
		run_handoff_ctx(x, &h);
		return handoff_run(&h, e);
	case PLAN_WAIT:
	case PLAN_BLOCKED:
		return 0;
	}
	return err_set(e, ERR_INTERNAL, "unknown plan step %d", (int)a->kind);
}

static void
run_fill(struct run_lin *rl, struct run_obs *o)
{
	size_t i;

	snprintf(rl->cur, sizeof(rl->cur), "%s", o->cur != NULL ? o->cur : "");
	snprintf(rl->src, sizeof(rl->src), "%s",
	    o->src != NULL ? o->src->id : "");
	snprintf(rl->next, sizeof(rl->next), "%s",
	    o->next != NULL ? o->next->id : "");
	authns_free(rl->auth);
	rl->auth = o->auth;
	o->auth = NULL;
	free(rl->auth_error);
	rl->auth_error = o->auth_error[0] != '\0' ? xstrdup(o->auth_error) : NULL;
	run_list_free(rl->at_provider, rl->nat_provider);
	rl->at_provider = NULL;
	rl->nat_provider = 0;
	for (i = 0; i < o->nprov; i++)
		run_list_add(&rl->at_provider, &rl->nat_provider,
		    xstrdup(o->prov[i]));
}

/* Observe, plan and (when executing) act until only waiting is left. */
static int
run_rounds(struct run_ctx *x, const struct run_opts *opt, struct err *e)
{
	struct run_obs o;
	struct plan *p;
	size_t i;
	int round;

	for (round = 0; round < RUN_MAX_ROUNDS; round++) {
		x->now = time(NULL);
		if (run_observe(x, &o, e) < 0) {
			run_obs_free(&o);
			return -1;
		}
		p = run_plan(x, &o);
		handoff_gate(p, x->st, x->now);
		plan_free(x->rl->plan);
		x->rl->plan = p;
		run_fill(x->rl, &o);
		if (!opt->execute || !plan_busy(p)) {
			run_obs_free(&o);
			return 0;
		}
		for (i = 0; i < p->nacts; i++) {
			if (run_action(x, &o, &p->acts[i], e) < 0) {
				run_obs_free(&o);
				return -1;
			}
			if (p->acts[i].kind != PLAN_WAIT &&
			    p->acts[i].kind != PLAN_BLOCKED)
				run_done(x, &p->acts[i]);
		}
		run_obs_free(&o);
	}
	return err_set(e, ERR_INTERNAL, "[lineage %s]: no steady state after "
	    "%d rounds", x->l->name, RUN_MAX_ROUNDS);
}

/* A hand-off journal left by a killed run: finish or undo it first. */
static int
run_recover(struct run_ctx *x, struct err *e)
{
	struct handoff_ctx h;
	char *what;

	run_handoff_ctx(x, &h);
	if (handoff_recover(&h, &what, e) < 0)
		return -1;
	if (what != NULL)
		run_list_add(&x->rl->done, &x->rl->ndone, what);
	return 0;
}

/* What roll status shows of the state, and what the exit status needs. */
static void
run_fill_state(struct run_lin *rl, const struct conf_lineage *l,
	const struct state *st)
{
	size_t i;

	rl->failures = st->failures;
	rl->max_failures = l->max_failures;
	rl->next_attempt = st->next_attempt;
	rl->last_error = st->last_error != NULL ? xstrdup(st->last_error) :
	    NULL;
	rl->handoff_started = st->handoff.started;
	for (i = 0; rl->plan != NULL && i < rl->plan->nacts; i++)
		if (rl->plan->acts[i].kind == PLAN_BLOCKED)
			rl->blocked = 1;
}

static struct provider *
run_provider(const struct conf_lineage *l, struct err *e)
{
	return provider_new(l->prov->type, l->prov->params, l->prov->nparams, e);
}

static void
run_lineage(struct conf *c, struct conf_lineage *l, const struct run_opts *o,
	struct run_lin *rl)
{
	struct run_ctx x;
	char *path;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.l = l;
	x.rl = rl;
	rl->name = xstrdup(l->name);
	err_clear(&rl->err);
	if ((x.dir = run_lineage_dir(c, l, &rl->err)) == NULL)
		goto fail;
	rl->next_path = xasprintf("%s/next.key", x.dir);
	rl->deploy_files = xasprintf("%s, %s%s%s", l->deploy_key,
	    l->deploy_chain, l->deploy_combined != NULL ? ", " : "",
	    l->deploy_combined != NULL ? l->deploy_combined : "");
	path = xasprintf("%s/state.json", x.dir);
	x.st = state_load(path, &rl->err);
	free(path);
	if (x.st == NULL || (x.prov = run_provider(l, &rl->err)) == NULL ||
	    (o->execute && run_recover(&x, &rl->err) < 0) ||
	    run_rounds(&x, o, &rl->err) < 0)
		goto fail;
	goto out;
fail:
	rl->failed = 1;
out:
	if (x.st != NULL)
		run_fill_state(rl, l, x.st);
	provider_free(x.prov);
	state_free(x.st);
	free(x.dir);
}

int
run_roll(struct conf *c, const struct run_opts *o, struct run_report **out,
	struct err *e)
{
	struct run_report *r;
	size_t i;

	if (o->only != NULL && conf_lineage_find(c, o->only) == NULL)
		return err_set(e, ERR_USAGE, "%s: no [lineage %s]", c->path,
		    o->only);
	r = xcalloc(1, sizeof(*r));
	r->lins = xcalloc(c->nlineages + 1, sizeof(*r->lins));
	for (i = 0; i < c->nlineages; i++) {
		if (o->only != NULL && strcmp(o->only, c->lineages[i].name) != 0)
			continue;
		run_lineage(c, &c->lineages[i], o, &r->lins[r->nlins++]);
	}
	*out = r;
	return 0;
}

void
run_report_free(struct run_report *r)
{
	struct run_lin *rl;
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nlins; i++) {
		rl = &r->lins[i];
		free(rl->name);
		free(rl->next_path);
		free(rl->deploy_files);
		authns_free(rl->auth);
		free(rl->auth_error);
		run_list_free(rl->at_provider, rl->nat_provider);
		plan_free(rl->plan);
		run_list_free(rl->done, rl->ndone);
		free(rl->last_error);
		free(rl->hold_why);
	}
	free(r->lins);
	free(r);
}
