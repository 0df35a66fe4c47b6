/*
 * test_spawn - the child-process helper: stdin is /dev/null, input and
 * output, the stderr tail, the deadline killing the whole process group
 * (a grandchild that ignores SIGTERM included), a background process left
 * by a child that finished in time, the output cap.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/spawn.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
sh(const char *script, long timeout_ms, const char *input, int capture,
	struct spawn_opts *o, struct spawn_result *r, struct err *e)
{
	static char *argv[4];

	argv[0] = "/bin/sh";
	argv[1] = "-c";
	argv[2] = (char *)script;
	argv[3] = NULL;
	memset(o, 0, sizeof(*o));
	o->argv = argv;
	o->timeout_ms = timeout_ms;
	o->grace_ms = 300;
	o->input = input;
	o->input_len = input != NULL ? strlen(input) : 0;
	o->capture_out = capture;
	err_clear(e);
	return spawn_run(o, r, e);
}

static void
test_stdin_devnull(void **st)
{
	struct spawn_opts o;
	struct spawn_result r;
	struct err e;

	(void)st;
	assert_int_equal(sh("readlink /proc/self/fd/0; cat", 5000, NULL, 1,
	    &o, &r, &e), 0);
	assert_true(spawn_ok(&r));
	assert_string_equal(r.out.data, "/dev/null\n");
	spawn_result_free(&r);
}

static void
test_input_output(void **st)
{
	char *big;
	struct spawn_opts o;
	struct spawn_result r;
	struct err e;

	(void)st;
	assert_int_equal(sh("cat; echo; echo to-stderr >&2", 5000,
	    "hello, child", 1, &o, &r, &e), 0);
	assert_true(spawn_ok(&r));
	assert_string_equal(r.out.data, "hello, child\n");
	assert_string_equal(r.err.data, "to-stderr\n");
	spawn_result_free(&r);
	/* not captured: stdout goes with stderr */
	assert_int_equal(sh("echo out; echo err >&2", 5000, NULL, 0, &o, &r,
	    &e), 0);
	assert_string_equal(r.err.data, "out\nerr\n");
	spawn_result_free(&r);
	/* a child that does not read its input: no SIGPIPE for us */
	big = malloc(1 << 20);
	memset(big, 'x', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	assert_int_equal(sh("exit 0", 5000, big, 0, &o, &r, &e), 0);
	assert_true(spawn_ok(&r));
	spawn_result_free(&r);
	free(big);
}

static void
test_stderr_tail(void **st)
{
	struct spawn_opts o;
	struct spawn_result r;
	struct err e;
	char buf[512];

	(void)st;
	assert_int_equal(sh("i=0; while [ $i -lt 2000 ]; do echo \"line $i\" "
	    ">&2; i=$((i+1)); done; printf 'last\\n\\twords\\n\\n' >&2; exit 3",
	    10000, NULL, 0, &o, &r, &e), 0);
	assert_false(spawn_ok(&r));
	assert_true(r.err.len <= SPAWN_TAIL_MAX);
	assert_null(strstr(r.err.data, "line 0\n"));
	spawn_describe(&o, &r, 40, buf, sizeof(buf));
	assert_string_equal(buf + strlen(buf) - strlen("last words"),
	    "last words");
	assert_memory_equal(buf, "exit 3: ...", 11);
	assert_true(strlen(buf) <= strlen("exit 3: ...") + 40);
	assert_null(strchr(buf, '\n'));
	spawn_result_free(&r);
}

