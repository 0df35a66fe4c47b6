#!/usr/bin/env bash
# daneops roll with a certbot lineage (private lab, lab/worlds/roll).
# certbot's side is played by tests/data/fake-certbot.sh on a lineage laid
# out exactly as certbot's (archive/NAME/*N.pem, live/NAME/*.pem symlinks,
# renewal/NAME.conf), so that a failing renewal can be had on demand;
# tests/e2e/roll_pebble.sh runs the real certbot against pebble.
# Checked: "roll init" sets reuse_key = True and keeps everything else,
# also without a configuration file; a hanging certbot is killed at
# certbot_timeout; a failing certbot leaves the old key
# in place, backs off (certbot_backoff, doubling), shows its error and next
# attempt in "roll status" (human and JSON), and the runs fail (exit 1)
# from max_failures failures in a row; "roll newkey --cancel"; a rollover
# hands the next key to certbot ("renew --force-renewal --reuse-key
# --cert-name NAME --config-dir CERTBOT_DIR" after the next key is written
# where live/NAME/privkey.pem points) and the new certificate goes live in
# the same run without waiting.  Kills inside certbot: roll_crash.sh.
. "$DANEOPS_TOP/tests/lib.sh"
. "$DANEOPS_TOP/tests/data/roll-lib.sh"
roll_lab_start
# backoff 60 s (the test moves it to the past), doubling; the runs fail
# from the second failure in a row
roll_conf "$(printf 'certbot_backoff = 60\nmax_failures = 2\ncertbot_timeout = 3')"
roll_fake_certbot roll "$LAB_PKI/roll-ec.key" "$LAB_PKI/roll-ec.crt"
cp "$LE/renewal/roll.conf" "$TMP/renewal.orig"

# --- roll init
expect_output 'reuse_key = True' "roll init sets reuse_key" roll init roll
diff "$TMP/renewal.orig" "$LE/renewal/roll.conf" >"$TMP/diff"
is "$(grep -c '^[<>]' "$TMP/diff")" 2 "only the reuse_key line changed"
grep -q '^> reuse_key = True$' "$TMP/diff" && pass "reuse_key = True" || fail "reuse_key = True"
is "$(stat -c %a "$LE/renewal/roll.conf")" 644 "the renewal file keeps its mode"
cp "$LE/renewal/roll.conf" "$TMP/renewal.1"
check "roll init again" roll init roll
cmp -s "$TMP/renewal.1" "$LE/renewal/roll.conf" && pass "init is idempotent" ||
	fail "init is idempotent"
sed -i '/^reuse_key/d' "$LE/renewal/roll.conf"
check "roll init without a reuse_key line" roll init roll
grep -q '^reuse_key = True$' "$LE/renewal/roll.conf" && pass "reuse_key added" ||
	fail "reuse_key added"
expect_status 3 "roll init of a lineage certbot does not know" roll init nosuch

# --- settle, then a rollover through certbot
check "certbot lineage settles" roll_settle
invariant "settled"
next=$(spki "$RD/state/ec/next.key")
old=$(spki "$LE/live/roll/privkey.pem")
check "roll newkey" roll newkey ec

# --- a failing certbot: the old key back, backoff, then the runs fail
ncalls() { wc -l <"$LE/calls.log"; }
FAKE_CERTBOT_FAIL=1 roll run >"$TMP/fail" 2>&1
is "$?" 75 "a failing certbot: exit 75 (the next run retries)"
grep -q "renew --force-renewal --reuse-key --cert-name roll' failed (exit 1: fake certbot: ACME error); the saved key is back in place; failure 1 of 2" "$TMP/fail" &&
	pass "the message names the certbot command, its stderr and the count" ||
	fail "the message names the certbot command, its stderr and the count" "$(cat "$TMP/fail")"
tail -1 "$LE/calls.log" | grep -q -- "--config-dir $LE" &&
	pass "certbot_dir is passed as --config-dir" || fail "certbot_dir is passed as --config-dir"
is "$(spki "$LE/live/roll/privkey.pem")" "$old" "a failing certbot: the old key is back"
grep -q '"handoff": null' "$RD/state/ec/state.json" && pass "the journal is closed" ||
	fail "the journal is closed" "$(cat "$RD/state/ec/state.json")"
invariant "failed hand-off"
expect_output 'hand-off failed 1 time in a row .*next attempt after 20.*last error: .*fake certbot: ACME error' \
	"roll status shows the failure, the next attempt and the last error" roll status
roll status --json >"$TMP/status.json" 2>&1
python3 -c '
import json, sys, time
l = json.load(open(sys.argv[1]))["lineages"][0]
assert l["failures"] == 1, l
assert "ACME error" in l["last_error"] and l["error"] == l["last_error"], l
assert l["next_attempt"] > time.time() - 5, l
' "$TMP/status.json" && pass "status --json: failures, last_error, error, next_attempt" ||
	fail "status --json: failures, last_error, error, next_attempt" "$(head -c 900 "$TMP/status.json")"
