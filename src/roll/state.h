/*
 * state - what daneops has done for one lineage, kept in
 * STATE_DIR/NAME/state.json between runs.
 *
 * The file is rewritten whole with fileio_write_atomic after every step, so
 * a run killed at any point leaves either the state before the step or the
 * state after it.  A file that cannot be parsed is an error naming it: a
 * silent reset would forget which records daneops published and so which it
 * may retire.  A missing file is an empty state (a new lineage).
 *
 * Ownership: state_load returns a state the caller frees with state_free
 * (NULL is a no-op).  Strings inside belong to the state.
 */
#ifndef DANEOPS_ROLL_STATE_H
#define DANEOPS_ROLL_STATE_H

#include <stddef.h>
#include <time.h>

#include "util/err.h"

#define STATE_MAX_SEEN  16
#define STATE_MAX_RECS  256

struct state_seen {
	char *key;              /* key id (SPKI SHA-256, hex) */
	time_t at;              /* first seen at every authoritative server */
};

/*
 * The certbot hand-off in progress (a journal): set and saved before
 * certbot's key file is touched, cleared once certbot's result is known.
 * A run that finds it set finishes the hand-off (certbot's certificate is
 * for the next key) or undoes it (writes the saved key back).
 */
struct state_handoff {
	time_t started;         /* 0: none in progress */
	char *key_file;         /* certbot's key file the next key goes into */
	char *saved;            /* a copy of its content before */
};

struct state {
	char *path;
	char *current;          /* key the services use (or are being given) */
	int need_reload;        /* deployed files not yet reloaded */
	char *verified;         /* key verified live at every endpoint */
	struct state_seen seen[STATE_MAX_SEEN];
	size_t nseen;
	char *published[STATE_MAX_RECS];    /* "owner U S M hex" we added */
	size_t npublished;
	time_t rollover_requested;          /* roll newkey; 0: none */
	time_t last_rollover;               /* or first deployment */
	int handed_off;                     /* next key given to the ACME client */
	struct state_handoff handoff;
	int failures;                       /* consecutive failed hand-offs */
	time_t next_attempt;                /* backoff: none before this */
	char *last_error;                   /* of the last failed hand-off */
};

struct state *state_load(const char *path, struct err *e);
int state_save(const struct state *s, struct err *e);
void state_free(struct state *s);

/* When key was first seen everywhere, or 0. */
time_t state_seen_at(const struct state *s, const char *key);
void state_set_seen(struct state *s, const char *key, time_t at);

int state_published_has(const struct state *s, const char *rec);
int state_published_add(struct state *s, const char *rec, struct err *e);
void state_published_del(struct state *s, const char *rec);

void state_set_str(char **slot, const char *val);

#endif
