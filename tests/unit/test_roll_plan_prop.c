/*
 * Property tests for src/roll/plan.c: plan_make is a pure function, so
 * random inputs (seeded: every run sees the same ones) are planned and
 * every numbered rule of plan.h is checked on every output.  The first
 * test is single decisions; the second runs lineages through many
 * decisions, applying each plan to a model of the provider and the
 * services, and checks that no record of a presented key ever goes.
 *
 * DANEOPS_PROP_SEED and DANEOPS_PROP_COUNT override the seed and count
 * (to explore more); a failure prints the seed and the input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roll/plan.h"

#define NKEYS   5               /* key ids in the pool */
#define RPK     2               /* records per key */
#define NRECS   (NKEYS * RPK + 1)       /* + one of another lineage */
#define NOW     100000

static uint64_t rng_state;

static uint64_t
rng(void)
{
	/* xorshift64*: small, seedable, good enough to pick inputs */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static unsigned
pick(unsigned n)
{
	return (unsigned)(rng() >> 33) % n;
}

static int
chance(unsigned pct)
{
	return pick(100) < pct;
}

static const char *const key_ids[NKEYS] = { "k0aa", "k1bb", "k2cc", "k3dd",
	"k4ee" };
static const char *const all_recs[NRECS] = {
	"_25._tcp.mx. 3 1 1 k0aa", "_443._tcp.www. 3 1 1 k0aa",
	"_25._tcp.mx. 3 1 1 k1bb", "_443._tcp.www. 3 1 1 k1bb",
	"_25._tcp.mx. 3 1 1 k2cc", "_443._tcp.www. 3 1 1 k2cc",
	"_25._tcp.mx. 3 1 1 k3dd", "_443._tcp.www. 3 1 1 k3dd",
	"_25._tcp.mx. 3 1 1 k4ee", "_443._tcp.www. 3 1 1 k4ee",
	"_25._tcp.mx. 3 1 1 f00f",      /* another lineage's */
};

/* One random input; the arrays it points to live in the struct. */
struct gen {
	struct plan_in in;
	struct plan_key keys[NKEYS];
	const char *prov[NRECS], *pub[NRECS], *prot[NRECS];
};

static int
key_index(const char *id)
{
	int i;

	for (i = 0; id != NULL && i < NKEYS; i++)
		if (strcmp(id, key_ids[i]) == 0)
			return i;
	return -1;
}

static int
in_list(const char *const *l, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(l[i], s) == 0)
			return 1;
	return 0;
}

static int
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static int
key_has(const struct plan_key *k, const char *rec)
{
	return k->id != NULL && in_list(k->recs, k->nrecs, rec);
}

/* A key of the pool, or (none) with probability pct_none. */
static struct plan_key
gen_role(const struct gen *g, unsigned pct_none)
{
	if (chance(pct_none))
		return (struct plan_key){ 0 };
	return g->keys[pick(NKEYS)];
}

static void
gen_input(struct gen *g)
{
	struct plan_in *in = &g->in;
	size_t i, k;

	memset(g, 0, sizeof(*g));
	in->now = NOW;
	for (k = 0; k < NKEYS; k++) {
		/* a key is served only if the provider has its records */
		g->keys[k] = (struct plan_key){ key_ids[k], &all_recs[k * RPK],
		    RPK, chance(60), 0 };
		switch (pick(4)) {
		case 0: g->keys[k].seen_at = 0; break;
		case 1: g->keys[k].seen_at = NOW - (time_t)pick(400); break;
		case 2: g->keys[k].seen_at = NOW - 100000; break;
		default: g->keys[k].seen_at = NOW + 1 + pick(50); break;  /* clock went back */
		}
	}
	in->cur = gen_role(g, 15);
	in->src = chance(50) ? in->cur : gen_role(g, 10);
	in->next = chance(25) ? in->cur : gen_role(g, 25);
	in->src_ok = chance(80);
	in->src_why = chance(50) ? "chain does not verify" : NULL;
	in->src_deployed = chance(50);
	in->need_reload = chance(20);
	in->verified = chance(60) ? in->cur.id : chance(50) ? NULL :
	    key_ids[pick(NKEYS)];
	for (i = 0; i < NRECS; i++) {
		k = i / RPK;
		if (chance(60) || (k < NKEYS && g->keys[k].served))
			g->prov[in->nat_provider++] = all_recs[i];
		if (i < NKEYS * RPK && chance(50))
			g->pub[in->npublished++] = all_recs[i];
		if (chance(10))
			g->prot[in->nprotect++] = all_recs[i];
	}
	/* served keys: their records at the provider (kept consistent) */
	in->at_provider = g->prov;
	in->published = g->pub;
	in->protect = g->prot;
	in->hold = (long)pick(4) * 60;
	in->hold_why = chance(50) ? "hold from the zone's TTLs" : NULL;
	in->min_wait = chance(30) ? (long)pick(600) : 0;
	in->next_enabled = chance(80);
	in->rollover_due = chance(40);
	in->handed_off = chance(30);
}

