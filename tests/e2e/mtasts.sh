#!/usr/bin/env bash
# needs: lab
#
# tests/e2e/mtasts.sh - MTA-STS and TLSRPT in "daneops check" against the
# lab's cases (lab/world.d/60-mtasts.sh), cross-checked with an
# independent implementation, postfix-mta-sts-resolver's mta-sts-query.
#
#  1. every case gives the documented DANE and MTA-STS verdicts (and the
#     dane-sts-conflict warning where DANE passes a certificate MTA-STS
#     refuses), with the exit status DANE's;
#  2. mta-sts-query (trusting the lab CA through SSL_CERT_FILE) agrees on
#     which policies are usable, their mode and their mx patterns;
#  3. the system store does not trust the lab CA: without --ca-file no
#     policy can be fetched;
#  4. --require mta-sts, --no-mta-sts, human and Nagios output, usage;
#  5. a domain without MTA-STS loads no libcurl (util/plugin.h).
. "$DANEOPS_TOP/tests/lib.sh"
# shellcheck disable=SC1091
. "$DANEOPS_LAB/env"

DO=(lab_run "$DANEOPS" check --trust-anchor "$LAB_TA" --resolver-conf "$LAB_RESOLVER_CONF" --stub ".=$LAB_AUTH" --timeout 10)
CA=(--ca-file "$LAB_CA")

# --- 1. the case matrix -------------------------------------------------------
mapfile -t cases <"$LAB_MTASTS_CASES"
if [ "${#cases[@]}" -ge 14 ]; then pass "the lab has MTA-STS cases"; else fail "the lab has MTA-STS cases"; fi
for line in "${cases[@]}"; do
	read -r domain dane sts warning <<<"$line"
	"${DO[@]}" "${CA[@]}" --json "$domain" >"$TMP/$domain.json" 2>"$TMP/$domain.err"
	status=$?
	got=$(jq -r '[.verdict, .mta_sts.verdict] | join(" ")' "$TMP/$domain.json" 2>/dev/null)
	is "$got" "$dane $sts" "check $domain: DANE $dane, MTA-STS $sts"
	case $dane in pass | warn) want=0 ;; *) want=1 ;; esac
	is "$status" "$want" "check $domain: exit $want (DANE's)"
	if [ -s "$TMP/$domain.err" ]; then fail "check $domain: nothing on stderr" "$(head -3 "$TMP/$domain.err")"
	else pass "check $domain: nothing on stderr"; fi
	codes=$(jq -r '[.mta_sts.warnings[].code] | join(",")' "$TMP/$domain.json" 2>/dev/null)
	if [ -n "$warning" ]; then
		case ",$codes," in *",$warning,"*) pass "check $domain: warning $warning" ;;
		*) fail "check $domain: warning $warning" "got: '$codes'" ;; esac
	else
		case ",$codes," in *,dane-sts-conflict,*) fail "check $domain: no dane-sts-conflict" ;;
		*) pass "check $domain: no dane-sts-conflict" ;; esac
	fi
done

# Details the verdicts rest on.
j() { jq -r "$2" "$TMP/$1.sts.test.json"; }
is "$(j enforce '[.mta_sts.hosts[] | .name + "=" + .pattern] | join(" ")')" \
	"mx1.enforce.sts.test=mx1.enforce.sts.test mx2.enforce.sts.test=*.enforce.sts.test" \
	"enforce: each MX host matched, mx2 by the wildcard"
is "$(j enforce '.mta_sts.tlsrpt.rua | join(" ")')" "mailto:tls-reports@enforce.sts.test" \
	"enforce: the TLSRPT rua"
is "$(j enforce '.mta_sts.record.id')" "20261203T0001" "enforce: the policy id"
is "$(j mxmiss '[.mta_sts.hosts[] | select(.pattern == null) | .name] | join(" ")')" \
	"mx2.mxmiss.sts.test" "mxmiss: mx2 is the host no pattern matches"
