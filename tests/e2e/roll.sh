#!/usr/bin/env bash
# daneops roll end to end, on a private lab (lab/worlds/roll):
# adoption, a renewal with the same key (live at once), a renewal with a new
# key while the second authoritative server lags (waits for it, then for
# the hold time, then goes live, then retires the old record), a
# pre-published next-key rollover (no wait), RSA and ECDSA lineages side by
# side, two runs at once (the second exits 75 naming the holder), a
# hanging reload (killed with its process group at reload_timeout), a
# blocked lineage (exit 1), and adopting a running server without a gap.
# After every step: every live endpoint presents a key that a published,
# validated record matches (daneops check).
#
# The ACME client is simulated: new key/fullchain files, issued by the lab
# CA with openssl, are written into the source directory (roll_issue).
. "$DANEOPS_TOP/tests/lib.sh"
. "$DANEOPS_TOP/tests/data/roll-lib.sh"
roll_lab_start
roll_conf

# --- adoption: the services already read deploy-ec; records get published
expect_output 'add _25._tcp.mx.roll.test. 3 1 1' "plan lists the records to add" roll plan
expect_status 0 "first run publishes and waits for ns2" roll run
last_output | grep -q 'waiting until every authoritative server' &&
	pass "first run waits for every authoritative server" ||
	fail "first run waits for every authoritative server" "$(last_output)"
check "roll_settle: adopted lineage verified" roll_settle
invariant "adoption"
cur=$(spki "$RD/deploy-ec/key.pem")
next=$(spki "$RD/state/ec/next.key")
is "$(served)" "$(printf '3 1 1 %s\n3 1 1 %s\n' "$cur" "$next" | sort)" \
	"current and next records published"
is "$(stat -c %a "$RD/state/ec/next.key")" 600 "next.key is mode 0600"
expect_output 'nothing to do' "a run after success does nothing" roll run

# --- renewal with the same key: live at once
roll_issue ec same
before=$(sha256sum <"$RD/deploy-ec/chain.pem")
echo "input for daneops, not for its hooks" >"$TMP/stdin"
: >"$RD/reload-stdin"
expect_output 'done: deploy: renewal with the same key' "same key: deployed at once" \
	roll run <"$TMP/stdin"
is "$(cat "$RD/reload-stdin")" "" "the reload command does not inherit daneops's stdin"
after=$(sha256sum <"$RD/deploy-ec/chain.pem")
[ "$before" != "$after" ] && pass "same key: the new chain is deployed" ||
	fail "same key: the new chain is deployed"
cmp -s "$RD/src-ec/fullchain.pem" "$RD/deploy-ec/chain.pem" &&
	pass "deployed chain = source chain" || fail "deployed chain = source chain"
cat "$RD/deploy-ec/key.pem" "$RD/deploy-ec/chain.pem" | cmp -s - "$RD/deploy-ec/combined.pem" &&
	pass "combined file = key + chain" || fail "combined file = key + chain"
invariant "same-key renewal"

# --- renewal with a new key while ns2 lags
roll_issue ec new
newk=$(spki "$RD/src-ec/key.pem")
expect_output "waiting until every authoritative server serves its records" \
	"new key: waits for every authoritative server" roll run
expect_output "server ns2.roll.test. \(127.0.5.53\):$" "status shows ns2 lagging" roll status
cmp -s "$RD/src-ec/key.pem" "$RD/deploy-ec/key.pem" &&
	fail "new key: old files stay deployed" || pass "new key: old files stay deployed"
invariant "new key published, ns2 lagging"
expect_output "waiting until every authoritative server" "still waits while ns2 lags" roll run
roll_sync_ns2
expect_output "wait until 20.*waiting [0-9]+ s more" "then waits the hold time, with a time" roll run
cmp -s "$RD/src-ec/key.pem" "$RD/deploy-ec/key.pem" &&
	fail "new key: not deployed during the hold" || pass "new key: not deployed during the hold"
roll status --json >"$TMP/status.json" 2>&1
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
l = d["lineages"][0]
assert l["name"] == "ec"
assert l["source"] != l["current"]
assert any(a["action"] == "wait" and a["until"] for a in l["plan"]), l["plan"]
assert len(l["authoritative"]) == 2
' "$TMP/status.json" && pass "status --json: waits with an until, two servers" ||
	fail "status --json: waits with an until, two servers" "$(head -c 600 "$TMP/status.json")"
invariant "hold time"
sleep 5
expect_output 'done: deploy: new key' "after the hold: deployed" roll run
last_output >"$TMP/newkey-run"
grep -q "done: delete _25._tcp.mx.roll.test. 3 1 1 $cur" "$TMP/newkey-run" &&
	pass "old record retired after verification" ||
	fail "old record retired after verification" "$(cat "$TMP/newkey-run")"
