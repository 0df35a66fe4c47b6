/*
 * history - what survey and watch remember between runs, per domain, in
 * SQLite: the verdict last seen, when a failure was first and last seen,
 * when its operator was last told, how often it failed, and when it was
 * last seen fixed, so repeats are rate-limited and a failure that keeps
 * coming back is called so.
 *
 * Several surveys may share one history: the caller brackets each
 * domain's read-decide-write in history_begin (BEGIN IMMEDIATE: one writer
 * at a time, and what it read cannot change before it writes) and
 * history_commit.  These transactions are short and, in WAL mode with
 * synchronous=NORMAL, cost no sync each.  Another process holding the
 * database waits up to 5 s (busy timeout), then ERR_TEMP.  The database
 * is opened with SQLITE_OPEN_NOFOLLOW, in a directory others cannot write
 * (fileio_check_dir).
 *
 * Ownership: history_open/history_close (NULL is a no-op).
 */
#ifndef DANEOPS_HISTORY_H
#define DANEOPS_HISTORY_H

#include <time.h>

#include "util/err.h"

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

/* A write transaction around get and put; history_close rolls back one
 * left open. */
int history_begin(struct history *h, struct err *e);
int history_commit(struct history *h, struct err *e);
void history_rollback(struct history *h);

#endif
