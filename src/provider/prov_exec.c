/*
 * prov_exec - TLSA records through an external command, so that any DNS
 * service can be plugged in (contract: docs/provider-exec.md).
 *
 *   COMMAND list OWNER
 *   COMMAND add OWNER TTL "U S M HEX"
 *   COMMAND delete OWNER "U S M HEX"
 *
 * The same request is also written to standard input as one JSON object.
 * Secrets never go into argv: the file secret_file names is read here and
 * passed in the environment as DANEOPS_SECRET.  The command answers with
 * JSON on standard output ({"records": [...]} for list, {"ok": true} for
 * changes, {"error": "...", "temporary": true|false} on failure) and its
 * exit status: 0 done, 75 (EX_TEMPFAIL) try again, anything else a
 * permanent failure.  It runs without a shell (posix_spawn), in a process
 * group of its own, which is killed when the call's timeout passes;
 * standard output is capped at EXEC_OUT_MAX.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "provider/provider_impl.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

#define EXEC_OUT_MAX (1024 * 1024)
#define EXEC_ERR_MAX 4096
#define EXEC_TEMPFAIL 75

extern char **environ;

struct pexec {
	char *command;
	char *secret;           /* or NULL */
};

/* What one run of the command produced. */
struct exec_run {
	struct sbuf out;
	struct sbuf err;
	int status;             /* from waitpid */
	int timed_out;
	int too_big;
};

static const char *const exec_keys[] = {
	"command", "secret_file", NULL,
};

static int
exec_init(struct provider *p, struct err *e)
{
	struct pexec *st = xcalloc(1, sizeof(*st));
	const char *cmd;

	p->impl = st;
	if ((cmd = provider_param_req(p, "command", e)) == NULL)
		return -1;
	if (cmd[0] != '/')
		return err_set(e, ERR_USAGE, "exec provider: command = \"%s\": "
		    "give an absolute path (no shell, no PATH search)", cmd);
	if (access(cmd, X_OK) < 0)
		return err_set_errno(e, ERR_INPUT, errno, "exec provider: "
		    "command %s", cmd);
	st->command = xstrdup(cmd);
	if (provider_param(p, "secret_file") != NULL &&
	    (st->secret = provider_secret(p, "secret_file", e)) == NULL)
		return -1;
	return 0;
}

static void
exec_fini(struct provider *p)
{
	struct pexec *st = p->impl;

	if (st == NULL)
		return;
	free(st->command);
	provider_secret_free(st->secret);
	free(st);
}

/* The environment: ours plus DANEOPS_ZONE and DANEOPS_SECRET. */
static char **
exec_env(struct provider *p)
{
	struct pexec *st = p->impl;
	size_t i, n = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	env = xcalloc(n + 3, sizeof(*env));
	for (i = 0; i < n; i++)
		env[i] = xstrdup(environ[i]);
	if (p->zone != NULL)
		env[n++] = xasprintf("DANEOPS_ZONE=%s", p->zone);
	if (st->secret != NULL)
		env[n++] = xasprintf("DANEOPS_SECRET=%s", st->secret);
	return env;
}

static void
exec_env_free(char **env)
{
	size_t i;

	for (i = 0; env[i] != NULL; i++) {
		explicit_bzero(env[i], strlen(env[i]));
		free(env[i]);
	}
	free(env);
}

/* Start argv with pipes to its stdin/stdout/stderr; fds[] gets our ends. */
static pid_t
exec_spawn(struct provider *p, char **argv, int fds[3], struct err *e)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, def;
	char **env;
	pid_t pid = -1;
	int rc;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
	    pipe2(errp, O_CLOEXEC) < 0) {
		err_set_errno(e, ERR_SYSTEM, errno, "exec provider: pipe");
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	/* Its own process group, so a timeout kills its children too. */
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &def);
	env = exec_env(p);
	rc = posix_spawn(&pid, argv[0], &fa, &attr, argv, env);
	exec_env_free(env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		pid = -1;
		err_set_errno(e, ERR_INPUT, rc, "exec provider: cannot run %s",
		    argv[0]);
	}
out:
	fds[0] = in[1];
	fds[1] = out[0];
	fds[2] = errp[0];
	if (in[0] >= 0)
		close(in[0]);
	if (out[1] >= 0)
		close(out[1]);
	if (errp[1] >= 0)
		close(errp[1]);
	if (pid < 0)
		for (rc = 0; rc < 3; rc++)
			if (fds[rc] >= 0)
				close(fds[rc]);
	return pid;
}

/* Read what fd has into b (capped); returns 0 at EOF, 1 otherwise. */
static int
exec_read(int fd, struct sbuf *b, int *too_big)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 1 : 0;
	if (n == 0)
		return 0;
	if (sbuf_add(b, buf, (size_t)n) < 0 && too_big != NULL)
		*too_big = 1;
	return 1;
}

