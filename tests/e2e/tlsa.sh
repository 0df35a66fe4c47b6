#!/usr/bin/env bash
# daneops tlsa, end to end.
#
# Every usage/selector/matching type (4 x 2 x 3 = 24) for an RSA and an
# ECDSA chain, each checked against three independent computations: the
# openssl command line, ldns-dane (offline: -c with the chain file, -s so it
# does no PKIX validation) and danetool (which has no matching type 0: 16 of
# the 24).  Then every input form of one key, the output formats read back
# by real parsers, --match, and every refusal with its exit status.  The
# certificates are made here with the openssl command; nothing is
# hard-coded.
. "$DANEOPS_TOP/tests/lib.sh"

# mkchain DIR ALG: root CA -> intermediate CA -> leaf mx.example.org, and
# DIR/fullchain.pem = leaf + intermediate, as certbot writes it.
mkchain() {
	local d=$1 alg=$2 name
	mkdir -p "$d"
	genkey() {
		if [ "$alg" = rsa ]; then
			openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"
		else
			openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"
		fi
	}
	genkey "$d/root.key"
	openssl req -x509 -new -key "$d/root.key" -subj "/CN=Test Root $alg" -days 30 \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign -out "$d/root.crt"
	printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n' >"$d/ca.ext"
	printf 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:mx.example.org\n' >"$d/ee.ext"
	for name in int leaf; do
		genkey "$d/$name.key"
	done
	openssl req -new -key "$d/int.key" -subj "/CN=Test Int $alg" -out "$d/int.csr"
	openssl x509 -req -in "$d/int.csr" -CA "$d/root.crt" -CAkey "$d/root.key" \
		-set_serial 2 -days 30 -extfile "$d/ca.ext" -out "$d/int.crt"
	openssl req -new -key "$d/leaf.key" -subj /CN=mx.example.org -out "$d/leaf.csr"
	openssl x509 -req -in "$d/leaf.csr" -CA "$d/int.crt" -CAkey "$d/int.key" \
		-set_serial 3 -days 10 -extfile "$d/ee.ext" -out "$d/leaf.crt"
	cat "$d/leaf.crt" "$d/int.crt" >"$d/fullchain.pem"
	cat "$d/fullchain.pem" "$d/root.crt" >"$d/chain3.pem"
	genkey "$d/next.key"
}

hex() { od -An -v -tx1 | tr -d ' \n'; }

# ossl_data CERT S M: the association data as the openssl command computes it.
ossl_data() {
	local der
	if [ "$2" = 0 ]; then
		der() { openssl x509 -in "$1" -outform DER; }
	else
		der() { openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER; }
	fi
	case $3 in
	0) der "$1" | hex ;;
	1) der "$1" | openssl dgst -sha256 -binary | hex ;;
	2) der "$1" | openssl dgst -sha512 -binary | hex ;;
	esac
}

# Collapse white space so that tab-separated and space-separated lines compare.
norm() { tr -s ' \t' '  ' | sed 's/ $//'; }

for alg in rsa ec; do
	mkchain "$TMP/$alg" "$alg" >"$TMP/mkchain.log" 2>&1 ||
		{ cat "$TMP/mkchain.log"; fail "make the $alg chain"; done_testing; exit 1; }
done
pass "made an RSA and an ECDSA chain with the openssl command"

