/*
 * run - observe every lineage, plan, and (roll run) carry the plan out.
 *
 * A run advances each lineage as far as is safe now and returns; calling it
 * every few minutes is how rollovers progress.  For each lineage it loops:
 * observe (source, deployed and next keys; the provider's records; every
 * authoritative server; the state), plan (plan.c), execute the plan's
 * steps in order, saving the state after each, until the plan only waits.
 * Every external effect is ordered so that a run killed between any two
 * steps resumes correctly (docs/roll.md lists the steps).
 *
 * Test hook: DANEOPS_ROLL_CRASH_AT=STEP[,STEP...] makes the process
 * _exit(99) right after the first of the named steps it reaches (the one
 * deliberate exit in the engine: it stands for a crash, a kill -9 or a
 * power cut, to prove the resume); DANEOPS_ROLL_CRASH_LOG=FILE has the
 * step's name appended to FILE first.
 *
 * Ownership: run_roll returns a report the caller frees with
 * run_report_free (NULL is a no-op).
 */
#ifndef DANEOPS_ROLL_RUN_H
#define DANEOPS_ROLL_RUN_H

#include <stddef.h>
#include <time.h>

#include "roll/authns.h"
#include "roll/conf.h"
#include "roll/keys.h"
#include "roll/plan.h"
#include "util/err.h"

#define RUN_CRASH_ENV   "DANEOPS_ROLL_CRASH_AT"
#define RUN_CRASH_LOG_ENV "DANEOPS_ROLL_CRASH_LOG"
#define RUN_CRASH_EXIT  99

struct run_opts {
	int execute;            /* 0: plan only (plan, status, --dry-run) */
	const char *only;       /* one lineage, or NULL for all */
};

struct run_lin {
	char *name;
	char cur[KEYS_ID_LEN + 1], src[KEYS_ID_LEN + 1], next[KEYS_ID_LEN + 1];
	char *next_path;
	char *deploy_files;     /* "KEY, CHAIN[, COMBINED]", for messages */
	struct authns *auth;    /* NULL when the servers could not be found */
	char *auth_error;
	char **at_provider;
	size_t nat_provider;
	long hold;
	char *hold_why;         /* "hold 20 s = 2 x max(TTL 2, ...)" */
	struct plan *plan;      /* the last plan: what is left to do */
	char **done;            /* steps carried out, one line each */
	size_t ndone;
	int failed;
	struct err err;
	int blocked;            /* the last plan has BLOCKED */
	int failures;           /* consecutive failed hand-offs (state) */
	long max_failures;      /* ... from which runs fail */
	time_t next_attempt;    /* backoff: no hand-off before */
	char *last_error;       /* of the last failed hand-off, or NULL */
	time_t handoff_started; /* a hand-off journal is open (0: none) */
	int adopted;            /* no deployed files; the endpoints present
				   the source's key: it goes out at once */
};

struct run_report {
	struct run_lin *lins;
	size_t nlins;
};

/* Fails only when o->only names no lineage; per-lineage errors are in lins. */
int run_roll(struct conf *c, const struct run_opts *o,
	struct run_report **out, struct err *e);
void run_report_free(struct run_report *r);

/* The lineage's state directory (created 0700) and file paths. */
char *run_lineage_dir(const struct conf *c, const struct conf_lineage *l,
	struct err *e);

/* Called after each step; _exit(99) when RUN_CRASH_ENV names it. */
void run_crash_point(const char *step);

#endif
