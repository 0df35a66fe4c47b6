/*
 * spawn - posix_spawn with pipes, a deadline and a process-group kill.
 */
#include "util/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/xalloc.h"

extern char **environ;

enum { S_IN, S_OUT, S_NFD };

struct spawn_run_ctx {
	const struct spawn_opts *o;
	struct spawn_result *r;
	int fd[S_NFD];          /* our ends; -1 when closed */
	int errfd;              /* its stderr: an unlinked file */
	size_t in_off;
	pid_t pid;
	int exited;             /* a zombie now (waitid WNOWAIT) */
	int killed;             /* SIGKILL sent to the group */
};

static long long
spawn_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A pipe whose ends are above 2 (so dup2 onto 0-2 never meets itself). */
static int
spawn_pipe(int p[2])
{
	int i, hi;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	for (i = 0; i < 2; i++) {
		if (p[i] > 2)
			continue;
		if ((hi = fcntl(p[i], F_DUPFD_CLOEXEC, 3)) < 0) {
			close(p[0]);
			close(p[1]);
			return -1;
		}
		close(p[i]);
		p[i] = hi;
	}
	return 0;
}

static void
spawn_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * Its stderr goes to an unlinked temporary file, not a pipe: a daemon a
 * reload command starts may keep it and write to it later, and must
 * neither block us nor die of SIGPIPE once we are gone.
 */
static int
spawn_errfile(void)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	int fd;

	if (dir == NULL || *dir != '/')
		dir = "/tmp";
	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0)
		return fd;
	path = xasprintf("%s/daneops-spawn.XXXXXX", dir);
	if ((fd = mkostemp(path, O_CLOEXEC)) >= 0)
		unlink(path);
	free(path);
	return fd;
}

/* Start the program; x->fd[] get our ends of its pipes. */
static int
spawn_start(struct spawn_run_ctx *x, struct err *e)
{
	const struct spawn_opts *o = x->o;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int rc;

	if ((o->input != NULL && spawn_pipe(in) < 0) ||
	    (o->capture_out && spawn_pipe(out) < 0) ||
	    (x->errfd = spawn_errfile()) < 0) {
		rc = errno;
		spawn_close(&in[0]);
		spawn_close(&in[1]);
		spawn_close(&out[0]);
		spawn_close(&out[1]);
		return err_set_errno(e, ERR_SYSTEM, rc, "%s: cannot set up its "
		    "input and output", o->argv[0]);
	}
	if (x->errfd <= 2) {
		int hi = fcntl(x->errfd, F_DUPFD_CLOEXEC, 3);

		close(x->errfd);
		x->errfd = hi;
	}
	posix_spawn_file_actions_init(&fa);
	if (o->input != NULL)
		posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	else
		posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
		    O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, o->capture_out ? out[1] :
	    x->errfd, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, x->errfd, STDERR_FILENO);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigfillset(&all);
	/* Its own group, so that the deadline reaches what it started. */
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	rc = (o->search ? posix_spawnp : posix_spawn)(&x->pid, o->argv[0], &fa,
	    &attr, o->argv, o->envp != NULL ? o->envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	spawn_close(&in[0]);
	spawn_close(&out[1]);
	x->fd[S_IN] = in[1];
	x->fd[S_OUT] = out[0];
	if (rc != 0) {
		for (int i = 0; i < S_NFD; i++)
			spawn_close(&x->fd[i]);
		return err_set_errno(e, ERR_INPUT, rc, "cannot run %s",
		    o->argv[0]);
	}
	for (int i = 0; i < S_NFD; i++)
		if (x->fd[i] >= 0)
			fcntl(x->fd[i], F_SETFL, fcntl(x->fd[i], F_GETFL) |
			    O_NONBLOCK);
	return 0;
}

/* Keep the last SPAWN_TAIL_MAX bytes of stderr. */
static void
spawn_tail_add(struct sbuf *b, const char *data, size_t n)
{
	if (n > b->max) {
		data += n - b->max;
		n = b->max;
	}
	if (b->len + n > b->max)
		sbuf_consume(b, b->len + n - b->max);
	(void)sbuf_add(b, data, n);
}

