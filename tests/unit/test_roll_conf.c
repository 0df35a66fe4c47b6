/*
 * Unit tests for src/roll: conf.c (errors with line numbers, over-long
 * lines, the deadlines), state.c (round trip, damaged file), lock.c
 * (second holder; tests/unit/test_roll_lock.c has the rest).
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

#include "roll/conf.h"
#include "roll/lock.h"
#include "roll/state.h"

static const char good[] =
	"; a comment\n"
	"[daneops]\n"
	"state_dir = /var/lib/x\n"
	"ca_file = /etc/ssl/ca.pem\n"
	"trust_anchor = /a.ds /b.ds\n"
	"\n"
	"[lineage mx]\n"
	"source_key = /src/key.pem\n"
	"source_chain = /src/fullchain.pem\n"
	"deploy_key = /dep/key.pem\n"
	"deploy_chain = /dep/chain.pem\n"
	"tlsa = _25._tcp.mx.example.org _25._tcp.mx2.example.org.\n"
	"tlsa = _465._tcp.mx.example.org\n"
	"params = 311 211\n"
	"ttl = 5\n"
	"provider = dns\n"
	"reload = /usr/sbin/postfix reload\n"
	"verify = mx.example.org:25\n"
	"verify = mx.example.org:465:none\n"
	"verify = mx.example.org:25:smtp@2001:db8::25\n"
	"next_key = no\n"
	"\n"
	"[provider dns]\n"
	"type = rfc2136\n"
	"zone = example.org\n";

static void
test_conf_good(void **st)
{
	struct conf *c;
	struct conf_lineage *l;
	struct err e;

	(void)st;
	err_clear(&e);
	c = conf_parse("t.conf", good, &e);
	assert_non_null(c);
	assert_string_equal(c->state_dir, "/var/lib/x");
	assert_string_equal(c->lock_file, "/var/lib/x/roll.lock");
	assert_int_equal(c->ntrust_anchors, 2);
	l = conf_lineage_find(c, "mx");
	assert_non_null(l);
	assert_int_equal(l->line, 7);
	assert_int_equal(l->nowners, 3);
	assert_string_equal(l->owners[0], "_25._tcp.mx.example.org.");
	assert_string_equal(l->owners[1], "_25._tcp.mx2.example.org.");
	assert_int_equal(l->nparams, 2);
	assert_int_equal(l->params[1].usage, 2);
	assert_int_equal(l->ttl, 5);
	assert_string_equal(l->reload[0], "/usr/sbin/postfix");
	assert_string_equal(l->reload[1], "reload");
	assert_null(l->reload[2]);
	assert_int_equal(l->nverify, 3);
	assert_int_equal(l->verify[1].port, 465);
	assert_string_equal(l->verify[1].starttls, "none");
	assert_null(l->verify[1].connect);
	assert_string_equal(l->verify[2].connect, "2001:db8::25");
	assert_string_equal(l->verify[2].starttls, "smtp");
	assert_int_equal(l->next_key, 0);
	assert_string_equal(l->key_type, "ec");
	assert_string_equal(l->prov->type, "rfc2136");
	assert_int_equal(l->prov->nparams, 1);
	assert_string_equal(l->prov->params[0].key, "zone");
	assert_null(conf_lineage_find(c, "nope"));
	/* the child-process deadlines and the certbot backoff: defaults */
	assert_int_equal(l->reload_timeout, 60);
	assert_int_equal(l->certbot_timeout, 600);
	assert_int_equal(l->certbot_backoff, 3600);
	assert_int_equal(l->certbot_backoff_max, 86400);
	assert_int_equal(l->max_failures, 3);
	assert_null(c->certbot_work_dir);
	conf_free(c);
	conf_free(NULL);
}

static const char *conf_error(const char *text);

