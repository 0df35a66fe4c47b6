/*
 * Unit tests for src/util: err, hex, sbuf, fileio.
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

#include "util/err.h"
#include "util/fileio.h"
#include "util/hex.h"
#include "util/sbuf.h"

static void
test_err_set_returns_minus_one(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(e.kind, ERR_NONE);
	assert_int_equal(err_set(&e, ERR_INPUT, "%s: bad", "f.pem"), -1);
	assert_int_equal(e.kind, ERR_INPUT);
	assert_string_equal(e.msg, "f.pem: bad");
	assert_int_equal(err_set(NULL, ERR_INPUT, "ignored"), -1);
}

static void
test_err_errno_appends_reason(void **state)
{
	struct err e;

	(void)state;
	err_set_errno(&e, ERR_SYSTEM, 2, "x");
	assert_string_equal(e.msg, "x: No such file or directory");
}

static void
test_hex_roundtrip(void **state)
{
	const uint8_t bin[] = { 0x00, 0x7f, 0xab, 0xff };
	uint8_t *out;
	size_t len, bad;
	char *s;

	(void)state;
	s = hex_encode(bin, sizeof(bin));
	assert_string_equal(s, "007fabff");
	assert_int_equal(hex_decode("00 7F\nab\tFF", 12, &out, &len, &bad), 0);
	assert_int_equal(len, 4);
	assert_memory_equal(out, bin, 4);
	free(out);
	free(s);
}

static void
test_hex_rejects_odd_and_garbage(void **state)
{
	uint8_t *out = NULL;
	size_t len, bad = 99;

	(void)state;
	assert_int_equal(hex_decode("abc", 3, &out, &len, &bad), -1);
	assert_null(out);
	assert_int_equal(hex_decode("abzz", 4, &out, &len, &bad), -1);
	assert_int_equal(bad, 2);
	/* a space may not split a digit pair */
	assert_int_equal(hex_decode("a b", 3, &out, &len, &bad), -1);
}

static void
test_sbuf_limit(void **state)
{
	struct sbuf b;

	(void)state;
	sbuf_init(&b, 8);
	assert_int_equal(sbuf_adds(&b, "12345"), 0);
	assert_int_equal(sbuf_adds(&b, "6789"), -1);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "12345");
	assert_int_equal(sbuf_printf(&b, "%d", 678), 0);
	assert_string_equal(b.data, "12345678");
	assert_int_equal(sbuf_add(&b, "x", 1), -1);
	sbuf_consume(&b, 3);
	assert_string_equal(b.data, "45678");
	sbuf_free(&b);
	sbuf_free(&b);	/* twice is harmless */
}

static void
test_fileio_atomic_write_and_read(void **state)
{
	char dir[] = "/tmp/daneops-unit.XXXXXX";
	char path[256];
	struct err e;
	struct stat st;
	size_t len;
	char *data;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state", dir);
	assert_int_equal(fileio_write_atomic(path, "one", 3, 0600, &e), 0);
	assert_int_equal(fileio_write_atomic(path, "two!", 4, 0600, &e), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	data = fileio_read(path, 100, &len, &e);
	assert_non_null(data);
	assert_int_equal(len, 4);
	assert_string_equal(data, "two!");
	free(data);
	/* over the limit */
	assert_null(fileio_read(path, 3, &len, &e));
	assert_int_equal(e.kind, ERR_INPUT);
	assert_non_null(strstr(e.msg, "larger than 3 bytes"));
	/* a secret readable by others is refused */
	chmod(path, 0644);
	assert_null(fileio_read_secret(path, 100, &len, &e));
	assert_non_null(strstr(e.msg, "chmod 600"));
	chmod(path, 0600);
	data = fileio_read_secret(path, 100, &len, &e);
	assert_non_null(data);
	free(data);
	unlink(path);
	rmdir(dir);
	assert_null(fileio_read(path, 100, &len, &e));
	assert_non_null(strstr(e.msg, "No such file"));
}

/* Issue 12: no directory or device is read, and no read waits forever. */
static void
test_fileio_refuses_what_is_no_file(void **state)
{
	char dir[] = "/tmp/daneops-unit.XXXXXX";
	char fifo[256];
	struct err e;
	size_t len;
	char *data;

	(void)state;
	assert_non_null(mkdtemp(dir));
	err_clear(&e);
	assert_null(fileio_read("/dev/zero", 100, &len, &e));
	assert_int_equal(e.kind, ERR_INPUT);
	assert_string_equal(e.msg, "/dev/zero: is a character device, not a "
	    "file to read");
	assert_null(fileio_read(dir, 100, &len, &e));
	assert_non_null(strstr(e.msg, "is a directory, not a file to read"));
	assert_int_equal(fileio_check_regular("/dev/null", 100, &e), -1);
	assert_non_null(strstr(e.msg, "character device"));
	/* A named pipe without a writer: opened at once, reads as empty. */
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	data = fileio_read(fifo, 100, &len, &e);
	assert_non_null(data);
	assert_int_equal(len, 0);
	free(data);
	assert_int_equal(fileio_check_regular(fifo, 100, &e), -1);
	unlink(fifo);
	rmdir(dir);
}

/* Issue 12: writes never follow a symlink nor go where others write. */
static void
test_fileio_writes_follow_no_symlink(void **state)
{
	char dir[] = "/tmp/daneops-unit.XXXXXX";
	char path[256], victim[256], link_[256];
	struct stat st;
	struct err e;
	size_t len;
	char *data;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	assert_int_equal(fileio_write_atomic(victim, "keep", 4, 0600, &e), 0);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(fileio_write_atomic(path, "new", 3, 0600, &e), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	data = fileio_read(victim, 100, &len, &e);
	assert_string_equal(data, "keep");
	free(data);
	/* A new file never replaces, not even through a symlink. */
	snprintf(link_, sizeof(link_), "%s/msg", dir);
	assert_int_equal(symlink(victim, link_), 0);
	assert_int_equal(fileio_write_new(link_, "x", 1, 0644, &e), 1);
	assert_int_equal(fileio_write_new(path, "x", 1, 0644, &e), 1);
	unlink(link_);
	assert_int_equal(fileio_write_new(link_, "x", 1, 0644, &e), 0);
	data = fileio_read(victim, 100, &len, &e);
	assert_string_equal(data, "keep");
	free(data);
	/* Everyone may write the directory: refused, unless it is sticky. */
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(fileio_write_atomic(path, "n", 1, 0600, &e), -1);
	assert_non_null(strstr(e.msg, "writable by everyone"));
	assert_int_equal(fileio_write_new(victim, "n", 1, 0600, &e), -1);
	assert_int_equal(fileio_check_dir(path, &e), -1);
	assert_int_equal(chmod(dir, 01777), 0);
	assert_int_equal(fileio_write_atomic(path, "n", 1, 0600, &e), 0);
	assert_int_equal(chmod(dir, 0700), 0);
	unlink(path);
	unlink(link_);
	unlink(victim);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_set_returns_minus_one),
		cmocka_unit_test(test_err_errno_appends_reason),
		cmocka_unit_test(test_hex_roundtrip),
		cmocka_unit_test(test_hex_rejects_odd_and_garbage),
		cmocka_unit_test(test_sbuf_limit),
		cmocka_unit_test(test_fileio_atomic_write_and_read),
		cmocka_unit_test(test_fileio_refuses_what_is_no_file),
		cmocka_unit_test(test_fileio_writes_follow_no_symlink),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
