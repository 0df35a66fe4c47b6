/*
 * Unit tests for src/survey: sharding, the scheduler on a real loop with
 * no network (libunbound local data, a loopback listener that never
 * speaks), the probe cache's sharing and politeness, failure reasons, the
 * notification message and the history's rate limiting.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "survey/notify.h"
#include "survey/survey.h"
#include "util/xalloc.h"

static char conf_path[64], list_path[64], dir_path[64];
static int listen_fd = -1, listen_port;

static void
mute_listener(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(listen_fd, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	assert_int_equal(listen(listen_fd, 64), 0);
	assert_int_equal(getsockname(listen_fd, (struct sockaddr *)&sin, &len),
	    0);
	listen_port = ntohs(sin.sin_port);
}

static int
setup(void **state)
{
	FILE *fp;
	int i;

	(void)state;
	mute_listener();
	strcpy(conf_path, "/tmp/test_survey.XXXXXX");
	fp = fdopen(mkstemp(conf_path), "w");
	fprintf(fp, "server:\n\tlocal-zone: \"lab.invalid.\" static\n"
	    "\tlocal-data: \"mx.lab.invalid. A 127.0.0.1\"\n");
	for (i = 1; i <= 12; i++)
		fprintf(fp, "\tlocal-data: \"d%d.lab.invalid. MX 10 "
		    "mx.lab.invalid.\"\n", i);
	fclose(fp);
	strcpy(list_path, "/tmp/test_survey_list.XXXXXX");
	fp = fdopen(mkstemp(list_path), "w");
	fprintf(fp, "# hosting customers\n\n");
	for (i = 1; i <= 12; i++)
		fprintf(fp, "  D%d.lab.invalid.  # customer %d\n", i, i);
	fprintf(fp, "two words\nbad..name\n");
	fclose(fp);
	strcpy(dir_path, "/tmp/test_survey_dir.XXXXXX");
	assert_non_null(mkdtemp(dir_path));
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	close(listen_fd);
	unlink(conf_path);
	unlink(list_path);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir_path);
	if (system(cmd) != 0)
		return -1;
	return 0;
}

static void
test_shard_partition(void **state)
{
	char name[32];
	int i, k, in, counts[4] = { 0 };

	(void)state;
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "d%05d.example", i);
		in = 0;
		for (k = 1; k <= 4; k++)
			if (survey_in_shard(name, (unsigned)k, 4)) {
				in++;
				counts[k - 1]++;
			}
		assert_int_equal(in, 1);
		assert_int_equal(survey_in_shard(name, 1, 1), 1);
	}
	for (k = 0; k < 4; k++)
		assert_true(counts[k] > 180 && counts[k] < 320);
}

struct run {
	struct check_env ce;
	size_t items, errors, max_inflight, ended;
	struct survey *s;
	enum check_verdict v[16];
};

static void
item_cb(void *arg, const struct survey_item *it)
{
	struct run *r = arg;
	struct survey_stats st;

	survey_get_stats(r->s, &st);
	if (st.inflight > r->max_inflight)
		r->max_inflight = st.inflight;
	if (it->error != NULL) {
		r->errors++;
		return;
	}
	assert_non_null(it->res);
	r->v[r->items++ % 16] = it->res->verdict;
}

static void
end_cb(void *arg)
{
	struct run *r = arg;

	r->ended++;
	event_base_loopbreak(r->ce.base);
}

/* 12 domains, one MX host: 3 in flight at most, one probe for all. */
static void
test_survey_shares_and_bounds(void **state)
{
	const char *paths[2] = { list_path, NULL };
	struct resolver_opts ro;
	struct survey_opts o;
	struct survey_stats st;
	struct run r;
	struct err e;
	size_t i;

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(&ro, 0, sizeof(ro));
	ro.conf_file = conf_path;
	r.ce.base = event_base_new();
	r.ce.resolver = resolver_new(r.ce.base, &ro, &e);
	r.ce.ctx = probe_ssl_ctx_new(&e);
	assert_non_null(r.ce.resolver);
	memset(&o, 0, sizeof(o));
	o.concurrency = 3;
	o.co.port = (uint16_t)listen_port;
	o.co.warn_days = -1;
	o.co.total_ms = 2000;
	o.co.reply_ms = 200;
	r.s = survey_new(&r.ce, &o, paths, item_cb, end_cb, &r, &e);
	assert_non_null(r.s);
	survey_begin(r.s);
	event_base_dispatch(r.ce.base);
	survey_get_stats(r.s, &st);
	assert_int_equal(r.ended, 1);
	assert_int_equal(r.items, 12);
	assert_int_equal(r.errors, 2);
	assert_true(r.max_inflight <= 3);
	assert_int_equal(st.lines, 16);
	assert_int_equal(st.pc.probes, 1);
	assert_int_equal(st.pc.addresses, 1);
	assert_int_equal(st.pc.hits + st.pc.coalesced, 11);
	for (i = 0; i < 12; i++)
		assert_int_equal(r.v[i], CHECK_NONE);
	survey_free(r.s);
	resolver_free(r.ce.resolver);
	SSL_CTX_free(r.ce.ctx);
	event_base_free(r.ce.base);
}

