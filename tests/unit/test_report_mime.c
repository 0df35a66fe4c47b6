/*
 * Unit tests for src/report/mime (every form of report mail in
 * tests/data/tlsrpt), src/report/alert (composition, addresses, the
 * sendmail hand-off under a deadline) and src/report/quarantine.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/alert.h"
#include "report/mime.h"
#include "report/quarantine.h"
#include "report/tlsrpt.h"
#include "util/fileio.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

/* Extract from a fixture; the report must then parse. */
static int
extract(const char *name, struct mime_report *m, struct err *e)
{
	struct tlsrpt_report *r;
	size_t len;
	char *path, *msg;
	int rc;

	path = xasprintf("data/tlsrpt/%s", name);
	msg = fileio_read(path, 1024 * 1024, &len, e);
	assert_non_null(msg);
	free(path);
	rc = mime_extract(msg, len, m, e);
	free(msg);
	if (rc == 0) {
		r = tlsrpt_parse(m->part[0].json, m->part[0].len, e);
		assert_non_null(r);
		tlsrpt_report_free(r);
	}
	return rc;
}

static void
test_forms(void **state)
{
	static const struct { const char *file, *how; } ok[] = {
		{ "google.eml", "application/tlsrpt part" },
		{ "microsoft.eml", "application/tlsrpt part" },
		{ "microsoft-json.eml", "application/tlsrpt part" },
		{ "bare-gzip.eml", "attachment named *.json(.gz)" },
		{ "octet-stream.eml", "attachment named *.json(.gz)" },
		{ "google.json.gz", "bare report" },
		{ "small.json", "bare report" },
	};
	struct mime_report m;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (extract(ok[i].file, &m, &e) < 0)
			fail_msg("%s: %s", ok[i].file, e.msg);
		assert_string_equal(m.part[0].how, ok[i].how);
		assert_int_equal(m.nparts, 1);
		mime_report_clear(&m);
	}
	assert_int_equal(extract("google.eml", &m, &e), 0);
	assert_string_equal(m.from, "noreply-smtp-tls-reporting@google.com");
	assert_non_null(strstr(m.subject, "Report Domain: example.org"));
	mime_report_clear(&m);
	mime_report_clear(&m);
}

static void
test_unusable(void **state)
{
	static const char *const bad[] = { "bad-gzip.eml", "truncated.eml",
	    "no-report.eml" };
	struct mime_report m;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		assert_int_equal(extract(bad[i], &m, &e), -1);
		assert_int_equal(e.kind, ERR_INPUT);
		assert_int_equal(m.nparts, 0);
	}
	assert_int_equal(mime_extract("", 0, &m, &e), -1);
	assert_int_equal(mime_extract("\x1f\x8b", 2, &m, &e), -1);
}

/* Every report part; one bad part fails the whole message. */
static void
test_parts(void **state)
{
	struct mime_report m;
	struct err e;
	char *small = fileio_read("data/tlsrpt/small.json", 1 << 20, NULL, &e);
	char *msg, *bad;

	(void)state;
	assert_non_null(small);
	msg = xasprintf("MIME-Version: 1.0\nContent-Type: multipart/report; "
	    "report-type=tlsrpt; boundary=b\n\n--b\nContent-Type: "
	    "application/tlsrpt+json\n\n%s\n--b\nContent-Type: "
	    "application/tlsrpt+json\n\n%s\n--b--\n", small, small);
	assert_int_equal(mime_extract(msg, strlen(msg), &m, &e), 0);
	assert_int_equal(m.nparts, 2);
	assert_non_null(strstr(m.part[1].json, "small-2026-11-26"));
	mime_report_clear(&m);
	bad = xasprintf("MIME-Version: 1.0\nContent-Type: multipart/report; "
	    "report-type=tlsrpt; boundary=b\n\n--b\nContent-Type: "
	    "application/tlsrpt+json\n\n%s\n--b\nContent-Type: "
	    "application/tlsrpt+gzip\n\nnot gzip\n--b--\n", small);
	assert_int_equal(mime_extract(bad, strlen(bad), &m, &e), -1);
	assert_int_equal(e.kind, ERR_INPUT);
	assert_non_null(strstr(e.msg, "report part 2 of 2"));
	assert_int_equal(m.nparts, 0);
	free(bad);
	free(msg);
	free(small);
}

/* The pre-scan's bounds: boundary lines and container headers. */
static void
test_prescan(void **state)
{
	struct sbuf b;
	struct mime_report m;
	struct err e;
	int i;

	(void)state;
	sbuf_init(&b, 1 << 20);
	sbuf_adds(&b, "MIME-Version: 1.0\nContent-Type: multipart/mixed; "
	    "boundary=x\n\n");
	for (i = 0; i < MIME_MAX_BOUNDARY_LINES; i++)
		sbuf_adds(&b, "--x\nContent-Type: text/plain\n\nx\n");
	sbuf_adds(&b, "--x--\n");     /* one more than the bound */
	assert_int_equal(mime_extract(b.data, b.len, &m, &e), -1);
	assert_non_null(strstr(e.msg, "MIME boundary lines"));
	sbuf_reset(&b);
	sbuf_adds(&b, "MIME-Version: 1.0\n");
	for (i = 0; i <= MIME_MAX_CONTAINERS; i++)
		sbuf_printf(&b, "Content-Type:\n multipart/mixed; boundary=b%d"
		    "\n\n-b%d\n", i, i);
	assert_int_equal(mime_extract(b.data, b.len, &m, &e), -1);
	assert_non_null(strstr(e.msg, "multipart or message/rfc822"));
	sbuf_free(&b);
}