/* Feed input, collect output, until both outputs end or time is up. */
static void
exec_io(int fds[3], const char *input, uint64_t deadline,
	struct exec_run *run)
{
	size_t off = 0, len = strlen(input);
	struct pollfd pfd[3];
	uint64_t now;
	nfds_t i;
	ssize_t w;

	for (i = 0; i < 3; i++)
		fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
	while ((fds[0] >= 0 || fds[1] >= 0 || fds[2] >= 0) && !run->too_big) {
		if ((now = provider_now_ms()) >= deadline) {
			run->timed_out = 1;
			break;
		}
		for (i = 0; i < 3; i++) {
			pfd[i].fd = fds[i];
			pfd[i].events = i == 0 ? POLLOUT : POLLIN;
		}
		if (poll(pfd, 3, (int)(deadline - now)) < 0 && errno != EINTR)
			break;
		if (fds[0] >= 0 && pfd[0].revents != 0) {
			w = write(fds[0], input + off, len - off);
			if (w > 0)
				off += (size_t)w;
			if (off == len || (w < 0 && errno != EAGAIN)) {
				close(fds[0]);
				fds[0] = -1;
			}
		}
		for (i = 1; i < 3; i++)
			if (fds[i] >= 0 && pfd[i].revents != 0 &&
			    !exec_read(fds[i], i == 1 ? &run->out : &run->err,
			    i == 1 ? &run->too_big : NULL)) {
				close(fds[i]);
				fds[i] = -1;
			}
	}
	for (i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Reap pid, killing its group if it outlives the deadline. */
static void
exec_reap(pid_t pid, uint64_t deadline, struct exec_run *run)
{
	struct timespec ts = { 0, 10 * 1000000L };

	if (run->timed_out || run->too_big)
		kill(-pid, SIGKILL);
	while (waitpid(pid, &run->status, WNOHANG) == 0) {
		if (provider_now_ms() >= deadline) {
			run->timed_out = 1;
			kill(-pid, SIGKILL);
			waitpid(pid, &run->status, 0);
			break;
		}
		nanosleep(&ts, NULL);
	}
}

/* Run the command once.  SIGPIPE is held so a command that does not read
 * its input cannot kill us; a pending one is consumed afterwards. */
static int
exec_run_once(struct provider *p, char **argv, const char *input,
	uint64_t deadline, struct exec_run *run, struct err *e)
{
	struct timespec zero = { 0, 0 };
	sigset_t pipe_set, old, pend;
	int fds[3], had;
	pid_t pid;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pend);
	had = sigismember(&pend, SIGPIPE);
	if ((pid = exec_spawn(p, argv, fds, e)) >= 0) {
		exec_io(fds, input, deadline, run);
		exec_reap(pid, deadline, run);
	}
	sigpending(&pend);
	if (!had && sigismember(&pend, SIGPIPE))
		sigtimedwait(&pipe_set, NULL, &zero);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return pid < 0 ? -1 : 0;
}

/* The command's own words: JSON "error", else its first stderr line. */
static void
exec_reason(const struct exec_run *run, json_t *j, char *buf, size_t len)
{
	const char *msg = json_string_value(json_object_get(j, "error"));
	size_t n;

	if (msg == NULL && run->err.len > 0) {
		n = strcspn(run->err.data, "\n");
		snprintf(buf, len, "%.*s", (int)(n < 200 ? n : 200),
		    run->err.data);
		return;
	}
	snprintf(buf, len, "%.200s", msg != NULL ? msg : "no reason given");
}

/*
 * Judge one run: 0 with *out set (the JSON answer), 1 temporary, -1
 * permanent; e set unless 0.
 */
static int
exec_judge(struct provider *p, const char *what, struct exec_run *run,
	json_t **out, struct err *e)
{
	struct pexec *st = p->impl;
	char why[256];
	json_t *j;
	int code, temp, obj;

	*out = NULL;
	if (run->timed_out) {
		err_set(e, ERR_TEMP, "exec provider: %s %s: timed out, killed",
		    st->command, what);
		return 1;
	}
	if (run->too_big)
		return err_set(e, ERR_INPUT, "exec provider: %s %s: more than "
		    "%d bytes of output", st->command, what, EXEC_OUT_MAX);
	if (WIFSIGNALED(run->status))
		return err_set(e, ERR_INPUT, "exec provider: %s %s: killed by "
		    "signal %d", st->command, what, WTERMSIG(run->status));
	code = WEXITSTATUS(run->status);
	j = run->out.len > 0 ? json_loadb(run->out.data, run->out.len,
	    JSON_REJECT_DUPLICATES, NULL) : NULL;
	temp = code == EXEC_TEMPFAIL ||
	    json_is_true(json_object_get(j, "temporary"));
	if (code == 0 && json_is_object(j) &&
	    json_object_get(j, "error") == NULL) {
		*out = j;
		return 0;
	}
	exec_reason(run, j, why, sizeof(why));
	obj = json_is_object(j);
	json_decref(j);
	if (code == 0)
		return err_set(e, ERR_INPUT, "exec provider: %s %s: %s",
		    st->command, what, obj ? why :
		    "standard output is not a JSON object");
	err_set(e, temp ? ERR_TEMP : ERR_INPUT, "exec provider: %s %s: "
	    "exit %d: %s", st->command, what, code, why);
	return temp ? 1 : -1;
}

/* Run argv with input under the call's retries; *out as exec_judge. */
static int
exec_call(struct provider *p, char **argv, const char *input, json_t **out,
	struct err *e)
{
	struct provider_retry rt;
	struct exec_run run;
	char what[300];
	int rc;

