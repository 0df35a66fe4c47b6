/*
 * Unit tests for src/dane/check.c: the orchestration on a real event loop
 * with no network - names from libunbound local data, servers on loopback
 * that accept and never speak, or never answer DNS - so that the run's
 * deadline, cancellation and the "unsigned" path are exercised.
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

#include "dane/check.h"

static char conf_path[64];
static int listen_fd = -1, listen_port;

/* A TCP listener that accepts (in the kernel) and never says a word. */
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
	assert_int_equal(listen(listen_fd, 8), 0);
	assert_int_equal(getsockname(listen_fd, (struct sockaddr *)&sin, &len),
	    0);
	listen_port = ntohs(sin.sin_port);
}

static int
setup(void **state)
{
	FILE *fp;

	(void)state;
	mute_listener();
	strcpy(conf_path, "/tmp/test_dane_check.XXXXXX");
	fp = fdopen(mkstemp(conf_path), "w");
	fprintf(fp, "server:\n"
	    "\tlocal-zone: \"lab.invalid.\" static\n"
	    "\tlocal-data: \"mail.lab.invalid. MX 10 mx.lab.invalid.\"\n"
	    "\tlocal-data: \"mx.lab.invalid. A 127.0.0.1\"\n"
	    "\tlocal-data: \"null.lab.invalid. MX 0 .\"\n");
	fclose(fp);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	close(listen_fd);
	unlink(conf_path);
	return 0;
}

struct env {
	struct check_env ce;
	struct check_result *res;
};

static void
env_init(struct env *v, const char *stub)
{
	struct resolver_opts ro;
	const char *stubs[1] = { stub };
	struct err e;

	memset(v, 0, sizeof(*v));
	memset(&ro, 0, sizeof(ro));
	ro.conf_file = conf_path;
	ro.stubs = stubs;
	ro.nstubs = stub != NULL;
	v->ce.base = event_base_new();
	v->ce.resolver = resolver_new(v->ce.base, &ro, &e);
	if (v->ce.resolver == NULL)
		fail_msg("resolver_new: %s", e.msg);
	v->ce.ctx = probe_ssl_ctx_new(&e);
	assert_non_null(v->ce.ctx);
}

static void
env_free(struct env *v)
{
	check_result_free(v->res);
	resolver_free(v->ce.resolver);
	SSL_CTX_free(v->ce.ctx);
	event_base_free(v->ce.base);
}

static void
done_cb(void *arg, struct check_result *res)
{
	struct env *v = arg;

	v->res = res;
}

static void
opts_init(struct check_opts *o, int total_ms)
{
	memset(o, 0, sizeof(*o));
	o->port = (uint16_t)listen_port;
	o->starttls = STARTTLS_SMTP;
	o->starttls_set = 1;
	o->warn_days = -1;
	o->total_ms = total_ms;
}

/* Unsigned local data: probed, DANE does not apply; the deadline ends it. */
static void
test_deadline_cancels_probe(void **state)
{
	struct env v;
	struct check_opts o;
	struct err e;

	(void)state;
	env_init(&v, NULL);
	opts_init(&o, 400);
	assert_non_null(check_start(&v.ce, "mail.lab.invalid", &o,
	    done_cb, &v, &e));
	event_base_dispatch(v.ce.base);
	assert_non_null(v.res);
	assert_int_equal(v.res->nhosts, 1);
	assert_string_equal(v.res->hosts[0].mx->name, "mx.lab.invalid");
	assert_int_equal(v.res->hosts[0].mx->dane, MX_DANE_NONE);
	assert_int_equal(v.res->hosts[0].naddrs, 1);
	assert_true(v.res->hosts[0].addrs[0].timed_out);
	assert_int_equal(v.res->verdict, CHECK_NONE);
	assert_int_equal(v.res->warn_days, 21);
	assert_int_equal(v.res->port, listen_port);
	env_free(&v);
}

static void
test_null_mx_and_bad_name(void **state)
{
	struct env v;
	struct check_opts o;
	struct err e;

	(void)state;
	env_init(&v, NULL);
	opts_init(&o, 2000);
	assert_non_null(check_start(&v.ce, "null.lab.invalid", &o,
	    done_cb, &v, &e));
	event_base_dispatch(v.ce.base);
	assert_non_null(v.res);
	assert_true(v.res->mx->null_mx);
	assert_int_equal(v.res->verdict, CHECK_NONE);
	assert_null(check_start(&v.ce, "bad..name", &o, done_cb,
	    &v, &e));
	assert_int_equal(e.kind, ERR_USAGE);
	env_free(&v);
}

/* DNS that never answers: the deadline makes the check "unknown". */
static void
test_dns_deadline_and_cancel(void **state)
{
	struct env v;
	struct check_opts o;
	struct check *c;
	struct err e;
	char stub[64];
	int ufd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	(void)state;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(ufd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	getsockname(ufd, (struct sockaddr *)&sin, &len);
	snprintf(stub, sizeof(stub), "slow.test=127.0.0.1@%d",
	    ntohs(sin.sin_port));
	env_init(&v, stub);
	opts_init(&o, 300);
	assert_non_null(check_start(&v.ce, "a.slow.test", &o,
	    done_cb, &v, &e));
	event_base_dispatch(v.ce.base);
	assert_non_null(v.res);
	assert_true(v.res->dns_timed_out);
	assert_int_equal(v.res->verdict, CHECK_UNKNOWN);
	/* Cancelled before it ends: no callback, nothing leaks. */
	check_result_free(v.res);
	v.res = NULL;
	c = check_start(&v.ce, "b.slow.test", &o, done_cb, &v, &e);
	assert_non_null(c);
	check_cancel(c);
	check_cancel(NULL);
	event_base_loop(v.ce.base, EVLOOP_NONBLOCK);
	assert_null(v.res);
	env_free(&v);
	close(ufd);
}

/* Levels: the two names parse to what check_level_name gives back. */
static void
test_level_names(void **state)
{
	static const char *bad[] = { "", "DANE", "dane-onl", "dane-only ",
	    "may", "encrypt" };
	enum check_level l = CHECK_LEVEL_DANE_ONLY;
	size_t i;

	(void)state;
	assert_int_equal(check_level_parse("dane", &l), 0);
	assert_int_equal(l, CHECK_LEVEL_DANE);
	assert_string_equal(check_level_name(l), "dane");
	assert_int_equal(check_level_parse("dane-only", &l), 0);
	assert_int_equal(l, CHECK_LEVEL_DANE_ONLY);
	assert_string_equal(check_level_name(l), "dane-only");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		l = CHECK_LEVEL_DANE_ONLY;
		assert_int_equal(check_level_parse(bad[i], &l), -1);
		assert_int_equal(l, CHECK_LEVEL_DANE_ONLY);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deadline_cancels_probe),
		cmocka_unit_test(test_null_mx_and_bad_name),
		cmocka_unit_test(test_dns_deadline_and_cancel),
		cmocka_unit_test(test_level_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