static void
dump(const struct plan_in *in, const struct plan *p, uint64_t seed, int iter)
{
	size_t i;

	fprintf(stderr, "# seed %llu iteration %d\n# cur %s src %s next %s "
	    "verified %s src_ok %d deployed %d need_reload %d hold %ld "
	    "min_wait %ld next_enabled %d due %d handed_off %d\n",
	    (unsigned long long)seed, iter,
	    in->cur.id ? in->cur.id : "-", in->src.id ? in->src.id : "-",
	    in->next.id ? in->next.id : "-", in->verified ? in->verified : "-",
	    in->src_ok, in->src_deployed, in->need_reload, in->hold,
	    in->min_wait, in->next_enabled, in->rollover_due, in->handed_off);
	for (i = 0; i < in->npublished; i++)
		fprintf(stderr, "#  published %s%s%s\n", in->published[i],
		    in_list(in->at_provider, in->nat_provider, in->published[i]) ?
		    " (at provider)" : "",
		    in_list(in->protect, in->nprotect, in->published[i]) ?
		    " (protected)" : "");
	for (i = 0; i < p->nacts; i++)
		fprintf(stderr, "#  -> %s %s %s\n", plan_kind_name(p->acts[i].kind),
		    p->acts[i].rec ? p->acts[i].rec : "",
		    p->acts[i].key ? p->acts[i].key : "");
}

static size_t
count(const struct plan *p, enum plan_kind k, const char *rec, const char *key)
{
	size_t i, n = 0;

	for (i = 0; i < p->nacts; i++)
		n += p->acts[i].kind == k &&
		    (rec == NULL || (p->acts[i].rec != NULL &&
		    strcmp(p->acts[i].rec, rec) == 0)) &&
		    (key == NULL || same(p->acts[i].key, key));
	return n;
}

/* plan.h's "max(hold, min_wait)" and "served for", from the rules' text. */
static long
need(const struct plan_in *in)
{
	return in->hold >= in->min_wait ? in->hold : in->min_wait;
}

static long
served_for(const struct plan_in *in, const struct plan_key *k)
{
	if (!k->served)
		return -1;
	if (k->seen_at == 0 || k->seen_at >= in->now)
		return 0;
	return (long)(in->now - k->seen_at);
}

/* Rule 6's safety: what DELETE and FORGET may never touch. */
static int
presented_or_wanted(const struct plan_in *in, const char *rec)
{
	int v = key_index(in->verified);

	return key_has(&in->cur, rec) || key_has(&in->src, rec) ||
	    key_has(&in->next, rec) ||
	    in_list(in->protect, in->nprotect, rec) ||
	    (v >= 0 && in_list(&all_recs[v * RPK], RPK, rec));
}

#define CHECK(cond, what) do { if (!(cond)) { \
	fprintf(stderr, "# violated: %s\n", what); return 0; } } while (0)

