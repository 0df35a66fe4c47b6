#!/bin/sh
# tests/data/fake-certbot.sh - stands in for "certbot renew --force-renewal
# --reuse-key --non-interactive --cert-name NAME --config-dir DIR" in
# tests/e2e/roll_certbot.sh and roll_crash.sh (no ACME server there): it
# does to the lineage's files what certbot does - a CSR from the key
# live/NAME/privkey.pem points to (reuse_key), a new certificate (from the
# lab CA, not an ACME CA), the next version's
# archive/NAME/{cert,chain,fullchain,privkey}N.pem, and the live/NAME
# symlinks moved to them.  --config-dir must be FAKE_CERTBOT_DIR (daneops
# passes certbot_dir through).
# FAKE_CERTBOT_FAIL=1 makes it fail like an ACME error.
# Kill hook: when FAKE_CERTBOT_DIR/kill-at holds "start" (before anything),
# "mid" (new archive files written, links not yet moved) or "end" (all
# done), it removes that file and SIGKILLs daneops (its parent) and its own
# process group at once - what "systemctl stop" or a reboot does to the
# unit while certbot runs.
# Environment: FAKE_CERTBOT_DIR, LAB_INT_ECDSA_CERT/_KEY.
set -eu
echo "$*" >>"$FAKE_CERTBOT_DIR/calls.log"
killat() {
	[ "$(cat "$FAKE_CERTBOT_DIR/kill-at" 2>/dev/null)" = "$1" ] || return 0
	rm -f "$FAKE_CERTBOT_DIR/kill-at"
	kill -KILL "$PPID" 0
}
killat start
# FAKE_CERTBOT_DIR/hang (one shot): hang, as a certbot waiting on a CA that
# does not answer (certbot_timeout must kill it)
if [ -f "$FAKE_CERTBOT_DIR/hang" ]; then rm -f "$FAKE_CERTBOT_DIR/hang"; sleep 120; fi
[ "${FAKE_CERTBOT_FAIL:-0}" = 1 ] && { echo "fake certbot: ACME error" >&2; exit 1; }
name= cfg=
while [ $# -gt 0 ]; do
	case $1 in
	--cert-name) name=$2; shift ;;
	--config-dir) cfg=$2; shift ;;
	esac
	shift
done
case " $(tail -1 "$FAKE_CERTBOT_DIR/calls.log") " in
*" renew "*"--force-renewal"*"--reuse-key"*) ;;
*) echo "fake certbot: unexpected arguments" >&2; exit 2 ;;
esac
[ "$cfg" = "$FAKE_CERTBOT_DIR" ] || { echo "fake certbot: --config-dir '$cfg'" >&2; exit 2; }
grep -q '^reuse_key = True$' "$FAKE_CERTBOT_DIR/renewal/$name.conf"
live=$FAKE_CERTBOT_DIR/live/$name
arch=$FAKE_CERTBOT_DIR/archive/$name
n=1
while [ -e "$arch/cert$n.pem" ] || [ -e "$arch/privkey$n.pem" ]; do n=$((n + 1)); done
tmp=$(mktemp -d)
openssl req -new -key "$live/privkey.pem" -subj /CN=mx.roll.test \
	-addext subjectAltName=DNS:mx.roll.test -out "$tmp/csr" 2>/dev/null
openssl x509 -req -in "$tmp/csr" -CA "$LAB_INT_ECDSA_CERT" -CAkey "$LAB_INT_ECDSA_KEY" \
	-CAcreateserial -CAserial "$tmp/srl" -days 30 -copy_extensions copy \
	-out "$arch/cert$n.pem" 2>/dev/null
cp "$LAB_INT_ECDSA_CERT" "$arch/chain$n.pem"
cat "$arch/cert$n.pem" "$arch/chain$n.pem" >"$arch/fullchain$n.pem"
cp "$live/privkey.pem" "$arch/privkey$n.pem"
chmod 600 "$arch/privkey$n.pem"
rm -rf "$tmp"
killat mid
for f in cert chain fullchain privkey; do
	ln -sfn "../../archive/$name/$f$n.pem" "$live/$f.pem.new"
	mv -T "$live/$f.pem.new" "$live/$f.pem"
done
killat end
