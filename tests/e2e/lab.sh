#!/usr/bin/env bash
# needs: lab
# The lab itself (lab/README.md), checked with real tools inside its
# namespace: DNSSEC secure/insecure/bogus, RFC 2136 + TSIG, the TLS
# endpoints, DANE with posttls-finger, no way out to the Internet, and a
# second lab (with a world of its own) that starts and stops cleanly.
# shellcheck source=tests/lib.sh
. "$DANEOPS_TOP/tests/lib.sh"
# shellcheck disable=SC1091
. "$DANEOPS_LAB/env"
lab=$DANEOPS_TOP/lab/lab

# The second lab must not outlive the test, whatever happens.
lab2=$TMP/lab2
cleanup() {
	"$lab" stop "$lab2" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# tlsa311 FILE: "3 1 1 HEX" from a certificate or key, with openssl alone.
tlsa311() {
	local spki
	if grep -q 'BEGIN CERTIFICATE' "$1"; then
		spki=(openssl x509 -in "$1" -noout -pubkey)
	else
		spki=(openssl pkey -in "$1" -pubout)
	fi
	echo "3 1 1 $("${spki[@]}" | openssl pkey -pubin -outform DER |
		openssl dgst -sha256 -r | cut -d' ' -f1)"
}

# expect_no_output PATTERN DESCRIPTION CMD...: passes if CMD's output does
# not match (CMD's exit status is ignored).
expect_no_output() {
	local pat=$1 desc=$2; shift 2
	"$@" >"$TMP/out" 2>&1
	if grep -qE -- "$pat" "$TMP/out"; then _tap_result 1 "$desc (matched /$pat/)" "$TMP/out"
	else _tap_result 0 "$desc"; fi
}

# leaf_fp ADDR:PORT [openssl s_client options]: SHA-256 fingerprint of the
# leaf a lab server presents (STARTTLS SMTP unless -connect is for 443).
leaf_fp() {
	local target=$1; shift
	lab_run openssl s_client -connect "$target" "$@" </dev/null 2>/dev/null |
		openssl x509 -noout -fingerprint -sha256 | cut -d= -f2
}
fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2; }

flush() { lab_run unbound-control -c "$LAB_UNBOUND_CONF" flush_zone "$1" >/dev/null; }

# -- DNSSEC: secure, insecure, bogus ---------------------------------------
expect_output '^;; Flags:.* ad' "dane.test MX is secure (AD) at the resolver" \
	lab_run kdig @"$LAB_RESOLVER" +dnssec dane.test MX
expect_output 'dane\.test\..*MX.*10 mx1\.dane\.test\.' "dane.test MX 10 mx1.dane.test" \
	lab_run kdig @"$LAB_RESOLVER" +dnssec dane.test MX
expect_output 'status: NOERROR' "unsigned.test MX answers" \
	lab_run kdig @"$LAB_RESOLVER" +dnssec unsigned.test MX
expect_no_output '^;; Flags:.* ad' "unsigned.test MX is insecure (no AD)" \
	lab_run kdig @"$LAB_RESOLVER" +dnssec unsigned.test MX
expect_output 'TLSA.*3 1 1' "unsigned.test has its (insecure) TLSA record" \
	lab_run kdig @"$LAB_RESOLVER" +dnssec _25._tcp.mx.unsigned.test TLSA
expect_output 'status: SERVFAIL' "bogus.test MX is SERVFAIL (bogus)" \
	lab_run kdig @"$LAB_RESOLVER" +dnssec bogus.test MX
expect_output 'status: NOERROR' "bogus.test MX is served by the authoritative server" \
	lab_run kdig @"$LAB_AUTH" +dnssec +norec bogus.test MX

# delv validates in-process, from the lab trust anchor alone.
expect_output '^; fully validated' "delv: dane.test MX fully validated" \
	lab_run delv @"$LAB_RESOLVER" -a "$LAB_TA_BIND" +root=. dane.test MX
expect_output '^; unsigned answer' "delv: unsigned.test MX unsigned" \
	lab_run delv @"$LAB_RESOLVER" -a "$LAB_TA_BIND" +root=. unsigned.test MX
expect_output 'resolution failed' "delv: bogus.test MX fails" \
	lab_run delv @"$LAB_RESOLVER" -a "$LAB_TA_BIND" +root=. bogus.test MX
expect_output '^\. IN DS [0-9]+ 13 2 [0-9a-f]{64}$' "LAB_TA holds the root DS" cat "$LAB_TA"
expect_output '^\. IN DNSKEY 257 3 13 ' "LAB_TA_DNSKEY holds the root KSK" cat "$LAB_TA_DNSKEY"

