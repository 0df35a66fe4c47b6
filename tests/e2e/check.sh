#!/usr/bin/env bash
# needs: lab
#
# tests/e2e/check.sh - "daneops check" against the lab's case matrix
# (lab/world.d/50-check-cases.sh and 52-check-edges.sh), and agreement with
# Postfix's posttls-finger on every case, at both sender levels (dane and
# dane-only).
#
# For each case domain and level: daneops's domain verdict must be the
# expected one; then every MX host daneops found is given to posttls-finger
# ("[host]", -l LEVEL, -v so that it says which TLSA it found at either
# level) and the two must reach the same host verdict:
#   pass             "Matched DANE ..." and a TLS connection established
#   unauthenticated  "no usable TLSA records found" or "all TLSA records
#                    unusable", and TLS
#   not-applicable   "no TLSA records found, resorting to ..."
#   fail             anything else (no match, no STARTTLS, handshake or
#                    connection failure, bogus DNS)
# For an unauthenticated host both must also say the same about the level:
# at dane Postfix falls back to unauthenticated TLS (and delivers), at
# dane-only it does not (and defers); daneops's reason says which.
# The domain verdicts agree once folded the same way (pass and warn are
# "ok"; a domain is "fail" if one host fails or none is authenticated,
# "none" if no host has DANE).
. "$DANEOPS_TOP/tests/lib.sh"
# shellcheck disable=SC1091
. "$DANEOPS_LAB/env"

DO=(lab_run "$DANEOPS" check --trust-anchor "$LAB_TA" --resolver-conf "$LAB_RESOLVER_CONF" --stub ".=$LAB_AUTH" --timeout 6)

# pf_run LEVEL TARGET [OPTION...]: posttls-finger's output for one host or
# domain.
pf_run() {
	local level=$1 target=$2
	shift 2
	lab_run env MAIL_CONFIG="$LAB_POSTFIX_CONF" posttls-finger -v -c -t 3 -T 3 \
		-l "$level" "$@" "$target" 2>&1 |
		grep -vE '^posttls-finger: (< |> |name_mask|vstream|smtp_stream)'
}

# pf_class FILE: posttls-finger's verdict from its output.
pf_class() {
	if grep -q 'does not accept mail (nullMX)' "$1"; then
		echo not-applicable
	elif grep -q 'Matched DANE' "$1" &&
		grep -qE '(Verified|Trusted) TLS connection established' "$1"; then
		echo pass
	elif grep -qE 'no usable TLSA records found|all TLSA records unusable' "$1" &&
		grep -q 'TLS connection established' "$1"; then
		echo unauthenticated
	elif grep -q 'no TLSA records found' "$1"; then
		echo not-applicable
	else
		echo fail
	fi
}

# fold VERDICT: the domain verdict classes both tools can express.
fold() {
	case $1 in
	pass | warn) echo ok ;;
	not-applicable) echo none ;;
	*) echo "$1" ;;
	esac
}

# level_says LEVEL PF-OUTPUT REASON: do posttls-finger and daneops say the
# same thing about what a sender at LEVEL does with unusable records?
level_says() {
	local pf=sends mine=sends
	if grep -q 'all TLSA records unusable' "$2"; then
		grep -q 'all TLSA records unusable, fallback to unauthenticated TLS' "$2" || pf=defers
	else
		# posttls-finger "resorts" to another level; a sender does not.
		[ "$1" = dane-only ] && pf=defers
	fi
	case $3 in *"level dane-only defer"*) mine=defers ;; esac
	echo "$pf $mine"
}

# rank VERDICT: worse is more (a host is as bad as its worst address).
rank() {
	case $1 in
	pass) echo 0 ;; not-applicable) echo 1 ;; unauthenticated) echo 2 ;;
	*) echo 3 ;;
	esac
}

