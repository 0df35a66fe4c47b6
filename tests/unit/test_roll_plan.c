/*
 * Unit tests for src/roll/plan.c: every rule and branch of the rollover
 * decision, from a baseline "settled" lineage that each test changes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "roll/plan.h"

#define OLD     "aaaa"
#define NEW     "bbbb"
#define NEXT    "cccc"
#define THIRD   "dddd"

static const char *const old_recs[] = { "_25._tcp.mx. 3 1 1 aaaa" };
static const char *const new_recs[] = { "_25._tcp.mx. 3 1 1 bbbb" };
static const char *const next_recs[] = { "_25._tcp.mx. 3 1 1 cccc" };
static const char *const third_recs[] = { "_25._tcp.mx. 3 1 1 dddd" };
static const char *const all_recs[] = {
	"_25._tcp.mx. 3 1 1 aaaa", "_25._tcp.mx. 3 1 1 bbbb",
	"_25._tcp.mx. 3 1 1 cccc", "_25._tcp.mx. 3 1 1 dddd",
};

/* Current = source = OLD, deployed, verified; NEXT published and aged. */
static void
settled(struct plan_in *in)
{
	memset(in, 0, sizeof(*in));
	in->now = 10000;
	in->cur = (struct plan_key){ OLD, old_recs, 1, 1, 100 };
	in->src = in->cur;
	in->next = (struct plan_key){ NEXT, next_recs, 1, 1, 100 };
	in->src_ok = 1;
	in->src_deployed = 1;
	in->verified = OLD;
	in->at_provider = all_recs;
	in->nat_provider = 1;
	in->published = all_recs;
	in->npublished = 1;
	in->hold = 60;
	in->next_enabled = 1;
	/* OLD and NEXT at the provider and published by us */
	static const char *const pub[] = { "_25._tcp.mx. 3 1 1 aaaa",
	    "_25._tcp.mx. 3 1 1 cccc" };
	in->at_provider = pub;
	in->nat_provider = 2;
	in->published = pub;
	in->npublished = 2;
}

static size_t
count(const struct plan *p, enum plan_kind k)
{
	size_t i, n = 0;

	for (i = 0; i < p->nacts; i++)
		n += p->acts[i].kind == k;
	return n;
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
test_settled_does_nothing(void **st)
{
	struct plan_in in;
	struct plan *p;

	(void)st;
	settled(&in);
	p = plan_make(&in);
	assert_int_equal(p->nacts, 0);
	assert_false(plan_busy(p));
	plan_free(p);
}

static void
test_genkey_when_none(void **st)
{
	struct plan_in in;
	struct plan *p;

	(void)st;
	settled(&in);
	in.next = (struct plan_key){ 0 };
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_GENKEY), 1);
	assert_null(find(p, PLAN_GENKEY)->key);
	plan_free(p);
	in.next_enabled = 0;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_GENKEY), 0);
	plan_free(p);
}

static void
test_genkey_when_next_is_current(void **st)
{
	struct plan_in in;
	struct plan *p;

	(void)st;
	settled(&in);
	in.next = in.cur;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_GENKEY), 1);
	assert_string_equal(find(p, PLAN_GENKEY)->key, OLD);
	plan_free(p);
}

static void
test_add_missing_records_once(void **st)
{
	struct plan_in in;
	struct plan *p;

	(void)st;
	settled(&in);
	in.nat_provider = 0;
	in.cur.served = in.src.served = in.next.served = 0;
	p = plan_make(&in);
	/* OLD is both current and source: added once */
	assert_int_equal(count(p, PLAN_ADD), 2);
	assert_int_equal(count(p, PLAN_UNSEE), 2);
	assert_int_equal(count(p, PLAN_DELETE), 0);
	plan_free(p);
}

static void
test_mark_seen(void **st)
{
	struct plan_in in;
	struct plan *p;
	const struct plan_action *a;

	(void)st;
	settled(&in);
	in.next.seen_at = 0;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_MARK_SEEN), 1);
	a = find(p, PLAN_MARK_SEEN);
	assert_string_equal(a->key, NEXT);
	assert_int_equal(a->until, in.now);
	plan_free(p);
}

static void
test_same_key_renewal_goes_live_at_once(void **st)
{
	struct plan_in in;
	struct plan *p;

	(void)st;
	settled(&in);
	in.src_deployed = 0;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_DEPLOY), 1);
	assert_int_equal(count(p, PLAN_RELOAD), 1);
	assert_int_equal(count(p, PLAN_VERIFY), 1);
	assert_int_equal(count(p, PLAN_WAIT), 0);
	assert_true(plan_busy(p));
	plan_free(p);
	/* records not (yet) served, as when adopting: deploy, verify later */
	in.cur.seen_at = in.src.seen_at = 0;
	in.cur.served = in.src.served = 0;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_DEPLOY), 1);
	assert_int_equal(count(p, PLAN_RELOAD), 1);
	assert_int_equal(count(p, PLAN_VERIFY), 0);
	assert_int_equal(count(p, PLAN_WAIT), 1);
	plan_free(p);
}