# -- RFC 2136 with TSIG --------------------------------------------------------
mx1_rsa=$(tlsa311 "$LAB_MX1_CERT")
mx1_ecdsa=$(tlsa311 "$LAB_MX1_ECDSA_CERT")
mx2=$(tlsa311 "$LAB_MX2_CERT")
cat >"$TMP/publish" <<EOF
server $LAB_AUTH
zone dane.test
update add _25._tcp.mx1.dane.test 30 TLSA $mx1_rsa
update add _25._tcp.mx1.dane.test 30 TLSA $mx1_ecdsa
send
EOF
cat >"$TMP/evil" <<EOF
server $LAB_AUTH
zone dane.test
update add evil.dane.test 30 A 127.6.6.6
send
EOF
wrong=$(openssl rand -base64 32)
expect_output 'BADSIG' "update with a wrong TSIG secret is refused" \
	lab_run nsupdate -y "$LAB_TSIG_ALG:$LAB_TSIG_NAME:$wrong" "$TMP/evil"
expect_output 'BADKEY' "update with an unknown TSIG key is refused" \
	lab_run nsupdate -y "$LAB_TSIG_ALG:intruder.:$(cat "$LAB_TSIG_SECRET_FILE")" "$TMP/evil"
expect_output 'NOTAUTH|REFUSED' "update without TSIG is refused" \
	lab_run nsupdate "$TMP/evil"
expect_no_output '127\.6\.6\.6' "none of the refused updates got in" \
	lab_run kdig @"$LAB_AUTH" +short evil.dane.test A
is "$(stat -c %a "$LAB_TSIG_SECRET_FILE")" 600 "LAB_TSIG_SECRET_FILE is mode 0600"

# posttls-finger before any TLSA: DANE falls back to opportunistic TLS.
expect_output 'Untrusted TLS connection established to mx2\.dane\.test' \
	"posttls-finger, no TLSA yet: Untrusted" \
	lab_run posttls-finger -c -l dane "[mx2.dane.test]"

check "nsupdate -k LAB_TSIG_KEYFILE publishes mx1's TLSA records" \
	lab_run nsupdate -k "$LAB_TSIG_KEYFILE" "$TMP/publish"
printf 'server %s\nzone dane.test.\nupdate add _25._tcp.mx2.dane.test. 30 TLSA %s\nsend\n' \
	"$LAB_AUTH" "$mx2" >"$TMP/publish2"
check "knsupdate -y \$(cat LAB_KNSUPDATE_KEY) publishes mx2's TLSA record" \
	lab_run knsupdate -y "$(cat "$LAB_KNSUPDATE_KEY")" "$TMP/publish2"
# posttls-finger above cached "no TLSA" for 30 s.
flush dane.test
expect_output "^;; Flags:.* ad" "the new TLSA comes back from the resolver with AD" \
	lab_run kdig @"$LAB_RESOLVER" +dnssec _25._tcp.mx1.dane.test TLSA