static int
check_rules_1_2(const struct plan_in *in, const struct plan *p)
{
	const struct plan_key *keys[3] = { &in->cur, &in->src, &in->next };
	size_t i, j;

	/* 1 */
	CHECK(count(p, PLAN_GENKEY, NULL, NULL) == (size_t)(in->next_enabled &&
	    (in->next.id == NULL || same(in->next.id, in->cur.id))),
	    "rule 1: GENKEY exactly when next_enabled and no usable next key");
	/* 2: each missing record of a key in use is added once, nothing else */
	for (i = 0; i < 3; i++)
		for (j = 0; keys[i]->id != NULL && j < keys[i]->nrecs; j++)
			CHECK(count(p, PLAN_ADD, keys[i]->recs[j], NULL) ==
			    !in_list(in->at_provider, in->nat_provider,
			    keys[i]->recs[j]), "rule 2: ADD once per missing record");
	for (i = 0; i < p->nacts; i++)
		if (p->acts[i].kind == PLAN_ADD)
			CHECK(p->acts[i].rec != NULL && (key_has(&in->cur,
			    p->acts[i].rec) || key_has(&in->src, p->acts[i].rec) ||
			    key_has(&in->next, p->acts[i].rec)),
			    "rule 2: ADD only records of the current, source, next key");
	/* served-since bookkeeping, once per key */
	for (i = 0; i < 3; i++) {
		if (keys[i]->id == NULL)
			continue;
		CHECK(count(p, PLAN_MARK_SEEN, NULL, keys[i]->id) ==
		    (size_t)(keys[i]->served && keys[i]->seen_at == 0),
		    "MARK_SEEN once when served and not yet seen");
		CHECK(count(p, PLAN_UNSEE, NULL, keys[i]->id) ==
		    (size_t)(!keys[i]->served && keys[i]->seen_at != 0),
		    "UNSEE once when seen but no longer served");
	}
	return 1;
}

static int
check_rules_3_5(const struct plan_in *in, const struct plan *p)
{
	size_t i, deploy = count(p, PLAN_DEPLOY, NULL, NULL);
	int blocked = in->src.id == NULL || !in->src_ok;
	long s;

	/* 3 */
	CHECK(count(p, PLAN_BLOCKED, NULL, NULL) == (size_t)blocked,
	    "rule 3: BLOCKED exactly when the source is missing or not valid");
	if (blocked) {
		CHECK(deploy == 0, "rule 3: a blocked source is never deployed");
		return 1;
	}
	CHECK(deploy <= 1 && count(p, PLAN_DEPLOY, NULL, in->src.id) == deploy,
	    "DEPLOY at most once, and only the source");
	if (same(in->src.id, in->cur.id)) {
		/* 4 */
		CHECK(deploy == (size_t)!in->src_deployed,
		    "rule 4: the current key's files go out at once");
		CHECK(count(p, PLAN_RELOAD, NULL, NULL) ==
		    (size_t)(!in->src_deployed || in->need_reload),
		    "rule 4: RELOAD after a deployment or when one is pending");
		s = served_for(in, &in->cur);
		CHECK(count(p, PLAN_VERIFY, NULL, NULL) == (size_t)(s >= need(in) &&
		    (!in->src_deployed || in->need_reload ||
		    !same(in->verified, in->cur.id))),
		    "rule 4: VERIFY once the records are served for the hold");
		return 1;
	}
	/* 5 */
	s = served_for(in, &in->src);
	CHECK(deploy == (size_t)(s >= need(in)),
	    "rule 5: a new key goes live only after max(hold, min_wait) served");
	if (deploy) {
		CHECK(count(p, PLAN_RELOAD, NULL, in->src.id) == 1 &&
		    count(p, PLAN_VERIFY, NULL, in->src.id) == 1,
		    "rule 5: DEPLOY comes with RELOAD and VERIFY");
		for (i = 0; i < in->src.nrecs; i++)
			CHECK(count(p, PLAN_ADD, in->src.recs[i], NULL) == 0,
			    "rule 5: never deploy a key whose records are not published");
	} else
		CHECK(count(p, PLAN_WAIT, NULL, in->src.id) == 1,
		    "rule 5: WAIT for the new key");
	return 1;
}

