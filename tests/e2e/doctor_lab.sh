#!/usr/bin/env bash
# installed: yes (tests/run: also run against the installed daneops)
# daneops doctor's live checks, on a private lab (tests/data/doctor-world):
# a lineage whose owner has the current and the next key's records is
# clean, and the TLSRPT record's address reaches daneops report ingest;
# then, changing the records with nsupdate: a stale record, 13 records,
# only the current key's record, only a record that matches nothing; a
# certificate that expires in 5 days; the rua address going nowhere; and
# DNS that does not answer (exit 3).  Queries go straight to the lab's
# Knot (--stub .=), so no cache hides a change.
. "$DANEOPS_TOP/tests/lib.sh"
. "$DANEOPS_TOP/tests/data/doctor-lib.sh"

LAB=$TMP/lab
trap '"$DANEOPS_TOP/lab/lab" stop "$LAB" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
if ! DANEOPS_LAB_WORLD=$DANEOPS_TOP/tests/data/doctor-world \
    "$DANEOPS_TOP/lab/lab" start "$LAB" >"$TMP/lab-start.log" 2>&1; then
	echo "not ok 1 - the private doctor lab did not start"
	sed 's/^/#   /' "$TMP/lab-start.log" | tail -20
	echo "1..1"
	exit 1
fi
set -a
# shellcheck disable=SC1091
. "$LAB/env"
set +a
lx() { "$DANEOPS_TOP/lab/lab" exec "$LAB" "$@"; }

# The host: a clean tree whose Postfix takes mail for doctor.test.
R=$TMP/root
mkroot "$R"
sed -i 's/^mydomain = .*/mydomain = doctor.test/' "$R/etc/postfix/main.cf"
echo 'tls-reports@doctor.test daneops-tlsrpt:' >"$R/etc/postfix/daneops-tlsrpt"

