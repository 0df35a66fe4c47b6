#!/usr/bin/env bash
# daneops roll killed at every step and resumed (private lab, see
# lab/worlds/roll): after adoption, a renewal with a new key and a
# pre-published next-key rollover, driven by runs that each crash at the
# first step they reach that has not crashed yet (DANEOPS_ROLL_CRASH_AT;
# docs/roll.md lists the steps; the process _exit(99)s right after the
# step, before anything else is saved).
# After every crash the invariant is checked: every live endpoint presents
# a key that a published, validated record matches; at the end the
# lineage is settled exactly as without crashes.
#
# Then, on a certbot lineage (tests/data/fake-certbot.sh), rollovers killed
# inside certbot (before it writes, between its archive files and its
# links, after it is done), inside the reload command (SIGKILL to daneops
# and the child's process group at once: the kill hooks of
# fake-certbot.sh and roll-lib.sh's reload command), and at the crash
# points of the journaled hand-off (handoff-begin, handoff-key, handoff):
# the next run finishes each rollover.
#
# The ACME client is simulated: new key/fullchain files, issued by the lab
# CA with openssl, are written into the source directory (roll_issue).
. "$DANEOPS_TOP/tests/lib.sh"
. "$DANEOPS_TOP/tests/data/roll-lib.sh"
roll_lab_start
roll_conf

steps=(genkey add mark-seen deploy-begin deploy reload verify delete handoff)
declare -A crashed
inv_failed=0

# The steps not crashed at yet, comma-separated ("none" when all have).
pending() {
	local s out=
	for s in "${steps[@]}"; do
		[ -n "${crashed[$s]:-}" ] || out=$out${out:+,}$s
	done
	echo "${out:-none}"
}

# drive PHASE: run until settled; every run crashes at the first step it
# reaches that has not crashed yet, and the invariant is checked after it.
drive() {
	local phase=$1 i step rc
	for i in $(seq 1 60); do
		: >"$TMP/crash.log"
		DANEOPS_ROLL_CRASH_AT=$(pending) DANEOPS_ROLL_CRASH_LOG=$TMP/crash.log \
			roll run >"$TMP/run" 2>&1
		rc=$?
		if [ "$rc" = 99 ]; then
			step=$(cat "$TMP/crash.log")
			crashed[$step]=$(( ${crashed[$step]:-0} + 1 ))
			if ! lx "$DANEOPS" check --host mx.roll.test --port 25 \
			    --trust-anchor "$LAB_TA" --resolver-conf "$LAB_RESOLVER_CONF" --resolver "$LAB_RESOLVER" \
			    >"$TMP/inv" 2>&1; then
				inv_failed=$((inv_failed + 1))
				echo "# invariant broken after a crash at $step ($phase):"
				sed 's/^/#   /' "$TMP/inv" | head -8
			fi
			continue
		fi
		if [ "$rc" != 0 ]; then
			echo "# $phase: run exited $rc:"; sed 's/^/#   /' "$TMP/run"
			return 1
		fi
		grep -q 'done:\|wait' "$TMP/run" || return 0
		roll_sync_ns2
		grep -q 'wait until 20' "$TMP/run" && sleep 1
	done
	return 1
}

# DANE is established first (before, with no records, the invariant cannot
# hold); tests/e2e/roll.sh covers adoption itself.
check "adoption" roll_settle
invariant "adoption"
cur=$(spki "$RD/deploy-ec/key.pem")

roll_issue ec new
newk=$(spki "$RD/src-ec/key.pem")
drive new-key; _tap_result $? "new-key renewal, crashing at every step"
invariant "new-key renewal"
is "$(spki "$RD/deploy-ec/key.pem")" "$newk" "the new key is deployed"

expect_output 'rollover requested' "roll newkey" roll newkey ec
next=$(spki "$RD/state/ec/next.key")
# The "ACME client" uses the next key once daneops has handed it over.
acme() {
	if grep -q '"handed_off": true' "$RD/state/ec/state.json" &&
	    [ "$(spki "$RD/src-ec/key.pem")" != "$next" ]; then
		roll_issue ec "$RD/state/ec/next.key"
	fi
}
for i in $(seq 1 20); do
	acme
	drive rollover && [ "$(spki "$RD/deploy-ec/key.pem")" = "$next" ] && break