static void
test_conf_deadlines(void **st)
{
	static const char text[] =
		"[daneops]\n"
		"certbot_work_dir = /w\n"
		"certbot_logs_dir = /l\n"
		"[lineage mx]\n"
		"certbot = mx\n"
		"deploy_key = /k\n"
		"deploy_chain = /c\n"
		"tlsa = _25._tcp.mx.example.org\n"
		"provider = p\n"
		"reload_timeout = 7\n"
		"certbot_timeout = 90\n"
		"certbot_backoff = 60\n"
		"certbot_backoff_max = 600\n"
		"max_failures = 5\n"
		"[provider p]\n"
		"type = rfc2136\n";
	struct conf_lineage *l;
	struct conf *c;
	struct err e;

	(void)st;
	err_clear(&e);
	assert_non_null(c = conf_parse("t.conf", text, &e));
	l = conf_lineage_find(c, "mx");
	assert_int_equal(l->reload_timeout, 7);
	assert_int_equal(l->certbot_timeout, 90);
	assert_int_equal(l->certbot_backoff, 60);
	assert_int_equal(l->certbot_backoff_max, 600);
	assert_int_equal(l->max_failures, 5);
	assert_string_equal(c->certbot_work_dir, "/w");
	assert_string_equal(c->certbot_logs_dir, "/l");
	conf_free(c);
	assert_non_null(strstr(conf_error("[lineage a]\nreload_timeout = 0\n"),
	    "t.conf:2: reload_timeout: '0' is not a number from 1 to 3600"));
	assert_non_null(strstr(conf_error("[lineage a]\nmax_failures = x\n"),
	    "max_failures: 'x' is not a number"));
}

/* The message for text, which must fail. */
static const char *
conf_error(const char *text)
{
	static struct err e;
	struct conf *c;

	err_clear(&e);
	c = conf_parse("t.conf", text, &e);
	assert_null(c);
	assert_int_equal(e.kind, ERR_INPUT);
	return e.msg;
}

static void
test_conf_errors(void **st)
{
	char *long_line;
	size_t n;

	(void)st;
	assert_string_equal(conf_error("[daneops]\nbogus = 1\n"),
	    "t.conf:2: unknown setting 'bogus' in [daneops]");
	assert_string_equal(conf_error("[daneops]\nstate_dir = /a\n\njunk\n"),
	    "t.conf:4: expected '[section]' or 'name = value'");
	assert_string_equal(conf_error("[daneops\n"),
	    "t.conf:1: section header without ']'");
	assert_string_equal(conf_error("[what]\na = b\n"),
	    "t.conf:2: unknown section [what]");
	assert_string_equal(conf_error("[lineage x]\nttl = 9x\n"),
	    "t.conf:2: ttl: '9x' is not a number from 1 to 604800");
	assert_string_equal(conf_error("[lineage x]\nparams = 3111\n"),
	    "t.conf:2: params: '3111' is not like 311 or 211");
	assert_string_equal(conf_error("[lineage x]\ntlsa = mx.example.org\n"),
	    "t.conf:2: tlsa: 'mx.example.org' is not _PORT._PROTO.HOST");
	assert_string_equal(conf_error("[lineage x]\nverify = mx\n"),
	    "t.conf:2: verify: 'mx' is not host:port[:starttls][@address]");
	assert_string_equal(conf_error("[lineage x]\nnext_key = maybe\n"),
	    "t.conf:2: next_key: 'maybe' is not yes or no");
	assert_string_equal(conf_error("[lineage x]\nprovider = a\nprovider = b\n"),
	    "t.conf:3: provider: given twice");
	assert_string_equal(conf_error("\n\n[lineage x]\ncertbot = x\n"),
	    "t.conf:3: [lineage x] needs deploy_key and deploy_chain");
	assert_string_equal(conf_error("[lineage x]\ncertbot = x\n"
	    "deploy_key = k\ndeploy_chain = c\ntlsa = _25._tcp.mx\n"
	    "provider = p\n"),
	    "t.conf:1: [lineage x]: no section [provider p]");
	/* inih would truncate this line at 199 bytes: an error, not a value */
	n = 250;
	long_line = malloc(n + 64);
	strcpy(long_line, "[daneops]\nstate_dir = /");
	memset(long_line + strlen(long_line), 'a', n);
	strcpy(long_line + strlen("[daneops]\nstate_dir = /") + n, "\n");
	assert_non_null(strstr(conf_error(long_line),
	    "t.conf:2: line longer than 198 bytes"));
	free(long_line);
}

static void
test_conf_owner_host(void **st)
{
	char *h;

	(void)st;
	h = conf_owner_host("_25._tcp.mx.example.org.");
	assert_string_equal(h, "mx.example.org");
	free(h);
	assert_null(conf_owner_host("_25.mx"));
	assert_null(conf_owner_host("mx.example.org"));
}

static void
test_conf_load_missing(void **st)
{
	struct err e;

	(void)st;
	err_clear(&e);
	assert_null(conf_load("/nonexistent/daneops.conf", &e));
	assert_non_null(strstr(e.msg, "/nonexistent/daneops.conf"));
}

