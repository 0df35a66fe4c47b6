/*
 * store - TLS reports in SQLite.
 */
#include "report/store.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xalloc.h"

struct store {
	sqlite3 *db;
	char *path;
	int busy_ms;
};

/* Version 1.  docs/report.md documents it: change both together. */
static const char store_schema[] =
"CREATE TABLE IF NOT EXISTS reports (\n"
"  id INTEGER PRIMARY KEY,\n"
"  organization TEXT NOT NULL,\n"
"  report_id TEXT NOT NULL,\n"
"  contact_info TEXT,\n"
"  start_time INTEGER NOT NULL,\n"
"  end_time INTEGER NOT NULL,\n"
"  received INTEGER NOT NULL,\n"
"  json TEXT NOT NULL,\n"
"  UNIQUE (organization, report_id));\n"
"CREATE TABLE IF NOT EXISTS policies (\n"
"  id INTEGER PRIMARY KEY,\n"
"  report INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,\n"
"  policy_type TEXT NOT NULL,\n"
"  policy_domain TEXT NOT NULL,\n"
"  mx_host TEXT NOT NULL,\n"
"  successful INTEGER NOT NULL,\n"
"  failed INTEGER NOT NULL);\n"
"CREATE TABLE IF NOT EXISTS failures (\n"
"  id INTEGER PRIMARY KEY,\n"
"  policy INTEGER NOT NULL REFERENCES policies(id) ON DELETE CASCADE,\n"
"  result_type TEXT NOT NULL,\n"
"  sending_mta_ip TEXT,\n"
"  receiving_mx_hostname TEXT,\n"
"  receiving_mx_helo TEXT,\n"
"  receiving_ip TEXT,\n"
"  failed_sessions INTEGER NOT NULL,\n"
"  additional_information TEXT,\n"
"  failure_reason_code TEXT);\n"
"CREATE INDEX IF NOT EXISTS reports_end ON reports(end_time);\n"
"CREATE INDEX IF NOT EXISTS policies_report ON policies(report);\n"
"CREATE INDEX IF NOT EXISTS policies_domain ON policies(policy_domain);\n"
"CREATE INDEX IF NOT EXISTS failures_policy ON failures(policy);\n";

int
store_err(struct store *s, int rc, const char *what, struct err *e)
{
	enum err_kind kind;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_NOMEM:
	case SQLITE_PROTOCOL:
	case SQLITE_READONLY:
		kind = ERR_TEMP;        /* passes with time or an admin */
		break;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
	case SQLITE_SCHEMA:
		kind = ERR_INPUT;
		break;
	default:
		kind = ERR_SYSTEM;
	}
	return err_set(e, kind, "%s: %s: %s", s->path, what,
	    s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
}

static int
store_exec(struct store *s, const char *sql, struct err *e)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_err(s, rc, sql, e);
}

/* PRAGMA user_version into *v. */
static int
store_version(struct store *s, int *v, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_err(s, rc, "schema version", e);
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_err(s, rc, "schema version", e);
}

/*
 * Switch to WAL.  The switch needs the database to itself; a busy reply
 * while another process makes the same switch is retried within the busy
 * timeout.
 */
static int
store_wal(struct store *s, struct err *e)
{
	int rc, waited = 0;

	for (;;) {
		rc = sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL,
		    NULL);
		if ((rc & 0xff) != SQLITE_BUSY || waited >= s->busy_ms)
			break;
		usleep(20 * 1000);
		waited += 20;
	}
	return rc == SQLITE_OK ? 0 : store_err(s, rc, "WAL mode", e);
}