static void
test_reload_pending_after_crash(void **st)
{
	struct plan_in in;
	struct plan *p;

	(void)st;
	settled(&in);
	in.need_reload = 1;
	in.verified = NULL;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_DEPLOY), 0);
	assert_int_equal(count(p, PLAN_RELOAD), 1);
	assert_int_equal(count(p, PLAN_VERIFY), 1);
	plan_free(p);
}

static void
test_verify_pending(void **st)
{
	struct plan_in in;
	struct plan *p;

	(void)st;
	settled(&in);
	in.verified = NEW;
	p = plan_make(&in);
	assert_int_equal(p->nacts, 1);
	assert_int_equal(count(p, PLAN_VERIFY), 1);
	plan_free(p);
	/* adopted or failed: only once the records have been served long */
	in.cur.seen_at = in.src.seen_at = in.now - 10;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_VERIFY), 0);
	assert_int_equal(find(p, PLAN_WAIT)->until, in.now + 50);
	plan_free(p);
	in.cur.served = in.src.served = 0;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_VERIFY), 0);
	assert_int_equal(find(p, PLAN_WAIT)->until, 0);
	plan_free(p);
}

static void
test_blocked_source(void **st)
{
	struct plan_in in;
	struct plan *p;
	const struct plan_action *a;

	(void)st;
	settled(&in);
	in.src = (struct plan_key){ NEW, new_recs, 1, 1, 100 };
	in.src_ok = 0;
	in.src_why = "key does not match the certificate";
	p = plan_make(&in);
	a = find(p, PLAN_BLOCKED);
	assert_non_null(a);
	assert_non_null(strstr(a->why, "does not match"));
	assert_int_equal(count(p, PLAN_DEPLOY), 0);
	assert_false(plan_busy(p) && count(p, PLAN_ADD) == 0);
	plan_free(p);
	in.src = (struct plan_key){ 0 };
	in.src_why = NULL;
	p = plan_make(&in);
	assert_non_null(strstr(find(p, PLAN_BLOCKED)->why, "cannot be read"));
	plan_free(p);
}

static void
test_new_key_waits_for_servers(void **st)
{
	struct plan_in in;
	struct plan *p;
	const struct plan_action *a;

	(void)st;
	settled(&in);
	in.src = (struct plan_key){ NEW, new_recs, 1, 0, 0 };
	in.src_deployed = 0;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_ADD), 1);
	a = find(p, PLAN_WAIT);
	assert_non_null(a);
	assert_int_equal(a->until, 0);
	assert_int_equal(count(p, PLAN_DEPLOY), 0);
	/* never retire while a new key is pending */
	assert_int_equal(count(p, PLAN_DELETE), 0);
	plan_free(p);
}

static void
test_new_key_first_seen_waits_hold(void **st)
{
	struct plan_in in;
	struct plan *p;

	(void)st;
	settled(&in);
	in.src = (struct plan_key){ NEW, new_recs, 1, 1, 0 };
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_MARK_SEEN), 1);
	assert_int_equal(find(p, PLAN_WAIT)->until, in.now + 60);
	assert_int_equal(count(p, PLAN_DEPLOY), 0);
	plan_free(p);
}

static void
test_new_key_partial_wait_and_min_wait(void **st)
{
	struct plan_in in;
	struct plan *p;

	(void)st;
	settled(&in);
	in.src = (struct plan_key){ NEW, new_recs, 1, 1, in.now - 20 };
	p = plan_make(&in);
	assert_int_equal(find(p, PLAN_WAIT)->until, in.now + 40);
	plan_free(p);
	in.min_wait = 300;
	p = plan_make(&in);
	assert_int_equal(find(p, PLAN_WAIT)->until, in.now + 280);
	plan_free(p);
	/* a clock that went backwards counts as just seen */
	in.min_wait = 0;
	in.src.seen_at = in.now + 5;
	p = plan_make(&in);
	assert_int_equal(find(p, PLAN_WAIT)->until, in.now + 60);
	plan_free(p);
}

