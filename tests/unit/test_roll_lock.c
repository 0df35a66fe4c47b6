/*
 * test_roll_lock - the roll lock: a planted symlink, an unsafe directory or
 * file is refused; a refused taker names the process that holds the lock,
 * in 30 pairs of processes racing for it (never "an unknown process", never
 * a dead one); the holder's line is cleared on unlock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "roll/lock.h"

#define PAIRS 30

static char dir[64];
static char path[128];

static int
setup(void **st)
{
	(void)st;
	snprintf(dir, sizeof(dir), "/tmp/test_roll_lock.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/roll.lock", dir);
	return 0;
}

static int
teardown(void **st)
{
	char cmd[128];

	(void)st;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static off_t
file_size(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? st.st_size : -1;
}

static void
test_symlink_refused(void **st)
{
	char target[160];
	struct err e;
	FILE *fp;

	(void)st;
	snprintf(target, sizeof(target), "%s/precious", dir);
	assert_non_null(fp = fopen(target, "w"));
	fputs("do not truncate me\n", fp);
	fclose(fp);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
	err_clear(&e);
	assert_null(lock_take(path, &e));
	assert_int_equal(e.kind, ERR_INPUT);
	assert_non_null(strstr(e.msg, "symbolic link"));
	assert_int_equal(file_size(target), 19);
	/* a hard link is refused as well */
	unlink(path);
	assert_int_equal(link(target, path), 0);
	assert_null(lock_take(path, &e));
	assert_non_null(strstr(e.msg, "one link"));
	assert_int_equal(file_size(target), 19);
	unlink(path);
	unlink(target);
}

static void
test_unsafe_places_refused(void **st)
{
	struct lock *l;
	struct err e;

	(void)st;
	err_clear(&e);
	unlink(path);
	assert_int_equal(chmod(dir, 01777), 0);
	assert_null(lock_take(path, &e));
	assert_int_equal(e.kind, ERR_INPUT);
	assert_non_null(strstr(e.msg, "can be written by others"));
	assert_int_equal(file_size(path), -1);
	assert_int_equal(chmod(dir, 0700), 0);
	assert_non_null(l = lock_take(path, &e));
	lock_free(l);
	assert_int_equal(chmod(path, 0666), 0);
	assert_null(lock_take(path, &e));
	assert_non_null(strstr(e.msg, "only it may write"));
	assert_int_equal(chmod(path, 0600), 0);
	assert_non_null(l = lock_take(path, &e));
	lock_free(l);
}

static void
test_line_cleared(void **st)
{
	struct lock *a;
	struct err e;
	char want[64];

	(void)st;
	err_clear(&e);
	assert_non_null(a = lock_take(path, &e));
	assert_true(file_size(path) > 0);
	assert_null(lock_take(path, &e));
	assert_int_equal(e.kind, ERR_TEMP);
	snprintf(want, sizeof(want), "(pid %ld started ", (long)getpid());
	assert_non_null(strstr(e.msg, want));
	lock_free(a);
	assert_int_equal(file_size(path), 0);
	lock_free(NULL);
}

/* One racer: wait for the start, take, hold a moment, report. */
static void
racer(int go, int report)
{
	struct timespec hold = { 0, 20 * 1000000L };
	struct lock *l;
	struct err e;
	char c, msg[ERR_MSG_MAX + 32];
	ssize_t n;

	if (read(go, &c, 1) < 0)
		_exit(2);
	err_clear(&e);
	if ((l = lock_take(path, &e)) != NULL) {
		nanosleep(&hold, NULL);
		lock_free(l);
		snprintf(msg, sizeof(msg), "got %ld\n", (long)getpid());
	} else
		snprintf(msg, sizeof(msg), "refused %ld %s\n", (long)getpid(),
		    e.msg);
	n = write(report, msg, strlen(msg));
	_exit(n > 0 ? 0 : 2);
}

static void
test_pairs_name_the_holder(void **st)
{
	int go[2], rep[2], i, k, refused = 0, status;
	pid_t pids[2];
	char buf[2 * (ERR_MSG_MAX + 32) + 1], want[64], *line;
	ssize_t n, len;

	(void)st;
	for (i = 0; i < PAIRS; i++) {
		assert_int_equal(pipe(go), 0);
		assert_int_equal(pipe(rep), 0);
		for (k = 0; k < 2; k++) {
			if ((pids[k] = fork()) == 0) {
				close(go[1]);
				close(rep[0]);
				racer(go[0], rep[1]);
			}
			assert_true(pids[k] > 0);
		}
		close(go[0]);
		close(rep[1]);
		close(go[1]);           /* both start now */
		for (len = 0; (n = read(rep[0], buf + len,
		    sizeof(buf) - 1 - (size_t)len)) > 0; len += n)
			;
		buf[len] = '\0';
		close(rep[0]);
		for (k = 0; k < 2; k++) {
			assert_int_equal(waitpid(pids[k], &status, 0), pids[k]);
			assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		}
		for (line = strtok(buf, "\n"); line != NULL;
		    line = strtok(NULL, "\n")) {
			long me;

			if (strncmp(line, "refused ", 8) != 0)
				continue;
			refused++;
			me = strtol(line + 8, NULL, 10);
			snprintf(want, sizeof(want), "(pid %ld started ",
			    (long)(me == pids[0] ? pids[1] : pids[0]));
			if (strstr(line, want) == NULL)
				fail_msg("pair %d: the refused run did not name "
				    "the other one: %s", i, line);
		}
		assert_int_equal(file_size(path), 0);
	}
	/* the race was run: most pairs overlap for the holder's 20 ms */
	assert_true(refused >= PAIRS / 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_symlink_refused),
		cmocka_unit_test(test_unsafe_places_refused),
		cmocka_unit_test(test_line_cleared),
		cmocka_unit_test(test_pairs_name_the_holder),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
