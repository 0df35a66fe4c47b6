#!/usr/bin/env bash
# daneops roll with the real certbot against a local ACME server: Debian's
# pebble (RFC 8555 test server) inside a private lab (lab/worlds/roll).
# pebble validates http-01 at mx.roll.test:5002 through the lab resolver;
# certbot's standalone authenticator answers there.  Checked: "roll init"
# sets reuse_key on a lineage certbot made; a renewal by certbot keeps the
# key and goes live at once; a rollover hands the pre-published next key
# to certbot ("certbot renew --force-renewal --reuse-key" after the next key
# is written where live/NAME/privkey.pem points) and certbot's new
# certificate, for the next key, goes live in the same run.  "roll init"
# works without a configuration file; certbot_dir, certbot_work_dir and
# certbot_logs_dir reach certbot; a failing certbot (its http-01 port
# taken) backs off, shows in "roll status", fails the runs from
# max_failures on, and the rollover completes once certbot works; daneops
# and certbot killed before and after certbot's run: the next run finishes.
# Skips when certbot or pebble is not installed (scripts/packages.txt).
. "$DANEOPS_TOP/tests/lib.sh"
if ! command -v certbot >/dev/null || ! command -v pebble >/dev/null; then
	echo "ok 1 # SKIP certbot or pebble not installed"
	echo "1..1"
	exit 0
fi
. "$DANEOPS_TOP/tests/data/roll-lib.sh"
roll_lab_start
LE=$RD/le
mkdir -p "$LE"
roll_pebble_start
# The test's own certbot calls: its directories and pebble's self-signed
# listener.  daneops's: only the latter (daneops passes certbot_dir,
# certbot_work_dir and certbot_logs_dir through), with a kill hook: a file
# kill-before or kill-after makes it SIGKILL daneops and its own process
# group before certbot runs or after certbot is done.
cat >"$RD/certbot-test" <<EOF
#!/bin/sh
exec certbot "\$@" --config-dir "$LE" --work-dir "$RD/certbot-work" \\
	--logs-dir "$RD/certbot-logs" --no-verify-ssl
EOF
cat >"$RD/certbot" <<EOF
#!/bin/sh
if [ -f "$RD/kill-before" ]; then rm -f "$RD/kill-before"; kill -KILL \$PPID 0; fi
certbot "\$@" --no-verify-ssl
rc=\$?
if [ -f "$RD/kill-after" ]; then rm -f "$RD/kill-after"; kill -KILL \$PPID 0; fi
exit \$rc
EOF
chmod 755 "$RD/certbot" "$RD/certbot-test"
check "certbot gets a certificate from pebble" lx "$RD/certbot-test" certonly \
	--server https://127.0.6.1:14000/dir --standalone --http-01-port 5002 \
	-d mx.roll.test --key-type ecdsa --agree-tos --register-unsafely-without-email \
	--non-interactive
roll_pebble_ca

roll_conf
sed -i -e "/^source_key/d" -e "s|^source_chain = .*|certbot = mx.roll.test|" \
	-e "s|^ca_file = .*|ca_file = $P/ca.pem|" "$CONF"
sed -i "s|^\[daneops\]|[daneops]\ncertbot_dir = $LE\ncertbot_work_dir = $RD/certbot-work\ncertbot_logs_dir = $RD/certbot-logs\ncertbot_command = $RD/certbot|" "$CONF"
expect_output 'reuse_key = True' "roll init without a daneops.conf" \
	lx "$DANEOPS" roll init mx.roll.test --config "$RD/no-such.conf" --certbot-dir "$LE"
grep -q '^reuse_key = True$' "$LE/renewal/mx.roll.test.conf" &&
	grep -q '^authenticator = standalone$' "$LE/renewal/mx.roll.test.conf" &&
	pass "reuse_key set, the rest kept" || fail "reuse_key set, the rest kept"

# certbot's key is new to the services: it rolls in like any new key
check "certbot's certificate rolls in" roll_settle
sleep 5
check "and settles" roll_settle
key1=$(spki "$LE/live/mx.roll.test/privkey.pem")
is "$(spki "$RD/deploy-ec/key.pem")" "$key1" "certbot's key is deployed"
invariant "first certbot certificate"

# a renewal by certbot (reuse_key): the same key, live at once
check "certbot renews" lx "$RD/certbot-test" renew --force-renewal --non-interactive \
	--no-random-sleep-on-renew
is "$(spki "$LE/live/mx.roll.test/cert.pem")" "$key1" "certbot kept the key"
expect_output 'done: deploy: renewal with the same key' "same key: live at once" roll run
cmp -s "$LE/live/mx.roll.test/fullchain.pem" "$RD/deploy-ec/chain.pem" &&
	pass "the renewed chain is deployed" || fail "the renewed chain is deployed"
invariant "certbot renewal"