/* Create the schema unless it exists; refuse one from a newer daneops. */
static int
store_schema_init(struct store *s, struct err *e)
{
	int v;

	if (store_version(s, &v, e) < 0)
		return -1;
	if (v == STORE_SCHEMA_VERSION)
		return 0;
	if (v > STORE_SCHEMA_VERSION)
		return err_set(e, ERR_INPUT, "%s: schema version %d is newer "
		    "than this daneops (%d)", s->path, v, STORE_SCHEMA_VERSION);
	if (store_exec(s, "BEGIN IMMEDIATE", e) < 0)
		return -1;
	/* Another process may have created it while we waited. */
	if (store_version(s, &v, e) < 0 ||
	    (v == 0 && (store_exec(s, store_schema, e) < 0 ||
	    store_exec(s, "PRAGMA user_version = 1", e) < 0)) ||
	    store_exec(s, "COMMIT", e) < 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

/*
 * The directory that holds path: it must be a directory nobody but its
 * owner (and group) can write, or another user could swap the database
 * under us.  With create set (the file does not exist yet), it must also
 * be ours: a database root creates in a directory owned by the daneops
 * user would be root's, and the pipe, running as that user, could never
 * write it again.
 */
static int
store_check_dir(const char *path, int create, uid_t *owner, struct err *e)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	struct stat st;
	int rc = 0;

	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else
		dir = xstrndup(path, (size_t)(slash - path));
	if (stat(dir, &st) < 0)
		rc = err_set_errno(e, ERR_TEMP, errno, "%s: directory %s",
		    path, dir);
	else if (!S_ISDIR(st.st_mode))
		rc = err_set(e, ERR_INPUT, "%s: %s is not a directory", path,
		    dir);
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		rc = err_set(e, ERR_INPUT, "%s: directory %s is writable by "
		    "other users (mode %04o): refused", path, dir,
		    (unsigned)(st.st_mode & 07777));
	else if (create && st.st_uid != geteuid()) {
		struct passwd *pw = getpwuid(st.st_uid);

		rc = err_set(e, ERR_INPUT, "%s: not created: %s belongs to %s, "
		    "who could not write a database made by uid %ld; run this "
		    "as %s (runuser -u %s -- daneops report ...)", path, dir,
		    pw != NULL ? pw->pw_name : "another user", (long)geteuid(),
		    pw != NULL ? pw->pw_name : "that user",
		    pw != NULL ? pw->pw_name : "USER");
	}
	*owner = st.st_uid;
	free(dir);
	return rc;
}

/*
 * lstat path: 1 when it is a regular file, 0 when missing, -1 (e set)
 * for anything else (a symlink or directory is never a database).
 */
static int
store_check_file(const char *path, uid_t *owner, struct err *e)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return err_set_errno(e, ERR_TEMP, errno, "%s", path);
	}
	if (S_ISLNK(st.st_mode))
		return err_set(e, ERR_INPUT, "%s: a symbolic link: refused "
		    "(give the real path)", path);
	if (!S_ISREG(st.st_mode))
		return err_set(e, ERR_INPUT, "%s: not a regular file (a "
		    "directory?)", path);
	*owner = st.st_uid;
	return 1;
}

struct store *
store_open_timeout(const char *path, int busy_ms, struct err *e)
{
	uid_t fowner = 0, downer = 0, me = geteuid();
	struct store *s;
	int rc, exists;

	if ((exists = store_check_file(path, &fowner, e)) < 0 ||
	    store_check_dir(path, !exists, &downer, e) < 0)
		return NULL;
	/* Ours, root's, or (for root) the directory owner's: no planted file. */
	if (exists && fowner != me && fowner != 0 &&
	    !(me == 0 && fowner == downer)) {
		err_set(e, ERR_INPUT, "%s: belongs to uid %ld, neither us nor "
		    "the directory's owner: refused", path, (long)fowner);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	s->busy_ms = busy_ms;
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		store_err(s, rc, "cannot open", e);
		store_free(s);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, busy_ms);
	/* synchronous=FULL: once ingest says "stored", a crash keeps it. */
	if (store_wal(s, e) < 0 ||
	    store_exec(s, "PRAGMA synchronous=FULL", e) < 0 ||
	    store_exec(s, "PRAGMA foreign_keys=ON", e) < 0 ||
	    store_schema_init(s, e) < 0) {
		store_free(s);
		return NULL;
	}
	return s;
}

struct store *
store_open(const char *path, struct err *e)
{
	return store_open_timeout(path, STORE_BUSY_TIMEOUT_MS, e);
}

/* 1 when the reports table exists. */
static int
store_has_reports(struct store *s, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_master WHERE "
	    "type = 'table' AND name = 'reports'", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_err(s, rc, "schema", e);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_err(s, rc, "schema", e);
}

struct store *
store_open_readonly(const char *path, struct err *e)
{
	struct store *s;
	int rc, v, exists;
	uid_t owner;

	if ((exists = store_check_file(path, &owner, e)) < 0)
		return NULL;
	if (exists == 0) {
		err_set(e, ERR_INPUT, "%s: no database (nothing ingested "
		    "yet?)", path);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	s->busy_ms = STORE_BUSY_TIMEOUT_MS;
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		store_err(s, rc, "cannot open", e);
		store_free(s);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, s->busy_ms);
	if (store_version(s, &v, e) < 0 || (rc = store_has_reports(s, e)) < 0) {
		store_free(s);
		return NULL;
	}
	if (v != STORE_SCHEMA_VERSION || rc == 0) {
		if (v > STORE_SCHEMA_VERSION)
			err_set(e, ERR_INPUT, "%s: schema version %d is newer "
			    "than this daneops (%d)", path, v,
			    STORE_SCHEMA_VERSION);
		else
			err_set(e, ERR_INPUT, "%s: not a daneops report "
			    "database (no reports table of schema version %d)",
			    path, STORE_SCHEMA_VERSION);
		store_free(s);
		return NULL;
	}
	return s;
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

/* Bind a string or NULL. */
static void
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/* Run a bound INSERT; 0 or -1 with e set.  The statement is finalized. */
static int
store_insert(struct store *s, sqlite3_stmt *st, const char *what,
	struct err *e)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_err(s, rc, what, e);
}