/* The grandchild ignores SIGTERM and holds the stderr pipe open. */
static void
test_deadline_kills_group(void **st)
{
	char dir[] = "/tmp/test_spawn.XXXXXX", script[512], path[300], buf[512];
	struct spawn_opts o;
	struct spawn_result r;
	struct err e;
	double t0, took;
	int status;
	FILE *fp;
	long gpid = 0;

	(void)st;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/grandchild", dir);
	snprintf(script, sizeof(script), "sh -c 'trap \"\" TERM; echo $$ >%s; "
	    "exec sleep 30' & echo started >&2; sleep 30", path);
	/* orphans come to us, so that we can see how the grandchild died */
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	t0 = now_s();
	assert_int_equal(sh(script, 500, NULL, 0, &o, &r, &e), 0);
	took = now_s() - t0;
	assert_true(r.timed_out);
	assert_false(spawn_ok(&r));
	assert_true(took < 3.0);
	spawn_describe(&o, &r, 100, buf, sizeof(buf));
	assert_string_equal(buf, "killed after the 0.5 s deadline: started");
	assert_non_null(fp = fopen(path, "r"));
	assert_int_equal(fscanf(fp, "%ld", &gpid), 1);
	fclose(fp);
	assert_int_equal(waitpid((pid_t)gpid, &status, 0), gpid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	spawn_result_free(&r);
	unlink(path);
	rmdir(dir);
}

/* A child done in time may leave a daemon behind: not killed, not waited. */
static void
test_background_left_alone(void **st)
{
	struct spawn_opts o;
	struct spawn_result r;
	struct err e;
	double t0;
	long bg = 0;

	(void)st;
	t0 = now_s();
	assert_int_equal(sh("sleep 20 & echo $!", 10000, NULL, 1, &o, &r, &e),
	    0);
	assert_true(now_s() - t0 < SPAWN_DRAIN_MS / 1000.0 + 1.5);
	assert_true(spawn_ok(&r));
	bg = strtol(r.out.data, NULL, 10);
	assert_true(bg > 0);
	assert_int_equal(kill((pid_t)bg, 0), 0);
	kill((pid_t)bg, SIGKILL);
	spawn_result_free(&r);
}

/*
 * A daemon that keeps our child's stderr and writes to it later: spawn
 * does not wait for it, and it does not die of SIGPIPE afterwards.
 */
static void
test_daemon_keeps_stderr(void **st)
{
	char dir[] = "/tmp/test_spawn.XXXXXX", script[512], path[300];
	struct spawn_opts o;
	struct spawn_result r;
	struct err e;
	double t0;
	long bg = 0;
	FILE *fp;
	int status;

	(void)st;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/daemon", dir);
	snprintf(script, sizeof(script), "(sleep 0.5; echo late >&2; "
	    "echo later >&2; sleep 5) & echo $! >%s; echo early >&2", path);
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	t0 = now_s();
	assert_int_equal(sh(script, 10000, NULL, 0, &o, &r, &e), 0);
	assert_true(now_s() - t0 < 0.5);
	assert_true(spawn_ok(&r));
	assert_string_equal(r.err.data, "early\n");
	spawn_result_free(&r);
	assert_non_null(fp = fopen(path, "r"));
	assert_int_equal(fscanf(fp, "%ld", &bg), 1);
	fclose(fp);
	sleep(1);               /* it has written to its stderr by now */
	assert_int_equal(waitpid((pid_t)bg, &status, WNOHANG), 0);
	kill((pid_t)bg, SIGKILL);
	assert_int_equal(waitpid((pid_t)bg, &status, 0), bg);
	assert_int_equal(WTERMSIG(status), SIGKILL);
	unlink(path);
	rmdir(dir);
}

static void
test_output_cap_and_errors(void **st)
{
	struct spawn_opts o;
	struct spawn_result r;
	struct err e;
	char *argv[] = { "/nonexistent/program", NULL };
	char buf[256];

	(void)st;
	memset(&o, 0, sizeof(o));
	o.argv = (char *const *)(char *[]){ "/usr/bin/yes", NULL };
	o.capture_out = 1;
	o.out_max = 1000;
	o.timeout_ms = 10000;
	assert_int_equal(spawn_run(&o, &r, &e), 0);
	assert_true(r.out_too_big);
	assert_false(spawn_ok(&r));
	assert_true(r.out.len <= 1000);
	spawn_describe(&o, &r, 100, buf, sizeof(buf));
	assert_string_equal(buf, "killed: more than 1000 bytes of output");
	spawn_result_free(&r);
	/* endless stderr is killed too */
	assert_int_equal(sh("exec yes >&2", 20000, NULL, 0, &o, &r, &e), 0);
	assert_true(r.err_too_big);
	assert_false(spawn_ok(&r));
	assert_true(r.err.len <= SPAWN_TAIL_MAX);
	spawn_result_free(&r);
	memset(&o, 0, sizeof(o));
	o.timeout_ms = 10000;

	o.argv = argv;
	o.capture_out = 0;
	err_clear(&e);
	assert_int_equal(spawn_run(&o, &r, &e), -1);
	assert_int_equal(e.kind, ERR_INPUT);
	assert_non_null(strstr(e.msg, "cannot run /nonexistent/program: No "
	    "such file"));
	spawn_result_free(&r);

	/* PATH search when asked */
	o.argv = (char *const *)(char *[]){ "true", NULL };
	o.search = 1;
	assert_int_equal(spawn_run(&o, &r, &e), 0);
	assert_true(spawn_ok(&r));
	spawn_result_free(&r);
	spawn_result_free(&r);  /* twice is harmless */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stdin_devnull),
		cmocka_unit_test(test_input_output),
		cmocka_unit_test(test_stderr_tail),
		cmocka_unit_test(test_deadline_kills_group),
		cmocka_unit_test(test_background_left_alone),
		cmocka_unit_test(test_daemon_keeps_stderr),
		cmocka_unit_test(test_output_cap_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
