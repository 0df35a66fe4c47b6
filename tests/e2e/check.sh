#!/usr/bin/env bash
# needs: lab
#
# tests/e2e/check.sh - "daneops check" against the lab's case matrix
# (lab/world.d/50-check-cases.sh), and agreement with Postfix's
# posttls-finger on every case.
#
# For each case domain: daneops's domain verdict must be the expected one;
# then every MX host daneops found is given to posttls-finger ("[host]",
# -l dane-only) and the two must reach the same host verdict:
#   pass             "Matched DANE ..." and a TLS connection established
#   unauthenticated  "no usable TLSA records found, resorting to ..." and TLS
#   not-applicable   "no TLSA records found, resorting to ..."
#   fail             anything else (no match, no STARTTLS, handshake or
#                    connection failure, bogus DNS)
# and the domain verdicts agree once folded the same way (pass and warn are
# "ok"; a domain is "fail" if one host fails, "none" if no host has DANE).
. "$DANEOPS_TOP/tests/lib.sh"
# shellcheck disable=SC1091
. "$DANEOPS_LAB/env"

DO=(lab_run "$DANEOPS" check --trust-anchor "$LAB_TA" --resolver-conf "$LAB_RESOLVER_CONF" --stub ".=$LAB_AUTH" --timeout 6)

# pf_class TARGET: posttls-finger's verdict for one host or domain.
pf_class() {
	local out
	out=$(lab_run env MAIL_CONFIG="$LAB_POSTFIX_CONF" posttls-finger -c -t 3 -T 3 \
		-l dane-only "$1" 2>&1)
	if grep -q 'does not accept mail (nullMX)' <<<"$out"; then
		echo not-applicable
	elif grep -q 'Matched DANE' <<<"$out" &&
		grep -qE '(Verified|Trusted) TLS connection established' <<<"$out"; then
		echo pass
	elif grep -q 'no usable TLSA records found' <<<"$out" &&
		grep -q 'TLS connection established' <<<"$out"; then
		echo unauthenticated
	elif grep -q 'no TLSA records found' <<<"$out"; then
		echo not-applicable
	else
		echo fail
	fi
}

# fold VERDICT: the domain verdict classes both tools can express.
fold() {
	case $1 in
	pass | warn | unauthenticated) echo ok ;;
	not-applicable) echo none ;;
	*) echo "$1" ;;
	esac
}

while read -r domain want; do
	[ -n "$domain" ] || continue
	"${DO[@]}" --json "$domain" >"$TMP/$domain.json" 2>"$TMP/$domain.err"
	status=$?
	got=$(jq -r .verdict "$TMP/$domain.json" 2>/dev/null || echo "(no JSON)")
	is "$got" "$want" "check $domain: $want"
	# 0, 1 or 3, nothing on stderr (a sanitizer report would be there).
	case $status in 0 | 1 | 3) st=ok ;; *) st="exit $status" ;; esac
	[ -s "$TMP/$domain.err" ] && st="stderr: $(head -c 200 "$TMP/$domain.err")"
	is "$st" ok "check $domain --json exits cleanly"
	# posttls-finger, host by host; the domain when DNS decided it.
	hosts=$(jq -r '.hosts[] | select(.addresses | length > 0) | .name' \
		"$TMP/$domain.json" 2>/dev/null)
	agg=
	if [ -z "$hosts" ]; then
		agg=$(fold "$(pf_class "$domain")")
	else
		nfail=0 nnone=0 n=0
		for h in $hosts; do
			mine=$(jq -r --arg h "$h" '.hosts[] | select(.name == $h) | .verdict' \
				"$TMP/$domain.json")
			theirs=$(pf_class "[$h]")
			is "$mine" "$theirs" "posttls-finger agrees on $h ($domain)"
			n=$((n + 1))
			[ "$theirs" = fail ] && nfail=$((nfail + 1))
			[ "$theirs" = not-applicable ] && nnone=$((nnone + 1))
		done
		if [ "$nfail" -gt 0 ]; then agg=fail
		elif [ "$nnone" -eq "$n" ]; then agg=none
		else agg=ok; fi
	fi
	is "$(fold "$got")" "$agg" "posttls-finger agrees on the domain $domain"
done <"$LAB_CHECK_CASES"

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
expect_output '^DANE OK: next.cases.test: .*\| .*records_matched' "--nagios OK with perfdata" \
	"${DO[@]}" --nagios next.cases.test
expect_status 1 "--nagios WARNING exits 1" "${DO[@]}" --nagios ee311.cases.test
expect_status 2 "--nagios CRITICAL exits 2" "${DO[@]}" --nagios stale.cases.test
expect_status 3 "--nagios UNKNOWN exits 3" "${DO[@]}" --nagios nonexistent.cases.test
expect_output 'expire' "an expired DANE-EE leaf passes with a warning" "${DO[@]}" ee-expired.cases.test
expect_output 'only one usable TLSA record' "one usable record is a warning" "${DO[@]}" ee311.cases.test
expect_output 'none is published for the next one' "records for the current key only: a warning" \
	"${DO[@]}" samekey.cases.test
expect_output 'CNAME -> mx.ee311.cases.test; TLSA base domain mx.ee311.cases.test' \
	"an MX CNAME: records at the expanded name" "${DO[@]}" cname.cases.test
expect_output 'TLSA base domain alias.cname-orig.cases.test' \
	"an MX CNAME: records at the original name" "${DO[@]}" cname-orig.cases.test

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
