# lab/world.d/52-check-edges.sh - more of the "daneops check" case matrix:
# the edges of RFC 7671/7672 and of Postfix's DANE support that
# 50-check-cases.sh does not cover (owned by the check work; sourced by
# lab/lab start after 50-check-cases.sh, whose certificates and servers it
# reuses).  Its cases are appended to $LAB_CHECK_CASES in the same "DOMAIN
# VERDICT" form; tests/e2e/check.sh compares each with posttls-finger at
# both sender levels.
#
# Zones: edges.test (signed) holds most cases, CASE.edges.test with MX
# mx.CASE.edges.test; hoster.test (unsigned) is where CNAMEs lead out of
# signed DNS; sigsoon.test, sigskew.test and sigexpired.test are signed by
# ldns-signzone with signatures that expire in three days, expired two
# hours ago (within the validators' clock-skew allowance) and expired two
# days ago (bogus); _tcp.mx.tlsabogus.edges.test (bogus: signatures long
# expired) holds only a TLSA RRset.
#
# Servers (127.0.9.0/24): .2 nothing listens (connections refused; also
# the dead name server of tlsafail.edges.test);
# .3 Postfix with a leaf named only tadom.edges.test (a mail domain) and
# mx.tatarget.edges.test (a CNAME target).
# Also 127.0.3.1 (the cases-good chain) and the lab's mx1 (127.0.1.1, ::1:
# RSA and ECDSA chains, ECDSA for OpenSSL clients).