# a rollover: the next key goes to certbot, its certificate goes live
next=$(spki "$RD/state/ec/next.key")
check "roll newkey" roll newkey ec
roll run >"$TMP/roll" 2>&1
is "$?" 0 "the rollover run succeeds"
grep -q 'done: handoff' "$TMP/roll" && grep -q 'done: deploy: new key' "$TMP/roll" &&
	! grep -q 'wait until 20' "$TMP/roll" &&
	pass "handed to certbot and live in the same run, without waiting" ||
	fail "handed to certbot and live in the same run, without waiting" "$(cat "$TMP/roll")"
is "$(spki "$LE/live/mx.roll.test/cert.pem")" "$next" "pebble's new certificate is for the next key"
is "$(spki "$LE/live/mx.roll.test/privkey.pem")" "$next" "certbot's lineage holds the next key"
roll_rollover_live certbot "$key1" "$next"

# pebble_rollover: roll newkey, then runs until one does more than wait
# for the new next key's hold time; its exit status in $rc.
pebble_rollover() {
	local i
	check "roll newkey" roll newkey ec
	for i in $(seq 1 15); do
		roll run >"$TMP/roll" 2>&1
		rc=$?
		[ "$rc" = 0 ] && grep -q 'waiting\|wait until' "$TMP/roll" || break
		roll_sync_ns2
		sleep 1
	done
}

# --- a failing certbot (its http-01 port taken): backoff, then exit 1
sed -i "s|^ttl = 2$|ttl = 2\ncertbot_backoff = 60\nmax_failures = 2|" "$CONF"
lx python3 -c '
import os, socket, sys, time
socks = []
for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
    s = socket.socket(fam)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # pebble left TIME_WAITs
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, 5002))
    s.listen()
    socks.append(s)
open(sys.argv[1], "w").write(str(os.getpid()))
time.sleep(300)
' "$RD/blocker.pid" >/dev/null 2>&1 &
for _ in $(seq 50); do [ -s "$RD/blocker.pid" ] && break; sleep 0.1; done
check "port 5002 taken" test -s "$RD/blocker.pid"
cur=$(spki "$RD/deploy-ec/key.pem")
next=$(spki "$RD/state/ec/next.key")
pebble_rollover
is "$rc" 75 "real certbot fails: exit 75 (the next run retries)"
grep -q "failed (exit 1: .*); the saved key is back in place; failure 1 of 2" "$TMP/roll" &&
	pass "the message quotes certbot" || fail "the message quotes certbot" "$(cat "$TMP/roll")"
is "$(spki "$LE/live/mx.roll.test/privkey.pem")" "$cur" "certbot's key is the current one again"
invariant "failed real certbot"
roll status --json >"$TMP/status.json" 2>&1
python3 -c '
import json, sys, time
l = json.load(open(sys.argv[1]))["lineages"][0]
assert l["failures"] == 1 and l["error"] and l["next_attempt"] > time.time() - 5, l
' "$TMP/status.json" && pass "status --json: the failure, its error, the next attempt" ||
	fail "status --json: the failure, its error, the next attempt" "$(head -c 900 "$TMP/status.json")"
expect_output 'next attempt in [0-9]+ s \(backoff\)' "the next run backs off" roll run
roll_backoff_over ec
expect_status 1 "the second failure in a row: exit 1" roll run
kill "$(cat "$RD/blocker.pid")"
roll_backoff_over ec
roll run >"$TMP/roll" 2>&1
_tap_result $? "certbot works again: the rollover completes" "$TMP/roll"
is "$(spki "$RD/deploy-ec/key.pem")" "$next" "the next key is deployed"
roll status --json | python3 -c 'import json,sys; l=json.load(sys.stdin)["lineages"][0]; sys.exit(l["failures"] != 0)' &&
	pass "the failures are cleared" || fail "the failures are cleared"
invariant "real certbot after the failures"
check "settles" roll_settle
roll_sync_ns2

# --- daneops and certbot killed before and after certbot's run
for when in before after; do
	next=$(spki "$RD/state/ec/next.key")
	touch "$RD/kill-$when"
	pebble_rollover
	is "$rc" 137 "killed $when certbot ran"
	invariant "killed $when certbot ran"
	roll run >"$TMP/resume" 2>&1
	_tap_result $? "killed $when certbot: the next run succeeds" "$TMP/resume"
	is "$(spki "$RD/deploy-ec/key.pem")" "$next" "killed $when certbot: the next run finished the rollover"
	is "$(spki "$LE/live/mx.roll.test/privkey.pem")" "$next" "killed $when certbot: certbot's key is the next key"
	is "$(spki "$LE/live/mx.roll.test/cert.pem")" "$next" "killed $when certbot: certbot's certificate is for it"
	check "settles" roll_settle
	roll_sync_ns2
done
retire_guard_ok

done_testing