	snprintf(what, sizeof(what), "%s %s", argv[1], argv[2]);
	provider_retry_start(&rt, p);
	for (;;) {
		memset(&run, 0, sizeof(run));
		sbuf_init(&run.out, EXEC_OUT_MAX);
		sbuf_init(&run.err, EXEC_ERR_MAX);
		rc = exec_run_once(p, argv, input, rt.deadline_ms, &run, e);
		if (rc == 0)
			rc = exec_judge(p, what, &run, out, e);
		sbuf_free(&run.out);
		sbuf_free(&run.err);
		if (rc <= 0)
			return rc;
		if (provider_retry_wait(&rt, -1) < 0) {
			size_t n = strlen(e->msg);

			snprintf(e->msg + n, sizeof(e->msg) - n, " (%s)", rt.why);
			e->kind = ERR_TEMP;
			return -1;
		}
	}
}

/* Build the request (argv and JSON) and run it. */
static int
exec_request(struct provider *p, const char *action, const char *owner,
	uint32_t ttl, const struct tlsa_rec *r, json_t **out, struct err *e)
{
	struct pexec *st = p->impl;
	char *argv[6], ttlbuf[16], *text = NULL, *input;
	json_t *req;
	int i = 0, rc;

	req = json_pack("{s:s, s:s}", "action", action, "owner", owner);
	if (p->zone != NULL)
		json_object_set_new(req, "zone", json_string(p->zone));
	argv[i++] = st->command;
	argv[i++] = (char *)action;
	argv[i++] = (char *)owner;
	if (strcmp(action, "add") == 0) {
		snprintf(ttlbuf, sizeof(ttlbuf), "%u", ttl);
		argv[i++] = ttlbuf;
		json_object_set_new(req, "ttl", json_integer(ttl));
	}
	if (r != NULL) {
		text = tlsa_rec_format(r);
		argv[i++] = text;
		json_object_set_new(req, "record", json_string(text));
	}
	argv[i] = NULL;
	input = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	rc = exec_call(p, argv, input, out, e);
	free(input);
	free(text);
	return rc;
}

static int
exec_list(struct provider *p, const char *owner, struct tlsa_rec ***recs,
	size_t *n, struct err *e)
{
	struct pexec *st = p->impl;
	json_t *out, *list, *v;
	struct tlsa_rec *r;
	size_t i;
	int rc = 0;

	if (exec_request(p, "list", owner, 0, NULL, &out, e) < 0)
		return -1;
	list = json_object_get(out, "records");
	if (!json_is_array(list))
		rc = err_set(e, ERR_INPUT, "exec provider: %s list %s: no "
		    "\"records\" array in the output", st->command, owner);
	json_array_foreach(list, i, v) {
		if (rc < 0)
			break;
		if (!json_is_string(v) || (r = provider_rec_parse(
		    json_string_value(v), "exec provider", e)) == NULL) {
			rc = err_set(e, ERR_INPUT, "exec provider: %s list %s: "
			    "record %zu is not \"U S M HEX\"", st->command,
			    owner, i);
			break;
		}
		provider_recs_push(recs, n, r);
		tlsa_rec_free(r);
	}
	json_decref(out);
	return rc;
}

static int
exec_add(struct provider *p, const char *owner, uint32_t ttl,
	const struct tlsa_rec *r, struct err *e)
{
	json_t *out;

	if (exec_request(p, "add", owner, ttl, r, &out, e) < 0)
		return -1;
	json_decref(out);
	return 0;
}

static int
exec_del(struct provider *p, const char *owner, const struct tlsa_rec *r,
	struct err *e)
{
	json_t *out;

	if (exec_request(p, "delete", owner, 0, r, &out, e) < 0)
		return -1;
	json_decref(out);
	return 0;
}

const struct provider_ops prov_exec_ops = {
	.name = "exec",
	.keys = exec_keys,
	.init = exec_init,
	.fini = exec_fini,
	.list = exec_list,
	.add = exec_add,
	.del = exec_del,
};
