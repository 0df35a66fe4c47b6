/*
 * spawn - run a program with a deadline, the one way daneops starts
 * programs (reload commands, certbot, the exec provider, sendmail).
 *
 * The program gets argv as given (no shell), its own process group,
 * default signal dispositions and an empty signal mask, and standard input
 * from /dev/null unless input is given (then it reads exactly that, then
 * EOF).  Standard output is captured (bounded) when asked, else it goes
 * with standard error.  Standard error goes to an unlinked temporary file
 * (in TMPDIR or /tmp), not a pipe, so that a daemon a reload command
 * starts and that keeps it neither holds us up nor dies of SIGPIPE later;
 * once the child is done it is copied to our standard error (the journal)
 * when asked and its tail kept for the error message.  More than
 * SPAWN_ERR_MAX bytes of it kill the child.
 *
 * At the deadline the whole process group gets SIGTERM, and SIGKILL
 * grace_ms later (or as soon as the child itself has exited), so a
 * hanging child and anything it started are gone before spawn_run
 * returns.  A child that finishes in time and leaves a background process
 * behind (a daemon a reload started) is not killed: once the child has
 * exited, captured output is drained for at most SPAWN_DRAIN_MS more.  A
 * process that leaves the group (setsid) escapes the kill; systemd's
 * cgroup catches those when the unit stops.
 *
 * posix_spawn (vfork-like, nothing but exec in the child) makes it safe
 * while other threads run (the resolver's).
 *
 * Ownership: the caller owns opts and result; spawn_result_free releases
 * the buffers inside a result (safe on a zeroed or freed one).
 */
#ifndef DANEOPS_SPAWN_H
#define DANEOPS_SPAWN_H

#include <stddef.h>

#include "util/err.h"
#include "util/sbuf.h"

#define SPAWN_TAIL_MAX  4096    /* bytes of stderr kept (the last ones) */
#define SPAWN_GRACE_MS  5000    /* SIGTERM to SIGKILL, by default */
#define SPAWN_DRAIN_MS  1000    /* reading on after the child exited */
#define SPAWN_ERR_MAX   (16 * 1024 * 1024)      /* stderr, then killed */

struct spawn_opts {
	char *const *argv;      /* argv[0]: absolute path, unless search */
	char *const *envp;      /* NULL: our environment */
	int search;             /* look argv[0] up in PATH */
	const char *input;      /* fed to stdin, then EOF; NULL: /dev/null */
	size_t input_len;
	int capture_out;        /* stdout into result.out (else to stderr) */
	size_t out_max;         /* cap of result.out (0: SPAWN_TAIL_MAX) */
	int echo_err;           /* copy its stderr to ours as it comes */
	long timeout_ms;        /* deadline from the start; > 0 */
	long grace_ms;          /* 0: SPAWN_GRACE_MS */
};

struct spawn_result {
	int status;             /* from waitpid; valid when ran */
	int ran;                /* the program was started and reaped */
	int timed_out;          /* killed at the deadline */
	int out_too_big;        /* stdout passed out_max (and was killed) */
	int err_too_big;        /* stderr passed SPAWN_ERR_MAX (killed) */
	struct sbuf out;        /* stdout when captured */
	struct sbuf err;        /* the last SPAWN_TAIL_MAX bytes of stderr */
};

/*
 * Run it and wait.  -1 with e set when it cannot be started (the errno of
 * the exec: "no such file"); otherwise 0 with result filled in, whatever
 * the program's fate (see spawn_ok, spawn_describe).
 */
int spawn_run(const struct spawn_opts *o, struct spawn_result *r,
	struct err *e);

/* Exited with status 0 in time. */
int spawn_ok(const struct spawn_result *r);

/*
 * "exit 3", "killed by signal 9", "killed after the 30 s deadline",
 * followed by ": " and the tail of stderr on one line (at most tail_max
 * bytes, control characters replaced) when there is one.
 */
const char *spawn_describe(const struct spawn_opts *o,
	const struct spawn_result *r, size_t tail_max, char *buf, size_t len);

void spawn_result_free(struct spawn_result *r);

#endif