expect_output 'larger than 65536' "big: refused for its size" j big .mta_sts.summary
expect_output 'HTTP 404' "nopolicy: the TXT announces a policy that is not there" j nopolicy .mta_sts.summary
expect_output 'redirected \(HTTP 301\)' "redirect: not followed" j redirect .mta_sts.summary
expect_output 'text/html' "html: the media type" j html .mta_sts.summary
expect_output 'does not name mx.wrongcert.sts.test' "wrongcert: the name" \
	j wrongcert '.mta_sts.hosts[0].addresses[0].why'
expect_output 'self-signed' "selfsigned: PKIX refuses what DANE-EE accepts" \
	j selfsigned '.mta_sts.hosts[0].addresses[0].why'
is "$(j selfsigned '.mta_sts.hosts[0].addresses[0].dane_ok')" true "selfsigned: DANE authenticated it"
expect_output 'not letters and digits' "badtxt: the id" j badtxt .mta_sts.summary

expect_output 'timed out' "stall: the fetch timed out" j stall .mta_sts.summary

# The fetch ends within the run's --timeout even when the server stalls.
start=$SECONDS
"${DO[@]}" "${CA[@]}" --timeout 4 --json stall.sts.test >"$TMP/stall4.json" 2>&1
took=$((SECONDS - start))
is "$(jq -r .mta_sts.verdict "$TMP/stall4.json")" unknown "stall with --timeout 4: unknown"
if [ "$took" -le 6 ]; then pass "stall with --timeout 4: done in ${took}s"
else fail "stall with --timeout 4: done in ${took}s, want <= 6"; fi

