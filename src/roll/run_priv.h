/*
 * run_priv - what run.c and observe.c share (not for other modules).
 *
 * Ownership: a run_obs owns everything in it (run_obs_free), except
 * cur/cur_recs (borrowed from its own lists); a run_ctx borrows all.
 */
#ifndef DANEOPS_ROLL_RUN_PRIV_H
#define DANEOPS_ROLL_RUN_PRIV_H

#include "roll/run.h"
#include "roll/state.h"

struct provider;

/* What one round sees of a lineage. */
struct run_obs {
	struct keyset *src, *dep, *next;
	char src_why[2 * ERR_MSG_MAX + 16];
	int src_ok;
	char **src_recs, **dep_recs, **next_recs;
	size_t nsrc, ndep, nnext;
	const char *cur;                /* key id, or NULL */
	char **cur_recs;                /* borrowed from src_recs or dep_recs */
	size_t ncur;
	char **protect;
	size_t nprotect;
	struct authns *auth;
	char auth_error[ERR_MSG_MAX];
	char **prov;
	size_t nprov;
};

struct run_ctx {
	struct conf *c;
	struct conf_lineage *l;
	struct state *st;
	struct provider *prov;
	struct run_lin *rl;
	char *dir;
	time_t now;
};

void run_list_add(char ***list, size_t *n, char *s);
void run_list_free(char **list, size_t n);

/* Observe the lineage; fills o (free with run_obs_free) and x->rl->hold. */
int run_observe(struct run_ctx *x, struct run_obs *o, struct err *e);
void run_obs_free(struct run_obs *o);

#endif