done
is "$(spki "$RD/deploy-ec/key.pem")" "$next" "rollover to the next key done"
invariant "rollover"
check "settled" roll_settle
roll_sync_ns2
next2=$(spki "$RD/state/ec/next.key")
is "$(served)" "$(printf '3 1 1 %s\n3 1 1 %s\n' "$next" "$next2" | sort)" \
	"served: current and next only, as without crashes"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$RD/state/ec/state.json" &&
	pass "state file intact" || fail "state file intact"
is "$inv_failed" 0 "the invariant held after every crash"
for s in "${steps[@]}"; do
	[ "${crashed[$s]:-0}" -gt 0 ] && pass "crashed at least once at '$s'" ||
		fail "crashed at least once at '$s'"
done
echo "# crashes: $(for s in "${steps[@]}"; do printf '%s=%s ' "$s" "${crashed[$s]:-0}"; done)"

# --- kills inside certbot and inside reload, and crashes in the hand-off
# The lineage becomes a certbot lineage (tests/data/fake-certbot.sh) that
# holds the key the services use; each rollover below is killed once: by
# the kill hooks of fake-certbot.sh and the reload command (SIGKILL to
# daneops and the child's whole process group at once, as systemctl stop
# or a reboot does), or at a crash point of the journaled hand-off.  The
# next run, not killed, must finish the rollover.
roll_fake_certbot roll "$RD/src-ec/key.pem" "$RD/src-ec/fullchain.pem"
check "the certbot lineage (same key) settles" roll_settle
invariant "certbot lineage"

# killed_rollover HOW: HOW is certbot:start|mid|end, reload, or crash:STEP.
killed_rollover() {
	local how=$1 nxt rc i
	nxt=$(spki "$RD/state/ec/next.key")
	roll newkey ec >/dev/null
	case $how in
	certbot:*) echo "${how#certbot:}" >"$LE/kill-at" ;;
	reload) touch "$RD/reload-kill" ;;
	esac
	for i in $(seq 1 20); do
		if [ "${how%%:*}" = crash ]; then
			DANEOPS_ROLL_CRASH_AT=${how#crash:} roll run >"$TMP/run" 2>&1
		else
			roll run >"$TMP/run" 2>&1
		fi
		rc=$?
		[ "$rc" = 0 ] || break
		roll_sync_ns2
		sleep 1
	done
	case $how in
	crash:*) is "$rc" 99 "$how: the run crashed there" ;;
	*) is "$rc" 137 "$how: daneops and the child's process group were SIGKILLed" ;;
	esac
	invariant "a kill at $how"
	roll run >"$TMP/resume" 2>&1
	_tap_result $? "$how: the next run succeeds" "$TMP/resume"
	case $how in
	certbot:start|certbot:mid|crash:handoff-begin|crash:handoff-key)
		grep -q 'done: handoff: undid the hand-off' "$TMP/resume" ;;
	certbot:end|crash:handoff)
		grep -q 'done: handoff: finished the hand-off' "$TMP/resume" ;;
	reload) grep -q 'done: reload' "$TMP/resume" ;;
	esac
	_tap_result $? "$how: the next run says what it resumed" "$TMP/resume"
	is "$(spki "$RD/deploy-ec/key.pem")" "$nxt" "$how: the next run finished the rollover"
	is "$(spki "$LE/live/roll/cert.pem")" "$nxt" "$how: certbot's certificate is for the next key"
	invariant "the rollover after a kill at $how"
	check "$how: settles" roll_settle
	roll_sync_ns2
}

for how in certbot:start certbot:mid certbot:end reload crash:handoff-begin \
    crash:handoff-key crash:handoff; do
	killed_rollover "$how"
done
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$RD/state/ec/state.json" &&
	pass "state file intact after the kills" || fail "state file intact after the kills"

retire_guard_ok
done_testing
