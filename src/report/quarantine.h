/*
 * quarantine - keep a message that cannot be used, for a human to look at.
 *
 * A mail that arrives at the tls-reports address and holds no usable
 * report must not be bounced (the sender may be forged, and bounces of
 * unwanted mail are backscatter), nor dropped.  It is written to the
 * quarantine directory under a new unique name
 * (YYYYmmddTHHMMSSZ.PID.RANDOM.eml): to a temporary file first, fsynced,
 * then linked into place, so the directory never shows half a message.
 * The directory is made (mode 0700) when missing; its parent must exist.
 *
 * Bounded: a message is kept up to max_file bytes (the rest is read and
 * dropped, and a first header line says so); files older than max_age
 * seconds are deleted at each save; and when the files together would
 * pass max_total bytes nothing is written: ERR_TEMP, the MTA keeps the
 * message until an administrator makes room.
 *
 * Safe in a directory another user might touch: it is opened without
 * following symlinks, must belong to us (or root) and be writable by
 * nobody else; files are created with O_EXCL | O_NOFOLLOW relative to
 * the opened directory.
 *
 * Every failure is ERR_TEMP: the caller cannot keep the message, so the
 * MTA must keep it and try again later.
 *
 * Ownership: quarantine_save returns the new file's path; caller frees.
 */
#ifndef DANEOPS_QUARANTINE_H
#define DANEOPS_QUARANTINE_H

#include <stddef.h>
#include <time.h>

#include "util/err.h"

#define QUARANTINE_MAX_TOTAL (100LL * 1024 * 1024)     /* --quarantine-size */
#define QUARANTINE_MAX_AGE (30 * 86400)                 /* --quarantine-days */
#define QUARANTINE_MAX_FILE (1024 * 1024)

struct quarantine_opts {
	const char *dir;
	long long max_total;    /* bytes of all files; 0: QUARANTINE_MAX_TOTAL */
	time_t max_age;         /* seconds; 0: QUARANTINE_MAX_AGE */
	size_t max_file;        /* bytes of one file; 0: QUARANTINE_MAX_FILE */
};

/*
 * Save data[0..len), followed by whatever remains to be read from rest_fd
 * (-1: nothing; for a message larger than the caller would hold in memory).
 */
char *quarantine_save(const struct quarantine_opts *o, const void *data,
	size_t len, int rest_fd, struct err *e);

#endif
