/*
 * lock - one roll run at a time.
 *
 * An flock(2) on the lock file: the kernel drops it when the holder dies,
 * so a killed run never leaves a stale lock.  The holder writes its pid and
 * start time into the file so that a refused run can say who holds it.
 *
 * Ownership: lock_take returns a lock the caller releases with lock_free
 * (NULL is a no-op), which unlocks and closes.
 */
#ifndef DANEOPS_ROLL_LOCK_H
#define DANEOPS_ROLL_LOCK_H

#include "util/err.h"

struct lock;

/* ERR_TEMP naming the holder when another process holds it. */
struct lock *lock_take(const char *path, struct err *e);
void lock_free(struct lock *l);

#endif
