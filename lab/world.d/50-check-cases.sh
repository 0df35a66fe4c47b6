# lab/world.d/50-check-cases.sh - the "daneops check" case matrix (owned by
# the check work; sourced by lab/lab start with the lab_* functions).
#
# Every case is a mail domain CASE.cases.test whose MX host is
# mx.CASE.cases.test (zone cases.test, signed), unless said otherwise.  The
# expected verdict of each case is listed in CHECK_CASES below, in the form
# tests/e2e/check.sh reads back from $LAB_DIR/check-cases (one "CASE
# VERDICT" line each): the test runs daneops check and posttls-finger on
# every case and wants both to agree with it.
#
# Servers (127.0.3.0/24):
#   .1  Postfix, chain cases-good (RSA leaf + lab intermediate RSA), whose
#       names are every DANE-TA case host
#   .2  Postfix, an expired leaf        .3  Postfix, a leaf for wrong.example
#   .4  Postfix, the leaf alone (intermediate not sent)
#   .5  Postfix without STARTTLS        .6  hostile: TLS handshake fails
#   .7  hostile: closes at once         .8  hostile: never says a word
#   .9  hostile: pipelines a line after "220 Ready to start TLS"
# and the lab's own mx1 (127.0.1.1, ::1: RSA and ECDSA chains) and nginx
# (www, 443).

check_cases_main() {
	local d=$LAB_DIR/check-cases.d pki=$LAB_PKI hostile ta_hosts=() c
	local good int next expired wrong nochain
	mkdir -p "$d"
	hostile=$(cd "$LAB_TOP/.." && pwd)/tests/servers/hostile_smtp.py

	for c in ta200 ta201 ta202 ta210 ta211 ta212; do
		ta_hosts+=("mx.$c.cases.test")
	done
	lab_cert cases-good rsa lab-int-rsa mx.cases.test "${ta_hosts[@]}" \
		mx.ta-expired.cases.test mx.ta-wrongname.cases.test
	lab_cert cases-expired rsa lab-int-rsa mx.ta-expired.cases.test \
		mx.ee-expired.cases.test --expired
	lab_cert cases-wrong rsa lab-int-rsa wrong.example
	lab_cert cases-nochain rsa lab-int-rsa mx.ta-nochain.cases.test \
		mx.ta-nochain-key.cases.test

	good=$pki/cases-good.crt
	int=$pki/lab-int-rsa.crt
	next=$pki/mx1-next.key
	lab_smtp 127.0.3.1 "$pki/cases-good.fullchain.pem" "$pki/cases-good.key"
	lab_smtp 127.0.3.2 "$pki/cases-expired.fullchain.pem" "$pki/cases-expired.key"
	lab_smtp 127.0.3.3 "$pki/cases-wrong.fullchain.pem" "$pki/cases-wrong.key"
	lab_smtp 127.0.3.4 "$pki/cases-nochain.crt" "$pki/cases-nochain.key"
	lab_smtp 127.0.3.5 "$pki/cases-good.fullchain.pem" "$pki/cases-good.key" no-starttls
	lab_service 127.0.3.6 25 python3 "$hostile" --listen 127.0.3.6 --port 25 --mode tls-fail
	lab_service 127.0.3.7 25 python3 "$hostile" --listen 127.0.3.7 --port 25 --mode close
	lab_service 127.0.3.8 25 python3 "$hostile" --listen 127.0.3.8 --port 25 --mode stall
	lab_service 127.0.3.9 25 python3 "$hostile" --listen 127.0.3.9 --port 25 --mode inject \
		--cert "$pki/cases-good.fullchain.pem" --key "$pki/cases-good.key"

	expired=$(lab_tlsa 3 1 1 "$pki/cases-expired.crt")
	wrong=$(lab_tlsa 3 1 1 "$pki/cases-wrong.crt")
	nochain=$(lab_tlsa 3 1 1 "$pki/cases-nochain.crt")
	{
		check_case_usages "$good" "$int"
		check_case ee-expired 127.0.3.2 "$expired"
		check_case ta-expired 127.0.3.2 "$(lab_tlsa 2 1 1 "$int")"
		check_case ee-wrongname 127.0.3.3 "$wrong"
		check_case ta-wrongname 127.0.3.3 "$(lab_tlsa 2 1 1 "$int")"
		check_case ta-nochain 127.0.3.4 "$(lab_tlsa 2 1 1 "$int")"
		check_case ta-nochain-ee 127.0.3.4 "$(lab_tlsa 2 1 1 "$int")" "$nochain"
		check_case stale 127.0.3.1 "$(lab_tlsa 3 1 1 "$next")"
		check_case next 127.0.3.1 "$(lab_tlsa 3 1 1 "$good")" "$(lab_tlsa 3 1 1 "$next")"
		check_case samekey 127.0.3.1 "$(lab_tlsa 3 1 1 "$good")" "$(lab_tlsa 3 0 2 "$good")"
		check_case pkix 127.0.3.1 "$(lab_tlsa 1 1 1 "$good")" "$(lab_tlsa 0 1 1 "$int")"
		check_case unusable 127.0.3.1 "4 1 1 $(lab_tlsa 3 1 1 "$good" | cut -d' ' -f4)" \
			"3 2 1 $(lab_tlsa 3 1 1 "$good" | cut -d' ' -f4)" "3 1 1 0123456789abcdef"
		check_case unusable-plus 127.0.3.1 "3 1 1 0123456789abcdef" "$(lab_tlsa 3 1 1 "$good")"
		check_case nostarttls 127.0.3.5 "$(lab_tlsa 3 1 1 "$good")"
		check_case tlsfail 127.0.3.6 "$(lab_tlsa 3 1 1 "$good")"
		check_case close 127.0.3.7 "$(lab_tlsa 3 1 1 "$good")"
		check_case stall 127.0.3.8 "$(lab_tlsa 3 1 1 "$good")"
		check_case inject 127.0.3.9 "$(lab_tlsa 3 1 1 "$good")"
		check_case ta-nochain-key 127.0.3.4 "$(lab_tlsa 2 1 0 "$int")"
		check_case notlsa-nx 127.0.3.1
		check_case notlsa-nodata 127.0.3.1
		echo '_25._tcp.mx.notlsa-nodata TXT "no TLSA here"'
		check_case_special "$good"
	} >"$d/cases.test.in"
	lab_zone cases.test signed "$d/cases.test.in"

	{
		echo '@ MX 10 mx.bogus.cases.test.'
		echo 'mx A 127.0.3.1'
		echo "_25._tcp.mx TLSA $(lab_tlsa 3 1 1 "$good")"
	} >"$d/bogus.cases.test.in"
	lab_zone bogus.cases.test bogus "$d/bogus.cases.test.in"
	{
		echo '@ MX 10 mx.unsigned.cases.test.'
		echo 'mx A 127.0.3.1'
		echo "_25._tcp.mx TLSA $(lab_tlsa 3 1 1 "$good")"
		echo 'signedmx MX 10 mx.ee311.cases.test.'
	} >"$d/unsigned.cases.test.in"
	lab_zone unsigned.cases.test unsigned "$d/unsigned.cases.test.in"
	check_cases_expect >"$LAB_DIR/check-cases"
	export_var LAB_CHECK_CASES "$LAB_DIR/check-cases"
}