grep -n 'done: verify\|done: delete' "$TMP/newkey-run" | head -2 | tr '\n' ' ' |
	grep -q 'verify.*delete' && pass "retired only after verify" || fail "retired only after verify"
cmp -s "$RD/src-ec/key.pem" "$RD/deploy-ec/key.pem" && pass "new key deployed" ||
	fail "new key deployed"
invariant "new-key renewal"
roll_sync_ns2
is "$(served)" "$(printf '3 1 1 %s\n3 1 1 %s\n' "$newk" "$next" | sort)" \
	"served: new current + next, old gone"

# --- pre-published next key rollover: no wait
expect_output 'rollover requested' "roll newkey" roll newkey ec
expect_output 'done: handoff' "run hands the next key over" roll run
expect_output "handed to the ACME client" "then waits for the ACME client" roll run
roll_issue ec "$RD/state/ec/next.key"
roll run >"$TMP/roll-next" 2>&1
grep -q 'done: deploy: new key' "$TMP/roll-next" && ! grep -q 'wait until' "$TMP/roll-next" &&
	pass "next key goes live in the same run, no wait" ||
	fail "next key goes live in the same run, no wait" "$(cat "$TMP/roll-next")"
grep -q 'done: genkey: the next key' "$TMP/roll-next" &&
	pass "a new next key is made" || fail "a new next key is made"
next2=$(spki "$RD/state/ec/next.key")
[ "$next2" != "$next" ] && pass "next key replaced" || fail "next key replaced"
invariant "next-key rollover"
check "roll_settle after the rollover" roll_settle
roll_sync_ns2
is "$(served)" "$(printf '3 1 1 %s\n3 1 1 %s\n' "$next" "$next2" | sort)" \
	"served: old next is current, new next published, the rest retired"

# --- two runs at once: the second exits 75 naming the holder
echo 3 >"$RD/reload-delay"
roll_issue ec same
roll run >"$TMP/first" 2>&1 &
first=$!
sleep 1
expect_status 75 "a second run exits 75" roll run
last_output | grep -q 'another run holds the lock (pid [0-9]* started' &&
	pass "the message names the holder" || fail "the message names the holder" "$(last_output)"
wait $first && pass "the first run finishes" || fail "the first run finishes" "$(cat "$TMP/first")"
rm -f "$RD/reload-delay"
invariant "concurrent runs"

# --- a hanging reload is killed with its process group at reload_timeout
roll_conf "reload_timeout = 2"
echo 120 >"$RD/reload-delay"
roll_issue ec same
start=$SECONDS
expect_status 3 "a hanging reload: the run fails (exit 3)" roll run
took=$((SECONDS - start))
last_output | grep -q "reload: $RD/reload.sh: killed after the 2 s deadline; the command and its process group were killed (reload_timeout)" &&
	pass "the run says the reload was killed at its deadline" ||
	fail "the run says the reload was killed at its deadline" "$(last_output)"
[ "$took" -lt 20 ] && pass "killed at the deadline, not after the reload's 120 s ($took s)" ||
	fail "killed at the deadline, not after the reload's 120 s ($took s)"
gone() { ! kill -0 "$1" 2>/dev/null || ps -o stat= -p "$1" | grep -q Z; }
for _ in $(seq 20); do gone "$(cat "$RD/reload-sleep.pid")" && break; sleep 0.1; done
gone "$(cat "$RD/reload-sleep.pid")" && pass "the reload's child is killed too" ||
	fail "the reload's child is killed too" "$(ps -o pid,stat,pgid,cmd -p "$(cat "$RD/reload-sleep.pid")")"
rm -f "$RD/reload-delay"
expect_output 'done: reload' "the next run gets the lock and reloads" roll run
invariant "killed reload"

# --- RSA and ECDSA lineages side by side on the same names
roll_conf
cat >>"$CONF" <<CONF
[lineage rsa]
source_key = $RD/src-rsa/key.pem
source_chain = $RD/src-rsa/fullchain.pem
deploy_key = $RD/deploy-rsa/key.pem
deploy_chain = $RD/deploy-rsa/chain.pem
tlsa = _25._tcp.mx.roll.test
ttl = 2
key_type = rsa
provider = lab
reload = $RD/reload.sh
CONF
check "both lineages settle" roll_settle
rsak=$(spki "$RD/deploy-rsa/key.pem")
served >"$TMP/both"
grep -q "$rsak" "$TMP/both" && grep -q "$next" "$TMP/both" &&
	pass "both lineages' records published" || fail "both lineages' records published" "$(cat "$TMP/both")"
roll_issue rsa new
check "rsa new key rolls in" roll_settle
sleep 5
check "rsa settles after the hold" roll_settle
roll_sync_ns2
served >"$TMP/both"
grep -q "$next" "$TMP/both" && grep -q "$next2" "$TMP/both" &&
	pass "the ec lineage's records survive the rsa rollover" ||
	fail "the ec lineage's records survive the rsa rollover" "$(cat "$TMP/both")"
