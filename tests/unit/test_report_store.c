/*
 * Unit tests for src/report/store and src/report/summary: deduplication,
 * the schema version, and the aggregation per policy domain and MX host
 * (from the database and from one report, which must agree).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/store.h"
#include "report/summary.h"
#include "report/tlsrpt.h"
#include "util/fileio.h"
#include "util/xalloc.h"

struct fixture {
	char dir[64];
	char *db;
	struct tlsrpt_report *google, *ms, *ms2, *small;
};

static struct tlsrpt_report *
load(const char *name)
{
	struct tlsrpt_report *r;
	struct err e;
	size_t len;
	char *path, *json;

	path = xasprintf("data/tlsrpt/%s.json", name);
	json = fileio_read(path, TLSRPT_MAX_JSON, &len, &e);
	assert_non_null(json);
	r = tlsrpt_parse(json, len, &e);
	assert_non_null(r);
	free(json);
	free(path);
	return r;
}

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/daneops-store.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->db = xasprintf("%s/t.sqlite", f->dir);
	f->google = load("google");
	f->ms = load("microsoft");
	f->ms2 = load("microsoft2");
	f->small = load("small");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd = xasprintf("rm -rf '%s'", f->dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	tlsrpt_report_free(f->google);
	tlsrpt_report_free(f->ms);
	tlsrpt_report_free(f->ms2);
	tlsrpt_report_free(f->small);
	free(f->db);
	free(f);
	return 0;
}

static void
test_dedup(void **state)
{
	struct fixture *f = *state;
	struct store *s;
	struct err e;

	s = store_open(f->db, &e);
	assert_non_null(s);
	assert_int_equal(store_add(s, f->google, "{}", 1, &e), 1);
	assert_int_equal(store_add(s, f->google, "{}", 2, &e), 0);
	assert_int_equal(store_add(s, f->ms, "{}", 3, &e), 1);
	assert_int_equal(store_count(s, &e), 2);
	store_free(s);
	/* Reopened: the schema is there, the duplicate still one. */
	s = store_open(f->db, &e);
	assert_non_null(s);
	assert_int_equal(store_add(s, f->ms, "{}", 4, &e), 0);
	assert_int_equal(store_count(s, &e), 2);
	store_free(s);
	store_free(NULL);
}

static void
test_schema_version(void **state)
{
	struct fixture *f = *state;
	sqlite3_stmt *st;
	struct store *s;
	struct err e;

	s = store_open(f->db, &e);
	assert_non_null(s);
	assert_int_equal(sqlite3_prepare_v2(store_db(s), "PRAGMA user_version",
	    -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), STORE_SCHEMA_VERSION);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_exec(store_db(s), "PRAGMA user_version = 99",
	    NULL, NULL, NULL), SQLITE_OK);
	store_free(s);
	assert_null(store_open(f->db, &e));
	assert_int_equal(e.kind, ERR_INPUT);
	assert_non_null(strstr(e.msg, "newer"));
}

static void
test_not_a_database(void **state)
{
	struct fixture *f = *state;
	struct err e;

	assert_int_equal(fileio_write_atomic(f->db, "garbage, not SQLite at "
	    "all, garbage garbage garbage garbage garbage garbage garbage "
	    "garbage garbage garbage garbage garbage", 120, 0600, &e), 0);
	assert_null(store_open(f->db, &e));
	assert_int_not_equal(e.kind, ERR_NONE);
	assert_null(store_open("/nonexistent-dir/x.sqlite", &e));
	assert_int_equal(e.kind, ERR_TEMP);
}

/* Read-only: no schema, no WAL; refused: symlinks and other databases. */
static void
test_readonly(void **state)
{
	struct fixture *f = *state;
	struct store *st;
	struct err e;
	char *link, *other, *cmd;

	assert_null(store_open_readonly(f->db, &e));     /* missing */
	assert_int_equal(e.kind, ERR_INPUT);
	assert_int_equal(access(f->db, F_OK), -1);      /* not created */
	other = xasprintf("%s/other.sqlite", f->dir);
	cmd = xasprintf("sqlite3 '%s' 'CREATE TABLE t (x)'", other);
	assert_int_equal(system(cmd), 0);
	assert_null(store_open_readonly(other, &e));
	assert_int_equal(e.kind, ERR_INPUT);
	assert_non_null(strstr(e.msg, "not a daneops report database"));
	st = store_open(f->db, &e);
	assert_non_null(st);
	assert_int_equal(store_add(st, f->google, "{}", 1, &e), 1);
	store_free(st);
	st = store_open_readonly(f->db, &e);
	assert_non_null(st);
	assert_int_equal(store_count(st, &e), 1);
	assert_int_equal(store_add(st, f->ms, "{}", 1, &e), -1);  /* read only */
	store_free(st);
	link = xasprintf("%s/link.sqlite", f->dir);
	assert_int_equal(symlink(f->db, link), 0);
	assert_null(store_open_readonly(link, &e));
	assert_int_equal(e.kind, ERR_INPUT);
	assert_null(store_open(link, &e));
	assert_int_equal(e.kind, ERR_INPUT);
	assert_null(store_open_readonly(f->dir, &e));   /* a directory */
	assert_int_equal(e.kind, ERR_INPUT);
	free(link);
	free(other);
	free(cmd);
}

