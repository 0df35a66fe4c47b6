# lab/worlds/roll/roll.sh - the private lab world of tests/e2e/roll*.sh and of
# the rollover in scripts/demo (started with DANEOPS_LAB_WORLD=lab/worlds/roll).
#
# roll.test (signed, RFC 2136 with the lab key): mx.roll.test at 127.0.5.1,
# a Postfix smtpd that reads the files daneops deploys ($LAB_ROLL_DIR/deploy);
# a second authoritative server ns2.roll.test (127.0.5.53), a Knot of its own
# that is no real secondary: the tests and the demo copy the primary's signed
# zone to it by hand (roll_sync_ns2 in tests/data/roll-lib.sh), so it lags
# exactly as long as they want.  The source files ($LAB_ROLL_DIR/src-ec,
# src-rsa) stand for what an ACME client writes.
rd=$LAB_DIR/roll
mkdir -p "$rd/src-ec" "$rd/src-rsa" "$rd/deploy-ec" "$rd/deploy-rsa" \
	"$rd/state" "$rd/ns2/zones" "$rd/ns2/db" "$rd/ns2/run"
lab_cert roll-ec ecdsa lab-int-ecdsa mx.roll.test
lab_cert roll-rsa rsa lab-int-rsa mx.roll.test
for k in ec rsa; do
	cp "$LAB_PKI/roll-$k.key" "$rd/src-$k/key.pem"
	cp "$LAB_PKI/roll-$k.fullchain.pem" "$rd/src-$k/fullchain.pem"
	cp "$LAB_PKI/roll-$k.key" "$rd/deploy-$k/key.pem"
	cp "$LAB_PKI/roll-$k.fullchain.pem" "$rd/deploy-$k/chain.pem"
done
cat >"$rd/roll.zone" <<ZONE
@ NS ns2
ns2 A 127.0.5.53
mx A 127.0.5.1
ZONE
lab_zone roll.test signed "$rd/roll.zone"
lab_smtp 127.0.5.1 "$rd/deploy-ec/chain.pem" "$rd/deploy-ec/key.pem" \
	"$rd/deploy-rsa/chain.pem" "$rd/deploy-rsa/key.pem"
# Until the first copy, ns2 serves an unsigned stub: not the primary's data.
cat >"$rd/ns2/zones/roll.test.zone" <<ZONE
\$ORIGIN roll.test.
\$TTL 2
@ SOA ns.test. hostmaster.test. 1 30 10 3600 2
@ NS ns.test.
@ NS ns2
ns2 A 127.0.5.53
ZONE
cat >"$rd/ns2/knot.conf" <<CONF
server:
    rundir: "$rd/ns2/run"
    user: root:root
    listen: 127.0.5.53@53
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
control:
    listen: "$rd/ns2/run/knot.sock"
log:
  - target: stderr
    any: info
database:
    storage: "$rd/ns2/db"
template:
  - id: default
    storage: "$rd/ns2/zones"
    semantic-checks: off
    journal-content: none
    zonefile-load: whole
zone:
  - domain: roll.test.
    file: "$rd/ns2/zones/roll.test.zone"
    dnssec-signing: off
CONF
lab_service 127.0.5.53 53 knotd -c "$rd/ns2/knot.conf"
export_var LAB_ROLL_DIR "$rd"