# pf_addrs LEVEL TARGET FAMILY: "ADDRESS CLASS" for every address
# posttls-finger tried in one run (its output in $PF).  It moves to a host's next address only
# when one fails (refused, ...), so every address tried before the last
# failed; the last one's class is that of the session.
pf_addrs() {
	local a last tried
	local pf=${PF:-$TMP/pf}
	pf_run "$1" "$2" -a "$3" >"$pf"
	tried=$(grep -oE 'connect_addr: trying: [^[]+\[[^]]+\]' "$pf" | sed -E 's/.*\[(.*)\]$/\1/')
	[ -n "$tried" ] || return 0
	last=$(tail -1 <<<"$tried")
	for a in $(head -n -1 <<<"$tried"); do echo "$a fail"; done
	echo "$last $(pf_class "$pf")"
}

# case_level DOMAIN WANT LEVEL: the comparison for one case at one level,
# its results ("is" arguments, base64) into $TMP/res.DOMAIN.LEVEL; run in
# the background, a few at a time (most of the time is spent waiting for
# handshakes and DNS timeouts), and reported in order afterwards.
case_level() {
	local domain=$1 want=$2 level=$3 j status got st hosts agg nfail nnone
	local npass n one h target hj mine fam want_addrs missing theirs worst
	local a c v r why b pfs
	local PF=$TMP/pf.$domain.$level RES=$TMP/res.$domain.$level
	is() { printf 'x%s x%s x%s\n' "$(printf %s "$1" | base64 -w0)" \
		"$(printf %s "$2" | base64 -w0)" "$(printf %s "$3" | base64 -w0)" >>"$RES"; }
	: >"$RES"
	j=$TMP/$domain.$level.json
	"${DO[@]}" --level "$level" --json "$domain" >"$j" 2>"$TMP/$domain.$level.err"
	status=$?
	got=$(jq -r .verdict "$j" 2>/dev/null || echo "(no JSON)")
	is "$got" "$want" "check $domain at $level: $want"
	# 0, 1 or 3, nothing on stderr (a sanitizer report would be there).
	case $status in 0 | 1 | 3) st=ok ;; *) st="exit $status" ;; esac
	[ -s "$TMP/$domain.$level.err" ] && st="stderr: $(head -c 200 "$TMP/$domain.$level.err")"
	is "$st" ok "check $domain --json at $level exits cleanly"
	# posttls-finger, host by host; the domain when DNS decided it.
	hosts=$(jq -r '.hosts[] | select(.addresses | length > 0) | .name' "$j" 2>/dev/null)
	if [ -z "$hosts" ]; then
		pf_run "$level" "$domain" >"$PF"
		agg=$(fold "$(pf_class "$PF")")
	else
		nfail=0 nnone=0 npass=0 n=0
		# One MX host: ask for the domain, as a sender does (with
		# DANE-TA the domain is a reference identifier too); several:
		# each host alone.
		one=$(jq -r 'if .mode == "mx" and (.mx.implicit | not) and (.hosts | length) == 1 then 1 else 0 end' "$j")
		for h in $hosts; do
			target="[$h]"
			[ "$one" = 1 ] && target=$domain
			hj=$(jq -c --arg h "$h" '.hosts[] | select(.name == $h)' "$j")
			mine=$(jq -r .verdict <<<"$hj")
			# posttls-finger address by address, per family; it tries
			# the addresses in random order, so ask again until every
			# address was tried (or give up after 6 runs).
			declare -A pfc=()
			for fam in 4 6; do
				want_addrs=$(jq -r --argjson f "$fam" '.addresses[] | select(.family == $f) | .address' <<<"$hj")
				[ -n "$want_addrs" ] || continue
				for _ in 1 2 3 4 5 6; do
					while read -r a c; do
						[ -n "$a" ] && [ -z "${pfc[$a]:-}" ] && pfc[$a]=$c
					done < <(pf_addrs "$level" "$target" "ipv$fam")
					cp "$PF" "$PF.$fam"
					missing=0
					for a in $want_addrs; do [ -n "${pfc[$a]:-}" ] || missing=1; done
					[ "$missing" = 0 ] && break
				done
			done
			theirs=pass worst=-1
			while read -r a v; do
				[ -n "$a" ] || continue
				is "$v" "${pfc[$a]:-(not tried)}" "posttls-finger -l $level agrees on $h [$a] ($domain)"
				r=$(rank "${pfc[$a]:-fail}")
				[ "$r" -gt "$worst" ] && { worst=$r; theirs=${pfc[$a]:-fail}; }
			done < <(jq -r '.addresses[] | "\(.address) \(.verdict)"' <<<"$hj")
			unset pfc
			is "$mine" "$theirs" "posttls-finger -l $level agrees on $h ($domain)"
			if [ "$theirs" = unauthenticated ]; then
				why=$(jq -r .reason <<<"$hj")
				pfs=("$PF".?)
				read -r a b <<<"$(level_says "$level" "${pfs[0]}" "$why")"
				is "$b" "$a" "at $level both say a sender $a to $h ($domain)"
			fi
			rm -f "$PF".?
			n=$((n + 1))
			[ "$theirs" = fail ] && nfail=$((nfail + 1))
			[ "$theirs" = not-applicable ] && nnone=$((nnone + 1))
			[ "$theirs" = pass ] && npass=$((npass + 1))
		done
		if [ "$nfail" -gt 0 ] || { [ "$npass" -eq 0 ] && [ "$nnone" -lt "$n" ]; }; then agg=fail
		elif [ "$nnone" -eq "$n" ]; then agg=none
		else agg=ok; fi
	fi
	is "$(fold "$got")" "$agg" "posttls-finger -l $level agrees on the domain $domain"
}