/* A writer holding the lock past the busy timeout: ERR_TEMP, not a hang. */
static void
test_locked_is_temporary(void **state)
{
	struct fixture *f = *state;
	struct store *s1, *s2;
	struct err e;

	s1 = store_open(f->db, &e);
	assert_non_null(s1);
	s2 = store_open_timeout(f->db, 200, &e);
	assert_non_null(s2);
	assert_int_equal(sqlite3_exec(store_db(s1), "BEGIN IMMEDIATE", NULL,
	    NULL, NULL), SQLITE_OK);
	assert_int_equal(store_add(s2, f->google, "{}", 1, &e), -1);
	assert_int_equal(e.kind, ERR_TEMP);
	assert_non_null(strstr(e.msg, "locked"));
	assert_int_equal(sqlite3_exec(store_db(s1), "COMMIT", NULL, NULL,
	    NULL), SQLITE_OK);
	/* Once the lock is gone the same handle works again. */
	assert_int_equal(store_add(s2, f->google, "{}", 1, &e), 1);
	store_free(s2);
	store_free(s1);
}

static const struct summary_row *
row(const struct summary *s, const char *domain)
{
	size_t i;

	for (i = 0; i < s->nrows; i++)
		if (strcmp(s->rows[i].domain, domain) == 0)
			return &s->rows[i];
	fail_msg("no row for %s", domain);
	return NULL;
}

static int64_t
type_count(const struct summary_row *r, const char *type)
{
	size_t i;

	for (i = 0; i < r->ntypes; i++)
		if (strcmp(r->types[i].result_type, type) == 0)
			return r->types[i].sessions;
	return -1;
}

/* The numbers the four fixtures must give, whichever way summed. */
static void
check_totals(const struct summary *s)
{
	const struct summary_row *r;

	assert_int_equal(s->nreports, 4);
	assert_int_equal(s->nrows, 2);
	assert_int_equal(summary_failed(s), 10);
	r = row(s, "example.org");
	assert_string_equal(r->mx, "mail.example.org");
	assert_int_equal(r->successful, 200);
	assert_int_equal(r->failed, 8);
	assert_int_equal(type_count(r, "tlsa-invalid"), 6);
	assert_int_equal(type_count(r, "certificate-revoked-by-magic"), 2);
	assert_int_equal(r->norgs, 2);
	assert_int_equal(r->nhosts, 1);
	assert_int_equal(r->first, 1795651200);
	assert_int_equal(r->last, 1795651200 + 2 * 86400 - 1);
	r = row(s, "example.net");
	assert_string_equal(r->mx, "*.example.net");
	assert_int_equal(r->failed, 2);
	assert_int_equal(type_count(r, "starttls-not-supported"), 2);
	assert_string_equal(r->orgs[0], "Mail Example");
}

static void
test_summary(void **state)
{
	struct fixture *f = *state;
	struct summary *mem, *db;
	struct store *s;
	struct err e;
	char *text;

	s = store_open(f->db, &e);
	assert_non_null(s);
	mem = summary_new();
	assert_int_equal(store_add(s, f->google, "{}", 1, &e), 1);
	assert_int_equal(store_add(s, f->ms, "{}", 1, &e), 1);
	assert_int_equal(store_add(s, f->ms2, "{}", 1, &e), 1);
	assert_int_equal(store_add(s, f->small, "{}", 1, &e), 1);
	summary_add_report(mem, f->google);
	summary_add_report(mem, f->ms);
	summary_add_report(mem, f->ms2);
	summary_add_report(mem, f->small);
	check_totals(mem);
	db = summary_new();
	assert_int_equal(summary_load(db, s, 0, NULL, &e), 0);
	check_totals(db);
	text = summary_text(db);
	assert_non_null(strstr(text, "(unregistered type)"));
	assert_non_null(strstr(text, "Google Inc., Microsoft Corporation"));
	free(text);
	summary_free(db);
	/* --domain (any case, as DNS) and --since. */
	db = summary_new();
	assert_int_equal(summary_load(db, s, 0, "EXAMPLE.net", &e), 0);
	assert_int_equal(db->nrows, 1);
	assert_int_equal(db->nreports, 1);
	summary_free(db);
	db = summary_new();
	assert_int_equal(summary_load(db, s, 1795651200 + 86400, NULL, &e), 0);
	assert_int_equal(db->nreports, 1);
	assert_int_equal(summary_failed(db), 4);
	text = summary_json(db);
	assert_non_null(strstr(text, "\"since\": \"2026-11-27T00:00:00Z\""));
	free(text);
	summary_free(db);
	summary_free(mem);
	summary_free(NULL);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dedup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_version, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_locked_is_temporary, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
