/*
 * history - the survey/watch memory in one SQLite table.
 */
#include "survey/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "util/fileio.h"
#include "util/xalloc.h"

struct history {
	sqlite3 *db;
	sqlite3_stmt *get, *put;
	int in_tx;
};

static const char history_schema[] =
    "CREATE TABLE IF NOT EXISTS domains ("
    " domain TEXT PRIMARY KEY, verdict TEXT NOT NULL, reason TEXT NOT NULL,"
    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    " last_notified INTEGER NOT NULL, fixed_at INTEGER NOT NULL,"
    " times_failed INTEGER NOT NULL, recurrences INTEGER NOT NULL);";

static int
history_fail(struct history *h, struct err *e, const char *what)
{
	int code = sqlite3_errcode(h->db);

	return err_set(e, code == SQLITE_BUSY || code == SQLITE_LOCKED ?
	    ERR_TEMP : ERR_SYSTEM, "history: %s: %s", what,
	    sqlite3_errmsg(h->db));
}

static int
history_exec(struct history *h, const char *sql, struct err *e)
{
	if (sqlite3_exec(h->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return history_fail(h, e, sql);
	return 0;
}

struct history *
history_open(const char *path, struct err *e)
{
	struct history *h;
	struct stat st;

	if (fileio_check_dir(path, e) == -1)
		return NULL;
	/* What is there must be our own file (SQLite refuses a symlink). */
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_uid != geteuid() && st.st_uid != 0) {
		err_set(e, ERR_INPUT, "history %s: owned by uid %u, not by the "
		    "user running daneops", path, (unsigned)st.st_uid);
		return NULL;
	}
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) &&
	    !S_ISLNK(st.st_mode)) {
		err_set(e, ERR_INPUT, "history %s: not a regular file", path);
		return NULL;
	}
	h = xcalloc(1, sizeof(*h));
	if (sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		err_set(e, ERR_INPUT, "history %s: %s", path,
		    h->db != NULL ? sqlite3_errmsg(h->db) : "cannot open");
		history_close(h);
		return NULL;
	}
	sqlite3_busy_timeout(h->db, 5000);
	if (history_exec(h, "PRAGMA journal_mode=WAL;", e) == -1 ||
	    history_exec(h, "PRAGMA synchronous=NORMAL;", e) == -1 ||
	    history_exec(h, history_schema, e) == -1 ||
	    sqlite3_prepare_v2(h->db, "SELECT verdict, reason, first_seen, "
	    "last_seen, last_notified, fixed_at, times_failed, recurrences "
	    "FROM domains WHERE domain = ?1", -1, &h->get, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(h->db, "INSERT OR REPLACE INTO domains VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &h->put, NULL) !=
	    SQLITE_OK) {
		if (e->kind == ERR_NONE)
			history_fail(h, e, "prepare");
		history_close(h);
		return NULL;
	}
	return h;
}

void
history_close(struct history *h)
{
	if (h == NULL)
		return;
	if (h->in_tx)
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_finalize(h->get);
	sqlite3_finalize(h->put);
	sqlite3_close(h->db);
	free(h);
}

static void
history_text(sqlite3_stmt *st, int col, char *out, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(out, size, "%s", t != NULL ? (const char *)t : "");
}

int
history_get(struct history *h, const char *domain, struct history_entry *out,
	struct err *e)
{
	int rc;

	memset(out, 0, sizeof(*out));
	sqlite3_reset(h->get);
	sqlite3_bind_text(h->get, 1, domain, -1, SQLITE_STATIC);
	rc = sqlite3_step(h->get);
	if (rc == SQLITE_DONE)
		return 1;
	if (rc != SQLITE_ROW)
		return history_fail(h, e, "read");
	history_text(h->get, 0, out->verdict, sizeof(out->verdict));
	history_text(h->get, 1, out->reason, sizeof(out->reason));
	out->first_seen = (time_t)sqlite3_column_int64(h->get, 2);
	out->last_seen = (time_t)sqlite3_column_int64(h->get, 3);
	out->last_notified = (time_t)sqlite3_column_int64(h->get, 4);
	out->fixed_at = (time_t)sqlite3_column_int64(h->get, 5);
	out->times_failed = (long)sqlite3_column_int64(h->get, 6);
	out->recurrences = (long)sqlite3_column_int64(h->get, 7);
	sqlite3_reset(h->get);
	return 0;
}

int
history_put(struct history *h, const char *domain,
	const struct history_entry *in, struct err *e)
{
	sqlite3_stmt *st = h->put;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, in->verdict, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, in->reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, in->first_seen);
	sqlite3_bind_int64(st, 5, in->last_seen);
	sqlite3_bind_int64(st, 6, in->last_notified);
	sqlite3_bind_int64(st, 7, in->fixed_at);
	sqlite3_bind_int64(st, 8, in->times_failed);
	sqlite3_bind_int64(st, 9, in->recurrences);
	if (sqlite3_step(st) != SQLITE_DONE)
		return history_fail(h, e, "write");
	sqlite3_reset(st);
	return 0;
}

int
history_begin(struct history *h, struct err *e)
{
	if (history_exec(h, "BEGIN IMMEDIATE", e) == -1)
		return -1;
	h->in_tx = 1;
	return 0;
}

int
history_commit(struct history *h, struct err *e)
{
	if (history_exec(h, "COMMIT", e) == -1) {
		history_rollback(h);
		return -1;
	}
	h->in_tx = 0;
	return 0;
}

void
history_rollback(struct history *h)
{
	if (h->in_tx)
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	h->in_tx = 0;
}