# check_case NAME ADDR [TLSA...]: domain NAME with MX mx.NAME at ADDR.
check_case() {
	local name=$1 addr=$2 t
	shift 2
	echo "$name MX 10 mx.$name"
	echo "mx.$name A $addr"
	for t in "$@"; do echo "_25._tcp.mx.$name TLSA $t"; done
}

# Every usage/selector/matching type that can pass: DANE-EE on the leaf,
# DANE-TA on the intermediate the server sends.
check_case_usages() {
	local leaf=$1 int=$2 s m
	for s in 0 1; do
		for m in 0 1 2; do
			check_case "ee3$s$m" 127.0.3.1 "$(lab_tlsa 3 "$s" "$m" "$leaf")"
			check_case "ta2$s$m" 127.0.3.1 "$(lab_tlsa 2 "$s" "$m" "$int")"
		done
	done
}

# Cases that are not one MX host with one address.
check_case_special() {
	local good=$1 rec
	rec=$(lab_tlsa 3 1 1 "$good")
	# An MX that is a CNAME: records at the expanded name (the base domain)...
	echo 'cname MX 10 alias.cname'
	echo 'alias.cname CNAME mx.ee311'
	# ... or only at the original name, which then is the base domain.
	echo 'cname-orig MX 10 alias.cname-orig'
	echo 'alias.cname-orig CNAME target.cname-orig'
	echo 'target.cname-orig A 127.0.3.1'
	echo "_25._tcp.alias.cname-orig TLSA $rec"
	# Two MX hosts, the second with a stale record only.
	echo 'twomx MX 10 mx1.twomx'
	echo 'twomx MX 20 mx2.twomx'
	echo 'mx1.twomx A 127.0.3.1'
	echo 'mx2.twomx A 127.0.3.1'
	echo "_25._tcp.mx1.twomx TLSA $rec"
	echo "_25._tcp.mx2.twomx TLSA $(lab_tlsa 3 1 1 "$LAB_PKI/mx1-next.key")"
	# No MX: the domain itself; a null MX (RFC 7505).
	echo 'implicit A 127.0.3.1'
	echo "_25._tcp.implicit TLSA $rec"
	echo 'nullmx MX 0 .'
	# A signed domain whose MX host is in a bogus zone, or an unsigned one.
	echo 'bogushost MX 10 mx.bogus.cases.test.'
	echo 'insecurehost MX 10 mx.unsigned.cases.test.'
	# The lab's mx1 (127.0.1.1 and ::1) offers an RSA and an ECDSA chain:
	# with records for both every address passes (the RSA record matches
	# nothing an OpenSSL client is shown, so it counts as the spare); with
	# the RSA record only, a sender that prefers ECDSA (OpenSSL, Postfix)
	# fails.
	echo 'dual MX 10 mx.dual'
	echo 'mx.dual A 127.0.1.1'
	echo 'mx.dual AAAA ::1'
	echo "_25._tcp.mx.dual TLSA $(lab_tlsa 3 1 1 "$LAB_MX1_CERT")"
	echo "_25._tcp.mx.dual TLSA $(lab_tlsa 3 1 1 "$LAB_MX1_ECDSA_CERT")"
	echo 'rsaonly MX 10 mx.rsaonly'
	echo 'mx.rsaonly A 127.0.1.1'
	echo "_25._tcp.mx.rsaonly TLSA $(lab_tlsa 3 1 1 "$LAB_MX1_CERT")"
	# HTTPS (TLS from the first byte) on the lab's nginx: --host, port 443.
	echo "www A $LAB_WWW_ADDR"
	echo "_443._tcp.www TLSA $(lab_tlsa 3 1 1 "$LAB_WWW_CERT")"
	echo "_443._tcp.www TLSA $(lab_tlsa 2 1 1 "$LAB_PKI/lab-int-rsa.crt")"
}

