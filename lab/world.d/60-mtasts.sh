# lab/world.d/60-mtasts.sh - MTA-STS (RFC 8461) and TLSRPT cases for
# "daneops check" (sourced by lab/lab start with the lab_* functions).
#
# Every case is a mail domain CASE.sts.test (zone sts.test, signed) whose
# policy, when it has one, is served by the lab's nginx (127.0.2.1:443)
# as https://mta-sts.CASE.sts.test/.well-known/mta-sts.txt under a
# certificate from the lab CA (sts-web, one SAN per policy host): clients
# must trust $LAB_CA (daneops check --ca-file).
#
# MX servers (127.0.11.0/24), Postfix:
#   .1  sts-good: lab-int-ecdsa, names every MX host of the cases below
#       but wrongcert and selfsigned
#   .2  sts-wrong: lab-int-ecdsa, for wrong.sts.test only
#   .3  sts-self: self-signed, for mx.selfsigned.sts.test (DANE-EE only)
# and 127.0.11.4:443, the policy host of stall.sts.test, which never answers.
#
# The expected verdicts are in $LAB_MTASTS_CASES ($LAB_DIR/mtasts-cases),
# one "DOMAIN DANE-VERDICT MTA-STS-VERDICT [WARNING-CODE]" line each;
# tests/e2e/mtasts.sh reads it back.

mtasts_main() {
	local d=$LAB_DIR/nginx/mta-sts pki=$LAB_PKI c web=() good=() i
	mkdir -p "$d"
	for c in enforce testing mxmiss big nopolicy wrongcert selfsigned \
		redirect html withdrawn dual; do
		web+=("mta-sts.$c.sts.test")
	done
	good=(mx1.enforce.sts.test mx2.enforce.sts.test mx.testing.sts.test
		mx1.mxmiss.sts.test mx2.mxmiss.sts.test mx.big.sts.test
		mx.nopolicy.sts.test mx.redirect.sts.test mx.html.sts.test
		mx.withdrawn.sts.test mx.none.sts.test mx.badtxt.sts.test
		mx.dual.sts.test mx.stall.sts.test)
	lab_cert sts-web ecdsa lab-int-ecdsa "${web[0]}" "${web[@]}"
	lab_cert sts-good ecdsa lab-int-ecdsa "${good[0]}" "${good[@]}"
	lab_cert sts-wrong ecdsa lab-int-ecdsa wrong.sts.test
	lab_cert sts-self ecdsa self mx.selfsigned.sts.test
	lab_smtp 127.0.11.1 "$pki/sts-good.fullchain.pem" "$pki/sts-good.key"
	lab_smtp 127.0.11.2 "$pki/sts-wrong.fullchain.pem" "$pki/sts-wrong.key"
	lab_smtp 127.0.11.3 "$pki/sts-self.crt" "$pki/sts-self.key"
	# A policy host that accepts connections and never answers.
	lab_service 127.0.11.4 443 python3 "$(cd "$LAB_TOP/.." && pwd)/tests/servers/hostile_smtp.py" \
		--listen 127.0.11.4 --port 443 --mode stall

	mtasts_policy enforce enforce 1209600 mx1.enforce.sts.test '*.enforce.sts.test' >"$d/enforce.txt"
	mtasts_policy testing testing 1209600 mx.testing.sts.test >"$d/testing.txt"
	mtasts_policy mxmiss enforce 1209600 mx1.mxmiss.sts.test >"$d/mxmiss.txt"
	mtasts_policy wrongcert enforce 1209600 mx.wrongcert.sts.test >"$d/wrongcert.txt"
	mtasts_policy selfsigned enforce 1209600 mx.selfsigned.sts.test >"$d/selfsigned.txt"
	mtasts_policy dual enforce 1209600 mx.dual.sts.test >"$d/dual.txt"
	mtasts_policy html enforce 1209600 mx.html.sts.test >"$d/html.txt"
	printf 'version: STSv1\nmode: none\nmax_age: 86400\n' >"$d/withdrawn.txt"
	# Over 64 KiB: a valid policy padded with extension lines.
	{
		mtasts_policy big enforce 1209600 mx.big.sts.test
		for i in $(seq 1 1100); do
			printf 'x-padding-%04d: %s\n' "$i" "0123456789012345678901234567890123456789012345"
		done
	} >"$d/big.txt"

	for c in enforce testing mxmiss big wrongcert selfsigned withdrawn dual; do
		lab_https "mta-sts.$c.sts.test" "$pki/sts-web.fullchain.pem" "$pki/sts-web.key" \
			"location = /.well-known/mta-sts.txt { default_type text/plain; alias $d/$c.txt; }"
	done
	lab_https mta-sts.nopolicy.sts.test "$pki/sts-web.fullchain.pem" "$pki/sts-web.key" \
		'location / { return 404; }'
	# shellcheck disable=SC2016 # $request_uri is nginx's
	lab_https mta-sts.redirect.sts.test "$pki/sts-web.fullchain.pem" "$pki/sts-web.key" \
		'location / { return 301 https://mta-sts.enforce.sts.test$request_uri; }'
	lab_https mta-sts.html.sts.test "$pki/sts-web.fullchain.pem" "$pki/sts-web.key" \
		"location = /.well-known/mta-sts.txt { default_type text/html; alias $d/html.txt; }"

	mtasts_zone >"$LAB_DIR/sts.test.in"
	lab_zone sts.test signed "$LAB_DIR/sts.test.in"
	mtasts_expect >"$LAB_DIR/mtasts-cases"
	export_var LAB_MTASTS_CASES "$LAB_DIR/mtasts-cases"
}

