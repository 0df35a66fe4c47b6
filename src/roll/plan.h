/*
 * plan - the rollover decision: state and observations in, actions out.
 *
 * A pure function (no I/O, no clock: "now" is an input), so every rule of
 * RFC 7671 section 8.1 as daneops applies it is unit-tested branch by
 * branch (tests/unit/test_roll_plan.c).  Records are strings
 * "OWNER U S M HEX" so that comparing them is strcmp.
 *
 * The rules, in order:
 *  1. A lineage with next_key and no next key gets one (GENKEY); so does a
 *     lineage whose next key has become its current key.
 *  2. Every record of the current, the source and the next key that the
 *     provider does not have is added (ADD).
 *  3. A source that is not valid (key/certificate mismatch, chain, names)
 *     blocks every deployment (BLOCKED); records are still kept.
 *  4. A source with the current key is deployed at once (DEPLOY, RELOAD,
 *     VERIFY): its records are already published.
 *  5. A source with another key is deployed only when every record of it
 *     is served by every authoritative server (first time: MARK_SEEN) and
 *     max(hold, min_wait) has passed since (WAIT until then).
 *  6. Records this lineage published are retired (DELETE) only when the
 *     current key is verified live at every endpoint, no reload is pending,
 *     and they match neither the current, source or next key nor a
 *     protected record (other lineages, keys endpoints present).
 *  7. A rollover that is due hands the next key to the ACME client
 *     (HANDOFF) once its records have been served for max(hold, min_wait).
 *
 * Ownership: plan_make returns a plan the caller frees with plan_free
 * (NULL is a no-op).  The input is borrowed.
 */
#ifndef DANEOPS_ROLL_PLAN_H
#define DANEOPS_ROLL_PLAN_H

#include <stddef.h>
#include <time.h>

struct plan_key {
	const char *id;         /* SPKI SHA-256 hex; NULL: none */
	const char *const *recs;        /* every record this key needs */
	size_t nrecs;
	int served;             /* all recs at every authoritative address */
	time_t seen_at;         /* from state; 0: not yet */
};

struct plan_in {
	time_t now;
	struct plan_key cur, src, next;
	int src_ok;             /* key matches, chain verifies, names present */
	const char *src_why;    /* why not */
	int src_deployed;       /* the deployed files equal the source's */
	int need_reload;
	const char *verified;   /* key verified live at every endpoint */
	const char *const *at_provider;  /* records the provider has */
	size_t nat_provider;
	const char *const *published;    /* records this lineage added */
	size_t npublished;
	const char *const *protect;      /* never retire these */
	size_t nprotect;
	long hold;              /* 2 x max(TLSA TTL, negative TTL) */
	const char *hold_why;   /* where hold comes from, or NULL */
	long min_wait;
	int next_enabled;
	int rollover_due;
	int handed_off;
};

enum plan_kind {
	PLAN_GENKEY,            /* make a next key */
	PLAN_ADD,               /* publish rec */
	PLAN_MARK_SEEN,         /* key served everywhere since now */
	PLAN_UNSEE,             /* key no longer served everywhere */
	PLAN_WAIT,              /* nothing more until "until" (0: unknown) */
	PLAN_BLOCKED,           /* the source may not go live */
	PLAN_DEPLOY,            /* install the source files as key */
	PLAN_RELOAD,
	PLAN_VERIFY,            /* endpoints present key */
	PLAN_DELETE,            /* retire rec */
	PLAN_FORGET,            /* rec is gone already: drop from state */
	PLAN_HANDOFF,           /* give the next key to the ACME client */
};

struct plan_action {
	enum plan_kind kind;
	char *rec;              /* ADD, DELETE, FORGET */
	char *key;              /* the key it is about, or NULL */
	time_t until;           /* WAIT */
	char *why;              /* one line */
};

struct plan {
	struct plan_action *acts;
	size_t nacts;
};

struct plan *plan_make(const struct plan_in *in);
void plan_free(struct plan *p);

const char *plan_kind_name(enum plan_kind k);

/* The plan does something (more than WAIT and BLOCKED). */
int plan_busy(const struct plan *p);

#endif
