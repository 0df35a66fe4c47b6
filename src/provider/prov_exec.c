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
 * permanent failure.  It runs without a shell (util/spawn), in a process
 * group of its own, which is killed when the call's timeout passes;
 * standard output is capped at EXEC_OUT_MAX.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "provider/provider_impl.h"
#include "util/spawn.h"
#include "util/xalloc.h"

#define EXEC_OUT_MAX (1024 * 1024)
#define EXEC_TEMPFAIL 75

extern char **environ;

struct pexec {
	char *command;
	char *secret;           /* or NULL */
};

/* What one run of the command produced. */
struct exec_run {
	struct spawn_result sr;
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

/* Run the command once (util/spawn: no shell, own group, deadline). */
static int
exec_run_once(struct provider *p, char **argv, const char *input,
	uint64_t deadline, struct exec_run *run, struct err *e)
{
	struct spawn_opts so;
	uint64_t now = provider_now_ms();
	char **env = exec_env(p);
	int rc;

	memset(&so, 0, sizeof(so));
	so.argv = argv;
	so.envp = env;
	so.input = input;
	so.input_len = strlen(input);
	so.capture_out = 1;
	so.out_max = EXEC_OUT_MAX;
	so.timeout_ms = deadline > now ? (long)(deadline - now) : 1;
	so.grace_ms = 1000;
	rc = spawn_run(&so, &run->sr, e);
	exec_env_free(env);
	if (rc < 0) {
		char msg[ERR_MSG_MAX];

		snprintf(msg, sizeof(msg), "%s", e->msg);
		return err_set(e, ERR_INPUT, "exec provider: %s", msg);
	}
	return 0;
}

/* The command's own words: JSON "error", else its first stderr line. */
static void
exec_reason(const struct exec_run *run, json_t *j, char *buf, size_t len)
{
	const char *msg = json_string_value(json_object_get(j, "error"));
	size_t n;

	if (msg == NULL && run->sr.err.len > 0) {
		n = strcspn(run->sr.err.data, "\n");
		snprintf(buf, len, "%.*s", (int)(n < 200 ? n : 200),
		    run->sr.err.data);
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
	if (run->sr.timed_out) {
		err_set(e, ERR_TEMP, "exec provider: %s %s: timed out, killed",
		    st->command, what);
		return 1;
	}
	if (run->sr.out_too_big)
		return err_set(e, ERR_INPUT, "exec provider: %s %s: more than "
		    "%d bytes of output", st->command, what, EXEC_OUT_MAX);
	if (WIFSIGNALED(run->sr.status))
		return err_set(e, ERR_INPUT, "exec provider: %s %s: killed by "
		    "signal %d", st->command, what, WTERMSIG(run->sr.status));
	code = WEXITSTATUS(run->sr.status);
	j = run->sr.out.len > 0 ? json_loadb(run->sr.out.data, run->sr.out.len,
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
		rc = exec_run_once(p, argv, input, rt.deadline_ms, &run, e);
		if (rc == 0)
			rc = exec_judge(p, what, &run, out, e);
		spawn_result_free(&run.sr);
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