# The daneops configuration: lineage mx (next key in the state directory)
# and, in a second file, lineage exp.
mkdir -p "$TMP/state/mx" "$TMP/state/exp"
cp "$LAB_DOCTOR_NEXT_KEY" "$TMP/state/mx/next.key"
cp "$LAB_DOCTOR_EXP_NEXT_KEY" "$TMP/state/exp/next.key"
lineage_conf() {	# FILE NAME CERT-NAME
	local up=${3^^}
	local key=LAB_${up//-/_}_KEY chain=LAB_${up//-/_}_CHAIN
	cat >"$1" <<-EOF
	[daneops]
	state_dir = $TMP/state
	trust_anchor = $LAB_TA
	resolver_conf = $LAB_RESOLVER_CONF
	stub = .=$LAB_AUTH

	[lineage $2]
	source_key = ${!key}
	source_chain = ${!chain}
	deploy_key = ${!key}
	deploy_chain = ${!chain}
	tlsa = _25._tcp.$2.doctor.test
	provider = lab

	[provider lab]
	type = rfc2136
	zone = doctor.test
	server = $LAB_AUTH
	tsig_key_file = $LAB_TSIG_KEYFILE
	EOF
}
lineage_conf "$TMP/mx.conf" mx doctor-mx
lineage_conf "$TMP/exp.conf" exp doctor-exp

doctor() {
	lx "$DANEOPS" doctor --root "$R" --trust-anchor "$LAB_TA" --resolver-conf "$LAB_RESOLVER_CONF" \
		--stub ".=$LAB_AUTH" --timeout 20 "$@"
}

# finds CODE PATTERN DESC [args]: exit 1 and finding CODE matching PATTERN.
finds() {
	local code=$1 pat=$2 desc=$3; shift 3
	doctor "$@" >"$TMP/out" 2>&1
	local rc=$?
	if [ $rc = 1 ] && awk -v c="$code" '$2 == c { p = 1; print; next }
		/^[a-z]/ { p = 0 } p' "$TMP/out" | grep -qE -- "$pat"; then
		pass "$desc"
	else
		fail "$desc (exit $rc, want 1 and $code /$pat/)"
		sed 's/^/#   /' "$TMP/out" | head -20
	fi
}

# tlsa_set OWNER RECORD...: replace the TLSA set at OWNER.
tlsa_set() {
	local owner=$1 r; shift
	{
		echo "server $LAB_AUTH"
		echo "zone doctor.test"
		echo "update delete $owner TLSA"
		for r in "$@"; do echo "update add $owner 30 TLSA $r"; done
		echo "send"
	} >"$TMP/update.txt"
	lx nsupdate -k "$LAB_TSIG_KEYFILE" "$TMP/update.txt"
}

rec() { lab_tlsa_rec "$1"; }
# "3 1 1 HEX" of a certificate or key, with the openssl CLI only.
lab_tlsa_rec() {
	if grep -q CERTIFICATE "$1"; then
		openssl x509 -in "$1" -noout -pubkey
	else
		openssl pkey -in "$1" -pubout
	fi 2>/dev/null | openssl pkey -pubin -outform DER 2>/dev/null |
		openssl dgst -sha256 -r | sed 's/^\([0-9a-f]*\).*/3 1 1 \1/'
}
random_rec() { echo "3 1 1 $(openssl rand -hex 32)"; }

MX=_25._tcp.mx.doctor.test
CUR=$(rec "$LAB_DOCTOR_MX_CERT")
NEXT=$(rec "$LAB_DOCTOR_NEXT_KEY")

# --- healthy: current + next published, rua reaches the ingest pipe
expect_status 0 "current + next, rua to daneops report ingest: exit 0" \
	doctor --config "$TMP/mx.conf"
expect_output '^doctor: 0 errors, 0 warnings, 0 info$' "nothing found" \
	doctor --config "$TMP/mx.conf"
expect_status 0 "without validation options, the configuration's are used" \
	lx "$DANEOPS" doctor --root "$R" --config "$TMP/mx.conf"

# --- a stale record next to them
STALE=$(random_rec)
tlsa_set $MX "$CUR" "$NEXT" "$STALE"
finds tlsa-stale "\[lineage mx\] ${STALE:0:20}.* matches no key" \
	"a record that matches nothing known is stale" --config "$TMP/mx.conf"
doctor --config "$TMP/mx.conf" --json >"$TMP/j" 2>&1
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
codes = sorted(f["code"] for f in d["findings"])
assert codes == ["tlsa-stale"], codes
assert d["findings"][0]["subject"] == "_25._tcp.mx.doctor.test", d
' "$TMP/j" && pass "--json: exactly one tlsa-stale, the owner as subject" ||
	fail "--json: exactly one tlsa-stale" "$(cat "$TMP/j")"

# --- 13 records
set -- "$CUR" "$NEXT"
for i in $(seq 11); do set -- "$@" "$(random_rec)"; done
tlsa_set $MX "$@"
finds tlsa-too-many '13 TLSA records' "13 records: too many" --config "$TMP/mx.conf"

# --- only the current key's record: the next key has none
tlsa_set $MX "$CUR"
finds no-next-key "the next key's record ${NEXT:0:20}.* is not published" \
	"only the current record: the next key's is missing" --config "$TMP/mx.conf"
rm "$TMP/state/mx/next.key"
finds no-next-key 'every record matches the current key' \
	"no next key kept at all: the engine's single-record warning" --config "$TMP/mx.conf"
cp "$LAB_DOCTOR_NEXT_KEY" "$TMP/state/mx/next.key"

# --- nothing matches: DANE fails
tlsa_set $MX "$(random_rec)" "$NEXT"
finds dane-fail 'lineage mx' "no record matches the presented key: dane-fail" \
	--config "$TMP/mx.conf"
tlsa_set $MX "$CUR" "$NEXT"
expect_status 0 "restored: exit 0 again" doctor --config "$TMP/mx.conf"

# --- a certificate that expires in 5 days
finds cert-expiring 'expires in [45] day' "exp.doctor.test: expires in 5 days" \
	--config "$TMP/exp.conf"
expect_status 0 "--warn-days 3: not yet" doctor --config "$TMP/exp.conf" --warn-days 3

# --- the rua address
: >"$R/etc/postfix/daneops-tlsrpt"
echo "tls-reports: reports-team" >>"$R/etc/aliases"; newaliases
finds rua-unreachable 'tls-reports@doctor.test \(the rua of _smtp._tls.doctor.test\)' \
	"rua address that reaches nobody" --config "$TMP/mx.conf"
finds rua-unreachable "echo 'tls-reports@doctor.test daneops-tlsrpt:' >>/etc/postfix/daneops-tlsrpt" \
	"...and the fix routes it to the daneops-tlsrpt pipe" --config "$TMP/mx.conf"
finds alias-dead-end 'tls-reports -> reports-team' "its dead end is named" --config "$TMP/mx.conf"
sed -i 's/^tls-reports:.*/tls-reports: alice/' "$R/etc/aliases"; newaliases
expect_status 0 "rua to a mailbox is fine" doctor --config "$TMP/mx.conf"
sed -i 's/^mydestination.*/mydestination = localhost/' "$R/etc/postfix/main.cf"
doctor --config "$TMP/mx.conf" >"$TMP/out" 2>&1
is "$?" 0 "rua in a domain that is not local: info only"
grep -q '^info    rua-remote tls-reports@doctor.test' "$TMP/out" &&
	pass "rua-remote names the address" || fail "rua-remote" "$(cat "$TMP/out")"

# --- no answer from DNS: could not check
expect_status 3 "DNS does not answer: exit 3" lx "$DANEOPS" doctor --root "$R" \
	--config "$TMP/mx.conf" --trust-anchor "$LAB_TA" --resolver-conf "$LAB_RESOLVER_CONF" --stub ".=127.0.0.99" --timeout 3
expect_output '^could not check lineage mx: ' "the lineage is named as unchecked" \
	lx "$DANEOPS" doctor --root "$R" --config "$TMP/mx.conf" \
	--trust-anchor "$LAB_TA" --resolver-conf "$LAB_RESOLVER_CONF" --stub ".=127.0.0.99" --timeout 3
expect_status 0 "--skip-live: no DNS, exit 0" lx "$DANEOPS" doctor --root "$R" \
	--config "$TMP/mx.conf" --stub ".=127.0.0.99" --skip-live

done_testing
