/*
 * Unit tests for src/dns/ubthread: libunbound on a thread of ours, fed and
 * drained through two queues.  Local data stands in for the network and a
 * UDP socket nobody reads for a server that never answers.
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

#include <unbound.h>

#include "dns/ubthread.h"

#define NJOBS 2000

struct seen {
	int calls[NJOBS];
	int total;
	int bad;        /* answers that were not the local data */
	struct event_base *base;
	int stop_at;    /* leave the loop after this many */
};

static void
done_cb(void *token, struct dns_answer *ans, void *arg)
{
	struct seen *s = arg;
	int *slot = token;

	slot[0]++;
	s->total++;
	if (ans->status != DNS_OK || ans->nrr != 1 ||
	    strcmp(ans->rr[0].addr, "192.0.2.9") != 0)
		s->bad++;
	dns_answer_free(ans);
	if (s->total == s->stop_at)
		event_base_loopbreak(s->base);
}

/* A lost answer must fail the test, not hang it. */
static void
watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

static struct event *
watchdog(struct event_base *base)
{
	struct timeval tv = { 10, 0 };
	struct event *ev = evtimer_new(base, watchdog_cb, base);

	evtimer_add(ev, &tv);
	return ev;
}

/* A started thread with local data, and a stub zone if stub is given. */
static struct ubthread *
mkthread(struct event_base *base, struct seen *s, const char *stub)
{
	struct ubthread *t;
	struct ub_ctx *ctx;
	struct err e;

	t = ubthread_new(base, done_cb, s, &e);
	if (t == NULL)
		fail_msg("ubthread_new: %s", e.msg);
	ctx = ubthread_ctx(t);
	assert_int_equal(ub_ctx_set_option(ctx, "local-zone:",
	    "lab.invalid. static"), 0);
	assert_int_equal(ub_ctx_set_option(ctx, "local-data:",
	    "h.lab.invalid. A 192.0.2.9"), 0);
	if (stub != NULL) {
		/* RFC 6761's test. is answered locally unless transparent. */
		assert_int_equal(ub_ctx_set_option(ctx, "local-zone:",
		    "slow.test. transparent"), 0);
		assert_int_equal(ub_ctx_set_stub(ctx, "slow.test.", stub, 0),
		    0);
	}
	assert_int_equal(ubthread_start(t, &e), 0);
	return t;
}

/*
 * Thousands of jobs submitted at once (one wakeup for the burst): each
 * comes back exactly once, with its own token, parsed.
 */
static void
test_burst(void **state)
{
	struct event_base *base = event_base_new();
	struct seen *s = calloc(1, sizeof(*s));
	struct ubthread *t;
	struct event *dog;
	int i;

	(void)state;
	s->base = base;
	s->stop_at = NJOBS;
	t = mkthread(base, s, NULL);
	ubthread_watch(t, 1);
	for (i = 0; i < NJOBS; i++)
		ubthread_submit(t, &s->calls[i], "h.lab.invalid", DNS_TYPE_A);
	dog = watchdog(base);
	event_base_dispatch(base);
	event_free(dog);
	assert_int_equal(s->total, NJOBS);
	assert_int_equal(s->bad, 0);
	for (i = 0; i < NJOBS; i++)
		assert_int_equal(s->calls[i], 1);
	ubthread_free(t);
	event_base_free(base);
	free(s);
}

/* Not watched, answers wait: the loop is free to end. */
static void
test_unwatched_waits(void **state)
{
	struct event_base *base = event_base_new();
	struct seen *s = calloc(1, sizeof(*s));
	struct ubthread *t;
	struct event *dog;

	(void)state;
	s->base = base;
	s->stop_at = 1;
	t = mkthread(base, s, NULL);
	ubthread_submit(t, &s->calls[0], "h.lab.invalid", DNS_TYPE_A);
	usleep(100 * 1000);
	assert_int_equal(event_base_loop(base, EVLOOP_NONBLOCK), 1);
	assert_int_equal(s->total, 0);
	ubthread_watch(t, 1);
	dog = watchdog(base);
	event_base_dispatch(base);
	event_free(dog);
	assert_int_equal(s->total, 1);
	assert_int_equal(s->bad, 0);
	ubthread_free(t);
	event_base_free(base);
	free(s);
}

/*
 * Freed with queries still at a silent server: the thread stops at
 * once, nothing calls back, nothing leaks (AddressSanitizer).
 */
static void
test_free_outstanding(void **state)
{
	struct event_base *base = event_base_new();
	struct seen *s = calloc(1, sizeof(*s));
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct ubthread *t;
	char stub[64];
	int fd, i;

	(void)state;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	s->base = base;
	snprintf(stub, sizeof(stub), "127.0.0.1@%d", ntohs(sin.sin_port));
	t = mkthread(base, s, stub);
	ubthread_watch(t, 1);
	for (i = 0; i < 50; i++)
		ubthread_submit(t, &s->calls[i], "x.slow.test", DNS_TYPE_A);
	usleep(200 * 1000);
	assert_int_equal(event_base_loop(base, EVLOOP_NONBLOCK), 0);
	assert_int_equal(s->total, 0);
	ubthread_free(t);
	assert_int_equal(s->total, 0);
	ubthread_free(NULL);
	event_base_free(base);
	close(fd);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_unwatched_waits),
		cmocka_unit_test(test_free_outstanding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
