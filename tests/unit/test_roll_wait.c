/*
 * test_roll_wait - every wait of the plan says where it comes from (the
 * hold's TTLs, or min_wait), and the hand-off's backoff turns a planned
 * HANDOFF into a WAIT until the next attempt (handoff_gate).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "roll/handoff.h"
#include "roll/plan.h"
#include "roll/state.h"

#define HOLD_WHY "hold 20 s = 2 x max(TTL 2, negative TTL 10 = min(SOA TTL " \
	"3600, SOA MINIMUM 10) of roll.test.)"

static const char *const cur_recs[] = { "_25._tcp.mx. 3 1 1 aaaa" };
static const char *const new_recs[] = { "_25._tcp.mx. 3 1 1 bbbb" };
static const char *const next_recs[] = { "_25._tcp.mx. 3 1 1 cccc" };
static const char *const pub[] = { "_25._tcp.mx. 3 1 1 aaaa",
    "_25._tcp.mx. 3 1 1 bbbb", "_25._tcp.mx. 3 1 1 cccc" };

/* A new source key whose records have been served for 5 s. */
static void
new_key(struct plan_in *in)
{
	memset(in, 0, sizeof(*in));
	in->now = 10000;
	in->cur = (struct plan_key){ "aaaa", cur_recs, 1, 1, 100 };
	in->src = (struct plan_key){ "bbbb", new_recs, 1, 1, 9995 };
	in->next = (struct plan_key){ "cccc", next_recs, 1, 1, 100 };
	in->src_ok = 1;
	in->verified = "aaaa";
	in->at_provider = pub;
	in->nat_provider = 3;
	in->published = pub;
	in->npublished = 3;
	in->hold = 20;
	in->hold_why = HOLD_WHY;
	in->next_enabled = 1;
}

static const struct plan_action *
find(const struct plan *p, enum plan_kind k)
{
	size_t i;

	for (i = 0; i < p->nacts; i++)
		if (p->acts[i].kind == k)
			return &p->acts[i];
	return NULL;
}

static void
test_hold_says_where_from(void **st)
{
	struct plan_in in;
	struct plan *p;
	const struct plan_action *a;

	(void)st;
	new_key(&in);
	p = plan_make(&in);
	assert_non_null(a = find(p, PLAN_WAIT));
	assert_int_equal(a->until, 10015);
	assert_non_null(strstr(a->why, "waiting 15 s more (" HOLD_WHY ")"));
	plan_free(p);
	/* a rollover waiting for the next key's hold says it too */
	new_key(&in);
	in.src = in.cur;
	in.src_deployed = 1;
	in.next.seen_at = 9990;
	in.rollover_due = 1;
	p = plan_make(&in);
	assert_non_null(a = find(p, PLAN_WAIT));
	assert_non_null(strstr(a->why, "for 10 s more (" HOLD_WHY ")"));
	plan_free(p);
}

static void
test_min_wait_says_so(void **st)
{
	struct plan_in in;
	struct plan *p;
	const struct plan_action *a;

	(void)st;
	new_key(&in);
	in.min_wait = 600;
	p = plan_make(&in);
	assert_non_null(a = find(p, PLAN_WAIT));
	assert_non_null(strstr(a->why, "(600 s = min_wait, longer than hold "
	    "20 s)"));
	plan_free(p);
}

static void
test_backoff_gates_handoff(void **st)
{
	struct plan_in in;
	struct state s;
	struct plan *p;
	const struct plan_action *a;

	(void)st;
	new_key(&in);
	in.src = in.cur;
	in.src_deployed = 1;
	in.rollover_due = 1;
	in.npublished = 1;      /* nothing to retire */
	memset(&s, 0, sizeof(s));
	s.failures = 2;
	s.next_attempt = 10300;
	s.last_error = "certbot: exit 1";
	p = plan_make(&in);
	assert_non_null(find(p, PLAN_HANDOFF));
	handoff_gate(p, &s, in.now);
	assert_null(find(p, PLAN_HANDOFF));
	assert_non_null(a = find(p, PLAN_WAIT));
	assert_int_equal(a->until, 10300);
	assert_string_equal(a->why, "rollover due; certbot failed 2 times in "
	    "a row, next attempt in 300 s (backoff); last error: certbot: "
	    "exit 1");
	assert_false(plan_busy(p));
	plan_free(p);
	/* the backoff over: the hand-off is planned again */
	p = plan_make(&in);
	handoff_gate(p, &s, 10300);
	assert_non_null(find(p, PLAN_HANDOFF));
	plan_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hold_says_where_from),
		cmocka_unit_test(test_min_wait_says_so),
		cmocka_unit_test(test_backoff_gates_handoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