/* Its stdout, readable: 0 at EOF or error, 1 otherwise. */
static int
spawn_read(struct spawn_run_ctx *x)
{
	char buf[4096];
	ssize_t n = read(x->fd[S_OUT], buf, sizeof(buf));

	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0)
		return 0;
	if (sbuf_add(&x->r->out, buf, (size_t)n) < 0)
		x->r->out_too_big = 1;
	return 1;
}

/*
 * Its stderr, once it is done: copied to ours when asked (the journal
 * gets certbot's words), the last SPAWN_TAIL_MAX bytes kept.
 */
static void
spawn_collect_err(struct spawn_run_ctx *x)
{
	char buf[4096];
	off_t off = 0;
	ssize_t n;

	if (x->errfd < 0)
		return;
	while ((n = pread(x->errfd, buf, sizeof(buf), off)) > 0) {
		off += n;
		if (x->o->echo_err && write(STDERR_FILENO, buf, (size_t)n) < 0)
			(void)0;        /* best effort: the tail is kept anyway */
		spawn_tail_add(&x->r->err, buf, (size_t)n);
	}
}

static void
spawn_write(struct spawn_run_ctx *x)
{
	ssize_t w = write(x->fd[S_IN], x->o->input + x->in_off,
	    x->o->input_len - x->in_off);

	if (w > 0)
		x->in_off += (size_t)w;
	if (x->in_off == x->o->input_len || (w < 0 && errno != EAGAIN &&
	    errno != EINTR))
		spawn_close(&x->fd[S_IN]);
}

/* Wait up to ms for pipe activity and handle it. */
static void
spawn_poll(struct spawn_run_ctx *x, long long ms)
{
	struct pollfd p[S_NFD];
	int i;

	for (i = 0; i < S_NFD; i++) {
		p[i].fd = x->fd[i];
		p[i].events = i == S_IN ? POLLOUT : POLLIN;
		p[i].revents = 0;
	}
	if (ms < 0)
		ms = 0;
	if (poll(p, S_NFD, (int)(ms > 50 ? 50 : ms)) <= 0)
		return;
	if (x->fd[S_IN] >= 0 && p[S_IN].revents != 0)
		spawn_write(x);
	if (x->fd[S_OUT] >= 0 && p[S_OUT].revents != 0 && !spawn_read(x))
		spawn_close(&x->fd[S_OUT]);
}

/* Has the child exited?  Not reaped: the zombie keeps its group id ours. */
static void
spawn_check_exit(struct spawn_run_ctx *x)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (!x->exited && waitid(P_PID, (id_t)x->pid, &si,
	    WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == x->pid)
		x->exited = 1;
}

static void
spawn_kill(struct spawn_run_ctx *x)
{
	if (!x->killed)
		(void)kill(-x->pid, SIGKILL);
	x->killed = 1;
}

static off_t
spawn_err_size(const struct spawn_run_ctx *x)
{
	struct stat st;

	return fstat(x->errfd, &st) == 0 ? st.st_size : 0;
}

/* Feed, read, watch the clock; returns once the child can be reaped. */
static void
spawn_loop(struct spawn_run_ctx *x)
{
	long long start = spawn_now_ms(), now, deadline, kill_at = 0,
	    drain_end = 0;
	long grace = x->o->grace_ms > 0 ? x->o->grace_ms : SPAWN_GRACE_MS;

	deadline = start + x->o->timeout_ms;
	for (;;) {
		now = spawn_now_ms();
		spawn_check_exit(x);
		if (!x->exited && !x->r->timed_out && now >= deadline) {
			(void)kill(-x->pid, SIGTERM);
			x->r->timed_out = 1;
			kill_at = now + grace;
		}
		/*
		 * After the deadline: SIGKILL once the grace is over or the
		 * child is gone (its leftovers had their SIGTERM).
		 */
		if (!x->exited && spawn_err_size(x) > SPAWN_ERR_MAX)
			x->r->err_too_big = 1;
		if ((x->r->timed_out && (x->exited || now >= kill_at)) ||
		    x->r->out_too_big || x->r->err_too_big)
			spawn_kill(x);
		if (x->exited && drain_end == 0)
			drain_end = now + SPAWN_DRAIN_MS;
		if (x->exited && (x->fd[S_OUT] < 0 || now >= drain_end))
			return;
		spawn_poll(x, x->exited ? drain_end - now :
		    x->r->timed_out ? kill_at - now : deadline - now);
	}
}