static void
test_state_round_trip(void **st)
{
	char dir[] = "/tmp/test_roll_state.XXXXXX", path[128];
	struct state *s;
	struct err e;

	(void)st;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state.json", dir);
	err_clear(&e);
	s = state_load(path, &e);       /* missing: empty */
	assert_non_null(s);
	assert_null(s->current);
	state_set_str(&s->current, "abcd");
	s->need_reload = 1;
	state_set_seen(s, "abcd", 42);
	state_set_seen(s, "ef01", 43);
	state_set_seen(s, "ef01", 0);
	assert_int_equal(state_published_add(s, "_25._tcp.mx. 3 1 1 ab", &e), 0);
	assert_int_equal(state_published_add(s, "_25._tcp.mx. 3 1 1 ab", &e), 0);
	assert_int_equal(state_published_add(s, "_25._tcp.mx. 3 1 1 cd", &e), 0);
	state_published_del(s, "_25._tcp.mx. 3 1 1 ab");
	/* the hand-off journal and the backoff */
	s->handoff.started = 1700000000;
	state_set_str(&s->handoff.key_file, "/le/archive/mx/privkey1.pem");
	state_set_str(&s->handoff.saved, "/var/lib/daneops/mx/prev.key");
	s->failures = 2;
	s->next_attempt = 1700007200;
	state_set_str(&s->last_error, "certbot: exit 1");
	assert_int_equal(state_save(s, &e), 0);
	state_free(s);
	s = state_load(path, &e);
	assert_non_null(s);
	assert_int_equal(s->handoff.started, 1700000000);
	assert_string_equal(s->handoff.key_file, "/le/archive/mx/privkey1.pem");
	assert_string_equal(s->handoff.saved, "/var/lib/daneops/mx/prev.key");
	assert_int_equal(s->failures, 2);
	assert_int_equal(s->next_attempt, 1700007200);
	assert_string_equal(s->last_error, "certbot: exit 1");
	assert_string_equal(s->current, "abcd");
	assert_int_equal(s->need_reload, 1);
	assert_int_equal(state_seen_at(s, "abcd"), 42);
	assert_int_equal(state_seen_at(s, "ef01"), 0);
	assert_int_equal(s->npublished, 1);
	assert_true(state_published_has(s, "_25._tcp.mx. 3 1 1 cd"));
	state_free(s);
	state_free(NULL);
	unlink(path);
	rmdir(dir);
}

static void
test_state_damaged(void **st)
{
	char dir[] = "/tmp/test_roll_state.XXXXXX", path[128];
	struct err e;
	FILE *fp;

	(void)st;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state.json", dir);
	fp = fopen(path, "w");
	fputs("{\"version\": 1, \"current\": \"ab", fp);
	fclose(fp);
	err_clear(&e);
	assert_null(state_load(path, &e));
	assert_int_equal(e.kind, ERR_INPUT);
	assert_non_null(strstr(e.msg, path));
	assert_non_null(strstr(e.msg, "damaged state file"));
	fp = fopen(path, "w");
	fputs("[1, 2]", fp);
	fclose(fp);
	assert_null(state_load(path, &e));
	assert_non_null(strstr(e.msg, "damaged state file"));
	/* a journal without its paths cannot be finished or undone */
	assert_non_null(fp = fopen(path, "w"));
	fputs("{\"version\": 1, \"handoff\": {\"started\": 5}}", fp);
	fclose(fp);
	assert_null(state_load(path, &e));
	assert_non_null(strstr(e.msg, "'handoff'"));
	unlink(path);
	rmdir(dir);
}

static void
test_lock_second_holder(void **st)
{
	char dir[] = "/tmp/test_roll_lock.XXXXXX", path[128];
	struct lock *a, *b;
	struct err e;
	char pid[32];

	(void)st;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/roll.lock", dir);
	err_clear(&e);
	a = lock_take(path, &e);
	assert_non_null(a);
	/* flock locks belong to the open file: a second open conflicts */
	b = lock_take(path, &e);
	assert_null(b);
	assert_int_equal(e.kind, ERR_TEMP);
	snprintf(pid, sizeof(pid), "pid %ld started", (long)getpid());
	assert_non_null(strstr(e.msg, pid));
	lock_free(a);
	b = lock_take(path, &e);
	assert_non_null(b);
	lock_free(b);
	lock_free(NULL);
	assert_null(lock_take("/nonexistent/dir/roll.lock", &e));
	assert_int_equal(e.kind, ERR_SYSTEM);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_good),
		cmocka_unit_test(test_conf_errors),
		cmocka_unit_test(test_conf_deadlines),
		cmocka_unit_test(test_conf_owner_host),
		cmocka_unit_test(test_conf_load_missing),
		cmocka_unit_test(test_state_round_trip),
		cmocka_unit_test(test_state_damaged),
		cmocka_unit_test(test_lock_second_holder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