static size_t probes_done;

static void
probe_cb(void *arg, struct probe_result *res)
{
	(void)arg;
	assert_int_equal(res->status, PROBE_TIMEOUT);
	probe_result_free(res);
	probes_done++;
}

/* Five names at one address: five probes, never more than two at once. */
static void
test_pcache_politeness(void **state)
{
	struct event_base *base = event_base_new();
	struct pcache_opts po = { 2, 0, 0, 0 };
	struct pcache_stats st;
	struct probe_target t;
	struct pcache *pc;
	SSL_CTX *ctx;
	char sni[5][16];
	struct err e;
	int i;

	(void)state;
	ctx = probe_ssl_ctx_new(&e);
	pc = pcache_new(base, ctx, &po);
	memset(&t, 0, sizeof(t));
	t.address = "127.0.0.1";
	t.port = (uint16_t)listen_port;
	t.starttls = STARTTLS_SMTP;
	t.reply_ms = 100;
	probes_done = 0;
	for (i = 0; i < 5; i++) {
		snprintf(sni[i], sizeof(sni[i]), "mx%d.test", i);
		t.sni = sni[i];
		assert_non_null(pcache_start(pc, &t, probe_cb, NULL, &e));
	}
	t.sni = sni[0];
	assert_non_null(pcache_start(pc, &t, probe_cb, NULL, &e));
	event_base_dispatch(base);
	pcache_get_stats(pc, &st);
	assert_int_equal(probes_done, 6);
	assert_int_equal(st.probes, 5);
	assert_int_equal(st.coalesced, 1);
	assert_int_equal(st.max_active_per_address, 2);
	pcache_free(pc);
	SSL_CTX_free(ctx);
	event_base_free(base);
}

static struct check_result *
fake_result(const char *domain, enum check_verdict v)
{
	struct check_result *res = xcalloc(1, sizeof(*res));

	res->domain = xstrdup(domain);
	res->verdict = v;
	res->summary = xstrdup(v == CHECK_FAIL ? "DANE fails for 1 of 1 "
	    "host(s)" : "DANE authenticated");
	res->mx = xcalloc(1, sizeof(*res->mx));
	res->mx->mx_status = DNS_OK;
	return res;
}

static int
count_files(void)
{
	char cmd[160];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls '%s' | grep -c 'eml$'", dir_path);
	p = popen(cmd, "r");
	if (fscanf(p, "%d", &n) != 1)
		n = -1;
	pclose(p);
	return n;
}

/* Messages in dir_path that contain text. */
static int
grep_files(const char *text)
{
	char cmd[200];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "grep -l '%s' '%s'/*.eml | wc -l", text,
	    dir_path);
	p = popen(cmd, "r");
	if (fscanf(p, "%d", &n) != 1)
		n = -1;
	pclose(p);
	return n;
}

static void
test_notify_compose(void **state)
{
	struct check_result *res = fake_result("example.test", CHECK_FAIL);
	struct notify_opts o;
	struct notify_facts f = { 1700000000, 3, 1, 1699000000 };
	char *m;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.cc = "ops@example.net";
	m = notify_compose(res, &o, &f, 1700000100);
	assert_non_null(strstr(m, "To: postmaster@example.test\n"));
	assert_non_null(strstr(m, "Cc: ops@example.net\n"));
	assert_non_null(strstr(m, "Subject: DANE failure for example.test"));
	assert_non_null(strstr(m, "Auto-Submitted: auto-generated"));
	assert_non_null(strstr(m, "failed 3 check(s) so far"));
	assert_non_null(strstr(m, "keeps coming back"));
	assert_non_null(strstr(m, "How to fix it"));
	free(m);
	check_result_free(res);
}

/* fail: sent; fail: suppressed; pass; fail again: sent, recurring. */
static void
test_notifier_history(void **state)
{
	struct notify_opts o;
	struct notifier_stats st;
	struct notifier *nt;
	struct check_result *res;
	char db[96];
	struct err e;
	enum check_verdict seq[4] = { CHECK_FAIL, CHECK_FAIL, CHECK_PASS,
	    CHECK_FAIL };
	int i;

	(void)state;
	snprintf(db, sizeof(db), "%s/history.db", dir_path);
	memset(&o, 0, sizeof(o));
	o.dir = dir_path;
	o.history = db;
	for (i = 0; i < 4; i++) {
		/* A new notifier each time: the history is what remembers. */
		assert_non_null(nt = notifier_new(&o, &e));
		res = fake_result("example.test", seq[i]);
		assert_int_equal(notifier_result(nt, res, &e), 0);
		notifier_get_stats(nt, &st);
		assert_int_equal(st.sent, i == 0 || i == 3);
		assert_int_equal(st.suppressed, i == 1);
		check_result_free(res);
		notifier_free(nt);
	}
	assert_int_equal(count_files(), 2);
	assert_int_equal(grep_files("keeps coming back"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shard_partition),
		cmocka_unit_test(test_survey_shares_and_bounds),
		cmocka_unit_test(test_pcache_politeness),
		cmocka_unit_test(test_notify_compose),
		cmocka_unit_test(test_notifier_history),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
