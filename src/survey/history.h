/*
 * history - what survey and watch remember between runs, per domain, in
 * SQLite: the verdict last seen, when a failure was first and last seen,
 * when its operator was last told, how often it failed, and when it was
 * last seen fixed, so repeats are rate-limited and a failure that keeps
 * coming back is called so.
 *
 * Writes are grouped in transactions (committed every HISTORY_BATCH writes
 * and on close), so a survey of many domains does not sync per domain; a
 * run that is killed loses at most its last batch.  Another process
 * holding the database waits up to 5 s (busy timeout), then ERR_TEMP.
 *
 * Ownership: history_open/history_close (NULL is a no-op).
 */
#ifndef DANEOPS_HISTORY_H
#define DANEOPS_HISTORY_H

#include <time.h>

#include "util/err.h"

#define HISTORY_BATCH   256

struct history_entry {
	char verdict[24];       /* last verdict seen, "" when new */
	char reason[32];        /* its failure reason, "" */
	time_t first_seen;      /* first failure of the current series; 0 */
	time_t last_seen;       /* last time checked */
	time_t last_notified;   /* 0: never */
	time_t fixed_at;        /* last seen not failing after a failure; 0 */
	long times_failed;      /* failed runs in all */
	long recurrences;       /* times it failed again after a fix */
};

struct history;

struct history *history_open(const char *path, struct err *e);
void history_close(struct history *h);

/* 0 found, 1 not known (out zeroed), -1 error. */
int history_get(struct history *h, const char *domain,
	struct history_entry *out, struct err *e);
int history_put(struct history *h, const char *domain,
	const struct history_entry *in, struct err *e);

#endif
