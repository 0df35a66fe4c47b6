/*
 * fileio - bounded file reads and crash-safe file writes.
 *
 * fileio_read reads a whole file up to a limit (inputs are never trusted to
 * be small).  fileio_write_atomic writes to a temporary file in the same
 * directory, fsyncs it, renames it over the target and fsyncs the directory,
 * so a reader sees the old content or the new, never a mix, even after a
 * crash.  fileio_read_secret refuses a file that others may read.
 *
 * What is read: regular files and pipes (a named pipe or a shell's
 * <(...)); directories, devices and sockets are refused with a one-line
 * error, since reading them either fails obscurely or never ends
 * (/dev/zero).  "-" is standard input, which may be anything the shell
 * connected (a terminal, /dev/null, a pipe): it is bounded by the size cap
 * like every read.  A read error ends the read with an error.
 *
 * What is written: never through a symlink planted in the target's place
 * (the temporary file is created with O_EXCL, the rename replaces a
 * symlink instead of following it), and never into a directory that
 * others may write unless it is sticky (/tmp: there others can neither
 * rename nor remove our files, and a file they planted makes our rename
 * fail instead of being written through): fileio_check_dir.
 */
#ifndef DANEOPS_FILEIO_H
#define DANEOPS_FILEIO_H

#include <stddef.h>
#include <sys/stat.h>
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
 * Open path to read, as every reader here does: a regular file or a pipe
 * ("-": a new descriptor for standard input, which may be anything but a
 * directory).  A named pipe is opened without waiting for its writer.
 * Fills *st (may be NULL); returns the descriptor (caller closes) or -1
 * with ERR_INPUT naming the path and what it is.
 */
int fileio_open_read(const char *path, struct stat *st, struct err *e);

/*
 * For files a library opens by name (libunbound's configuration): 0 if
 * path is a regular file of at most max bytes, else -1 with ERR_INPUT.
 */
int fileio_check_regular(const char *path, size_t max, struct err *e);

/*
 * 0 if the directory that holds path is a directory others cannot write
 * (or a sticky one, like /tmp), else -1 with ERR_INPUT naming it.
 */
int fileio_check_dir(const char *path, struct err *e);

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

/*
 * Create path with data, complete or not at all, never replacing anything
 * there (a temporary file linked to the name, which fails if it exists):
 * 0 written, 1 path exists (nothing written), -1 error.
 */
int fileio_write_new(const char *path, const void *data, size_t len,
	mode_t mode, struct err *e);

#endif
