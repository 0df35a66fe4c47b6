#!/bin/sh
# mkcerts.sh DIR - a throw-away CA and server certificate for the probe tests.
#
# Writes into DIR: ca.key ca.pem (a self-signed CA), ee.key ee.pem (leaf for
# mx.hostile.test, issued by the CA) and chain.pem (leaf, then CA: what a
# server sends).  EC P-256 keys, so it takes a few milliseconds.  The tests
# run this at start-up; nothing it writes is committed.
set -eu
dir=${1:?usage: mkcerts.sh DIR}
mkdir -p "$dir"
cd "$dir"
umask 077

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	-out ca.key 2>/dev/null
openssl req -new -x509 -key ca.key -out ca.pem -days 3650 -sha256 \
	-subj "/CN=daneops probe test CA" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	-out ee.key 2>/dev/null
openssl req -new -key ee.key -out ee.csr -subj "/CN=mx.hostile.test" \
	2>/dev/null
cat >ee.ext <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:mx.hostile.test
EXT
openssl x509 -req -in ee.csr -CA ca.pem -CAkey ca.key -set_serial 4242 \
	-days 365 -sha256 -extfile ee.ext -out ee.pem 2>/dev/null
cat ee.pem ca.pem >chain.pem
rm -f ee.csr ee.ext