static int
check_rule_6(const struct plan_in *in, const struct plan *p)
{
	int may = in->cur.id != NULL && !in->need_reload &&
	    same(in->verified, in->cur.id) &&
	    count(p, PLAN_DEPLOY, NULL, NULL) == 0 &&
	    count(p, PLAN_RELOAD, NULL, NULL) == 0 &&
	    count(p, PLAN_VERIFY, NULL, NULL) == 0;
	size_t i;
	const char *rec;
	int at;

	for (i = 0; i < p->nacts; i++) {
		if (p->acts[i].kind != PLAN_DELETE && p->acts[i].kind != PLAN_FORGET)
			continue;
		rec = p->acts[i].rec;
		CHECK(rec != NULL, "DELETE/FORGET name a record");
		CHECK(same(in->verified, in->cur.id),
		    "rule 6: retire only after the current key is verified");
		CHECK(may, "rule 6: retire only when verified, no reload, "
		    "nothing deployed or to verify");
		CHECK(!presented_or_wanted(in, rec), "rule 6: never retire a "
		    "record of the current, source, next, verified or a "
		    "protected key");
		CHECK(in_list(in->published, in->npublished, rec),
		    "rule 6: retire only what this lineage published");
		CHECK((p->acts[i].kind == PLAN_DELETE) ==
		    in_list(in->at_provider, in->nat_provider, rec),
		    "rule 6: DELETE what the provider has, FORGET what it has not");
	}
	/* and retiring is not forgotten when allowed */
	for (i = 0; may && i < in->npublished; i++) {
		rec = in->published[i];
		if (key_has(&in->cur, rec) || key_has(&in->src, rec) ||
		    key_has(&in->next, rec) ||
		    in_list(in->protect, in->nprotect, rec))
			continue;
		at = in_list(in->at_provider, in->nat_provider, rec);
		CHECK(count(p, at ? PLAN_DELETE : PLAN_FORGET, rec, NULL) == 1 &&
		    count(p, at ? PLAN_FORGET : PLAN_DELETE, rec, NULL) == 0,
		    "rule 6: a record no key needs is retired once");
	}
	return 1;
}

static int
check_rule_7(const struct plan_in *in, const struct plan *p)
{
	int pre = in->rollover_due && in->next_enabled && in->next.id != NULL &&
	    in->cur.id != NULL && same(in->src.id, in->cur.id) &&
	    !same(in->next.id, in->cur.id) &&
	    count(p, PLAN_DEPLOY, NULL, NULL) == 0;
	long s = served_for(in, &in->next);

	CHECK(count(p, PLAN_HANDOFF, NULL, NULL) ==
	    (size_t)(pre && s >= need(in) && !in->handed_off),
	    "rule 7: HANDOFF once the next key is served for max(hold, min_wait)");
	if (count(p, PLAN_HANDOFF, NULL, NULL))
		CHECK(count(p, PLAN_HANDOFF, NULL, in->next.id) == 1,
		    "rule 7: HANDOFF the next key");
	if (pre && !count(p, PLAN_HANDOFF, NULL, NULL))
		CHECK(count(p, PLAN_WAIT, NULL, in->next.id) >= 1,
		    "rule 7: WAIT for the next key when a rollover is due");
	return 1;
}

static int
check_general(const struct plan_in *in, const struct plan *p)
{
	size_t i;
	int busy = 0;

	for (i = 0; i < p->nacts; i++) {
		CHECK(p->acts[i].why != NULL && p->acts[i].why[0] != '\0',
		    "every action says why");
		CHECK(strcmp(plan_kind_name(p->acts[i].kind), "?") != 0,
		    "every action has a name");
		if (p->acts[i].kind == PLAN_WAIT)
			CHECK(p->acts[i].until == 0 || (p->acts[i].until > in->now &&
			    p->acts[i].until <= in->now + need(in)),
			    "WAIT until is unknown or within max(hold, min_wait)");
		/* a timed wait says where its length comes from */
		if (p->acts[i].kind == PLAN_WAIT && p->acts[i].until != 0)
			CHECK(strstr(p->acts[i].why, in->min_wait > in->hold ?
			    "min_wait, longer than hold" : in->hold_why != NULL ?
			    in->hold_why : "2 x max(TLSA TTL, negative TTL)") != NULL,
			    "a timed WAIT names min_wait or the hold's source");
		switch (p->acts[i].kind) {
		case PLAN_ADD: case PLAN_MARK_SEEN: case PLAN_UNSEE:
		case PLAN_WAIT: case PLAN_DEPLOY: case PLAN_HANDOFF:
			/* the operator reads which key (its first 16 digits) */
			CHECK(p->acts[i].key != NULL &&
			    strstr(p->acts[i].why, p->acts[i].key) != NULL,
			    "an action about a key names it in its why");
			break;
		default:
			break;
		}
		busy |= p->acts[i].kind != PLAN_WAIT &&
		    p->acts[i].kind != PLAN_BLOCKED;
	}
	CHECK(plan_busy(p) == busy, "plan_busy: anything but WAIT and BLOCKED");
	return 1;
}

