# tests/data/roll-lib.sh - helpers for tests/e2e/roll*.sh (sourced after
# tests/lib.sh).  Each roll test starts a private lab with the world in
# lab/worlds/roll (roll.test, mx.roll.test on 127.0.5.1, a lagging
# second authoritative server ns2.roll.test) and stops it at the end.
#
# The ACME client is simulated: roll_issue writes a new key and/or a new
# fullchain (issued by the lab CA with openssl) into the lineage's source
# directory, each file replaced by rename - which is all an ACME client does.

roll_lab_start() {
	ROLL_LAB=$TMP/lab
	trap 'roll_lab_stop; rm -rf "$TMP"' EXIT
	if ! DANEOPS_LAB_WORLD=$DANEOPS_TOP/lab/worlds/roll \
	    "$DANEOPS_TOP/lab/lab" start "$ROLL_LAB" >"$TMP/lab-start.log" 2>&1; then
		echo "not ok 1 - the private roll lab did not start"
		sed 's/^/#   /' "$TMP/lab-start.log" | tail -20
		echo "1..1"
		exit 1
	fi
	set -a
	# shellcheck disable=SC1091
	. "$ROLL_LAB/env"
	set +a
	RD=$LAB_ROLL_DIR
	CONF=$RD/roll.conf
	roll_soa_short
	roll_sync_ns2
}

roll_lab_stop() {
	[ -n "${ROLL_LAB:-}" ] && "$DANEOPS_TOP/lab/lab" stop "$ROLL_LAB" >/dev/null 2>&1
	return 0
}

lx() { "$DANEOPS_TOP/lab/lab" exec "$ROLL_LAB" "$@"; }

# roll ARGS: daneops roll with the test's configuration.  After every
# "roll run" the retire rule is checked on the primary's zone: the records
# of every deployed key (what the services present) are still served, and
# after a run that completed, those of every next key too.  Violations go
# to $TMP/violations; retire_guard_ok asserts there were none.
roll() {
	local rc
	lx "$DANEOPS" roll "$@" --config "$CONF"
	rc=$?
	[ "$1" = run ] && retire_guard "$rc"
	return "$rc"
}

