/*
 * handoff - a rollover's hand-off of the next key to the ACME client, as a
 * journaled step, with backoff after failures; and roll newkey [--cancel].
 *
 * For a certbot lineage the hand-off writes the next key over certbot's
 * current key file and runs certbot renew (certbot.h).  Killed in between
 * (systemctl stop, a reboot), that would leave certbot's key and
 * certificate disagreeing.  So, in this order:
 *   1. save the current key file's content (STATE_DIR/NAME/prev.key) and
 *      record the journal in the state ("handoff": when, certbot's key
 *      file, the saved copy), before anything of certbot's is touched;
 *   2. write the next key over certbot's key file;
 *   3. run certbot (deadline certbot_timeout);
 *   4. certbot done: clear the journal, handed_off; certbot failed: write
 *      the saved key back, clear the journal, count the failure and back
 *      off (certbot_backoff, doubling, up to certbot_backoff_max).
 * A run that finds a journal (the one before was killed) recovers first:
 * certbot's certificate is for the next key: finish (the key file must
 * hold the next key); it is still for the saved key: undo (write the
 * saved key back), and the rollover, still due, is handed off again.
 *
 * Ownership: the context is borrowed; *what (a line for the run's "done"
 * list, or NULL) is the caller's to free.
 */
#ifndef DANEOPS_ROLL_HANDOFF_H
#define DANEOPS_ROLL_HANDOFF_H

#include <time.h>

#include "roll/conf.h"
#include "roll/plan.h"
#include "roll/state.h"
#include "util/err.h"

struct handoff_ctx {
	const struct conf *c;
	const struct conf_lineage *l;
	struct state *st;               /* saved after each step */
	const char *next_path;          /* STATE_DIR/NAME/next.key */
	const char *dir;                /* STATE_DIR/NAME */
	time_t now;
};

/* The plan's HANDOFF step.  A failed certbot: undone, counted, ERR_TEMP. */
int handoff_run(const struct handoff_ctx *h, struct err *e);

/* Finish or undo a journal left by a killed run (none: *what = NULL). */
int handoff_recover(const struct handoff_ctx *h, char **what, struct err *e);

/* During the backoff a planned HANDOFF becomes a WAIT saying why. */
void handoff_gate(struct plan *p, const struct state *st, time_t now);

/*
 * roll newkey NAME: ask for a rollover; with cancel, withdraw it (undoing
 * a hand-off that certbot has not completed).  *what says what was done.
 */
int handoff_request(struct conf *c, const char *name, int cancel,
	char **what, struct err *e);

#endif