static uint64_t
env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? strtoull(v, NULL, 10) : dflt;
}

static void
test_rules_hold_for_random_inputs(void **st)
{
	uint64_t seed = env_u64("DANEOPS_PROP_SEED", 20261203);
	int n = (int)env_u64("DANEOPS_PROP_COUNT", 50000), i;
	struct gen g;
	struct plan *p;
	size_t deletes = 0, deploys = 0, handoffs = 0;

	(void)st;
	rng_state = seed;
	for (i = 0; i < n; i++) {
		gen_input(&g);
		p = plan_make(&g.in);
		if (!check_rules_1_2(&g.in, p) || !check_rules_3_5(&g.in, p) ||
		    !check_rule_6(&g.in, p) || !check_rule_7(&g.in, p) ||
		    !check_general(&g.in, p)) {
			dump(&g.in, p, seed, i);
			plan_free(p);
			fail_msg("a rule of plan.h does not hold (input above)");
		}
		deletes += count(p, PLAN_DELETE, NULL, NULL);
		deploys += count(p, PLAN_DEPLOY, NULL, NULL);
		handoffs += count(p, PLAN_HANDOFF, NULL, NULL);
		plan_free(p);
	}
	print_message("# %zu deletes, %zu deploys, %zu handoffs in %d plans\n",
	    deletes, deploys, handoffs, n);
	/* the generator reaches every interesting branch, not only WAITs */
	assert_true(deletes > (size_t)n / 100);
	assert_true(deploys > (size_t)n / 100);
	assert_true(handoffs > (size_t)n / 500);
}

/*
 * Lineages over many runs.  A model of the world (provider, deployed files,
 * the key the services present, the ACME client) and of the state run.c
 * keeps; each run plans from what it observes and applies the plan the way
 * run.c does, sometimes stopping halfway (a crash, a failed reload).  The
 * properties are about the world, not about one plan:
 *   - no DELETE ever removes a record of the key the services present or
 *     of the deployed files;
 *   - when the services switch to another key, its records have been
 *     served everywhere for max(hold, min_wait) (RFC 7671 section 8.1).
 */
#define SIM_KEYS 128
#define SIM_RUNS 300

struct sim {
	time_t now;
	long hold, min_wait;
	int nkeys, cur, next, src, dep, pres, verified;
	int sver, dver, src_ok, need_reload, handed_off, rollover_req, protect;
	int late_switch;        /* a restart switched to a key served too briefly */
	unsigned char prov[SIM_KEYS * RPK], pub[SIM_KEYS * RPK];
	time_t seen_at[SIM_KEYS], served_since[SIM_KEYS];
};

static char sim_recbuf[SIM_KEYS * RPK][40];
static const char *sim_rec[SIM_KEYS * RPK];
static char sim_idbuf[SIM_KEYS][8];

static void
sim_names(void)
{
	int k, r;

	for (k = 0; k < SIM_KEYS; k++) {
		snprintf(sim_idbuf[k], sizeof(sim_idbuf[k]), "k%03d", k);
		for (r = 0; r < RPK; r++) {
			snprintf(sim_recbuf[k * RPK + r], sizeof(sim_recbuf[0]),
			    "%s 3 1 1 %s", r == 0 ? "_25._tcp.mx." :
			    "_443._tcp.www.", sim_idbuf[k]);
			sim_rec[k * RPK + r] = sim_recbuf[k * RPK + r];
		}
	}
}