# --- 1. Every combination against openssl, ldns-dane and danetool --------
for alg in rsa ec; do
	d=$TMP/$alg
	for u in 0 1 2 3; do
		# The certificate a record of usage u describes: leaf or issuer.
		if [ $u = 1 ] || [ $u = 3 ]; then cert=$d/leaf.crt; else cert=$d/int.crt; fi
		for s in 0 1; do
			for m in 0 1 2; do
				got=$("$DANEOPS" tlsa -r $u$s$m "$d/fullchain.pem" 2>&1)
				is "$got" "$u $s $m $(ossl_data "$cert" $s $m)" \
					"$alg $u $s $m: fullchain.pem = openssl command line"

				got=$("$DANEOPS" tlsa -r $u$s$m --host mx.example.org \
					--ttl 3600 "$d/fullchain.pem" 2>&1 | norm)
				# For an issuer's record ldns-dane wants the path to
				# end in a self-signed certificate: give it the root
				# too and -o 1 ("one but last" = the intermediate).
				if [ $u = 0 ] || [ $u = 2 ]; then
					ldns=(-o 1 -c "$d/chain3.pem")
				else
					ldns=(-c "$d/fullchain.pem")
				fi
				want=$(ldns-dane -s "${ldns[@]}" create \
					mx.example.org 25 $u $s $m 2>&1 | norm)
				is "$got" "$want" "$alg $u $s $m: zone line = ldns-dane create"

				[ $m = 0 ] && continue	# danetool has no matching type 0
				flags=()
				case $u in
				0) flags=(--ca --no-domain) ;;
				1) flags=(--no-domain) ;;
				2) flags=(--ca) ;;
				esac
				[ $s = 0 ] && flags+=(--x509)
				flags+=(--hash "$([ $m = 1 ] && echo sha256 || echo sha512)")
				want=$(danetool --tlsa-rr --host mx.example.org --port 25 \
					--load-certificate "$cert" "${flags[@]}" 2>&1 |
					sed -n 's/^\(.*\) IN TLSA ( \([0-9]*\) \([0-9]*\) \([0-9]*\) \([0-9a-f]*\) )$/\1 IN TLSA \2 \3 \4 \5/p' |
					awk '{ $4 += 0; $5 += 0; $6 += 0; print }')
				got=$("$DANEOPS" tlsa -r $u$s$m --host mx.example.org \
					"$d/fullchain.pem" 2>&1)
				is "$got" "$want" "$alg $u $s $m: zone line = danetool --tlsa-rr"
			done
		done
	done
done

# --- 2. One key in every form gives one record ----------------------------
for alg in rsa ec; do
	d=$TMP/$alg
	openssl x509 -in "$d/leaf.crt" -outform DER -out "$d/leaf.crt.der"
	openssl pkey -in "$d/leaf.key" -pubout -out "$d/leaf.pub"
	openssl pkey -in "$d/leaf.key" -pubout -outform DER -out "$d/leaf.pub.der"
	openssl pkey -in "$d/leaf.key" -outform DER -out "$d/leaf.key.der"
	if [ $alg = rsa ]; then
		openssl rsa -in "$d/leaf.key" -traditional -out "$d/leaf-trad.key" 2>/dev/null
		openssl rsa -in "$d/leaf.key" -RSAPublicKey_out -out "$d/leaf-pkcs1.pub" 2>/dev/null
	else
		openssl ec -in "$d/leaf.key" -out "$d/leaf-trad.key" 2>/dev/null
		openssl ec -in "$d/leaf.key" -pubout -out "$d/leaf-pkcs1.pub" 2>/dev/null
	fi
	want=$("$DANEOPS" tlsa -r 310 -r 311 -r 312 "$d/leaf.crt")
	is "$(echo "$want" | sed -n 1p)" "3 1 0 $(openssl pkey -in "$d/leaf.key" -pubout -outform DER | hex)" \
		"$alg: 3 1 0 of the certificate = openssl pkey -pubout of its private key"
	for f in leaf.crt.der fullchain.pem leaf.key leaf.key.der leaf-trad.key \
	    leaf.pub leaf.pub.der leaf-pkcs1.pub; do
		is "$("$DANEOPS" tlsa -r 310 -r 311 -r 312 "$d/$f" 2>&1)" "$want" \
			"$alg: records from $f = records from leaf.crt"
	done
	is "$("$DANEOPS" tlsa -r 310 -r 311 -r 312 - <"$d/leaf.key" 2>&1)" "$want" \
		"$alg: a private key on standard input (-)"
done

d=$TMP/ec
out=$("$DANEOPS" tlsa "$d/fullchain.pem" "$d/next.key" 2>&1)
is "$out" "$("$DANEOPS" tlsa "$d/leaf.crt")
$("$DANEOPS" tlsa "$d/next.key")" "current chain + next key: one record each, in order"
is "$("$DANEOPS" tlsa -r 311 -r 311 "$d/leaf.crt" "$d/leaf.key" | wc -l | tr -d ' ')" 1 \
	"a certificate and its own key, -r given twice: the record is printed once"
is "$("$DANEOPS" tlsa -r 311 -d 1 "$d/fullchain.pem")" "3 1 1 $(ossl_data "$d/int.crt" 1 1)" \
	"--depth 1 picks the issuer even for usage 3"
is "$("$DANEOPS" tlsa -r 211 "$d/int.crt")" "2 1 1 $(ossl_data "$d/int.crt" 1 1)" \
	"usage 2 with a lone CA certificate uses it"
