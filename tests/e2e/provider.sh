#!/usr/bin/env bash
# needs: lab
# The rfc2136 DNS provider against the lab's real Knot, inside the lab's
# namespace: add (the record is served by the authoritative server and
# validates secure through the lab resolver), add again (one record),
# delete (gone, the other record untouched), delete again, a wrong TSIG
# secret (BADSIG) and an unknown key (BADKEY) as ERR_INPUT, an hmac-sha512
# key against the second Knot of lab/world.d/40-provider.sh, BIND key
# files, a refused hmac-sha384, an unsafe secret file, an unreachable
# server (ERR_TEMP), and owners and zones the server does not serve.
. "$DANEOPS_TOP/tests/lib.sh"
# shellcheck disable=SC1091
. "$DANEOPS_LAB/env"

TOOL=$(cd "$(dirname "$DANEOPS")/../tests" && pwd)/provider_tool
OWNER=_4443._tcp.provider.$LAB_DOMAIN.
R1="3 1 1 $(openssl rand -hex 32)"
R2="3 1 1 $(openssl rand -hex 32)"
P=(zone="$LAB_DOMAIN" server="$LAB_AUTH" tsig_key_file="$LAB_TSIG_SECRET_FILE" tsig_name="$LAB_TSIG_NAME" timeout=20)

prov() { lab_run "$TOOL" rfc2136 "$@"; }
# served: the TLSA records Knot serves at OWNER, as "3 1 1 hex" lines, sorted.
served() {
	lab_run kdig @"$LAB_AUTH" +norec +short "$OWNER" TLSA |
		awk '{ printf "%s %s %s ", $1, $2, $3; $1 = $2 = $3 = ""; gsub(/ /, ""); print tolower($0) }' | sort
}
flush() { lab_run unbound-control -c "$LAB_UNBOUND_CONF" flush_zone "$LAB_DOMAIN" >/dev/null 2>&1; }

expect_status 0 "list of an owner without TLSA" prov "${P[@]}" -- list "$OWNER"
is "$(last_output)" "" "nothing listed"
expect_status 0 "add" prov "${P[@]}" -- add "$OWNER" 30 "$R1"
is "$(served)" "$R1" "the record is served by Knot"
flush
expect_output 'Flags: qr rd ra ad' "it validates secure through the lab resolver" \
	lab_run kdig @"$LAB_RESOLVER" +dnssec "$OWNER" TLSA
expect_status 0 "add again is success" prov "${P[@]}" -- add "$OWNER" 30 "$R1"
is "$(served | wc -l)" 1 "still one record"
expect_status 0 "add a second record (BIND key file)" prov zone="$LAB_DOMAIN" server="$LAB_AUTH" \
	tsig_key_file="$LAB_TSIG_KEYFILE" -- add "$OWNER" 30 "$R2"
is "$(served | tr '\n' ,)" "$(printf '%s\n' "$R1" "$R2" | sort | tr '\n' ,)" "both are served"
expect_status 0 "list" prov "${P[@]}" -- list "$OWNER"
is "$(last_output | sort | tr '\n' ,)" "$(printf '%s\n' "$R1" "$R2" | sort | tr '\n' ,)" "list gives both"
expect_status 0 "list over UDP" prov "${P[@]}" transport=udp -- list "$OWNER"
is "$(last_output | wc -l)" 2 "list over UDP gives both"
expect_status 0 "delete the first" prov "${P[@]}" -- delete "$OWNER" "$R1"
is "$(served)" "$R2" "only the second is served"
expect_status 0 "delete again is success" prov "${P[@]}" -- delete "$OWNER" "$R1"
is "$(served)" "$R2" "the other record is untouched"

# Keys.
(umask 077 && openssl rand -base64 32 >"$TMP/wrong.secret")
expect_status 3 "a wrong TSIG secret is ERR_INPUT" prov "${P[@]/tsig_key_file=*/tsig_key_file=$TMP/wrong.secret}" -- add "$OWNER" 30 "$R1"
grep -q 'rejected the TSIG signature.*BADSIG' "$TMP/out" && pass "... saying the signature was rejected (BADSIG)" ||
	fail "... saying the signature was rejected (BADSIG)" "$(cat "$TMP/out")"