# The expected verdicts: "DOMAIN VERDICT" (daneops check's domain verdict).
# One usable record is a warning (no rollover safety), so most cases that
# pass DANE say "warn"; "next" (current + next record) is the clean pass.
# "pkix" (PKIX usages only) and "unusable" (DANE usages with an unknown
# selector or a short digest) have no usable record: the host is
# "unauthenticated" (Postfix at level dane: unauthenticated TLS, delivered;
# at dane-only: deferred), and a domain none of whose hosts is
# authenticated fails.
check_cases_expect() {
	local s m
	for s in 0 1; do
		for m in 0 1 2; do
			echo "ee3$s$m.cases.test warn"
			echo "ta2$s$m.cases.test warn"
		done
	done
	cat <<-EOF
		ee-expired.cases.test warn
		ta-expired.cases.test fail
		ee-wrongname.cases.test warn
		ta-wrongname.cases.test fail
		ta-nochain.cases.test fail
		ta-nochain-ee.cases.test pass
		ta-nochain-key.cases.test warn
		dual.cases.test pass
		rsaonly.cases.test fail
		stale.cases.test fail
		next.cases.test pass
		samekey.cases.test warn
		pkix.cases.test fail
		unusable.cases.test fail
		unusable-plus.cases.test warn
		nostarttls.cases.test fail
		tlsfail.cases.test fail
		close.cases.test fail
		stall.cases.test fail
		inject.cases.test fail
		notlsa-nx.cases.test not-applicable
		notlsa-nodata.cases.test not-applicable
		cname.cases.test warn
		cname-orig.cases.test warn
		twomx.cases.test fail
		implicit.cases.test warn
		nullmx.cases.test not-applicable
		bogushost.cases.test fail
		insecurehost.cases.test not-applicable
		bogus.cases.test fail
		unsigned.cases.test not-applicable
		signedmx.unsigned.cases.test warn
	EOF
}

check_cases_main