is "$("$DANEOPS" tlsa -r 2,1,2 -r "3 0 1" -r "DANE-EE SPKI SHA2-256" "$d/fullchain.pem")" \
	"$("$DANEOPS" tlsa -r 212 -r 301 -r 311 "$d/fullchain.pem")" \
	"-r accepts 3,1,1, \"3 1 1\" and RFC 7218 names"
is "$("$DANEOPS" tlsa --params 311 "$d/leaf.crt")" "$("$DANEOPS" tlsa "$d/leaf.crt")" \
	"the default is 3 1 1"

# --- 3. Formats, read back by the tools that consume them -----------------
"$DANEOPS" tlsa -r 311 -r 312 -r 300 --host mx.example.org --ttl 300 \
	"$d/fullchain.pem" >"$TMP/z.zone"
check "zone output (with TTL) parses with ldns-read-zone" ldns-read-zone "$TMP/z.zone"
expect_output '^_25\._tcp\.mx\.example\.org\. 300 IN TLSA 3 1 1 [0-9a-f]{64}$' \
	"zone line: owner, TTL, class, type, data" cat "$TMP/z.zone"
"$DANEOPS" tlsa --host mx.example.org. --port 465 --proto sctp "$d/leaf.crt" >"$TMP/z2.zone"
check "zone output (no TTL, sctp, final dot given) parses with ldns-read-zone" \
	ldns-read-zone "$TMP/z2.zone"
expect_output '^_465\._sctp\.mx\.example\.org\. IN TLSA 3 1 1 [0-9a-f]{64}$' \
	"owner name uses --port and --proto" cat "$TMP/z2.zone"
expect_output '^3 1 1 [0-9a-f]{64}$' "without --host: bare RDATA" "$DANEOPS" tlsa "$d/leaf.crt"

{ echo "zone example.org."
  "$DANEOPS" tlsa -f nsupdate -r 311 -r 312 --host mx.example.org "$d/fullchain.pem" "$d/next.key"
  echo show; } >"$TMP/nsupdate.in"
check "nsupdate output is accepted by knsupdate" knsupdate "$TMP/nsupdate.in"
expect_output '^_25\._tcp\.mx\.example\.org\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+TLSA' \
	"knsupdate shows the records with the default TTL 3600" knsupdate "$TMP/nsupdate.in"
is "$(grep -c '^update add _25._tcp.mx.example.org. 3600 IN TLSA 3 1 [12] ' "$TMP/nsupdate.in")" 4 \
	"nsupdate: one update add line a record, nothing else"
expect_status 2 "nsupdate without --host is a usage error" "$DANEOPS" tlsa -f nsupdate "$d/leaf.crt"
expect_status 2 "cloudflare without --host is a usage error" "$DANEOPS" tlsa -f cloudflare "$d/leaf.crt"
# Issue 12: a depth beyond a key is an error, as beyond a certificate.
expect_status 2 "tlsa -d 5 on a certificate: exit 2" "$DANEOPS" tlsa -d 5 "$d/leaf.crt"
expect_status 2 "tlsa -d 5 on a key: exit 2 likewise" "$DANEOPS" tlsa -d 5 "$d/next.key"
expect_output "next.key: no certificate at depth 5" "and says why" "$DANEOPS" tlsa -d 5 "$d/next.key"
expect_status 3 "/dev/zero is no certificate: exit 3" timeout -k 2 10 "$DANEOPS" tlsa /dev/zero

"$DANEOPS" tlsa -f json -r 311 -r 312 --host mx.example.org --ttl 600 \
	"$d/fullchain.pem" "$d/next.key" - <"$d/leaf.pub" >"$TMP/out.json" 2>&1
"$DANEOPS" tlsa -f json -r 211 "$d/fullchain.pem" >"$TMP/issuer.json" 2>&1
check "json: the array and its fields, as the spec says" python3 - "$TMP/out.json" \
	"$TMP/issuer.json" "$(ossl_data "$d/leaf.crt" 1 1)" "$(ossl_data "$d/int.crt" 1 1)" \
	"$d/fullchain.pem" "$d/next.key" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1]))
b = json.load(open(sys.argv[2]))
leaf, issuer, chain, key = sys.argv[3:7]
# chain 311, chain 312, next 311, next 312; the key on stdin is the leaf's: left out
assert isinstance(a, list) and len(a) == 4, a
keys = {"owner", "ttl", "usage", "selector", "matching_type", "data", "source", "depth"}
assert all(set(o) == keys for o in a + b), a
assert a[0] == {"owner": "_25._tcp.mx.example.org.", "ttl": 600, "usage": 3, "selector": 1,
                "matching_type": 1, "data": leaf, "source": chain, "depth": 0}, a[0]
