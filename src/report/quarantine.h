/*
 * quarantine - keep a message that cannot be used, for a human to look at.
 *
 * A mail that arrives at the tls-reports address and holds no usable
 * report must not be bounced (the sender may be forged, and bounces of
 * unwanted mail are backscatter), nor dropped.  It is written to the
 * quarantine directory under a new unique name
 * (YYYYmmddTHHMMSSZ.PID.RANDOM.eml): to a temporary file first, fsynced,
 * then renamed, so the directory never shows half a message.  The
 * directory is made (mode 0700) when missing; its parent must exist.
 *
 * Every failure is ERR_TEMP: the caller cannot keep the message, so the
 * MTA must keep it and try again later.
 *
 * Ownership: quarantine_save returns the new file's path; caller frees.
 */
#ifndef DANEOPS_QUARANTINE_H
#define DANEOPS_QUARANTINE_H

#include <stddef.h>

#include "util/err.h"

/*
 * Save data[0..len), followed by whatever remains to be read from rest_fd
 * (-1: nothing; for a message larger than the caller would hold in memory).
 */
char *quarantine_save(const char *dir, const void *data, size_t len,
	int rest_fd, struct err *e);

#endif