grep -q "$rsak" "$TMP/both" && fail "old rsa record retired" || pass "old rsa record retired"
invariant "side by side"

# --- the source must be valid before anything goes live
cp "$RD/src-rsa/key.pem" "$TMP/rsa.key.save"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$RD/src-rsa/key.pem" 2>/dev/null
expect_output 'blocked: the source may not go live: .*does not match the certificate' \
	"a key that does not match its certificate is blocked" roll plan
expect_status 1 "a blocked lineage: roll run exits 1 (the timer unit shows it)" roll run
last_output | grep -q 'lineage rsa is blocked' && pass "...and says which lineage" ||
	fail "...and says which lineage" "$(last_output)"
cp "$TMP/rsa.key.save" "$RD/src-rsa/key.pem"

# --- a damaged state file is an error naming it, never a reset
cp "$RD/state/ec/state.json" "$TMP/state.save"
echo '{"version": 1, "current": "ab' >"$RD/state/ec/state.json"
expect_status 3 "a damaged state file: exit 3" roll run
last_output | grep -q "$RD/state/ec/state.json:.*damaged state file" &&
	pass "the message names the state file" || fail "the message names the state file" "$(last_output)"
cp "$TMP/state.save" "$RD/state/ec/state.json"

# --- an over-long configuration line is an error with its line number
: >"$TMP/empty.conf"
expect_status 3 "roll plan --config EMPTYFILE: exit 3 (issue 12)" "$DANEOPS" roll plan --config "$TMP/empty.conf"
expect_output "empty.conf: no \\[lineage NAME\\] section" "and says why" "$DANEOPS" roll plan --config "$TMP/empty.conf"
expect_status 3 "roll plan --config DIR: exit 3" "$DANEOPS" roll plan --config "$TMP"
# A configuration without lineages (the package's example): run has nothing
# to do and says so, exit 0 (a timer or certbot hook is not failing).
printf '[daneops]\nstate_dir = %s\n' "$TMP/idle" >"$TMP/idle.conf"
expect_status 0 "roll run with no lineage: nothing to do, exit 0" "$DANEOPS" roll run --config "$TMP/idle.conf"
expect_output "idle.conf: no \\[lineage NAME\\] section: nothing to roll" "and says so" \
	"$DANEOPS" roll run --config "$TMP/idle.conf"
cp "$CONF" "$TMP/conf.save"
printf 'reload = /usr/sbin/%0250d\n' 0 >>"$CONF"
n=$(wc -l <"$CONF")
expect_output "$CONF:$n: line longer than 198 bytes" "an over-long line is reported, not truncated" roll plan
cp "$TMP/conf.save" "$CONF"
expect_output 'nothing to do' "all settled at the end" roll run

# --- rollover_days: a rollover starts on its own once it is due
roll_conf "rollover_days = 1"
python3 - "$RD/state/ec/state.json" <<'PY'
import json, sys, time
d = json.load(open(sys.argv[1]))
d["last_rollover"] = int(time.time()) - 2 * 86400
json.dump(d, open(sys.argv[1], "w"))
PY
expect_output 'done: handoff: rollover due' "rollover_days: the next key is handed over when due" roll run
roll_issue ec "$RD/state/ec/next.key"
check "the scheduled rollover completes" roll_settle
python3 -c 'import json,sys,time; d=json.load(open(sys.argv[1])); sys.exit(time.time() - d["last_rollover"] > 60)' \
	"$RD/state/ec/state.json" && pass "the schedule starts again" || fail "the schedule starts again"
invariant "scheduled rollover"

# --- adopting a running server without a gap: a new lineage (state, deploy
# paths) whose service still reads other files (here: deploy-ec) that hold
# the source's key.  Nothing is deployed yet; the endpoints present the
# source's key already, so it goes out in the first run, without a hold.
roll_conf
sed -i -e "s|^state_dir = .*|state_dir = $RD/state-adopt|" -e "s|/deploy-ec/|/deploy-adopt/|" "$CONF"
mkdir -p "$RD/deploy-adopt"
cmp -s "$RD/src-ec/key.pem" "$RD/deploy-ec/key.pem" && pass "(the server presents the source's key)" ||
	fail "(the server presents the source's key)"
expect_output "adopt: no deployed files yet, and every endpoint presents the source's key" \
	"plan: the key the server presents is adopted" roll plan
expect_output 'done: deploy: ' "adoption: deployed in the first run, without a hold" roll run
cmp -s "$RD/src-ec/key.pem" "$RD/deploy-adopt/key.pem" && pass "adoption: the deployed key is the source's" ||
	fail "adoption: the deployed key is the source's"
check "the adopted lineage settles" roll_settle
invariant "adoption of a running server"

retire_guard_ok
done_testing