retire_guard() {
	local rc=$1 f k zone
	zone=$(served)
	for f in $(awk '$1 == "deploy_key" { print $3 }' "$CONF"); do
		k=$(spki "$f")
		# armed by the first completed run: before it nothing is published
		grep -q "$k" <<<"$zone" || [ ! -s "$RD/guard-armed" ] ||
			echo "deployed key $k of $f not served (exit $rc)" >>"$TMP/violations"
	done
	if [ "$rc" = 0 ]; then
		for f in "$RD"/state/*/next.key; do
			[ -f "$f" ] || continue
			k=$(spki "$f")
			grep -q "$k" <<<"$zone" ||
				echo "next key $k of $f not served" >>"$TMP/violations"
		done
		echo armed >"$RD/guard-armed"
	fi
}

retire_guard_ok() {
	touch "$TMP/violations"
	is "$(cat "$TMP/violations")" "" "after every run: no record of a deployed or next key retired"
}

# The lab's zones have negative TTL 30 s; roll.test gets 2 s so that the
# hold time (2 x max(TTL, negative TTL)) is 4 s.
roll_soa_short() {
	cat >"$TMP/soa.txt" <<-EOF
	server $LAB_AUTH
	zone roll.test.
	update delete roll.test. SOA
	update add roll.test. 2 SOA ns.test. hostmaster.test. 100 30 10 3600 2
	send
	EOF
	lx knsupdate -y "$(cat "$LAB_KNSUPDATE_KEY")" "$TMP/soa.txt"
}

# Copy the primary's signed zone to ns2 (the "zone transfer" of the tests).
roll_sync_ns2() {
	lx sh -c 'knotc -c "$LAB_KNOT_CONF" zone-read roll.test |
		sed "s/^\[[^]]*\] //" >"$LAB_ROLL_DIR/ns2/zones/roll.test.zone.new" &&
		mv "$LAB_ROLL_DIR/ns2/zones/roll.test.zone.new" \
			"$LAB_ROLL_DIR/ns2/zones/roll.test.zone" &&
		knotc -s "$LAB_ROLL_DIR/ns2/run/knot.sock" zone-reload roll.test' \
		>/dev/null
	sleep 0.3
}

# roll_conf [extra lines for the ec lineage]: the configuration.
roll_conf() {
	cat >"$CONF" <<-EOF
	[daneops]
	state_dir = $RD/state
	ca_file = $LAB_CA
	trust_anchor = $LAB_TA
	resolver_conf = $LAB_RESOLVER_CONF
	resolver = $LAB_RESOLVER

	[lineage ec]
	source_key = $RD/src-ec/key.pem
	source_chain = $RD/src-ec/fullchain.pem
	deploy_key = $RD/deploy-ec/key.pem
	deploy_chain = $RD/deploy-ec/chain.pem
	deploy_combined = $RD/deploy-ec/combined.pem
	tlsa = _25._tcp.mx.roll.test
	ttl = 2
	key_type = ec
	provider = lab
	reload = $RD/reload.sh
	verify = mx.roll.test:25
	verify = mx.roll.test:25:smtp@127.0.5.1
	${1:-}

	[provider lab]
	type = rfc2136
	zone = roll.test
	server = ${ROLL_SERVER:-$LAB_AUTH}
	tsig_key_file = $LAB_TSIG_KEYFILE
	retries = 2
	timeout = 4
	EOF
	cat >"$RD/reload.sh" <<-EOF
	#!/bin/sh
	# reload for the tests: an optional delay (to hold the lock), a log line
	if [ -f "$RD/reload-delay" ]; then
		sleep "\$(cat "$RD/reload-delay")" &
		echo \$! >"$RD/reload-sleep.pid"
		wait \$!
	fi
	echo reload >>"$RD/reload.log"
	# kill hook: SIGKILL daneops and this process group, as systemctl stop
	if [ -f "$RD/reload-kill" ]; then
		rm -f "$RD/reload-kill"
		kill -KILL \$PPID 0
	fi
	# what it could read on stdin (daneops gives it none)
	timeout 1 cat >>"$RD/reload-stdin" 2>/dev/null
	exec /usr/sbin/postfix -c "$LAB_POSTFIX_CONF" reload
	EOF
	chmod 755 "$RD/reload.sh"
}

# roll_fake_certbot NAME KEY CERT: a certbot lineage NAME in $LE laid out
# exactly as certbot's (archive/NAME/{cert,chain,fullchain,privkey}1.pem,
# live/NAME/*.pem symlinks, renewal/NAME.conf) holding KEY and the leaf
# certificate CERT (issued by the lab's ECDSA intermediate), and the ec
# lineage of the configuration switched to it; certbot is played by
# tests/data/fake-certbot.sh.
roll_fake_certbot() {
	local name=$1 key=$2 cert=$3 f
	LE=$RD/le
	export FAKE_CERTBOT_DIR=$LE
	mkdir -p "$LE/archive/$name" "$LE/live/$name" "$LE/renewal"
	openssl x509 -in "$cert" -out "$LE/archive/$name/cert1.pem"
	cp "$LAB_INT_ECDSA_CERT" "$LE/archive/$name/chain1.pem"
	cat "$LE/archive/$name/cert1.pem" "$LAB_INT_ECDSA_CERT" >"$LE/archive/$name/fullchain1.pem"
	cp "$key" "$LE/archive/$name/privkey1.pem"
	chmod 600 "$LE/archive/$name/privkey1.pem"
	for f in cert chain fullchain privkey; do
		ln -sfn "../../archive/$name/${f}1.pem" "$LE/live/$name/$f.pem"
	done
	cat >"$LE/renewal/$name.conf" <<-EOF
	# renew_before_expiry = 30 days
	version = 2.1.0
	archive_dir = $LE/archive/$name
	cert = $LE/live/$name/cert.pem
	privkey = $LE/live/$name/privkey.pem
	chain = $LE/live/$name/chain.pem
	fullchain = $LE/live/$name/fullchain.pem

	# Options used in the renewal process
	[renewalparams]
	account = 0123456789abcdef0123456789abcdef
	authenticator = standalone
	server = https://acme-v02.api.letsencrypt.org/directory
	key_type = ecdsa
	reuse_key = False
	EOF
	chmod 644 "$LE/renewal/$name.conf"
	roll_conf_certbot "$name"
}

# roll_conf_certbot NAME: the ec lineage's source is certbot's lineage NAME
# in $LE, certbot is fake-certbot.sh.
roll_conf_certbot() {
	sed -i -e "/^source_key/d" -e "s|^source_chain = .*|certbot = $1|" "$CONF"
	sed -i "s|^\[daneops\]|[daneops]\ncertbot_dir = $LE\ncertbot_command = $DANEOPS_TOP/tests/data/fake-certbot.sh|" "$CONF"
}

# roll_issue LINEAGE KEYFILE|new|same: a certificate for mx.roll.test from the
# lab CA; "new" makes a fresh key, "same" keeps the source's key.
roll_issue() {
	local lin=$1 src=$RD/src-$1 key=$2 ca cakey
	case $lin in
	ec) ca=$LAB_INT_ECDSA_CERT cakey=$LAB_INT_ECDSA_KEY ;;
	*) ca=$LAB_INT_RSA_CERT cakey=$LAB_INT_RSA_KEY ;;
	esac
	case $key in
	same) cp "$src/key.pem" "$TMP/new.key" ;;
	new) if [ "$lin" = ec ]; then
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
			-out "$TMP/new.key" 2>/dev/null
	     else
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
			-out "$TMP/new.key" 2>/dev/null
	     fi ;;
	*) cp "$key" "$TMP/new.key" ;;
	esac
	openssl req -new -key "$TMP/new.key" -subj /CN=mx.roll.test \
		-addext subjectAltName=DNS:mx.roll.test -out "$TMP/new.csr" 2>/dev/null
	openssl x509 -req -in "$TMP/new.csr" -CA "$ca" -CAkey "$cakey" \
		-CAcreateserial -CAserial "$TMP/ca.srl" -days 30 -copy_extensions copy \
		-out "$TMP/new.crt" 2>/dev/null
	cat "$TMP/new.crt" "$ca" >"$TMP/new.fullchain"
	cp "$TMP/new.key" "$src/key.pem.tmp" && mv "$src/key.pem.tmp" "$src/key.pem"
	cp "$TMP/new.fullchain" "$src/fullchain.pem.tmp" &&
		mv "$src/fullchain.pem.tmp" "$src/fullchain.pem"
}

# The SPKI SHA-256 of a key or certificate file (= its 3 1 1 data).
spki() {
	if grep -q CERTIFICATE "$1"; then
		openssl x509 -in "$1" -noout -pubkey
	else
		openssl pkey -in "$1" -pubout
	fi 2>/dev/null | openssl pkey -pubin -outform DER 2>/dev/null |
		openssl dgst -sha256 -r | cut -d' ' -f1
}

# The TLSA records the primary serves at the owner, "3 1 1 HEX" each.
served() {
	lx kdig @"$LAB_AUTH" +norec +short _25._tcp.mx.roll.test TLSA |
		tr 'A-F' 'a-f' |
		awk '{ d = ""; for (i = 4; i <= NF; i++) d = d $i; print $1, $2, $3, d }' |
		sort
}

# The invariant: every live endpoint presents a key that a published,
# validated record matches.
invariant() {
	local what=$1
	lx "$DANEOPS" check --host mx.roll.test --port 25 --trust-anchor "$LAB_TA" --resolver-conf "$LAB_RESOLVER_CONF" \
		--resolver "$LAB_RESOLVER" >"$TMP/inv" 2>&1
	_tap_result $? "invariant after $what: daneops check passes" "$TMP/inv"
}

# Run roll until only waiting is left (each call is one timer tick).
roll_settle() {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		roll run >"$TMP/settle" 2>&1 || { cat "$TMP/settle"; return 1; }
		grep -q 'wait until\|waiting' "$TMP/settle" || return 0
		roll_sync_ns2
		sleep 1
	done
	cat "$TMP/settle"
	return 1
}

# roll_rollover_live CLIENT OLD NEXT: after a rollover's certificate went
# live, the checks every ACME client shares: the next key is deployed, the
# invariant holds, roll settles, and the old key's record is retired.
roll_rollover_live() {
	local client=$1 old=$2 next=$3
	is "$(spki "$RD/deploy-ec/key.pem")" "$next" "$client: the next key is deployed"
	invariant "$client rollover"
	check "$client: settles after the rollover" roll_settle
	roll_sync_ns2
	served | grep -q "$old" && fail "$client: the old key's record is retired" ||
		pass "$client: the old key's record is retired"
}

# roll_backoff_over LINEAGE: the hand-off's backoff has passed (its
# next_attempt moved to the past in the state), without sleeping through it.
roll_backoff_over() {
	python3 - "$RD/state/$1/state.json" <<-'PY'
	import json, sys, time
	d = json.load(open(sys.argv[1]))
	assert d["next_attempt"] > time.time() - 5, d
	d["next_attempt"] = int(time.time()) - 1
	json.dump(d, open(sys.argv[1], "w"))
	PY
}

# roll_pebble_start: Debian's pebble (an RFC 8555 test server) on
# 127.0.6.1:14000 with a self-signed listener ($P/cert.pem), validating
# http-01 at port 5002 through the lab resolver, every time (no reuse of
# valid authorizations, so that a test can make a validation fail).  lab
# stop ends it.
roll_pebble_start() {
	P=$RD/pebble
	mkdir -p "$P"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$P/key.pem" -out "$P/cert.pem" -days 30 -subj /CN=pebble \
		-addext subjectAltName=IP:127.0.6.1 2>/dev/null
	cat >"$P/pebble.json" <<-EOF
	{"pebble": {"listenAddress": "127.0.6.1:14000",
	 "managementListenAddress": "127.0.6.1:15000",
	 "certificate": "$P/cert.pem", "privateKey": "$P/key.pem",
	 "httpPort": 5002, "tlsPort": 5001, "ocspResponderURL": "",
	 "externalAccountBindingRequired": false}}
	EOF
	PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 lx pebble -config "$P/pebble.json" \
		-dnsserver "$LAB_RESOLVER:53" >"$P/pebble.log" 2>&1 &
	for _ in $(seq 50); do
		grep -q 'Listening on' "$P/pebble.log" && break
		sleep 0.1
	done
	check "pebble listens" grep -q 'Listening on' "$P/pebble.log"
}

# roll_pebble_ca: pebble's root and intermediate into $P/ca.pem (the
# lineage's ca_file, so that verify accepts its certificates).
roll_pebble_ca() {
	lx python3 -c '
import ssl, sys, urllib.request
ctx = ssl._create_unverified_context()
for path in ("roots/0", "intermediates/0"):
    sys.stdout.write(urllib.request.urlopen("https://127.0.6.1:15000/" + path, context=ctx).read().decode())
' >"$P/ca.pem"
	check "pebble's CA" grep -q CERTIFICATE "$P/ca.pem"
}
