/*
 * lock - one roll run at a time, and who holds it.
 *
 * Two open-file-description (OFD) record locks on the lock file: byte 0 is
 * the run lock, byte 1 guards the holder's line "pid N started TIME".  A
 * taker holds byte 1 while it tries byte 0 and, when it got it, writes its
 * line before letting byte 1 go; a refused taker reads the line while it
 * holds byte 1.  So a refused run names the process that holds the lock:
 * never a half-written line, an empty one or a dead run's.  The holder
 * clears the line (under byte 1) before it releases byte 0.  The kernel
 * drops both locks when the holder dies, so a killed run leaves no stale
 * lock; the next holder overwrites its line.
 *
 * The file is opened with O_NOFOLLOW and must be a regular file of ours
 * with one link that nobody else may write, in a directory nobody else may
 * write (else a planted link would make root write where it points).
 *
 * Ownership: lock_take returns a lock the caller releases with lock_free
 * (NULL is a no-op), which clears the line, unlocks and closes.
 */
#ifndef DANEOPS_ROLL_LOCK_H
#define DANEOPS_ROLL_LOCK_H

#include "util/err.h"

struct lock;

/*
 * ERR_TEMP naming the holder when another process holds it; ERR_INPUT
 * when the file or its directory is unsafe; ERR_SYSTEM otherwise.
 */
struct lock *lock_take(const char *path, struct err *e);
void lock_free(struct lock *l);

#endif