# --- 2. postfix-mta-sts-resolver agrees on the policies -----------------------
# Its result: NONE, VALID (with the policy) or FETCH_ERROR (anything else).
if command -v mta-sts-query >/dev/null; then
	for line in "${cases[@]}"; do
		read -r domain _ <<<"$line"
		oracle=$(lab_run env SSL_CERT_FILE="$LAB_CA" timeout 30 mta-sts-query "$domain" 2>&1 | tail -1 |
			python3 -c '
import ast, re, sys
line = sys.stdin.read().strip()
m = re.match(r"\(<STSFetchResult\.(\w+): \d+>, (.*)\)$", line)
if not m:
    print("unparsed: " + line[:100]); sys.exit()
kind, rest = m.group(1), ast.literal_eval(m.group(2))
if kind == "VALID":
    pol = rest[1]
    print("VALID " + pol["mode"] + " " + ",".join(pol["mx"]))
else:
    print(kind)')
		ours=$(jq -r '.mta_sts as $m |
			if $m.record.records == [] then "NONE"
			elif $m.policy.mode != null and $m.record.id != null then
				"VALID " + $m.policy.mode + " " + ($m.policy.mx | join(","))
			else "FETCH_ERROR" end' "$TMP/$domain.json")
		is "$ours" "$oracle" "mta-sts-query agrees on $domain"
	done
else
	fail "mta-sts-query (postfix-mta-sts-resolver, scripts/packages.txt) is installed"
fi

# --- 3. the system store does not know the lab CA ------------------------------
"${DO[@]}" --json enforce.sts.test >"$TMP/noca.json" 2>&1
is "$(jq -r .mta_sts.verdict "$TMP/noca.json")" fail "without --ca-file the lab's policy is not trusted"
expect_output 'certificate|SSL' "... for its certificate" jq -r .mta_sts.summary "$TMP/noca.json"
expect_status 3 "--ca-file of a file without certificates: exit 3" \
	"${DO[@]}" --ca-file "$DANEOPS_TOP/tests/data/tlsa/text.txt" enforce.sts.test

# --- 4. options and output --------------------------------------------------------
expect_status 0 "selfsigned: DANE passes, exit 0" "${DO[@]}" "${CA[@]}" selfsigned.sts.test
expect_status 1 "selfsigned with --require mta-sts: exit 1" \
	"${DO[@]}" "${CA[@]}" --require mta-sts selfsigned.sts.test
expect_status 0 "dual (DANE and MTA-STS pass) with --require mta-sts: exit 0" \
	"${DO[@]}" "${CA[@]}" --require mta-sts dual.sts.test
expect_status 1 "dual and selfsigned with --require mta-sts: exit 1" \
	"${DO[@]}" "${CA[@]}" --require mta-sts dual.sts.test selfsigned.sts.test
expect_status 1 "none (no MTA-STS) with --require mta-sts: exit 1" \
	"${DO[@]}" "${CA[@]}" --require mta-sts none.sts.test

"${DO[@]}" "${CA[@]}" selfsigned.sts.test >"$TMP/human" 2>&1
expect_output '^selfsigned.sts.test: WARN' "human: DANE's verdict" cat "$TMP/human"
expect_output '^  MTA-STS: FAIL' "human: MTA-STS's verdict" cat "$TMP/human"
expect_output 'passes DANE but fails MTA-STS' "human: the conflict" cat "$TMP/human"

"${DO[@]}" "${CA[@]}" --nagios selfsigned.sts.test dual.sts.test >"$TMP/nagios" 2>&1
is "$?" 1 "nagios: DANE's state (WARNING)"
expect_output '^DANE WARNING: .*; MTA-STS selfsigned.sts.test: fail .*; MTA-STS dual.sts.test: pass \|' \
	"nagios: both verdicts in the text" cat "$TMP/nagios"
expect_output "'selfsigned.sts.test mta_sts_addresses_ok'=0;;;0;1 'dual.sts.test mta_sts_addresses_ok'=1;;;0;1$" \
	"nagios: MTA-STS perfdata" cat "$TMP/nagios"
expect_status 2 "nagios --require mta-sts: CRITICAL" \
	"${DO[@]}" "${CA[@]}" --nagios --require mta-sts selfsigned.sts.test
last_output >"$TMP/nagios-require"
expect_output '^DANE\+MTA-STS CRITICAL: ' "... labelled DANE+MTA-STS" cat "$TMP/nagios-require"

"${DO[@]}" "${CA[@]}" --nagios none.sts.test >"$TMP/nagios-none" 2>&1
if grep -q MTA-STS "$TMP/nagios-none"; then fail "nagios: a domain without MTA-STS keeps DANE's line" "$(cat "$TMP/nagios-none")"
else pass "nagios: a domain without MTA-STS keeps DANE's line"; fi
"${DO[@]}" "${CA[@]}" --nagios --require mta-sts none.sts.test >"$TMP/nagios-none" 2>&1
expect_output '; MTA-STS none.sts.test: not-applicable' "... unless MTA-STS is required" cat "$TMP/nagios-none"

"${DO[@]}" --json --no-mta-sts enforce.sts.test >"$TMP/off.json" 2>&1
is "$(jq -r .mta_sts "$TMP/off.json")" null "--no-mta-sts: mta_sts is null"
"${DO[@]}" --no-mta-sts enforce.sts.test >"$TMP/off" 2>&1
if grep -q MTA-STS "$TMP/off"; then fail "--no-mta-sts: no MTA-STS block"; else pass "--no-mta-sts: no MTA-STS block"; fi
"${DO[@]}" --json --host mx1.enforce.sts.test >"$TMP/host.json" 2>&1
is "$(jq -r .mta_sts "$TMP/host.json")" null "--host: MTA-STS is for mail domains only"

expect_status 2 "--require dane: usage" "$DANEOPS" check --require dane example.org
expect_status 2 "--no-mta-sts --require mta-sts: usage" \
	"$DANEOPS" check --no-mta-sts --require mta-sts example.org

# --- 5. libcurl only where a policy is fetched ----------------------------------------
curl_loaded() {
	lab_run env LD_DEBUG=libs "$DANEOPS" check --trust-anchor "$LAB_TA" --resolver-conf "$LAB_RESOLVER_CONF" --stub ".=$LAB_AUTH" \
		"${CA[@]}" "$1" 2>&1 >/dev/null | grep -c 'calling init: .*libcurl'
}
is "$(curl_loaded none.sts.test)" 0 "check of a domain without MTA-STS loads no libcurl"
is "$(curl_loaded enforce.sts.test)" 1 "check of a domain with MTA-STS loads libcurl (daneops-http.so)"

# --- 6. doctor: the published policy against this host's configuration ----------
. "$DANEOPS_TOP/tests/data/doctor-lib.sh"
# dr DOMAIN MYHOSTNAME CERT-NAME TLSA-HOST: doctor --json's sts-* findings
# ("code subject" lines) for a host serving DOMAIN as MYHOSTNAME with the
# lab's certificate CERT-NAME deployed for TLSA-HOST.
dr() {
	local up=${3^^} r=$TMP/root-$1
	local key=LAB_${up//-/_}_KEY chain=LAB_${up//-/_}_CHAIN
	rm -rf "$r"
	mkroot "$r"
	sed -i -e "s/^myhostname = .*/myhostname = $2/" -e "s/^mydomain = .*/mydomain = $1/" \
		"$r/etc/postfix/main.cf"
	cat >"$TMP/$1.conf" <<-EOF
	[daneops]
	state_dir = $TMP/state-$1
	trust_anchor = $LAB_TA
	resolver_conf = $LAB_RESOLVER_CONF
	stub = .=$LAB_AUTH

	[lineage mx]
	source_key = ${!key}
	source_chain = ${!chain}
	deploy_key = ${!key}
	deploy_chain = ${!chain}
	tlsa = _25._tcp.$4
	provider = lab

	[provider lab]
	type = rfc2136
	zone = sts.test
	server = $LAB_AUTH
	tsig_key_file = $LAB_TSIG_KEYFILE
	EOF
	lab_run env DANEOPS_POSTCONF=/nonexistent "$DANEOPS" doctor --root "$r" --config "$TMP/$1.conf" \
		--trust-anchor "$LAB_TA" --resolver-conf "$LAB_RESOLVER_CONF" --stub ".=$LAB_AUTH" --timeout 10 "${CA[@]}" --json 2>"$TMP/dr.err" |
		jq -r '.findings[] | select(.code | startswith("sts-")) | .code + " " + .subject' | sort -u
}
is "$(dr enforce.sts.test mx1.enforce.sts.test sts-good mx1.enforce.sts.test)" "" \
	"doctor enforce: policy, MX names and certificate agree"
is "$(dr mxmiss.sts.test mx2.mxmiss.sts.test sts-good mx2.mxmiss.sts.test)" \
	"sts-mx-unmatched mx2.mxmiss.sts.test" "doctor mxmiss: this host's name is not in the policy"
is "$(dr selfsigned.sts.test mx.selfsigned.sts.test sts-self mx.selfsigned.sts.test)" \
	"sts-cert-invalid $LAB_STS_SELF_CHAIN" "doctor selfsigned: the deployed certificate fails MTA-STS"
is "$(dr wrongcert.sts.test mx.wrongcert.sts.test sts-wrong mx.wrongcert.sts.test)" \
	"sts-cert-invalid $LAB_STS_WRONG_CHAIN" "doctor wrongcert: the certificate does not name the host"
is "$(dr nopolicy.sts.test mx.nopolicy.sts.test sts-good mx.nopolicy.sts.test)" \
	"sts-policy-unusable https://mta-sts.nopolicy.sts.test/.well-known/mta-sts.txt" "doctor nopolicy: no policy behind the TXT"
is "$(dr badtxt.sts.test mx.badtxt.sts.test sts-good mx.badtxt.sts.test)" \
	"sts-txt-invalid _mta-sts.badtxt.sts.test" "doctor badtxt: a TXT record senders ignore"
is "$(dr none.sts.test mx.none.sts.test sts-good mx.none.sts.test)" "" \
	"doctor none: no MTA-STS, nothing to compare"

done_testing