assert a[1]["matching_type"] == 2 and len(a[1]["data"]) == 128 and a[1]["depth"] == 0, a[1]
assert a[2]["source"] == key and a[2]["depth"] is None and len(a[2]["data"]) == 64, a[2]
assert a[3]["source"] == key and a[3]["matching_type"] == 2, a[3]
assert len(b) == 1 and b[0]["usage"] == 2 and b[0]["data"] == issuer and b[0]["depth"] == 1, b
assert b[0]["owner"] is None and b[0]["ttl"] is None, b
EOF
check "json without --host or --ttl: owner and ttl are null" sh -c \
	"'$DANEOPS' tlsa -f json '$d/leaf.crt' | python3 -c 'import json,sys; o=json.load(sys.stdin)[0]; assert o[\"owner\"] is None and o[\"ttl\"] is None'"

"$DANEOPS" tlsa -f cloudflare -r 311 -r 301 --host mx.example.org. "$d/fullchain.pem" >"$TMP/cf.jsonl"
check "cloudflare: one API request body a line" python3 - "$TMP/cf.jsonl" \
	"$(ossl_data "$d/leaf.crt" 1 1)" "$(ossl_data "$d/leaf.crt" 0 1)" <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 2, lines
want = [(1, sys.argv[2]), (0, sys.argv[3])]
for line, (sel, data) in zip(lines, want):
    o = json.loads(line)
    assert o == {"type": "TLSA", "name": "_25._tcp.mx.example.org", "ttl": 1,
                 "data": {"usage": 3, "selector": sel, "matching_type": 1,
                          "certificate": data}}, o
EOF
expect_output '"ttl":86400' "cloudflare: --ttl is passed on" \
	"$DANEOPS" tlsa -f cloudflare --ttl 86400 --host mx.example.org "$d/leaf.crt"

# --- 4. --match ------------------------------------------------------------
rec=$("$DANEOPS" tlsa "$d/leaf.crt")
expect_status 0 "--match: the leaf's 3 1 1 matches the chain" "$DANEOPS" tlsa --match "$rec" "$d/fullchain.pem"
expect_output "^match: 3 1 1 [0-9a-f]{16}\.\.\. matches $d/fullchain.pem \(depth 0, CN=mx.example.org\)$" \
	"--match: says what matched, where" "$DANEOPS" tlsa --match "$rec" "$d/fullchain.pem"
expect_status 1 "--match: another chain and key do not match (exit 1)" \
	"$DANEOPS" tlsa -m "$rec" "$TMP/rsa/fullchain.pem" "$d/next.key"
expect_output "^no match: 3 1 1 [0-9a-f]{16}\.\.\. matches nothing in $TMP/rsa/fullchain.pem, $d/next.key$" \
	"--match: no match names every input" "$DANEOPS" tlsa -m "$rec" "$TMP/rsa/fullchain.pem" "$d/next.key"
next=$("$DANEOPS" tlsa -r 312 "$d/next.key")
expect_output "^match: .* matches $d/next.key \(private key\)" "--match: a next key's record matches the key" \
	"$DANEOPS" tlsa -m "$next" "$d/fullchain.pem" "$d/next.key"
openssl pkey -in "$d/next.key" -pubout -out "$d/next.pub"
expect_status 0 "--match: ... and its public key" "$DANEOPS" tlsa -m "$next" "$d/next.pub"
wrong="3 1 1 $(ossl_data "$d/int.crt" 1 1)"
expect_status 1 "--match: the issuer's key with usage 3 does not match" \
	"$DANEOPS" tlsa -m "$wrong" "$d/fullchain.pem"
expect_output "it matches the issuer at depth 1 in $d/fullchain.pem \(CN=Test Int ec\), but usage 3 \(DANE-EE\) needs the leaf" \
	"--match: ... and says it matches the issuer, but usage 3 needs the leaf" \
	"$DANEOPS" tlsa -m "$wrong" "$d/fullchain.pem"
expect_status 0 "--match: 2 1 1 of the issuer matches the chain at depth 1" \
	"$DANEOPS" tlsa -m "2 1 1 $(ossl_data "$d/int.crt" 1 1)" "$d/fullchain.pem"
expect_output "but usage 2 \(DANE-TA\) needs an issuer" "--match: 2 x x of the leaf does not match" \
	"$DANEOPS" tlsa -m "2 0 1 $(ossl_data "$d/leaf.crt" 0 1)" "$d/fullchain.pem"
