/*
 * plan - the rollover decision function (see plan.h for the rules).
 */
#include "roll/plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define PLAN_KEYID_SHOW 16      /* hex digits of a key id in messages */

static const char *const plan_names[] = {
	[PLAN_GENKEY] = "genkey",
	[PLAN_ADD] = "add",
	[PLAN_MARK_SEEN] = "mark-seen",
	[PLAN_UNSEE] = "unsee",
	[PLAN_WAIT] = "wait",
	[PLAN_BLOCKED] = "blocked",
	[PLAN_DEPLOY] = "deploy",
	[PLAN_RELOAD] = "reload",
	[PLAN_VERIFY] = "verify",
	[PLAN_DELETE] = "delete",
	[PLAN_FORGET] = "forget",
	[PLAN_HANDOFF] = "handoff",
};

const char *
plan_kind_name(enum plan_kind k)
{
	if ((size_t)k >= sizeof(plan_names) / sizeof(plan_names[0]))
		return "?";
	return plan_names[k];
}

static struct plan_action *
plan_add(struct plan *p, enum plan_kind kind, const char *rec,
	const char *key, time_t until, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static struct plan_action *
plan_add(struct plan *p, enum plan_kind kind, const char *rec,
	const char *key, time_t until, const char *fmt, ...)
{
	struct plan_action *a;
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	p->acts = xreallocarray(p->acts, p->nacts + 1, sizeof(*p->acts));
	a = &p->acts[p->nacts++];
	a->kind = kind;
	a->rec = rec != NULL ? xstrdup(rec) : NULL;
	a->key = key != NULL ? xstrdup(key) : NULL;
	a->until = until;
	a->why = xstrdup(why);
	return a;
}

static int
plan_in_list(const char *const *list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

static int
plan_has(const struct plan *p, enum plan_kind kind, const char *rec)
{
	size_t i;

	for (i = 0; i < p->nacts; i++)
		if (p->acts[i].kind == kind && (rec == NULL ||
		    (p->acts[i].rec != NULL && strcmp(p->acts[i].rec, rec) == 0)))
			return 1;
	return 0;
}

static int
plan_same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* A short key id for messages (the state and JSON carry the full one). */
static const char *
plan_short(const char *id, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", PLAN_KEYID_SHOW, id != NULL ? id : "none");
	return buf;
}

static int
plan_wanted(const struct plan_in *in, const char *rec)
{
	return plan_in_list(in->cur.recs, in->cur.nrecs, rec) ||
	    plan_in_list(in->src.recs, in->src.nrecs, rec) ||
	    plan_in_list(in->next.recs, in->next.nrecs, rec);
}

/* Rule 1. */
static void
plan_genkey(struct plan *p, const struct plan_in *in)
{
	char k[32];

	if (!in->next_enabled)
		return;
	if (in->next.id == NULL)
		plan_add(p, PLAN_GENKEY, NULL, NULL, 0, "no next key yet: make "
		    "one and publish its records ahead of any rollover");
	else if (plan_same(in->next.id, in->cur.id))
		plan_add(p, PLAN_GENKEY, NULL, in->next.id, 0, "the next key %s "
		    "is current now: make a new next key",
		    plan_short(in->next.id, k, sizeof(k)));
}

/* Rule 2, and the served-since bookkeeping. */
static void
plan_publish(struct plan *p, const struct plan_in *in)
{
	const struct plan_key *keys[3] = { &in->cur, &in->src, &in->next };
	const char *role[3] = { "current", "source", "next" };
	char k[32];
	size_t i, j;

	for (i = 0; i < 3; i++) {
		if (keys[i]->id == NULL)
			continue;
		for (j = 0; j < keys[i]->nrecs; j++) {
			if (plan_in_list(in->at_provider, in->nat_provider,
			    keys[i]->recs[j]) || plan_has(p, PLAN_ADD,
			    keys[i]->recs[j]))
				continue;
			plan_add(p, PLAN_ADD, keys[i]->recs[j], keys[i]->id, 0,
			    "record for the %s key %s is not published", role[i],
			    plan_short(keys[i]->id, k, sizeof(k)));
		}
		if (i == 0 && (plan_same(keys[0]->id, in->src.id) ||
		    plan_same(keys[0]->id, in->next.id)))
			continue;       /* bookkept under its other role */
		if (i == 1 && plan_same(keys[1]->id, in->next.id))
			continue;
		if (keys[i]->served && keys[i]->seen_at == 0)
			plan_add(p, PLAN_MARK_SEEN, NULL, keys[i]->id, in->now,
			    "every authoritative server serves the records of "
			    "the %s key %s", role[i],
			    plan_short(keys[i]->id, k, sizeof(k)));
		else if (!keys[i]->served && keys[i]->seen_at != 0)
			plan_add(p, PLAN_UNSEE, NULL, keys[i]->id, 0,
			    "the records of the %s key %s are no longer served "
			    "everywhere: the wait starts again", role[i],
			    plan_short(keys[i]->id, k, sizeof(k)));
	}
}

static void
plan_golive(struct plan *p, const struct plan_in *in, const char *why)
{
	plan_add(p, PLAN_DEPLOY, NULL, in->src.id, 0, "%s", why);
	plan_add(p, PLAN_RELOAD, NULL, in->src.id, 0, "services read the "
	    "deployed files");
	plan_add(p, PLAN_VERIFY, NULL, in->src.id, 0, "every endpoint must "
	    "present the deployed key before old records are retired");
}

/*
 * How long the records of key have been served everywhere, as of now; -1
 * when they are not.
 */
static long
plan_served_for(const struct plan_in *in, const struct plan_key *key)
{
	if (!key->served)
		return -1;
	if (key->seen_at == 0 || key->seen_at > in->now)
		return 0;
	return (long)(in->now - key->seen_at);
}

static long
plan_wait_needed(const struct plan_in *in)
{
	return in->hold > in->min_wait ? in->hold : in->min_wait;
}

/* Where a wait of need seconds comes from, for its message. */
static const char *
plan_need_why(const struct plan_in *in, long need, char *buf, size_t len)
{
	if (in->min_wait > in->hold)
		snprintf(buf, len, "%ld s = min_wait, longer than hold %ld s",
		    need, in->hold);
	else if (in->hold_why != NULL)
		snprintf(buf, len, "%s", in->hold_why);
	else
		snprintf(buf, len, "hold %ld s = 2 x max(TLSA TTL, negative "
		    "TTL)", need);
	return buf;
}

/*
 * Deployed but never verified (a lineage daneops adopts, or a verification
 * that failed): verify once its records have been served everywhere for the
 * hold time, so that no validating cache still holds an older answer.
 */
static void
plan_verify_later(struct plan *p, const struct plan_in *in, const char *k)
{
	long served = plan_served_for(in, &in->cur), need = plan_wait_needed(in);
	char buf[400];

	if (served < 0)
		plan_add(p, PLAN_WAIT, NULL, in->cur.id, 0, "key %s is deployed; "
		    "waiting until every authoritative server serves its "
		    "records before verifying the endpoints", k);
	else if (served < need)
		plan_add(p, PLAN_WAIT, NULL, in->cur.id, in->now + (need - served),
		    "key %s is deployed; its records are served everywhere, "
		    "verifying the endpoints in %ld s (%s)", k, need - served,
		    plan_need_why(in, need, buf, sizeof(buf)));
	else
		plan_add(p, PLAN_VERIFY, NULL, in->cur.id, 0, "key %s is "
		    "deployed but not yet verified at every endpoint", k);
}

/* Rules 3 to 5. */
static void
plan_deploy(struct plan *p, const struct plan_in *in)
{
	char k[32], why[256], buf[400];
	long served, need = plan_wait_needed(in);

	if (in->src.id == NULL || !in->src_ok) {
		plan_add(p, PLAN_BLOCKED, NULL, in->src.id, 0, "the source may "
		    "not go live: %s", in->src_why != NULL ? in->src_why :
		    "it cannot be read");
		return;
	}
	plan_short(in->src.id, k, sizeof(k));
	if (plan_same(in->src.id, in->cur.id)) {
		if (!in->src_deployed) {
			/*
			 * The services present this key already, so the files
			 * go out at once; verification waits for the records
			 * (published already, unless daneops adopts the lineage).
			 */
			plan_add(p, PLAN_DEPLOY, NULL, in->src.id, 0, "renewal "
			    "with the same key %s: its records are published "
			    "already", k);
			plan_add(p, PLAN_RELOAD, NULL, in->src.id, 0, "services "
			    "read the deployed files");
			plan_verify_later(p, in, k);
		} else if (in->need_reload) {
			plan_add(p, PLAN_RELOAD, NULL, in->src.id, 0, "the files "
			    "of key %s were deployed but not yet reloaded", k);
			plan_verify_later(p, in, k);
		} else if (!plan_same(in->verified, in->cur.id))
			plan_verify_later(p, in, k);
		return;
	}
	served = plan_served_for(in, &in->src);
	if (served < 0) {
		plan_add(p, PLAN_WAIT, NULL, in->src.id, 0, "new key %s: waiting "
		    "until every authoritative server serves its records; the "
		    "services keep the %s files", k,
		    in->cur.id != NULL ? "current" : "(no)");
		return;
	}
	if (served < need) {
		plan_add(p, PLAN_WAIT, NULL, in->src.id,
		    in->now + (need - served), "new key %s: its records are "
		    "served everywhere; waiting %ld s more (%s) so that no "
		    "cache still holds the old set", k, need - served,
		    plan_need_why(in, need, buf, sizeof(buf)));
		return;
	}
	snprintf(why, sizeof(why), "new key %s: its records have been served "
	    "by every authoritative server for %ld s (>= %ld s)", k, served,
	    need);
	plan_golive(p, in, why);
}

/* Rule 6. */
static void
plan_retire(struct plan *p, const struct plan_in *in)
{
	const char *rec;
	char k[32];
	size_t i;

	if (in->cur.id == NULL || in->need_reload ||
	    !plan_same(in->verified, in->cur.id) ||
	    plan_has(p, PLAN_DEPLOY, NULL) || plan_has(p, PLAN_RELOAD, NULL) ||
	    plan_has(p, PLAN_VERIFY, NULL))
		return;
	plan_short(in->cur.id, k, sizeof(k));
	for (i = 0; i < in->npublished; i++) {
		rec = in->published[i];
		if (plan_wanted(in, rec) ||
		    plan_in_list(in->protect, in->nprotect, rec))
			continue;
		if (!plan_in_list(in->at_provider, in->nat_provider, rec))
			plan_add(p, PLAN_FORGET, rec, NULL, 0, "retired record "
			    "is gone from the provider");
		else
			plan_add(p, PLAN_DELETE, rec, NULL, 0, "matches no key in "
			    "use; the current key %s is verified at every "
			    "endpoint", k);
	}
}

/* Rule 7. */
static void
plan_rollover(struct plan *p, const struct plan_in *in)
{
	char k[32], buf[400];
	long served, need = plan_wait_needed(in);

	if (!in->rollover_due || !in->next_enabled || in->next.id == NULL ||
	    in->cur.id == NULL || !plan_same(in->src.id, in->cur.id) ||
	    plan_same(in->next.id, in->cur.id) || plan_has(p, PLAN_DEPLOY, NULL))
		return;
	plan_short(in->next.id, k, sizeof(k));
	served = plan_served_for(in, &in->next);
	if (served < 0) {
		plan_add(p, PLAN_WAIT, NULL, in->next.id, 0, "rollover due: "
		    "waiting until every authoritative server serves the "
		    "records of the next key %s", k);
	} else if (served < need) {
		plan_add(p, PLAN_WAIT, NULL, in->next.id,
		    in->now + (need - served), "rollover due: the next key %s "
		    "must be served everywhere for %ld s more (%s)", k,
		    need - served, plan_need_why(in, need, buf, sizeof(buf)));
	} else if (in->handed_off) {
		plan_add(p, PLAN_WAIT, NULL, in->next.id, 0, "rollover: the next "
		    "key %s was handed to the ACME client; waiting for a "
		    "certificate for it in the source files", k);
	} else
		plan_add(p, PLAN_HANDOFF, NULL, in->next.id, 0, "rollover due; "
		    "the records of the next key %s have been served for %ld s",
		    k, served);
}

struct plan *
plan_make(const struct plan_in *in)
{
	struct plan *p = xcalloc(1, sizeof(*p));

	plan_genkey(p, in);
	plan_publish(p, in);
	plan_deploy(p, in);
	plan_retire(p, in);
	plan_rollover(p, in);
	return p;
}

int
plan_busy(const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->nacts; i++)
		if (p->acts[i].kind != PLAN_WAIT && p->acts[i].kind != PLAN_BLOCKED)
			return 1;
	return 0;
}

void
plan_free(struct plan *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nacts; i++) {
		free(p->acts[i].rec);
		free(p->acts[i].key);
		free(p->acts[i].why);
	}
	free(p->acts);
	free(p);
}