static int
store_prepare(struct store *s, const char *sql, sqlite3_stmt **st,
	struct err *e)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);

	return rc == SQLITE_OK ? 0 : store_err(s, rc, "prepare", e);
}

static int
store_add_failure(struct store *s, sqlite3_int64 policy,
	const struct tlsrpt_failure *f, struct err *e)
{
	sqlite3_stmt *st;

	if (store_prepare(s, "INSERT INTO failures (policy, result_type, "
	    "sending_mta_ip, receiving_mx_hostname, receiving_mx_helo, "
	    "receiving_ip, failed_sessions, additional_information, "
	    "failure_reason_code) VALUES (?,?,?,?,?,?,?,?,?)", &st, e) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, policy);
	store_bind_text(st, 2, f->result_type);
	store_bind_text(st, 3, f->sending_mta_ip);
	store_bind_text(st, 4, f->receiving_mx_hostname);
	store_bind_text(st, 5, f->receiving_mx_helo);
	store_bind_text(st, 6, f->receiving_ip);
	sqlite3_bind_int64(st, 7, f->failed_sessions);
	store_bind_text(st, 8, f->additional_information);
	store_bind_text(st, 9, f->failure_reason_code);
	return store_insert(s, st, "insert failure", e);
}

static int
store_add_policy(struct store *s, sqlite3_int64 report,
	const struct tlsrpt_policy *p, struct err *e)
{
	sqlite3_int64 id;
	sqlite3_stmt *st;
	char *mx;
	size_t i;

	if (store_prepare(s, "INSERT INTO policies (report, policy_type, "
	    "policy_domain, mx_host, successful, failed) VALUES "
	    "(?,?,?,?,?,?)", &st, e) < 0)
		return -1;
	mx = tlsrpt_policy_mx(p);
	sqlite3_bind_int64(st, 1, report);
	store_bind_text(st, 2, p->policy_type);
	store_bind_text(st, 3, p->policy_domain);
	store_bind_text(st, 4, mx);
	sqlite3_bind_int64(st, 5, p->successful);
	sqlite3_bind_int64(st, 6, p->failed);
	free(mx);
	if (store_insert(s, st, "insert policy", e) < 0)
		return -1;
	id = sqlite3_last_insert_rowid(s->db);
	for (i = 0; i < p->nfailures; i++)
		if (store_add_failure(s, id, &p->failures[i], e) < 0)
			return -1;
	return 0;
}

/* The report row; 1 inserted, 0 already there, -1 error. */
static int
store_add_report(struct store *s, const struct tlsrpt_report *r,
	const char *json, time_t received, struct err *e)
{
	sqlite3_stmt *st;

	if (store_prepare(s, "INSERT OR IGNORE INTO reports (organization, "
	    "report_id, contact_info, start_time, end_time, received, json) "
	    "VALUES (?,?,?,?,?,?,?)", &st, e) < 0)
		return -1;
	store_bind_text(st, 1, r->organization);
	store_bind_text(st, 2, r->report_id);
	store_bind_text(st, 3, r->contact_info);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)r->start);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)r->end);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)received);
	store_bind_text(st, 7, json);
	if (store_insert(s, st, "insert report", e) < 0)
		return -1;
	return sqlite3_changes(s->db) > 0;
}

int
store_add(struct store *s, const struct tlsrpt_report *r, const char *json,
	time_t received, struct err *e)
{
	sqlite3_int64 id;
	size_t i;
	int rc;

	/* IMMEDIATE: take the write lock now, under the busy timeout. */
	if (store_exec(s, "BEGIN IMMEDIATE", e) < 0)
		return -1;
	rc = store_add_report(s, r, json, received, e);
	if (rc > 0) {
		id = sqlite3_last_insert_rowid(s->db);
		for (i = 0; i < r->npolicies && rc > 0; i++)
			if (store_add_policy(s, id, &r->policies[i], e) < 0)
				rc = -1;
	}
	if (rc >= 0 && store_exec(s, "COMMIT", e) < 0)
		rc = -1;
	if (rc < 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

long
store_count(struct store *s, struct err *e)
{
	sqlite3_stmt *st;
	long n;
	int rc;

	if (store_prepare(s, "SELECT count(*) FROM reports", &st, e) < 0)
		return -1;
	rc = sqlite3_step(st);
	n = rc == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	if (n < 0)
		store_err(s, rc, "count", e);
	return n;
}