static void
test_alert_compose(void **state)
{
	struct err e;
	size_t len;
	char *msg;

	(void)state;
	assert_true(alert_address_ok("postmaster@example.org"));
	assert_true(alert_address_ok("root"));
	assert_false(alert_address_ok("-oQ/tmp"));
	assert_false(alert_address_ok("a@b\nBcc: c@d"));
	assert_false(alert_address_ok("a b@c"));
	assert_false(alert_address_ok(""));
	msg = alert_compose("daneops@example.org", "admin@example.org",
	    "daneops: test", "line 1\nline 2", 1795651200, &len, &e);
	assert_non_null(msg);
	assert_int_equal(strlen(msg), len);
	assert_non_null(strstr(msg, "From: daneops@example.org\nTo: "
	    "admin@example.org\nSubject: daneops: test\n"
	    "Date: Thu, 26 Nov 2026 00:00:00 +0000\n"));
	assert_non_null(strstr(msg, "@example.org>\nAuto-Submitted: "
	    "auto-generated\n"));
	assert_non_null(strstr(msg, "\n\nline 1\nline 2\n"));
	free(msg);
	assert_null(alert_compose(NULL, "x@y", "bad\nBcc: z", "", 0, &len, &e));
	assert_int_equal(e.kind, ERR_USAGE);
	assert_null(alert_compose("-f", "x@y", "s", "", 0, &len, &e));
}

/* A stand-in sendmail: a shell script in dir running body. */
static char *
script(const char *dir, const char *body)
{
	char *path = xasprintf("%s/sendmail", dir);
	char *text = xasprintf("#!/bin/sh\n%s\n", body);
	struct err e;

	assert_int_equal(fileio_write_atomic(path, text, strlen(text), 0700,
	    &e), 0);
	free(text);
	return path;
}

static void
test_alert_send(void **state)
{
	char dir[] = "/tmp/daneops-alert.XXXXXX";
	char *sm, *body, *cmd, *out;
	struct err e;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	body = xasprintf("echo \"$@\" >%s/args; cat >%s/msg", dir, dir);
	sm = script(dir, body);
	assert_int_equal(alert_send(sm, "f@x", "t@y", "hello\n", 6, 10, &e), 0);
	cmd = xasprintf("%s/args", dir);
	out = fileio_read(cmd, 4096, &len, &e);
	assert_string_equal(out, "-oi -f f@x -- t@y\n");
	free(out);
	assert_int_equal(alert_send(sm, NULL, "t@y", "hello\n", 6, 10, &e), 0);
	out = fileio_read(cmd, 4096, &len, &e);
	assert_string_equal(out, "-oi -t\n");
	free(out);
	free(cmd);
	free(sm);
	free(body);
	sm = script(dir, "exit 75");
	assert_int_equal(alert_send(sm, NULL, "t@y", "x\n", 2, 10, &e), -1);
	assert_int_equal(e.kind, ERR_TEMP);
	free(sm);
	/* A sendmail that hangs is killed at the deadline. */
	sm = script(dir, "exec sleep 30");
	assert_int_equal(alert_send(sm, NULL, "t@y", "x\n", 2, 1, &e), -1);
	assert_int_equal(e.kind, ERR_TEMP);
	free(sm);
	assert_int_equal(alert_send("/nonexistent/sendmail", NULL, "t@y", "x",
	    1, 1, &e), -1);
	cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void
test_quarantine(void **state)
{
	char dir[] = "/tmp/daneops-q.XXXXXX";
	struct quarantine_opts o = { NULL, 0, 0, 0 };
	char *q, *p1, *p2, *data, *cmd;
	struct err e;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	q = xasprintf("%s/q", dir);
	o.dir = q;
	p1 = quarantine_save(&o, "one", 3, -1, &e);
	p2 = quarantine_save(&o, "two", 3, -1, &e);
	assert_non_null(p1);
	assert_non_null(p2);
	assert_string_not_equal(p1, p2);
	data = fileio_read(p2, 100, &len, &e);
	assert_string_equal(data, "two");
	free(data);
	free(p1);
	free(p2);
	free(q);
	q = xasprintf("%s/missing/q", dir);
	o.dir = q;
	assert_null(quarantine_save(&o, "x", 1, -1, &e));
	assert_int_equal(e.kind, ERR_TEMP);
	free(q);
	cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_unusable),
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_prescan),
		cmocka_unit_test(test_alert_compose),
		cmocka_unit_test(test_alert_send),
		cmocka_unit_test(test_quarantine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
