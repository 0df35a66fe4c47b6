#!/usr/bin/env bash
# daneops roll with the ACME clients that have no hand-off of their own
# (docs/roll.md, "Other ACME clients"): Debian's lego and dehydrated
# against Debian's pebble in a private lab (lab/worlds/roll), each exactly
# as the documentation tells an operator to run it.  For each client:
# its first certificate rolls in; a renewal with the same key goes live at
# once; a rollover hands over the pre-published next key (the operator's
# copy into the client's key file), the client's next certificate is for
# that key, it goes live, and the old key's record is retired.  acme.sh is
# not packaged by Debian and is not tested here.
# Skips when lego, dehydrated or pebble is not installed.
. "$DANEOPS_TOP/tests/lib.sh"
if ! command -v lego >/dev/null || ! command -v dehydrated >/dev/null ||
	! command -v pebble >/dev/null; then
	echo "ok 1 # SKIP lego, dehydrated or pebble not installed"
	echo "1..1"
	exit 0
fi
. "$DANEOPS_TOP/tests/data/roll-lib.sh"
roll_lab_start
roll_pebble_start
roll_pebble_ca
ACME=https://127.0.6.1:14000/dir

# lineage_conf KEY CHAIN: the ec lineage reading the client's files.
lineage_conf() {
	roll_conf
	sed -i -e "s|^source_key = .*|source_key = $1|" \
		-e "s|^source_chain = .*|source_chain = $2|" \
		-e "s|^ca_file = .*|ca_file = $P/ca.pem|" "$CONF"
}

# rollover CLIENT KEYFILE RENEW...: the documented rollover, then the
# checks every client shares.
rollover() {
	local client=$1 keyfile=$2 next old
	shift 2
	old=$(spki "$keyfile")
	next=$(spki "$RD/state/ec/next.key")
	check "$client: roll newkey" roll newkey ec
	roll run >"$TMP/handoff" 2>&1
	grep -q 'handed to the ACME client; waiting for a certificate' "$TMP/handoff" &&
		pass "$client: the run hands over the next key and waits" ||
		fail "$client: the run hands over the next key and waits" "$(cat "$TMP/handoff")"
	# The operator's part (docs/roll.md): the next key into the client's
	# key file, then a forced renewal that keeps the key.
	cp "$RD/state/ec/next.key" "$keyfile"
	check "$client: renews with the next key" lx "$@"
	is "$(spki "$keyfile")" "$next" "$client: its key file holds the next key"
	expect_output 'done: deploy: new key' "$client: the certificate for the next key goes live" \
		roll run
	roll_rollover_live "$client" "$old" "$next"
}

# --- lego: certificates/NAME.key and NAME.crt (the full chain)
LEGO=(env LEGO_CA_CERTIFICATES="$P/cert.pem" lego --server "$ACME" --email ops@roll.test
	--accept-tos --domains mx.roll.test --http --http.port :5002 --key-type ec256
	--path "$RD/lego")
check "lego gets a certificate from pebble" lx "${LEGO[@]}" run
LK=$RD/lego/certificates/mx.roll.test.key
lineage_conf "$LK" "$RD/lego/certificates/mx.roll.test.crt"
check "lego's certificate rolls in" roll_settle
sleep 5
check "and settles" roll_settle
is "$(spki "$RD/deploy-ec/key.pem")" "$(spki "$LK")" "lego's key is deployed"
invariant "lego's first certificate"
# pebble's certificates last years: --days beyond that forces a renewal;
# --no-random-sleep, as a renewal run by hand or by a script wants.
check "lego renews, keeping the key" lx "${LEGO[@]}" renew --days 100000 --reuse-key --no-random-sleep
expect_output 'done: deploy: renewal with the same key' "lego: same key, live at once" roll run
rollover lego "$LK" "${LEGO[@]}" renew --days 100000 --reuse-key --no-random-sleep
retire_guard_ok

# --- dehydrated: certs/NAME/privkey.pem and fullchain.pem (symlinks to
# the current version), challenges served from WELLKNOWN by a web server.
DH=$RD/dehydrated
mkdir -p "$DH/www/.well-known/acme-challenge"
cat >"$DH/config" <<EOF
CA="$ACME"
CHALLENGETYPE="http-01"
BASEDIR="$DH"
WELLKNOWN="$DH/www/.well-known/acme-challenge"
KEY_ALGO=prime256v1
PRIVATE_KEY_RENEW="no"
CURL_OPTS="--cacert $P/cert.pem"
EOF
lx python3 -m http.server --bind 127.0.5.1 --directory "$DH/www" 5002 \
	>"$DH/http.log" 2>&1 &
web=$!
sleep 0.5
check "dehydrated registers with pebble" lx dehydrated -f "$DH/config" --register --accept-terms
check "dehydrated gets a certificate from pebble" lx dehydrated -f "$DH/config" -c -d mx.roll.test
DK=$DH/certs/mx.roll.test/privkey.pem
# The operator moves the lineage to dehydrated: its key is a new key.
lineage_conf "$DK" "$DH/certs/mx.roll.test/fullchain.pem"
check "dehydrated's certificate rolls in" roll_settle
sleep 5
check "and settles" roll_settle
is "$(spki "$RD/deploy-ec/key.pem")" "$(spki "$DK")" "dehydrated's key is deployed"
invariant "dehydrated's first certificate"
check "dehydrated renews (-x: force), keeping the key" lx dehydrated -f "$DH/config" -c -x -d mx.roll.test
expect_output 'done: deploy: renewal with the same key' "dehydrated: same key, live at once" roll run
rollover dehydrated "$DK" dehydrated -f "$DH/config" -c -x -d mx.roll.test
kill "$web" 2>/dev/null
retire_guard_ok
done_testing