# mtasts_policy CASE MODE MAX_AGE MX...: a policy body (CRLF, as RFC 8461's example).
mtasts_policy() {
	local mode=$2 age=$3 mx
	shift 3
	printf 'version: STSv1\r\nmode: %s\r\n' "$mode"
	for mx in "$@"; do printf 'mx: %s\r\n' "$mx"; done
	printf 'max_age: %s\r\n' "$age"
}

# mtasts_case NAME ADDR MX-LABEL...: MX records, their addresses, the TXT
# records (a policy id and a TLSRPT record) and the policy host.
mtasts_case() {
	local name=$1 addr=$2 pref=10 mx
	shift 2
	for mx in "$@"; do
		echo "$name MX $pref $mx.$name"
		echo "$mx.$name A $addr"
		pref=$((pref + 10))
	done
	echo "_mta-sts.$name TXT \"v=STSv1; id=20261203T0001\""
	echo "_smtp._tls.$name TXT \"v=TLSRPTv1; rua=mailto:tls-reports@$name.sts.test\""
	echo "mta-sts.$name A $LAB_WWW_ADDR"
}

mtasts_zone() {
	mtasts_case enforce 127.0.11.1 mx1 mx2
	mtasts_case testing 127.0.11.1 mx
	mtasts_case mxmiss 127.0.11.1 mx1 mx2
	mtasts_case big 127.0.11.1 mx
	mtasts_case nopolicy 127.0.11.1 mx
	mtasts_case wrongcert 127.0.11.2 mx
	mtasts_case selfsigned 127.0.11.3 mx
	echo "_25._tcp.mx.selfsigned TLSA $(lab_tlsa 3 1 1 "$LAB_PKI/sts-self.crt")"
	# DANE and MTA-STS both right: a CA-issued certificate, DANE-EE.
	mtasts_case dual 127.0.11.1 mx
	echo "_25._tcp.mx.dual TLSA $(lab_tlsa 3 1 1 "$LAB_PKI/sts-good.crt")"
	mtasts_case redirect 127.0.11.1 mx
	mtasts_case html 127.0.11.1 mx
	mtasts_case withdrawn 127.0.11.1 mx
	mtasts_case stall 127.0.11.1 mx | sed "s/^mta-sts.stall A .*/mta-sts.stall A 127.0.11.4/"
	# No MTA-STS at all; a TXT record senders ignore (bad id).
	echo 'none MX 10 mx.none'
	echo 'mx.none A 127.0.11.1'
	echo 'badtxt MX 10 mx.badtxt'
	echo 'mx.badtxt A 127.0.11.1'
	echo '_mta-sts.badtxt TXT "v=STSv1; id=not-alnum"'
}

# The verdicts: DANE (no TLSA but for selfsigned: not-applicable) and
# MTA-STS, with the warning that must be there.
mtasts_expect() {
	cat <<-EOF
		enforce.sts.test not-applicable pass
		testing.sts.test not-applicable warn
		mxmiss.sts.test not-applicable fail
		big.sts.test not-applicable fail
		nopolicy.sts.test not-applicable fail
		wrongcert.sts.test not-applicable fail
		selfsigned.sts.test warn fail dane-sts-conflict
		dual.sts.test warn pass
		redirect.sts.test not-applicable fail
		html.sts.test not-applicable fail
		withdrawn.sts.test not-applicable not-applicable
		stall.sts.test not-applicable unknown
		none.sts.test not-applicable not-applicable
		badtxt.sts.test not-applicable fail
	EOF
}

mtasts_main