expect_status 0 "--match: 3 0 0 (the whole certificate) matches" \
	"$DANEOPS" tlsa -m "3 0 0 $(ossl_data "$d/leaf.crt" 0 0)" "$d/leaf.crt.der"
upper=$(echo "$rec" | tr a-f A-F | sed 's/\(.\{30\}\)/\1 /')
expect_status 0 "--match: a dig-style line (owner, class, upper case, split data)" \
	"$DANEOPS" tlsa -m "_25._tcp.mx.example.org. 3600 IN TLSA $upper" "$d/leaf.crt"

# --- 5. Refusals: one line, the documented exit status, nothing on stdout --
# refuse STATUS PATTERN DESCRIPTION ARGS...: exit STATUS, stderr one line
# "daneops tlsa: ..." matching PATTERN, stdout empty.
refuse() {
	local want=$1 pat=$2 desc=$3 got lines; shift 3
	"$DANEOPS" tlsa "$@" >"$TMP/stdout" 2>"$TMP/stderr" </dev/null
	got=$?
	lines=$(wc -l <"$TMP/stderr")
	if [ "$got" = "$want" ] && [ "$lines" = 1 ] && [ ! -s "$TMP/stdout" ] &&
	    grep -qE -- "^daneops tlsa: $pat" "$TMP/stderr"; then
		pass "$desc"
	else
		fail "$desc" "exit $got (want $want), $lines stderr lines: $(head -c 300 "$TMP/stderr"); stdout: $(head -c 100 "$TMP/stdout")"
	fi
}
printf 'hello, this is not a certificate\n' >"$TMP/text.txt"
: >"$TMP/empty.pem"
head -c 400 "$d/leaf.crt" >"$TMP/truncated.pem"
sed '3s/^..../####/' "$d/leaf.crt" >"$TMP/badbase64.pem"
{ printf '\060\202\002\000'; head -c 100 /dev/urandom; } >"$TMP/garbage.der"
head -c 150 "$d/leaf.crt.der" >"$TMP/truncated.der"
openssl pkey -in "$d/leaf.key" -aes256 -passout pass:secret -out "$TMP/enc-pkcs8.pem"
openssl ec -in "$d/leaf.key" -aes256 -passout pass:secret -out "$TMP/enc-trad.pem" 2>/dev/null
openssl pkcs8 -topk8 -in "$d/leaf.key" -v2 aes256 -passout pass:secret -outform DER -out "$TMP/enc.der"
head -c 2000000 /dev/zero | tr '\0' 'A' >"$TMP/huge.pem"
mkdir -p "$TMP/adir"

refuse 3 "$TMP/text.txt: not a certificate or key" "random text: exit 3" "$TMP/text.txt"
refuse 3 "$TMP/empty.pem: empty" "an empty file: exit 3" "$TMP/empty.pem"
refuse 3 "$TMP/truncated.pem: truncated or damaged PEM" "a truncated PEM file: exit 3" "$TMP/truncated.pem"
refuse 3 "$TMP/badbase64.pem: truncated or damaged PEM" "PEM with bad base64: exit 3" "$TMP/badbase64.pem"
refuse 3 "$TMP/garbage.der: truncated or damaged DER" "DER garbage: exit 3" "$TMP/garbage.der"
refuse 3 "$TMP/truncated.der: truncated or damaged DER" "a truncated DER certificate: exit 3" "$TMP/truncated.der"
refuse 3 "$TMP/nonexistent.pem: cannot open: No such file" "a missing file: exit 3" "$TMP/nonexistent.pem"
refuse 3 "$TMP/adir: is a directory, not a file to read" "an unreadable file (a directory): exit 3" "$TMP/adir"
refuse 3 "$TMP/huge.pem: larger than 1048576 bytes" "a file over the size cap: exit 3" "$TMP/huge.pem"
refuse 3 "$TMP/enc-pkcs8.pem: private key is encrypted; " "an encrypted PKCS#8 key: exit 3" "$TMP/enc-pkcs8.pem"
refuse 3 "$TMP/enc-trad.pem: private key is encrypted; " "an encrypted traditional key: exit 3" "$TMP/enc-trad.pem"
refuse 3 "$TMP/enc.der: private key is encrypted; " "an encrypted DER key: exit 3" "$TMP/enc.der"
refuse 3 "$TMP/empty.pem: empty" "one bad file among good ones: exit 3, nothing printed" \
	"$d/fullchain.pem" "$TMP/empty.pem"
