#!/bin/sh
# tests/data/mkcerts.sh - regenerate the fixtures of the tlsa unit tests
# (tests/data/tlsa/) and the seed corpus of tests/fuzz/fuzz_certsrc.
#
# The unit tests derive every expected value from these files at run time,
# so regenerating them (new keys) needs no other change.  Certificates are
# valid for 100 years: daneops tlsa does not look at validity, and the tests
# must not expire.  Run from anywhere: sh tests/data/mkcerts.sh
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$top/tests/data/tlsa
corpus=$top/tests/fuzz/corpus/fuzz_certsrc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$d" "$corpus"
# The corpus may also hold inputs a fuzzing run found: only ours are replaced.
rm -f "$d"/*
days=36500
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

# CA (self-signed) -> intermediate (CA) -> ECDSA leaf and RSA leaf.
ec "$tmp/root.key"
openssl req -x509 -new -key "$tmp/root.key" -subj /CN=daneops-test-root \
	-days $days -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign -out "$d/root.crt"
ec "$tmp/int.key"
openssl req -new -key "$tmp/int.key" -subj /CN=daneops-test-int -out "$tmp/int.csr"
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >"$tmp/ca.ext"
openssl x509 -req -in "$tmp/int.csr" -CA "$d/root.crt" -CAkey "$tmp/root.key" \
	-set_serial 2 -days $days -extfile "$tmp/ca.ext" -out "$d/int.crt"
printf 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:mx1.example.org\n' >"$tmp/ee.ext"
leaf() {	# NAME KEYFILE
	openssl req -new -key "$2" -subj "/CN=$1.example.org" -out "$tmp/$1.csr"
	openssl x509 -req -in "$tmp/$1.csr" -CA "$d/int.crt" -CAkey "$tmp/int.key" \
		-set_serial 3 -days $days -extfile "$tmp/ee.ext" -out "$d/$1.crt"
}
ec "$d/ec.key"
leaf ec "$d/ec.key"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/rsa.key"
leaf rsa "$d/rsa.key"
cat "$d/ec.crt" "$d/int.crt" >"$d/ec-fullchain.pem"

# Every other form of the same certificates and keys.
openssl x509 -in "$d/ec.crt" -outform DER -out "$d/ec.crt.der"
cat "$d/ec.crt.der" >"$d/ec-chain.der"
openssl x509 -in "$d/int.crt" -outform DER >>"$d/ec-chain.der"
openssl x509 -in "$d/ec.crt" -trustout -addtrust serverAuth -out "$d/ec-trusted.pem"
openssl pkey -in "$d/ec.key" -pubout -out "$d/ec.pub"
openssl pkey -in "$d/ec.key" -pubout -outform DER -out "$d/ec.pub.der"
openssl pkey -in "$d/ec.key" -outform DER -out "$d/ec.key.der"
openssl ecparam -name prime256v1 >"$d/ec-trad.key"
openssl ec -in "$d/ec.key" 2>/dev/null >>"$d/ec-trad.key"
openssl ec -in "$d/ec.key" -outform DER -out "$d/ec-trad.key.der" 2>/dev/null
openssl rsa -in "$d/rsa.key" -traditional -out "$d/rsa-trad.key" 2>/dev/null
openssl rsa -in "$d/rsa.key" -RSAPublicKey_out -out "$d/rsa-pkcs1.pub" 2>/dev/null
cat "$d/ec.crt" "$d/ec.key" >"$d/ec-cert-and-key.pem"

# Inputs that must be refused, each for its own reason.
openssl pkey -in "$d/ec.key" -aes256 -passout pass:test -out "$d/enc-pkcs8.pem"
openssl pkcs8 -topk8 -in "$d/ec.key" -v2 aes256 -passout pass:test \
	-outform DER -out "$d/enc-pkcs8.der"
openssl ec -in "$d/ec.key" -aes256 -passout pass:test -out "$d/enc-trad.pem" 2>/dev/null
cat "$d/ec.key" "$d/rsa.key" >"$d/two-keys.pem"
openssl req -new -key "$d/ec.key" -subj /CN=mx1.example.org -out "$d/ec.csr"
head -c 300 "$d/ec.crt" >"$d/truncated.pem"
sed '3s/^..../!!!!/' "$d/ec.crt" >"$d/bad-base64.pem"
head -c 200 "$d/ec.crt.der" >"$d/truncated.der"
printf '\060\202\001\000garbage that is no ASN.1 at all' >"$d/garbage.der"
printf 'this is not a certificate\n' >"$d/text.txt"
openssl ecparam -name prime256v1 >"$d/params-only.pem"
printf 'junk -----BEGIN \n' >"$d/begin-only.pem"
: >"$d/empty"

cp "$d"/* "$corpus"/
echo "mkcerts: $(ls "$d" | wc -l) files in $d and $corpus"
