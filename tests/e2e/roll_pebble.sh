#!/usr/bin/env bash
# installed: yes (tests/run: also run against the installed daneops)
# daneops roll with the real certbot against a local ACME server: Debian's
# pebble (RFC 8555 test server) inside a private lab (lab/worlds/roll).
# pebble validates http-01 at mx.roll.test:5002 through the lab resolver;
# certbot's standalone authenticator answers there.  Checked: "roll init"
# sets reuse_key on a lineage certbot made; a renewal by certbot keeps the
# key and goes live at once; a rollover hands the pre-published next key
# to certbot ("certbot renew --force-renewal --reuse-key" after the next key
# is written where live/NAME/privkey.pem points) and certbot's new
# certificate, for the next key, goes live in the same run.
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
cat >"$RD/certbot" <<EOF
#!/bin/sh
# certbot with the test's directories and pebble's self-signed listener
exec certbot "\$@" --config-dir "$LE" --work-dir "$RD/certbot-work" \\
	--logs-dir "$RD/certbot-logs" --no-verify-ssl
EOF
chmod 755 "$RD/certbot"
check "certbot gets a certificate from pebble" lx "$RD/certbot" certonly \
	--server https://127.0.6.1:14000/dir --standalone --http-01-port 5002 \
	-d mx.roll.test --key-type ecdsa --agree-tos --register-unsafely-without-email \
	--non-interactive
roll_pebble_ca

roll_conf
sed -i -e "/^source_key/d" -e "s|^source_chain = .*|certbot = mx.roll.test|" \
	-e "s|^ca_file = .*|ca_file = $P/ca.pem|" "$CONF"
sed -i "s|^\[daneops\]|[daneops]\ncertbot_dir = $LE\ncertbot_command = $RD/certbot|" "$CONF"
expect_output 'reuse_key = True' "roll init" roll init ec
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
check "certbot renews" lx "$RD/certbot" renew --force-renewal --non-interactive \
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
retire_guard_ok
done_testing