refuse 3 "$TMP/enc-pkcs8.pem: private key is encrypted" "--match with an unusable input: exit 3" \
	-m "$rec" "$d/leaf.crt" "$TMP/enc-pkcs8.pem"
# No passphrase prompt even with a terminal-less session: it ends, at once.
check "an encrypted key never prompts (no tty, 10 s limit)" sh -c \
	"timeout 10 setsid '$DANEOPS' tlsa '$TMP/enc-pkcs8.pem' </dev/null >/dev/null 2>&1; test \$? = 3"

refuse 2 "parameters '411': certificate usage 4 is not supported" "-r 411: exit 2" -r 411 "$d/leaf.crt"
refuse 2 "parameters '321': selector 2 is not supported" "-r 321: exit 2" -r 321 "$d/leaf.crt"
refuse 2 "parameters '313': matching type 3 is not supported" "-r 313: exit 2" -r 313 "$d/leaf.crt"
refuse 2 "parameters '31': expected usage" "-r 31: exit 2" -r 31 "$d/leaf.crt"
refuse 2 "parameters 'a b c'" "-r 'a b c': exit 2" -r "a b c" "$d/leaf.crt"
refuse 2 "$d/leaf.key: selector 0 \(full certificate\) needs a certificate" \
	"selector 0 with a private key: exit 2" -r 301 "$d/leaf.key"
refuse 2 "$d/leaf.crt: usage 2 \(DANE-TA\) needs the issuer's certificate.*--depth" \
	"usage 2 with a lone leaf: exit 2, suggests the chain or --depth" -r 211 "$d/leaf.crt"
refuse 2 "$d/next.key: usage 2 \(DANE-TA\) names an issuer" "usage 2 with a key: exit 2" -r 211 "$d/next.key"
refuse 2 "$d/fullchain.pem: no certificate at depth 2" "--depth past the chain: exit 2" -d 2 "$d/fullchain.pem"
refuse 2 "TLSA record '3 1 1 abcd': 2 bytes of data, but matching type 1 \(SHA2-256\) needs 32" \
	"--match with a wrong digest length: exit 2" -m "3 1 1 abcd" "$d/leaf.crt"
refuse 2 "TLSA record .*not hexadecimal" "--match with non-hex data: exit 2" -m "3 1 1 xyz" "$d/leaf.crt"
refuse 2 "--match '4 1 1 .*': certificate usage 4 is not supported" "--match with usage 4: exit 2" \
	-m "4 1 1 $(ossl_data "$d/leaf.crt" 1 1)" "$d/leaf.crt"
refuse 2 "--match compares one record with the inputs: --format does not apply" \
	"--match with --format: exit 2" -m "$rec" -f json "$d/leaf.crt"
refuse 2 "unknown option --frobnicate" "an unknown option: exit 2" --frobnicate "$d/leaf.crt"
refuse 2 "-r needs a value" "an option without its value: exit 2" "$d/leaf.crt" -r
refuse 2 "no input" "no FILE: exit 2"
refuse 2 "--format bind: unknown format" "--format bind: exit 2" -f bind "$d/leaf.crt"
refuse 2 "--port 0: expected a number from 1 to 65535" "--port 0: exit 2" --port 0 "$d/leaf.crt"
refuse 2 "--ttl -5: expected" "--ttl -5: exit 2" --ttl -5 "$d/leaf.crt"
refuse 2 "--proto quic: expected tcp, udp or sctp" "--proto quic: exit 2" --proto quic "$d/leaf.crt"
refuse 2 "--host 'mx example.org'" "--host with a space: exit 2" --host "mx example.org" "$d/leaf.crt"
refuse 2 "-: standard input can be read only once" "- twice: exit 2" - -

# --- 6. --help and the man page --------------------------------------------
expect_status 0 "--help exits 0" "$DANEOPS" tlsa --help
expect_output "^usage: daneops tlsa" "--help prints the usage" "$DANEOPS" tlsa --help
# --help is true: every option it names is accepted (not "unknown option").
bad=""
for opt in $("$DANEOPS" tlsa --help | grep -oE -- '(^| )(-[a-z]|--[a-z]+)' | sort -u); do
	"$DANEOPS" tlsa "$opt" x 2>&1 | grep -q 'unknown option' && bad="$bad $opt"
done
is "$bad" "" "every option --help names is accepted"
check "man page lints clean (mandoc -Tlint -W warning)" \
	mandoc -Tlint -W warning "$DANEOPS_TOP/man/daneops-tlsa.1"

done_testing
