/*
 * store - TLS reports in SQLite.
 *
 * One database file holds every report received (docs/report.md has the
 * schema): reports, deduplicated by UNIQUE(organization, report_id) so that
 * a report delivered twice is stored once; their policies; and the failure
 * details of each policy.  The database runs in WAL mode with a busy
 * timeout, so that many "report ingest" processes started by the MTA at
 * once wait for each other instead of failing; the schema version is kept
 * in PRAGMA user_version.
 *
 * Errors that pass with time (the database locked past the busy timeout,
 * a full disk, an I/O error) are ERR_TEMP: the caller should try again
 * later.  A database that is not ours, or is from a newer daneops, is
 * ERR_INPUT.
 *
 * Ownership: store_open returns a handle freed with store_free (NULL is a
 * no-op), which closes the database.
 */
#ifndef DANEOPS_STORE_H
#define DANEOPS_STORE_H

#include <time.h>

#include <sqlite3.h>

#include "report/tlsrpt.h"
#include "util/err.h"

#define STORE_SCHEMA_VERSION 1
/* How long to wait for another writer, in milliseconds. */
#define STORE_BUSY_TIMEOUT_MS 30000

struct store;

/*
 * Open (creating it and its schema when missing) the database at path.
 * Refused (ERR_INPUT): path a symbolic link or not a regular file, or a
 * file of another user (unless root opens the directory owner's file);
 * its directory writable by group or others; or, when it does not exist
 * yet, a directory owned by another user (who could not write what we
 * create).
 */
struct store *store_open(const char *path, struct err *e);

/*
 * Open an existing database for reading only: no schema is created, the
 * journal mode is left alone.  ERR_INPUT when path is missing, not a
 * regular file, not SQLite, or not a report database of this schema.
 */
struct store *store_open_readonly(const char *path, struct err *e);

/* As store_open, with another busy timeout (tests use a short one). */
struct store *store_open_timeout(const char *path, int busy_ms,
	struct err *e);

void store_free(struct store *s);

/*
 * Store report r, received at the given time, with its JSON text.  Returns
 * 1 when stored, 0 when a report with the same organization and report-id
 * was already there (nothing changed), -1 with e set.
 */
int store_add(struct store *s, const struct tlsrpt_report *r,
	const char *json, time_t received, struct err *e);

/* Number of reports stored; -1 with e set. */
long store_count(struct store *s, struct err *e);

/* The connection, for read-only queries (summary); borrowed. */
sqlite3 *store_db(struct store *s);

/* Turn a SQLite result code into an err ("path: what: message"). */
int store_err(struct store *s, int rc, const char *what, struct err *e);

#endif