static int
sim_key_of(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < SIM_KEYS * RPK; i++)
		if (strcmp(s, sim_rec[i]) == 0 ||
		    (i % RPK == 0 && strcmp(s, sim_idbuf[i / RPK]) == 0))
			return i / RPK;
	return -1;
}

static int
sim_all_at_provider(const struct sim *w, int k)
{
	int r;

	for (r = 0; r < RPK; r++)
		if (!w->prov[k * RPK + r])
			return 0;
	return 1;
}

static struct plan_key
sim_key(const struct sim *w, int k)
{
	if (k < 0)
		return (struct plan_key){ 0 };
	return (struct plan_key){ sim_idbuf[k], &sim_rec[k * RPK], RPK,
	    w->served_since[k] != 0, w->seen_at[k] };
}

/* Before a run: the ACME client, the operator and DNS move on. */
static void
sim_world(struct sim *w)
{
	int k;

	w->now += (time_t)pick(240);
	if (w->handed_off && w->next >= 0 && w->src != w->next && chance(50)) {
		w->src = w->next;       /* a certificate for the next key */
		w->sver++;
	} else if (chance(3) && w->nkeys < SIM_KEYS) {
		w->src = w->nkeys++;    /* a renewal with a key of its own */
		w->sver++;
	} else if (chance(5))
		w->sver++;              /* a renewal with the same key */
	w->src_ok = chance(97);
	if (w->pres != w->dep && chance(20)) {
		/* the stuck service is restarted by hand: same check as RELOAD */
		long need = w->hold > w->min_wait ? w->hold : w->min_wait;

		w->late_switch = !(w->served_since[w->dep] != 0 &&
		    w->now - w->served_since[w->dep] >= need);
		w->pres = w->dep;
	}
	if (chance(3))
		w->rollover_req = 1;
	/* served: at the provider when this run looks */
	for (k = 0; k < w->nkeys; k++)
		if (!sim_all_at_provider(w, k))
			w->served_since[k] = 0;
		else if (w->served_since[k] == 0)
			w->served_since[k] = w->now;
}

#define SIM_CHECK(cond, what) do { if (!(cond)) { \
	fprintf(stderr, "# violated at %lld: %s\n", (long long)w->now, what); \
	return -1; } } while (0)

/* Apply one action as run.c does; 1: stop this run here, -1: violation. */
static int
sim_apply(struct sim *w, const struct plan_action *a)
{
	int k = sim_key_of(a->rec != NULL ? a->rec : a->key), i;
	long need = w->hold > w->min_wait ? w->hold : w->min_wait;

	i = -1;
	if (a->rec != NULL)
		for (i = 0; i < SIM_KEYS * RPK; i++)
			if (strcmp(sim_rec[i], a->rec) == 0)
				break;
	switch (a->kind) {
	case PLAN_GENKEY:
		if (w->nkeys == SIM_KEYS)
			return 1;
		w->next = w->nkeys++;
		break;
	case PLAN_ADD:
		w->prov[i] = w->pub[i] = 1;
		break;
	case PLAN_DELETE:
		SIM_CHECK(k != w->pres, "DELETE of a record of the presented key");
		SIM_CHECK(k != w->dep, "DELETE of a record of the deployed key");
		w->prov[i] = w->pub[i] = 0;
		break;
	case PLAN_FORGET:
		w->pub[i] = 0;
		break;
	case PLAN_MARK_SEEN:
		w->seen_at[k] = w->now;
		break;
	case PLAN_UNSEE:
		w->seen_at[k] = 0;
		break;
	case PLAN_DEPLOY:
		if (w->cur < 0 || (w->next >= 0 && w->src == w->next &&
		    w->cur != w->src))
			w->rollover_req = w->handed_off = 0;
		w->cur = w->dep = w->src;
		w->dver = w->sver;
		w->verified = -1;
		w->need_reload = 1;
		break;
	case PLAN_RELOAD:
		if (chance(5))
			return 1;       /* the reload command failed */
		w->need_reload = 0;
		if (chance(5))
			break;          /* it "worked", but a service kept the old key */
		if (w->dep != w->pres)
			SIM_CHECK(w->served_since[w->dep] != 0 &&
			    w->now - w->served_since[w->dep] >= need,
			    "services switched to a key not served for the hold");
		w->pres = w->dep;
		break;
	case PLAN_VERIFY:
		if (w->pres != w->cur)
			return 1;       /* the endpoints present another key */
		w->verified = w->cur;
		break;
	case PLAN_HANDOFF:
		w->handed_off = 1;
		break;
	case PLAN_WAIT:
	case PLAN_BLOCKED:
		break;
	}
	return chance(2);               /* a crash after this action */
}

