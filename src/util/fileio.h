/*
 * fileio - bounded file reads and crash-safe file writes.
 *
 * fileio_read reads a whole file up to a limit (inputs are never trusted to
 * be small).  fileio_write_atomic writes to a temporary file in the same
 * directory, fsyncs it, renames it over the target and fsyncs the directory,
 * so a reader sees the old content or the new, never a mix, even after a
 * crash.  fileio_read_secret refuses a file that others may read.
 */
#ifndef DANEOPS_FILEIO_H
#define DANEOPS_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

#include "util/err.h"

/* Largest input file read by default (certificates, keys, configuration). */
#define FILEIO_DEFAULT_MAX (1024 * 1024)

/*
 * Read path ("-" means standard input) into a new NUL-terminated buffer
 * (caller frees).  Fails with ERR_INPUT naming the path if it cannot be read
 * or is larger than max bytes.
 */
char *fileio_read(const char *path, size_t max, size_t *len, struct err *e);

/*
 * As fileio_read, but also fails unless the file is a regular file owned by
 * the caller (or root) that neither group nor others can read or write: the
 * rule for API tokens and TSIG keys.
 */
char *fileio_read_secret(const char *path, size_t max, size_t *len,
	struct err *e);

/* Replace path with data atomically; the new file gets the given mode. */
int fileio_write_atomic(const char *path, const void *data, size_t len,
	mode_t mode, struct err *e);

#endif
