#!/usr/bin/env bash
# installed: yes (tests/run: also run against the installed daneops)
# daneops roll with a certbot lineage (private lab, lab/worlds/roll).
# certbot's side is played by tests/data/fake-certbot.sh on a lineage laid
# out exactly as certbot's (archive/NAME/*N.pem, live/NAME/*.pem symlinks,
# renewal/NAME.conf), so that a failing renewal can be had on demand;
# tests/e2e/roll_pebble.sh runs the real certbot against pebble.
# Checked: "roll init" sets reuse_key = True and keeps everything else;
# a rollover hands the next key to certbot ("renew --force-renewal
# --reuse-key --cert-name NAME" after the next key is written where
# live/NAME/privkey.pem points), the new certificate goes live in the same
# run without waiting, and a failing certbot leaves the old key in place.
. "$DANEOPS_TOP/tests/lib.sh"
. "$DANEOPS_TOP/tests/data/roll-lib.sh"
roll_lab_start
LE=$RD/le
export FAKE_CERTBOT_DIR=$LE
mkdir -p "$LE/archive/roll" "$LE/live/roll" "$LE/renewal"
cp "$LAB_PKI/roll-ec.crt" "$LE/archive/roll/cert1.pem"
cp "$LAB_INT_ECDSA_CERT" "$LE/archive/roll/chain1.pem"
cat "$LAB_PKI/roll-ec.crt" "$LAB_INT_ECDSA_CERT" >"$LE/archive/roll/fullchain1.pem"
cp "$LAB_PKI/roll-ec.key" "$LE/archive/roll/privkey1.pem"
for f in cert chain fullchain privkey; do
	ln -s "../../archive/roll/${f}1.pem" "$LE/live/roll/$f.pem"
done
cat >"$LE/renewal/roll.conf" <<EOF
# renew_before_expiry = 30 days
version = 2.1.0
archive_dir = $LE/archive/roll
cert = $LE/live/roll/cert.pem
privkey = $LE/live/roll/privkey.pem
chain = $LE/live/roll/chain.pem
fullchain = $LE/live/roll/fullchain.pem

# Options used in the renewal process
[renewalparams]
account = 0123456789abcdef0123456789abcdef
authenticator = standalone
server = https://acme-v02.api.letsencrypt.org/directory
key_type = ecdsa
reuse_key = False
EOF
chmod 644 "$LE/renewal/roll.conf"
cp "$LE/renewal/roll.conf" "$TMP/renewal.orig"

roll_conf
sed -i -e "/^source_key/d" -e "s|^source_chain = .*|certbot = roll|" "$CONF"
sed -i "s|^\[daneops\]|[daneops]\ncertbot_dir = $LE\ncertbot_command = $DANEOPS_TOP/tests/data/fake-certbot.sh|" "$CONF"

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
FAKE_CERTBOT_FAIL=1 roll run >"$TMP/fail" 2>&1
is "$?" 75 "a failing certbot: exit 75"
grep -q "renew --force-renewal --reuse-key --cert-name roll' failed" "$TMP/fail" &&
	pass "the message names the certbot command" || fail "the message names the certbot command" "$(cat "$TMP/fail")"
is "$(spki "$LE/live/roll/privkey.pem")" "$old" "a failing certbot: the old key is back"
invariant "failed hand-off"
roll run >"$TMP/roll" 2>&1
is "$?" 0 "the rollover run succeeds"
grep -q 'done: handoff' "$TMP/roll" && grep -q 'done: deploy: new key' "$TMP/roll" &&
	! grep -q 'wait until 20' "$TMP/roll" &&
	pass "handed to certbot and live in the same run, without waiting" ||
	fail "handed to certbot and live in the same run, without waiting" "$(cat "$TMP/roll")"
tail -1 "$LE/calls.log" | grep -q -- '--force-renewal --reuse-key --non-interactive --no-random-sleep-on-renew --cert-name roll' &&
	pass "certbot called with --force-renewal --reuse-key" || fail "certbot called with --force-renewal --reuse-key"
is "$(spki "$LE/live/roll/cert.pem")" "$next" "certbot's new certificate is for the next key"
is "$(spki "$RD/deploy-ec/key.pem")" "$next" "the next key is deployed"
is "$(readlink "$LE/live/roll/cert.pem")" "../../archive/roll/cert2.pem" "certbot's lineage moved to version 2"
invariant "certbot rollover"
check "settles after the rollover" roll_settle
retire_guard_ok
done_testing