static void
test_new_key_goes_live_after_hold(void **st)
{
	struct plan_in in;
	struct plan *p;

	(void)st;
	settled(&in);
	in.src = (struct plan_key){ NEW, new_recs, 1, 1, in.now - 60 };
	in.src_deployed = 0;
	static const char *const prov[] = { "_25._tcp.mx. 3 1 1 aaaa",
	    "_25._tcp.mx. 3 1 1 bbbb", "_25._tcp.mx. 3 1 1 cccc" };
	in.at_provider = prov;
	in.nat_provider = 3;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_WAIT), 0);
	assert_int_equal(count(p, PLAN_DEPLOY), 1);
	assert_string_equal(find(p, PLAN_DEPLOY)->key, NEW);
	assert_int_equal(count(p, PLAN_DELETE), 0);
	plan_free(p);
}

static void
test_first_deployment_waits(void **st)
{
	struct plan_in in;
	struct plan *p;

	(void)st;
	settled(&in);
	in.cur = (struct plan_key){ 0 };
	in.verified = NULL;
	in.src.seen_at = 0;
	in.src.served = 0;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_DEPLOY), 0);
	assert_int_equal(count(p, PLAN_WAIT), 1);
	assert_non_null(strstr(find(p, PLAN_WAIT)->why, "(no) files"));
	plan_free(p);
}

static void
test_retire_old_after_verify(void **st)
{
	struct plan_in in;
	struct plan *p;
	static const char *const pub[] = { "_25._tcp.mx. 3 1 1 aaaa",
	    "_25._tcp.mx. 3 1 1 bbbb", "_25._tcp.mx. 3 1 1 cccc" };

	(void)st;
	settled(&in);
	in.cur = (struct plan_key){ NEW, new_recs, 1, 1, 100 };
	in.src = in.cur;
	in.verified = NEW;
	in.at_provider = pub;
	in.nat_provider = 3;
	in.published = pub;
	in.npublished = 3;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_DELETE), 1);
	assert_string_equal(find(p, PLAN_DELETE)->rec, "_25._tcp.mx. 3 1 1 aaaa");
	plan_free(p);
	/* not before the new key is verified */
	in.verified = OLD;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_DELETE), 0);
	assert_int_equal(count(p, PLAN_VERIFY), 1);
	plan_free(p);
	/* not while a reload is pending */
	in.verified = NEW;
	in.need_reload = 1;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_DELETE), 0);
	plan_free(p);
}

/*
 * Rule 6 on its own: nothing is retired until the current key is verified,
 * even when no other guard (a planned DEPLOY, RELOAD or VERIFY) is there:
 * the current key is deployed, its records are not served long enough to
 * verify yet (WAIT), and an old published record is at the provider.
 */
static void
test_rule6_retire_only_after_verified(void **st)
{
	struct plan_in in;
	struct plan *p;
	static const char *const pub[] = { "_25._tcp.mx. 3 1 1 aaaa",
	    "_25._tcp.mx. 3 1 1 bbbb", "_25._tcp.mx. 3 1 1 cccc" };

	(void)st;
	settled(&in);
	in.cur = (struct plan_key){ NEW, new_recs, 1, 1, in.now - 10 };
	in.src = in.cur;
	in.at_provider = pub;
	in.nat_provider = 3;
	in.published = pub;
	in.npublished = 3;
	in.verified = OLD;              /* endpoints last seen presenting OLD */
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_WAIT), 1);
	assert_int_equal(count(p, PLAN_VERIFY), 0);
	assert_int_equal(count(p, PLAN_DELETE), 0);
	assert_int_equal(count(p, PLAN_FORGET), 0);
	plan_free(p);
	in.verified = NULL;             /* never verified (adopted lineage) */
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_DELETE), 0);
	plan_free(p);
	in.verified = NEW;              /* verified: now OLD's record goes */
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_DELETE), 1);
	assert_string_equal(find(p, PLAN_DELETE)->rec, "_25._tcp.mx. 3 1 1 aaaa");
	plan_free(p);
}

static void
test_never_retire_protected_or_foreign(void **st)
{
	struct plan_in in;
	struct plan *p;
	static const char *const pub[] = { "_25._tcp.mx. 3 1 1 aaaa",
	    "_25._tcp.mx. 3 1 1 bbbb", "_25._tcp.mx. 3 1 1 cccc",
	    "_25._tcp.mx. 3 1 1 dddd" };
	static const char *const mine[] = { "_25._tcp.mx. 3 1 1 aaaa",
	    "_25._tcp.mx. 3 1 1 bbbb", "_25._tcp.mx. 3 1 1 cccc" };
	static const char *const prot[] = { "_25._tcp.mx. 3 1 1 aaaa" };

	(void)st;
	settled(&in);
	in.cur = (struct plan_key){ NEW, new_recs, 1, 1, 100 };
	in.src = in.cur;
	in.verified = NEW;
	in.at_provider = pub;
	in.nat_provider = 4;            /* dddd: another lineage's record */
	in.published = mine;
	in.npublished = 3;
	in.protect = prot;              /* an endpoint still presents aaaa */
	in.nprotect = 1;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_DELETE), 0);
	plan_free(p);
	/* the next key's record is never retired */
	in.nprotect = 0;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_DELETE), 1);
	assert_string_equal(find(p, PLAN_DELETE)->rec, "_25._tcp.mx. 3 1 1 aaaa");
	plan_free(p);
}