check_edges_main() {
	local d=$LAB_DIR/check-edges.d good next ecdsa int soon skew_i skew_e
	mkdir -p "$d"
	good=$(lab_tlsa 3 1 1 "$LAB_PKI/cases-good.crt")
	next=$(lab_tlsa 3 1 1 "$LAB_PKI/mx1-next.key")
	ecdsa=$(lab_tlsa 3 1 1 "$LAB_MX1_ECDSA_CERT")
	int=$(lab_tlsa 2 1 1 "$LAB_PKI/lab-int-rsa.crt")
	lab_cert edges-domain rsa lab-int-rsa tadom.edges.test tadom.edges.test \
		mx.tatarget.edges.test
	lab_smtp 127.0.9.3 "$LAB_EDGES_DOMAIN_CHAIN" "$LAB_EDGES_DOMAIN_KEY"

	{
		# RFC 7672 2.2.2: a secure CNAME into an unsigned zone - the
		# original name is the TLSA base domain (Postfix: Verified).
		echo 'scname MX 10 mx.scname'
		echo 'mx.scname CNAME mx.hoster.test.'
		echo "_25._tcp.mx.scname TLSA $good"
		# The same with the records only at the unsigned target: none.
		echo 'scname-target MX 10 mx.scname-target'
		echo 'mx.scname-target CNAME mx2.hoster.test.'
		# A CNAME out of signed DNS into it again: the chain is insecure
		# and so is its first CNAME - DANE does not apply.
		echo 'icname MX 10 alias.hoster.test.'
		# IPv6: A and AAAA present different keys; records for both, or
		# for the IPv6 one only (the IPv4 server's key is stale).
		echo 'v6both MX 10 mx.v6both'
		echo 'mx.v6both A 127.0.3.1'
		echo 'mx.v6both AAAA ::1'
		echo "_25._tcp.mx.v6both TLSA $good"
		echo "_25._tcp.mx.v6both TLSA $ecdsa"
		echo 'v6stale MX 10 mx.v6stale'
		echo 'mx.v6stale A 127.0.3.1'
		echo 'mx.v6stale AAAA ::1'
		echo "_25._tcp.mx.v6stale TLSA $ecdsa"
		echo "_25._tcp.mx.v6stale TLSA $next"
		# Two addresses, one refusing connections.
		echo 'refuse MX 10 mx.refuse'
		echo 'mx.refuse A 127.0.3.1'
		echo 'mx.refuse A 127.0.9.2'
		echo "_25._tcp.mx.refuse TLSA $good"
		echo "_25._tcp.mx.refuse TLSA $next"
		# The TLSA owner is a CNAME (RFC 7672 2.2.3: the base domain
		# stays; the records come from the target).
		echo 'tlsacname MX 10 mx.tlsacname'
		echo 'mx.tlsacname A 127.0.3.1'
		echo '_25._tcp.mx.tlsacname CNAME _25._tcp.mx.next.cases.test.'
		# TLSA from a wildcard (secure, through the NSEC proof).
		echo 'wild MX 10 mx.wild'
		echo 'mx.wild A 127.0.3.1'
		echo "*._tcp.mx.wild TLSA $good"
		# Digest agility (RFC 7671 9): with a 3 1 2 record present,
		# senders ignore the 3 1 1 records - here the 3 1 2 is stale.
		echo 'agility MX 10 mx.agility'
		echo 'mx.agility A 127.0.3.1'
		echo "_25._tcp.mx.agility TLSA $good"
		echo "_25._tcp.mx.agility TLSA $(lab_tlsa 3 1 2 "$LAB_PKI/mx1-next.key")"
		# Mixed: unusable records of every kind beside one that matches.
		echo 'mixed MX 10 mx.mixed'
		echo 'mx.mixed A 127.0.3.1'
		echo "_25._tcp.mx.mixed TLSA 1 1 1 ${good##* }"
		echo "_25._tcp.mx.mixed TLSA 3 1 1 0123456789abcdef"
		echo "_25._tcp.mx.mixed TLSA 3 1 9 ${good##* }"
		echo "_25._tcp.mx.mixed TLSA $good"
		# DANE-TA behind an MX CNAME, records at the original name: the
		# certificate names the CNAME target only, which is no reference
		# identifier (Postfix: hostname mismatch) - it fails.
		echo 'tacname MX 10 alias.tacname'
		echo 'alias.tacname CNAME mx.tatarget'
		echo 'mx.tatarget A 127.0.9.3'
		echo "_25._tcp.alias.tacname TLSA $int"
		# DANE-TA where the certificate names the mail domain only
		# (RFC 7672 3.2.2: the next-hop domain is a reference identifier).
		echo 'tadom MX 10 mx.tadom'
		echo 'mx.tadom A 127.0.9.3'
		echo "_25._tcp.mx.tadom TLSA $int"
		# TLSA lookups that fail under a secure MX host name (RFC 7672
		# 2.2: the host is unusable, senders defer; no downgrade): a
		# bogus TLSA RRset (its zone, _tcp.mx.tlsabogus, is signed
		# with expired signatures) and a TLSA owner delegated to a name
		# server where nothing listens (SERVFAIL).
		echo 'tlsabogus MX 10 mx.tlsabogus'
		echo 'mx.tlsabogus A 127.0.3.1'
		echo 'tlsafail MX 10 mx.tlsafail'
		echo 'mx.tlsafail A 127.0.3.1'
		echo '_tcp.mx.tlsafail NS ns-dead.hoster.test.'
	} >"$d/edges.test.in"
	lab_zone edges.test signed "$d/edges.test.in"
	echo "_25 TLSA $good" >"$d/tlsabogus.in"
	lab_zone _tcp.mx.tlsabogus.edges.test bogus "$d/tlsabogus.in"
	{
		echo 'mx A 127.0.3.1'
		echo 'mx2 A 127.0.3.1'
		echo "_25._tcp.mx2 TLSA $good"
		echo 'alias CNAME mx.ee311.cases.test.'
		echo 'ns-dead A 127.0.9.2'
	} >"$d/hoster.test.in"
	lab_zone hoster.test unsigned "$d/hoster.test.in"

	# Signatures that expire soon, just expired, long expired.
	{
		echo '@ MX 10 mx'
		echo 'mx A 127.0.3.1'
		echo "_25._tcp.mx TLSA $good"
		echo "_25._tcp.mx TLSA $next"
	} >"$d/sig.in"
	soon=$(date -u -d '+3 days' +%Y%m%d%H%M%S)
	skew_i=$(date -u -d '-30 days' +%Y%m%d%H%M%S)
	skew_e=$(date -u -d '-2 hours' +%Y%m%d%H%M%S)
	lab_zone_presigned sigsoon.test "$(date -u -d '-1 day' +%Y%m%d%H%M%S)" "$soon" "$d/sig.in"
	lab_zone_presigned sigskew.test "$skew_i" "$skew_e" "$d/sig.in"
	lab_zone_presigned sigexpired.test "$skew_i" "$(date -u -d '-2 days' +%Y%m%d%H%M%S)" "$d/sig.in"

	cat >>"$LAB_CHECK_CASES" <<-EOF
		scname.edges.test warn
		scname-target.edges.test not-applicable
		icname.edges.test not-applicable
		v6both.edges.test warn
		v6stale.edges.test fail
		refuse.edges.test fail
		tlsacname.edges.test pass
		wild.edges.test warn
		agility.edges.test fail
		mixed.edges.test warn
		tacname.edges.test fail
		tadom.edges.test warn
		tlsabogus.edges.test fail
		tlsafail.edges.test fail
		sigsoon.test warn
		sigskew.test warn
		sigexpired.test fail
	EOF
}

check_edges_main