is "$(served)" "$R2" "nothing changed"
expect_status 3 "an unknown key name is ERR_INPUT" prov "${P[@]/tsig_name=*/tsig_name=nosuchkey}" -- list "$OWNER"
grep -q 'BADKEY' "$TMP/out" && pass "... naming BADKEY" || fail "... naming BADKEY" "$(cat "$TMP/out")"
expect_status 2 "hmac-sha384 is refused" prov "${P[@]}" tsig_algorithm=hmac-sha384 -- list "$OWNER"
grep -q 'ldns 1.8.3' "$TMP/out" && pass "... saying why" || fail "... saying why" "$(cat "$TMP/out")"
cp "$LAB_TSIG_SECRET_FILE" "$TMP/open.secret"; chmod 644 "$TMP/open.secret"
expect_status 3 "a secret file others can read is refused" prov "${P[@]/tsig_key_file=*/tsig_key_file=$TMP/open.secret}" -- list "$OWNER"
grep -q 'open.secret: secret file is accessible to group or others' "$TMP/out" &&
	pass "... naming the file" || fail "... naming the file" "$(cat "$TMP/out")"
printf 'key "x" { algorithm hmac-sha256; };\n' >"$TMP/nokey"; chmod 600 "$TMP/nokey"
expect_status 3 "a key statement without secret is refused" prov zone="$LAB_DOMAIN" server="$LAB_AUTH" tsig_key_file="$TMP/nokey" -- list "$OWNER"

# hmac-sha512, against the second Knot.
S512=(zone="$LAB_SHA512_ZONE" server="$LAB_SHA512_AUTH" tsig_key_file="$LAB_SHA512_TSIG_KEYFILE")
O512=_25._tcp.mx.$LAB_SHA512_ZONE
expect_status 0 "hmac-sha512: add" prov "${S512[@]}" -- add "$O512" 30 "$R1"
lab_run kdig @"$LAB_SHA512_AUTH" +norec +short "$O512" TLSA >"$TMP/k512"
grep -qi "${R1##* }" "$TMP/k512" && pass "hmac-sha512: the record is served" ||
	fail "hmac-sha512: the record is served" "$(cat "$TMP/k512")"
expect_status 0 "hmac-sha512: list (secret file + tsig_name + tsig_algorithm)" prov zone="$LAB_SHA512_ZONE" \
	server="$LAB_SHA512_AUTH" tsig_key_file="$LAB_SHA512_TSIG_SECRET_FILE" tsig_name="$LAB_SHA512_TSIG_NAME" \
	tsig_algorithm=hmac-sha512 -- list "$O512"
last_output | grep -qxF "$R1" && pass "hmac-sha512: listed" || fail "hmac-sha512: listed" "$(last_output)"
expect_status 0 "hmac-sha512: delete" prov "${S512[@]}" -- delete "$O512" "$R1"
expect_status 3 "hmac-sha512 key used as hmac-sha256 is rejected" prov zone="$LAB_SHA512_ZONE" \
	server="$LAB_SHA512_AUTH" tsig_key_file="$LAB_SHA512_TSIG_SECRET_FILE" tsig_name="$LAB_SHA512_TSIG_NAME" -- list "$O512"
expect_status 2 "a tsig_algorithm that contradicts the key file is a usage error" prov "${S512[@]}" tsig_algorithm=hmac-sha256 -- list "$O512"

# Servers and zones.
SECONDS=0
expect_status 75 "an unreachable server is ERR_TEMP" prov "${P[@]/server=*/server=127.0.0.99}" retries=2 backoff_ms=100 -- list "$OWNER"
[ "$SECONDS" -lt 15 ] && pass "... within the timeout" || fail "... within the timeout" "took $SECONDS s"
expect_status 2 "an owner outside the zone is a usage error" prov "${P[@]}" -- add _25._tcp.mx.example.org. 30 "$R1"
expect_status 3 "a zone the server does not serve is ERR_INPUT" prov "${P[@]/zone=*/zone=example.org}" -- add _25._tcp.mx.example.org. 30 "$R1"
expect_status 3 "a zone without updates for the key is ERR_INPUT" prov "${P[@]/zone=*/zone=bogus.test}" -- add _25._tcp.mx.bogus.test. 30 "$R1"
expect_status 2 "a host name as server is refused" prov "${P[@]/server=*/server=ns.test}" -- list "$OWNER"
expect_status 2 "a missing zone is named" prov "${P[@]/zone=*/}" -- list "$OWNER"

# Leave the lab as it was.
prov "${P[@]}" -- delete "$OWNER" "$R2" >/dev/null 2>&1
is "$(served)" "" "clean-up: no records left"

done_testing