n=$(ncalls)
FAKE_CERTBOT_FAIL=1 roll run >"$TMP/backoff" 2>&1
is "$?" 0 "during the backoff: the run only waits (exit 0)"
grep -q 'certbot failed 1 time in a row, next attempt in [0-9]* s (backoff)' "$TMP/backoff" &&
	pass "the plan says it backs off" || fail "the plan says it backs off" "$(cat "$TMP/backoff")"
is "$(ncalls)" "$n" "certbot is not run during the backoff"
roll_backoff_over ec
FAKE_CERTBOT_FAIL=1 roll run >"$TMP/fail2" 2>&1
is "$?" 1 "max_failures failures in a row: the run fails (exit 1)"
grep -q 'the hand-off failed 2 times in a row (max_failures 2)' "$TMP/fail2" &&
	pass "and says why" || fail "and says why" "$(cat "$TMP/fail2")"
expect_status 1 "the runs keep failing during the backoff (120 s now)" roll run
last_output | grep -q 'certbot failed 2 times in a row, next attempt in 1[12][0-9] s (backoff)' &&
	pass "the backoff doubled" || fail "the backoff doubled" "$(last_output)"
expect_output 'rollover cancelled' "roll newkey --cancel" roll newkey ec --cancel
expect_status 0 "after the cancel the run succeeds" roll run
last_output | grep -q 'handoff\|backoff' && fail "no hand-off after the cancel" "$(last_output)" ||
	pass "no hand-off after the cancel"
roll status --json | python3 -c 'import json,sys; l=json.load(sys.stdin)["lineages"][0]; sys.exit(l["failures"] != 0 or l["error"] is not None)' &&
	pass "the cancel clears the failures" || fail "the cancel clears the failures"
expect_output 'no rollover to cancel' "a second cancel: nothing to cancel" roll newkey ec --cancel
is "$(spki "$LE/live/roll/privkey.pem")" "$old" "certbot's key is the old one"
check "roll newkey again" roll newkey ec

# --- a hanging certbot is killed with its process group at certbot_timeout
touch "$LE/hang"
start=$SECONDS
roll run >"$TMP/hang" 2>&1
is "$?" 75 "a hanging certbot: exit 75"
[ $((SECONDS - start)) -lt 30 ] && pass "killed at certbot_timeout, not after its 120 s" ||
	fail "killed at certbot_timeout, not after its 120 s"
grep -q "failed (killed after the 3 s deadline); the saved key is back in place; failure 1 of 2" "$TMP/hang" &&
	pass "the run says certbot was killed at its deadline" ||
	fail "the run says certbot was killed at its deadline" "$(cat "$TMP/hang")"
is "$(spki "$LE/live/roll/privkey.pem")" "$old" "a killed certbot: the old key is back"
invariant "certbot killed at its deadline"
roll_backoff_over ec
roll run >"$TMP/roll" 2>&1
is "$?" 0 "the rollover run succeeds"
grep -q 'done: handoff' "$TMP/roll" && grep -q 'done: deploy: new key' "$TMP/roll" &&
	! grep -q 'wait until 20' "$TMP/roll" &&
	pass "handed to certbot and live in the same run, without waiting" ||
	fail "handed to certbot and live in the same run, without waiting" "$(cat "$TMP/roll")"
tail -1 "$LE/calls.log" | grep -q -- "--force-renewal --reuse-key --non-interactive --no-random-sleep-on-renew --cert-name roll --config-dir $LE\$" &&
	pass "certbot called with --force-renewal --reuse-key" || fail "certbot called with --force-renewal --reuse-key"
is "$(spki "$LE/live/roll/cert.pem")" "$next" "certbot's new certificate is for the next key"
is "$(spki "$RD/deploy-ec/key.pem")" "$next" "the next key is deployed"
is "$(readlink "$LE/live/roll/cert.pem")" "../../archive/roll/cert2.pem" "certbot's lineage moved to version 2"
invariant "certbot rollover"
check "settles after the rollover" roll_settle
expect_output 'too late to cancel|no rollover to cancel' "nothing to cancel after the rollover" roll newkey ec --cancel

# --- roll init without a configuration file
sed -i '/^reuse_key/d' "$LE/renewal/roll.conf"
lx "$DANEOPS" roll init roll --config "$RD/no-such.conf" --certbot-dir "$LE" >"$TMP/init" 2>&1
is "$?" 0 "roll init without a daneops.conf"
grep -q '^reuse_key = True$' "$LE/renewal/roll.conf" && pass "...sets reuse_key" ||
	fail "...sets reuse_key" "$(cat "$TMP/init")"
expect_status 3 "roll plan without a daneops.conf still fails" lx "$DANEOPS" roll plan --config "$RD/no-such.conf"
retire_guard_ok
done_testing