expect_output "TLSA.*3 1 1 $(tr a-f A-F <<<"${mx1_ecdsa#3 1 1 }")" "... with the published data" \
	lab_run kdig @"$LAB_RESOLVER" +dnssec _25._tcp.mx1.dane.test TLSA

# -- TLS endpoints ---------------------------------------------------------------
is "$(leaf_fp 127.0.1.1:25 -starttls smtp -tls1_2 -cipher aRSA)" "$(fp "$LAB_MX1_CERT")" \
	"127.0.1.1:25 STARTTLS presents mx1 (RSA)"
is "$(leaf_fp 127.0.1.1:25 -starttls smtp -tls1_2 -cipher aECDSA)" "$(fp "$LAB_MX1_ECDSA_CERT")" \
	"127.0.1.1:25 STARTTLS presents mx1-ecdsa (ECDSA)"
is "$(leaf_fp '[::1]:25' -starttls smtp -tls1_2 -cipher aRSA)" "$(fp "$LAB_MX1_CERT")" \
	"[::1]:25 STARTTLS presents mx1 (RSA)"
is "$(leaf_fp 127.0.1.2:25 -starttls smtp)" "$(fp "$LAB_MX2_CERT")" \
	"127.0.1.2:25 STARTTLS presents mx2"
expect_output 'Verify return code: 0 \(ok\)' "mx2's chain verifies against LAB_CA" \
	lab_run openssl s_client -starttls smtp -connect 127.0.1.2:25 -CAfile "$LAB_CA" \
	-verify_hostname mx2.dane.test -verify_return_error </dev/null
expect_output 'Protocol version: TLSv1\.2' "smtpd speaks TLS 1.2" \
	lab_run openssl s_client -starttls smtp -connect 127.0.1.1:25 -tls1_2 -brief </dev/null
expect_output 'Protocol version: TLSv1\.3' "smtpd speaks TLS 1.3" \
	lab_run openssl s_client -starttls smtp -connect 127.0.1.1:25 -tls1_3 -brief </dev/null
is "$(leaf_fp 127.0.2.1:443 -servername www.dane.test)" "$(fp "$LAB_WWW_CERT")" \
	"127.0.2.1:443 presents www"
expect_output 'Verify return code: 0 \(ok\)' "www's chain verifies against LAB_CA" \
	lab_run openssl s_client -connect 127.0.2.1:443 -servername www.dane.test \
	-CAfile "$LAB_CA" -verify_hostname www.dane.test -verify_return_error </dev/null

# -- DANE, as Postfix sees it ----------------------------------------------------
expect_output 'Verified TLS connection established to mx1\.dane\.test' \
	"posttls-finger -l dane dane.test: Verified" \
	lab_run posttls-finger -c -l dane dane.test
expect_output 'Verified TLS connection established to mx2\.dane\.test\[127\.0\.1\.2\]' \
	"posttls-finger -l dane [mx2.dane.test]: Verified" \
	lab_run posttls-finger -c -l dane "[mx2.dane.test]"
expect_output 'Untrusted TLS connection established to mx\.unsigned\.test' \
	"posttls-finger unsigned.test: the insecure TLSA is ignored" \
	lab_run posttls-finger -c -l dane unsigned.test
expect_no_output 'TLS connection established' "posttls-finger bogus.test: no connection" \
	lab_run posttls-finger -c -l dane bogus.test

# -- nothing leaves the machine --------------------------------------------------
is "$(lab_run ip route show default)$(lab_run ip -6 route show default)" "" \
	"no default route in the namespace"
is "$(lab_run ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')" "lo " \
	"the namespace has only loopback"
t0=$(date +%s%N)
expect_status 1 "a query to an Internet root server fails" \
	lab_run timeout 3 kdig @198.41.0.4 +retry=0 . NS
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$ms" -lt 2000 ]; then pass "... at once (${ms} ms, no route)"
else fail "... at once" "took ${ms} ms"; fi
expect_output 'Network is unreachable' "... because the network is unreachable (TCP)" \
	lab_run python3 -c 'import socket; socket.create_connection(("198.41.0.4", 53), 2)'
expect_output 'Network is unreachable' "... also over IPv6" \
	lab_run python3 -c 'import socket; socket.create_connection(("2001:503:ba3e::2:30", 53), 2)'
expect_output "^nameserver $LAB_RESOLVER" "resolv.conf in the namespace is the lab's" \
	lab_run cat /etc/resolv.conf
expect_no_output "nameserver $LAB_RESOLVER" "the machine's resolv.conf is untouched" \
	cat /etc/resolv.conf

expect_output '^postfix +running' "lab status: Postfix runs" "$lab" status "$DANEOPS_LAB"
expect_status 0 "lab status: everything runs" "$lab" status "$DANEOPS_LAB"

# -- a second lab, with a world of its own, next to the first -----------------
world=$TMP/world
mkdir -p "$world"
cat >"$world/10-extra.sh" <<'EOF'
# A test world: every lab/world.d function once.
lab_cert extra rsa lab-int-rsa mx.extra.test
lab_cert old ecdsa lab-int-ecdsa mx.old.test --expired --days 30
lab_cert selfie ecdsa self mx.selfie.test
cat >"$LAB_DIR/extra.zone" <<EOZ
@ MX 10 mx
mx A 127.0.4.1
_25._tcp.mx TLSA $(lab_tlsa 3 1 1 "$LAB_EXTRA_CERT")
EOZ
lab_zone extra.test signed "$LAB_DIR/extra.zone"
printf 'mx A 127.0.4.2\n' >"$LAB_DIR/plain.zone"
lab_zone plain.test unsigned "$LAB_DIR/plain.zone"
printf 'mx A 127.0.4.3\n' >"$LAB_DIR/broken.zone"
lab_zone broken.test bogus "$LAB_DIR/broken.zone"
lab_smtp 127.0.4.1 "$LAB_EXTRA_CHAIN" "$LAB_EXTRA_KEY"
lab_smtp 127.0.4.2 "$LAB_OLD_CHAIN" "$LAB_OLD_KEY" no-starttls
lab_service 127.0.4.9 8025 python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.4.9", 8025)); s.listen(1)
while True:
    c, _ = s.accept(); c.sendall(b"220 hostile ESMTP\r\n"); c.close()'
EOF
t0=$SECONDS
check "a second lab starts (DANEOPS_LAB_WORLD adds a world)" \
	env DANEOPS_LAB_WORLD="$world" "$lab" start "$lab2"
secs=$((SECONDS - t0))
echo "# second lab started in ${secs}s"
if [ "$secs" -le 30 ]; then pass "... in ${secs}s"; else fail "... in ${secs}s" "slower than 30 s"; fi
# shellcheck disable=SC1091
ns2=$(. "$lab2/env" 2>/dev/null && echo "$LAB_NETNS")
[ -n "$ns2" ] && [ "$ns2" != "$LAB_NETNS" ]
_tap_result $? "... in a namespace of its own ($ns2)"
lab2_run() { "$lab" exec "$lab2" "$@"; }
expect_output '^;; Flags:.* ad' "lab 2: extra.test TLSA is secure" \
	lab2_run kdig @"$LAB_RESOLVER" +dnssec _25._tcp.mx.extra.test TLSA
expect_output "TLSA.*$(tlsa311 "$lab2/pki/extra.crt" | cut -d" " -f4 | tr a-f A-F)" \
	"lab 2: lab_tlsa agrees with openssl" \
	lab2_run kdig @"$LAB_RESOLVER" _25._tcp.mx.extra.test TLSA
expect_no_output '^;; Flags:.* ad' "lab 2: plain.test is insecure" \
	lab2_run kdig @"$LAB_RESOLVER" +dnssec mx.plain.test A
expect_output 'status: SERVFAIL' "lab 2: broken.test is bogus" \
	lab2_run kdig @"$LAB_RESOLVER" +dnssec mx.broken.test A
expect_output 'Verified TLS connection established to mx\.extra\.test' \
	"lab 2: posttls-finger extra.test: Verified (lab_smtp)" \
	lab2_run posttls-finger -c -l dane extra.test
expect_output 'notAfter' "lab 2: --expired makes an expired certificate" \
	openssl x509 -in "$lab2/pki/old.crt" -noout -enddate
expect_status 1 "... that openssl x509 -checkend calls expired" \
	openssl x509 -in "$lab2/pki/old.crt" -noout -checkend 0
expect_output 'Issuer: CN ?= ?mx\.selfie\.test' "lab 2: self makes a self-signed certificate" \
	openssl x509 -in "$lab2/pki/selfie.crt" -noout -text
# ehlo ADDR: "STARTTLS" or "no STARTTLS", from a lab 2 smtpd's EHLO reply.
ehlo() {
	lab2_run python3 -c 'import smtplib, sys
s = smtplib.SMTP(sys.argv[1], 25, timeout=5); s.ehlo("test")
print("STARTTLS" if s.has_extn("starttls") else "no STARTTLS"); s.quit()' "$1"
}
expect_output '^STARTTLS$' "lab 2: lab_smtp offers STARTTLS" ehlo 127.0.4.1
expect_output '^no STARTTLS$' "lab 2: lab_smtp no-starttls does not" ehlo 127.0.4.2
expect_output '220 hostile' "lab 2: lab_service runs its daemon" \
	lab2_run python3 -c 'import socket; s = socket.create_connection(("127.0.4.9", 8025), 5)
print(s.recv(100).decode())'
expect_output '^;; Flags:.* ad' "lab 1 still answers while lab 2 runs" \
	lab_run kdig @"$LAB_RESOLVER" +dnssec dane.test MX

pids=()
for f in "$lab2"/run/*.pid "$lab2"/postfix/queue/pid/master.pid; do
	[ -s "$f" ] && pids+=("$(tr -d ' ' <"$f")")
done
mapfile -t -O "${#pids[@]}" pids < <(ip netns pids "$ns2" 2>/dev/null)
[ "${#pids[@]}" -ge 5 ]
_tap_result $? "lab 2 runs its daemons (${#pids[@]} pids)"
check "lab 2 stops" "$lab" stop "$lab2"
alive=()
for p in "${pids[@]}"; do
	# A zombie (exited, not yet reaped by init) does not count.
	stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue
	stat=${stat##*) }
	[ "${stat%% *}" = Z ] || alive+=("$p")
done
is "${alive[*]}" "" "no process of lab 2 is left"
expect_no_output "^$ns2( |\$)" "its namespace is gone" ip netns list
[ ! -e "/etc/netns/$ns2" ]
_tap_result $? "its /etc/netns/$ns2 is gone"
expect_status 0 "stopping it again is fine" "$lab" stop "$lab2"
expect_status 3 "lab status says: not running" "$lab" status "$lab2"
expect_output '^;; Flags:.* ad' "lab 1 is unharmed" \
	lab_run kdig @"$LAB_RESOLVER" +dnssec dane.test MX

done_testing