static int
sim_run(struct sim *w)
{
	const char *prov[SIM_KEYS * RPK], *pub[SIM_KEYS * RPK], *prot[RPK];
	struct plan_in in;
	struct plan *p;
	size_t i;
	int j, rc = 0;

	memset(&in, 0, sizeof(in));
	in.now = w->now;
	in.cur = sim_key(w, w->cur);
	in.src = sim_key(w, w->src);
	in.next = sim_key(w, w->next);
	in.src_ok = w->src_ok;
	in.src_deployed = w->src == w->dep && w->sver == w->dver;
	in.need_reload = w->need_reload;
	in.verified = w->verified >= 0 ? sim_idbuf[w->verified] : NULL;
	for (j = 0; j < w->nkeys * RPK; j++) {
		if (w->prov[j])
			prov[in.nat_provider++] = sim_rec[j];
		if (w->pub[j])
			pub[in.npublished++] = sim_rec[j];
	}
	in.at_provider = prov;
	in.published = pub;
	/* run.c protects the deployed files' records; half the lineages
	 * leave that out, to see the planner's own rules hold */
	for (j = 0; w->protect && w->dep >= 0 && j < RPK; j++)
		prot[in.nprotect++] = sim_rec[w->dep * RPK + j];
	in.protect = prot;
	in.hold = w->hold;
	in.min_wait = w->min_wait;
	in.next_enabled = 1;
	in.rollover_due = w->rollover_req;
	in.handed_off = w->handed_off;
	p = plan_make(&in);
	for (i = 0; i < p->nacts && rc == 0; i++)
		rc = sim_apply(w, &p->acts[i]);
	if (rc < 0)
		for (i = 0; i < p->nacts; i++)
			fprintf(stderr, "#  -> %s %s %s\n",
			    plan_kind_name(p->acts[i].kind),
			    p->acts[i].rec ? p->acts[i].rec : "",
			    p->acts[i].key ? p->acts[i].key : "");
	plan_free(p);
	return rc < 0 ? -1 : 0;
}

static void
test_lineages_never_delete_presented_records(void **st)
{
	uint64_t seed = env_u64("DANEOPS_PROP_SEED", 20261203);
	int n = (int)env_u64("DANEOPS_PROP_COUNT", 50000) / 100, i, r;
	size_t switches = 0;
	struct sim w;
	int pres;

	(void)st;
	sim_names();
	rng_state = seed;
	for (i = 0; i < n; i++) {
		memset(&w, 0, sizeof(w));
		w.now = NOW;
		w.hold = 60 * (long)(1 + pick(10));
		w.min_wait = chance(50) ? (long)pick(1200) : 0;
		w.protect = chance(50);
		/* adopted: key 0 deployed and presented, nothing published */
		w.nkeys = 1;
		w.cur = w.src = w.dep = w.pres = 0;
		w.next = w.verified = -1;
		for (r = 0; r < SIM_RUNS; r++) {
			pres = w.pres;
			sim_world(&w);
			if (w.late_switch || sim_run(&w) < 0) {
				fprintf(stderr, "# seed %llu lineage %d run %d\n",
				    (unsigned long long)seed, i, r);
				fail_msg("a lineage broke a rollover property");
			}
			switches += w.pres != pres;
		}
	}
	print_message("# %zu key switches in %d lineages of %d runs\n",
	    switches, n, SIM_RUNS);
	/* the lineages do roll over, many times */
	assert_true(switches > (size_t)n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_hold_for_random_inputs),
		cmocka_unit_test(test_lineages_never_delete_presented_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