static void
test_forget_gone_record(void **st)
{
	struct plan_in in;
	struct plan *p;
	static const char *const pub[] = { "_25._tcp.mx. 3 1 1 aaaa",
	    "_25._tcp.mx. 3 1 1 cccc", "_25._tcp.mx. 3 1 1 dddd" };

	(void)st;
	settled(&in);
	in.published = pub;
	in.npublished = 3;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_FORGET), 1);
	assert_int_equal(count(p, PLAN_DELETE), 0);
	plan_free(p);
	(void)third_recs;
}

static void
test_prepublished_next_rollover_no_wait(void **st)
{
	struct plan_in in;
	struct plan *p;
	static const char *const pub[] = { "_25._tcp.mx. 3 1 1 aaaa",
	    "_25._tcp.mx. 3 1 1 cccc" };

	(void)st;
	settled(&in);
	in.src = in.next;               /* the ACME client used the next key */
	in.src_deployed = 0;
	in.at_provider = pub;
	in.nat_provider = 2;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_WAIT), 0);
	assert_int_equal(count(p, PLAN_DEPLOY), 1);
	assert_string_equal(find(p, PLAN_DEPLOY)->key, NEXT);
	plan_free(p);
}

static void
test_rollover_handoff(void **st)
{
	struct plan_in in;
	struct plan *p;

	(void)st;
	settled(&in);
	in.rollover_due = 1;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_HANDOFF), 1);
	assert_string_equal(find(p, PLAN_HANDOFF)->key, NEXT);
	plan_free(p);
	in.handed_off = 1;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_HANDOFF), 0);
	assert_int_equal(count(p, PLAN_WAIT), 1);
	plan_free(p);
	in.handed_off = 0;
	in.next.seen_at = in.now - 10;
	p = plan_make(&in);
	assert_int_equal(find(p, PLAN_WAIT)->until, in.now + 50);
	plan_free(p);
	in.next.served = 0;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_HANDOFF), 0);
	assert_int_equal(count(p, PLAN_WAIT), 1);
	assert_int_equal(count(p, PLAN_UNSEE), 1);
	plan_free(p);
	/* not while a new source is pending, nor without a next key */
	settled(&in);
	in.rollover_due = 1;
	in.src = (struct plan_key){ NEW, new_recs, 1, 0, 0 };
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_HANDOFF), 0);
	plan_free(p);
	settled(&in);
	in.rollover_due = 1;
	in.next_enabled = 0;
	p = plan_make(&in);
	assert_int_equal(count(p, PLAN_HANDOFF), 0);
	plan_free(p);
}

static void
test_names(void **st)
{
	(void)st;
	assert_string_equal(plan_kind_name(PLAN_DEPLOY), "deploy");
	assert_string_equal(plan_kind_name((enum plan_kind)99), "?");
	/* one past the last kind, too */
	assert_string_equal(plan_kind_name((enum plan_kind)(PLAN_HANDOFF + 1)),
	    "?");
	plan_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settled_does_nothing),
		cmocka_unit_test(test_genkey_when_none),
		cmocka_unit_test(test_genkey_when_next_is_current),
		cmocka_unit_test(test_add_missing_records_once),
		cmocka_unit_test(test_mark_seen),
		cmocka_unit_test(test_same_key_renewal_goes_live_at_once),
		cmocka_unit_test(test_reload_pending_after_crash),
		cmocka_unit_test(test_verify_pending),
		cmocka_unit_test(test_blocked_source),
		cmocka_unit_test(test_new_key_waits_for_servers),
		cmocka_unit_test(test_new_key_first_seen_waits_hold),
		cmocka_unit_test(test_new_key_partial_wait_and_min_wait),
		cmocka_unit_test(test_new_key_goes_live_after_hold),
		cmocka_unit_test(test_first_deployment_waits),
		cmocka_unit_test(test_retire_old_after_verify),
		cmocka_unit_test(test_rule6_retire_only_after_verified),
		cmocka_unit_test(test_never_retire_protected_or_foreign),
		cmocka_unit_test(test_forget_gone_record),
		cmocka_unit_test(test_prepublished_next_rollover_no_wait),
		cmocka_unit_test(test_rollover_handoff),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
