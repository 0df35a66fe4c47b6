#!/usr/bin/env bash
# daneops roll with a DNS provider that fails, then recovers (private lab,
# lab/worlds/roll): the rfc2136 provider talks to 127.0.5.54, a
# transparent relay to the lab's Knot (tests/servers/dns_relay.py) that the
# test stops and starts.  While it is down a run retries inside the
# provider, then stops with exit 75, a message saying what failed, the
# state file intact and the services' files untouched; once it is up again
# the next runs carry on to the same end as without the failure.
#
# The ACME client is simulated: new key/fullchain files, issued by the lab
# CA with openssl, are written into the source directory (roll_issue).
. "$DANEOPS_TOP/tests/lib.sh"
. "$DANEOPS_TOP/tests/data/roll-lib.sh"
roll_lab_start
ROLL_SERVER=127.0.5.54
roll_conf

relay_pid=
relay_up() {
	lx python3 "$DANEOPS_TOP/tests/servers/dns_relay.py" 127.0.5.54 "$LAB_AUTH" \
		>"$TMP/relay.log" 2>&1 &
	relay_pid=$!
	for _ in $(seq 50); do
		grep -q listening "$TMP/relay.log" && return 0
		sleep 0.1
	done
	return 1
}
relay_down() {
	local pid
	pid=$(awk '/^listening/ { print $2 }' "$TMP/relay.log" 2>/dev/null)
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	[ -n "$relay_pid" ] && wait "$relay_pid" 2>/dev/null
	relay_pid=
	: >"$TMP/relay.log"
	sleep 0.2
}
trap 'relay_down; roll_lab_stop; rm -rf "$TMP"' EXIT

# --- down from the start: nothing happens, exit 75, the reason is named
expect_status 75 "provider down: the run exits 75" roll run
last_output | grep -q 'rfc2136 provider: server 127.0.5.54.*retries exhausted.*state saved' &&
	pass "the message names the server and says the state is saved" ||
	fail "the message names the server and says the state is saved" "$(last_output)"
check "relay up" relay_up
check "provider back: the lineage settles" roll_settle
invariant "recovery"
cur=$(spki "$RD/deploy-ec/key.pem")

# --- down in the middle of a rollover
roll_issue ec new
newk=$(spki "$RD/src-ec/key.pem")
relay_down
cp "$RD/state/ec/state.json" "$TMP/state.before"
expect_status 75 "provider down during a renewal: exit 75" roll run
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$RD/state/ec/state.json" &&
	pass "state file intact" || fail "state file intact"
[ "$(spki "$RD/deploy-ec/key.pem")" = "$cur" ] && pass "old files stay deployed" ||
	fail "old files stay deployed"
invariant "provider failure"
check "relay up again" relay_up
check "the renewal proceeds" roll_settle
sleep 5
check "and completes" roll_settle
is "$(spki "$RD/deploy-ec/key.pem")" "$newk" "the new key is deployed"
roll_sync_ns2
served | grep -q "$cur" && fail "old record retired" || pass "old record retired"
invariant "the end"
retire_guard_ok
done_testing