n_cases=0
cases=()
while read -r domain want; do
	[ -n "$domain" ] || continue
	n_cases=$((n_cases + 1))
	cases+=("$domain $want")
	for level in dane dane-only; do
		while [ "$(jobs -rp | wc -l)" -ge 4 ]; do wait -n; done
		(trap - EXIT; case_level "$domain" "$want" "$level") &
	done
done <"$LAB_CHECK_CASES"
wait
for c in "${cases[@]}"; do
	for level in dane dane-only; do
		res=$TMP/res.${c%% *}.$level
		[ -s "$res" ] || { fail "no comparison for ${c%% *} at $level"; continue; }
		while read -r a b d; do
			is "$(base64 -d <<<"${a#x}")" "$(base64 -d <<<"${b#x}")" "$(base64 -d <<<"${d#x}")"
		done <"$res"
	done
done
[ "$n_cases" -ge 40 ] && pass "the case matrix has $n_cases cases" ||
	fail "only $n_cases cases in $LAB_CHECK_CASES"

# Exit statuses and output formats.
expect_status 0 "a passing domain exits 0" "${DO[@]}" next.cases.test
expect_output 'next.cases.test: PASS' "human output names the verdict" "${DO[@]}" next.cases.test
expect_output 'current: matched by 1 address' "human output says which record matched" \
	"${DO[@]}" next.cases.test
expect_output 'unmatched: stale, or a next key' "human output names the unmatched record" \
	"${DO[@]}" next.cases.test
expect_status 1 "a DANE failure exits 1" "${DO[@]}" stale.cases.test
expect_status 1 "DANE not applicable exits 1" "${DO[@]}" unsigned.cases.test
expect_status 3 "a domain that does not exist exits 3" "${DO[@]}" nonexistent.cases.test
expect_status 1 "the worst of several domains wins" "${DO[@]}" next.cases.test stale.cases.test
"${DO[@]}" --json next.cases.test ee311.cases.test >"$TMP/two.json"
is "$(jq -r .domain "$TMP/two.json" | tr '\n' ' ')" "next.cases.test ee311.cases.test " \
	"--json prints one object per domain, in order"
is "$(jq -r '[.schema, ([.hosts[0].tlsa.records[].status] | sort | join(",")), .hosts[0].addresses[0].dane.match_depth] | join(" ")' \
	"$TMP/two.json" | head -1)" "daneops-check/1 current,unmatched 0" "JSON schema, record status, match depth"
expect_output '^DANE OK: next.cases.test: .*\(sender level dane\) \| .*records_matched' "--nagios OK with perfdata and the level" \
	"${DO[@]}" --nagios next.cases.test
expect_output '^  sender level: dane-only' "human output names the level" \
	"${DO[@]}" --level dane-only next.cases.test
expect_output 'sender level dane-only' "--nagios names the level" \
	"${DO[@]}" --nagios --level dane-only next.cases.test
is "$(jq -r .level "$TMP/next.cases.test.dane-only.json")" dane-only "JSON names the level"
is "$(jq -r .level "$TMP/next.cases.test.dane.json")" dane "the default level is dane"
"${DO[@]}" --json next.cases.test >"$TMP/default.json"
is "$(jq -r .level "$TMP/default.json")" dane "without --level: dane"
expect_status 2 "a bad --level is a usage error" "$DANEOPS" check --level may example.org
expect_output 'senders at level dane-only defer all mail' \
	"not-applicable at dane-only: mail is deferred" "${DO[@]}" --level dane-only notlsa-nx.cases.test
expect_status 1 "no usable record anywhere fails (exit 1)" "${DO[@]}" unusable.cases.test
expect_output 'use TLS without authentication and deliver' \
	"no usable record at dane: unauthenticated TLS, delivered" "${DO[@]}" unusable.cases.test
expect_output 'dane-only defer the mail' \
	"no usable record at dane-only: deferred" "${DO[@]}" --level dane-only pkix.cases.test
expect_status 1 "--nagios WARNING exits 1" "${DO[@]}" --nagios ee311.cases.test
expect_status 2 "--nagios CRITICAL exits 2" "${DO[@]}" --nagios stale.cases.test
expect_status 3 "--nagios UNKNOWN exits 3" "${DO[@]}" --nagios nonexistent.cases.test
expect_output 'expire' "an expired DANE-EE leaf passes with a warning" "${DO[@]}" ee-expired.cases.test
expect_output 'only one usable TLSA record' "one usable record is a warning" "${DO[@]}" ee311.cases.test
is "$(jq -r '[.warnings[] | select(.code == "ta-pinned-issuer") | .message] | length' \
	"$TMP/ta211.cases.test.dane.json")" 1 "DANE-TA on the intermediate only: a pinned-issuer warning"
expect_output 'publish _25._tcp.mx.ta211.cases.test 3 1 1 [0-9a-f]{64} for the current key' \
	"the pinned-issuer warning suggests the leaf key's 3 1 1" "${DO[@]}" ta211.cases.test
is "$(jq -r '[.warnings[] | select(.code == "ta-pinned-issuer")] | length' \
	"$TMP/ta-nochain-ee.cases.test.dane.json")" 0 "DANE-TA plus a matching DANE-EE: no pinned-issuer warning"
expect_output 'none is published for the next one' "records for the current key only: a warning" \
	"${DO[@]}" samekey.cases.test
expect_output 'CNAME -> mx.ee311.cases.test; TLSA base domain mx.ee311.cases.test' \
	"an MX CNAME: records at the expanded name" "${DO[@]}" cname.cases.test
expect_output 'TLSA base domain alias.cname-orig.cases.test' \
	"an MX CNAME: records at the original name" "${DO[@]}" cname-orig.cases.test

# RFC 7672 2.2.2: a secure CNAME into unsigned DNS keeps the original name.
expect_output 'TLSA base domain mx.scname.edges.test \(a secure CNAME into unsigned DNS' \
	"a secure CNAME to an unsigned zone: the original name is the base domain" \
	"${DO[@]}" scname.edges.test
is "$(jq -r '.hosts[0] | [.cname_security, .address_security, .tlsa_base, .verdict] | join(" ")' \
	"$TMP/scname.edges.test.dane.json")" "secure insecure mx.scname.edges.test pass" \
	"JSON: the CNAME is secure, the addresses are not, DANE applies"
is "$(jq -r '.hosts[0] | [.cname_security, .dane] | join(" ")' "$TMP/icname.edges.test.dane.json")" \
	"insecure not-applicable" "an insecure CNAME out of signed DNS: DANE does not apply"

# DNSSEC signatures: every RRset used, the chain up to the root.
f=$TMP/sigsoon.test.dane.json
is "$(jq -r '[.dnssec.rrsets[] | "\(.name)/\(.type)"] | sort | join(" ")' "$f")" \
	"./DNSKEY _25._tcp.mx.sigsoon.test/TLSA mx.sigsoon.test/A sigsoon.test/DNSKEY sigsoon.test/DS sigsoon.test/MX test/DNSKEY test/DS" \
	"JSON lists MX, A, TLSA and the DNSKEY/DS chain up to the root"
is "$(jq -r '[.warnings[] | select(.code == "rrsig-expiring") | .zone] | join(" ")' "$f")" sigsoon.test \
	"signatures expiring within 7 days: one warning naming the zone"
is "$(jq -r '[.warnings[] | select(.code == "rrsig-expiring") | .rrset] | .[0] | test("sigsoon.test (MX|A|TLSA|DNSKEY)$")' "$f")" true \
	"the warning names the record"
exp=$(jq -r '.dnssec.rrsig_expires' "$f")
days=$(( ($(date -u -d "$exp" +%s) - $(date +%s)) / 86400 ))
is "$days" 2 "the earliest expiry is the zone's (in 3 days, less the test's age)"
is "$(jq -r '[.mx.rrsig_expires, .hosts[0].tlsa.rrsig_expires, .hosts[0].address_rrsig_expires] | map(. == $e) | all' --arg e "$exp" "$f")" \
	true "per RRset rrsig_expires on the MX, address and TLSA answers"
is "$(jq -r '.sig_warn_days' "$f")" 7 "the default --sig-warn-days is 7"
expect_output 'RRSIG on .*\(zone sigsoon.test.*expires in 2 day' "human output warns of the expiring signatures" \
	"${DO[@]}" sigsoon.test
expect_status 0 "expiring signatures are a warning (exit 0)" "${DO[@]}" sigsoon.test
"${DO[@]}" --json --sig-warn-days 2 sigsoon.test >"$TMP/sig2.json"
is "$(jq -r '[.warnings[] | select(.code | startswith("rrsig"))] | length' "$TMP/sig2.json")" 0 \
	"--sig-warn-days 2: three days left is no warning"
expect_output "'rrsig_days_left'=2;7;0" "--nagios reports the days left of the first signature" \
	"${DO[@]}" --nagios sigsoon.test
is "$(jq -r '[.warnings[] | select(.code == "rrsig-expired") | .zone] | join(" ")' \
	"$TMP/sigskew.test.dane.json")" sigskew.test \
	"a signature expired within the validators' clock-skew allowance: still secure, warned"
expect_output 'signature expired' "signatures expired days ago: bogus" "${DO[@]}" sigexpired.test
expect_status 2 "a bad --sig-warn-days is a usage error" "$DANEOPS" check --sig-warn-days x example.org

# More edges.
is "$(jq -r '[.hosts[0].addresses[] | "\(.family):\(.verdict)"] | join(" ")' \
	"$TMP/v6stale.edges.test.dane.json")" "4:fail 6:pass" \
	"A and AAAA present different keys: the stale one fails, and so does the host"
is "$(jq -r '[.hosts[0].addresses[] | select(.verdict == "fail") | .address] | join(" ")' \
	"$TMP/refuse.edges.test.dane.json")" 127.0.9.2 "of two addresses, the one refusing connections fails"
is "$(jq -r '[.warnings[] | select(.code == "digest-agility")] | length' \
	"$TMP/agility.edges.test.dane.json")" 1 "a stale 3 1 2 beside a matching 3 1 1: the digest-agility warning"
is "$(jq -r '.hosts[0].tlsa_base' "$TMP/tlsacname.edges.test.dane.json")" mx.tlsacname.edges.test \
	"a CNAME at the TLSA owner does not change the base domain"

# RFC 7672 2.2: a failed TLSA lookup under a secure host name makes the
# host unusable (Postfix: "TLSA lookup error", deferred at both levels).
for lv in dane dane-only; do
	is "$(jq -r '[.verdict, .hosts[0].verdict, (.hosts[0].reason | test("^TLSA lookup for _25._tcp.mx.tlsabogus.edges.test is bogus: .*; DANE senders defer mail to this host"))] | join(" ")' \
		"$TMP/tlsabogus.edges.test.$lv.json")" "fail fail true" \
		"a bogus TLSA RRset at $lv: the host fails, senders defer"
	is "$(jq -r '[.verdict, .hosts[0].verdict, (.hosts[0].reason | test("^TLSA lookup for _25._tcp.mx.tlsafail.edges.test failed: no answer within [0-9]+ ms; DANE senders defer"))] | join(" ")' \
		"$TMP/tlsafail.edges.test.$lv.json")" "fail fail true" \
		"a TLSA lookup timing out at $lv: the host fails, senders defer"
done
pf_run dane tlsafail.edges.test >"$TMP/pf"
is "$(grep -c 'TLSA lookup error for mx.tlsafail.edges.test:25' "$TMP/pf")" 1 \
	"posttls-finger: TLSA lookup error, no session (what daneops's reason says)"
expect_output 'failed: no answer \(SERVFAIL\); DANE senders defer' \
	"--resolver: a TLSA SERVFAIL fails the host, senders defer" lab_run "$DANEOPS" check \
	--trust-anchor "$LAB_TA" --resolver-conf "$LAB_RESOLVER_CONF" --resolver "$LAB_RESOLVER" tlsafail.edges.test
expect_status 1 "a TLSA SERVFAIL is a DANE failure (exit 1), not could-not-check" lab_run \
	"$DANEOPS" check --trust-anchor "$LAB_TA" --resolver-conf "$LAB_RESOLVER_CONF" --resolver "$LAB_RESOLVER" tlsafail.edges.test

# One service, other resolver set-ups.
expect_status 0 "--host checks one service" "${DO[@]}" --host mx.ee311.cases.test --port 25
expect_output 'port 25 \(smtp\)' "--host names port and dialogue" \
	"${DO[@]}" --host mx.ee311.cases.test
expect_output 'www.cases.test port 443 \(none\): PASS' "--host --port 443: TLS from the first byte" \
	"${DO[@]}" --host www.cases.test --port 443
expect_status 1 "--starttls smtp on an HTTPS port fails" \
	"${DO[@]}" --host www.cases.test --port 443 --starttls smtp
"${DO[@]}" --json dual.cases.test >"$TMP/dual.json"
is "$(jq -r '[.hosts[0].addresses[] | "\(.family):\(.verdict)"] | join(" ")' "$TMP/dual.json")" \
	"4:pass 6:pass" "every address of a host is checked, IPv4 and IPv6"
expect_status 0 "--resolver forwards and validates here" lab_run "$DANEOPS" check \
	--trust-anchor "$LAB_TA" --resolver-conf "$LAB_RESOLVER_CONF" --resolver "$LAB_RESOLVER" next.cases.test
expect_output 'MX lookup is bogus' "--resolver: bogus is still bogus" lab_run "$DANEOPS" check \
	--trust-anchor "$LAB_TA" --resolver-conf "$LAB_RESOLVER_CONF" --resolver "$LAB_RESOLVER" bogus.cases.test
printf 'server:\n\tlocal-zone: "test." nodefault\n\tdo-ip6: no\n\tedns-buffer-size: 1232\n' >"$TMP/ub.conf"
expect_status 0 "--resolver-conf hands a file to libunbound" "${DO[@]}" \
	--resolver-conf "$TMP/ub.conf" next.cases.test
printf 'server:\n\tno-such-option: 1\n' >"$TMP/bad.conf"
expect_status 3 "a bad --resolver-conf cannot be checked" "${DO[@]}" \
	--resolver-conf "$TMP/bad.conf" next.cases.test
# Issue 12: a trust anchor no longer makes test. resolvable by itself.
expect_status 3 "a trust anchor alone leaves test. to libunbound (NXDOMAIN)" lab_run "$DANEOPS" check \
	--trust-anchor "$LAB_TA" --stub ".=$LAB_AUTH" --timeout 6 next.cases.test
last_output | grep -q 'next.cases.test: the domain does not exist' &&
	pass "and says the name does not exist" || fail "and says the name does not exist" "$(last_output)"
expect_status 3 "--trust-anchor /dev/zero: exit 3 at once" timeout -k 2 10 "$DANEOPS" check \
	--trust-anchor /dev/zero --timeout 2 example.org
last_output | grep -q '/dev/zero: is a character device' && pass "and says why" ||
	fail "and says why" "$(last_output)"
expect_status 3 "--trust-anchor DIR: exit 3" timeout -k 2 10 "$DANEOPS" check --trust-anchor "$TMP" example.org
expect_status 1 "-6 checks only IPv6 addresses (none here: fail)" "${DO[@]}" -6 next.cases.test
expect_output '127\.0\.3\.1 +pass' "-4 checks the IPv4 address" "${DO[@]}" -4 next.cases.test
start=$SECONDS
expect_status 1 "a stalled server fails within the run's timeout" lab_run "$DANEOPS" check \
	--trust-anchor "$LAB_TA" --resolver-conf "$LAB_RESOLVER_CONF" --stub ".=$LAB_AUTH" --timeout 2 stall.cases.test
[ $((SECONDS - start)) -le 5 ] && pass "--timeout 2 ends the run in time" ||
	fail "--timeout 2 took $((SECONDS - start)) s"

# A name server that never answers: libunbound keeps retrying it for many
# seconds, but the run ends at its own timeout (3 s: 1 s per DNS step).
lab_run python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.5.99", 5353)); time.sleep(30)' &
silent=$!
sleep 0.3
start=$SECONDS
expect_status 3 "a name server that never answers: could not check" lab_run "$DANEOPS" check \
	--stub "silent.test=127.0.5.99@5353" --timeout 3 silent.test
[ $((SECONDS - start)) -le 5 ] && pass "--timeout 3 ends the run in time, whatever libunbound retries" ||
	fail "a silent name server kept the run for $((SECONDS - start)) s"
kill "$silent" 2>/dev/null
wait "$silent" 2>/dev/null

# Usage errors.
expect_status 2 "no domain is a usage error" "$DANEOPS" check
expect_status 2 "--port needs --host" "$DANEOPS" check --port 25 example.org
expect_status 2 "a bad --starttls is a usage error" "$DANEOPS" check --host a.test --starttls ftp
expect_status 2 "a bad --stub is a usage error" "$DANEOPS" check --stub nonsense example.org
expect_status 3 "a missing trust anchor file cannot be checked" "$DANEOPS" check \
	--trust-anchor /nonexistent example.org
expect_output 'usage: daneops check' "--help is short and true" "$DANEOPS" check --help
expect_status 0 "--help exits 0" "$DANEOPS" check --help

done_testing