int
spawn_run(const struct spawn_opts *o, struct spawn_result *r, struct err *e)
{
	struct spawn_run_ctx x;
	struct timespec zero = { 0, 0 };
	sigset_t pipe_set, old, pend;
	int had, rc, i;

	memset(r, 0, sizeof(*r));
	sbuf_init(&r->out, o->out_max > 0 ? o->out_max : SPAWN_TAIL_MAX);
	sbuf_init(&r->err, SPAWN_TAIL_MAX);
	memset(&x, 0, sizeof(x));
	x.o = o;
	x.r = r;
	for (i = 0; i < S_NFD; i++)
		x.fd[i] = -1;
	x.errfd = -1;
	/*
	 * A child that does not read its input must not kill us with
	 * SIGPIPE: held in this thread, a pending one consumed afterwards.
	 */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pend);
	had = sigismember(&pend, SIGPIPE);
	if ((rc = spawn_start(&x, e)) == 0) {
		spawn_loop(&x);
		for (i = 0; i < S_NFD; i++)
			spawn_close(&x.fd[i]);
		while (waitpid(x.pid, &r->status, 0) < 0 && errno == EINTR)
			;
		r->ran = 1;
		spawn_collect_err(&x);
	}
	spawn_close(&x.errfd);
	sigpending(&pend);
	if (!had && sigismember(&pend, SIGPIPE))
		sigtimedwait(&pipe_set, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int
spawn_ok(const struct spawn_result *r)
{
	return r->ran && !r->timed_out && !r->out_too_big && !r->err_too_big &&
	    WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
}

/* The last tail_max bytes of stderr on one line, into buf. */
static void
spawn_tail_line(const struct sbuf *b, size_t tail_max, char *buf,
	size_t len)
{
	size_t start = 0, end = b->len, o = 0;
	unsigned char c;

	while (end > 0 && (unsigned char)b->data[end - 1] <= ' ')
		end--;
	if (end > tail_max)
		start = end - tail_max;
	/* no half UTF-8 character at the cut */
	while (start < end && ((unsigned char)b->data[start] & 0xc0) == 0x80)
		start++;
	if (start > 0 && o + 3 < len) {
		memcpy(buf, "...", 3);
		o = 3;
	}
	for (; start < end && o + 1 < len; start++) {
		c = (unsigned char)b->data[start];
		if (c < ' ' || c == 0x7f)
			c = ' ';        /* one line: newlines, tabs, escapes */
		if (c == ' ' && (o == 0 || buf[o - 1] == ' '))
			continue;
		buf[o++] = (char)c;
	}
	buf[o] = '\0';
}

const char *
spawn_describe(const struct spawn_opts *o, const struct spawn_result *r,
	size_t tail_max, char *buf, size_t len)
{
	char tail[SPAWN_TAIL_MAX + 4];
	int n;

	if (r->timed_out)
		n = snprintf(buf, len, "killed after the %g s deadline",
		    (double)o->timeout_ms / 1000);
	else if (r->out_too_big)
		n = snprintf(buf, len, "killed: more than %zu bytes of output",
		    r->out.max);
	else if (r->err_too_big)
		n = snprintf(buf, len, "killed: more than %d bytes on standard "
		    "error", SPAWN_ERR_MAX);
	else if (WIFSIGNALED(r->status))
		n = snprintf(buf, len, "killed by signal %d",
		    WTERMSIG(r->status));
	else
		n = snprintf(buf, len, "exit %d", WEXITSTATUS(r->status));
	if (n < 0 || (size_t)n >= len)
		return buf;
	spawn_tail_line(&r->err, tail_max < sizeof(tail) - 4 ? tail_max :
	    sizeof(tail) - 4, tail, sizeof(tail));
	if (tail[0] != '\0')
		snprintf(buf + n, len - (size_t)n, ": %s", tail);
	return buf;
}

void
spawn_result_free(struct spawn_result *r)
{
	sbuf_free(&r->out);
	sbuf_free(&r->err);
}
