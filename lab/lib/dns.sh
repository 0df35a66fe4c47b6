# lab/lib/dns.sh - the private DNS root: TSIG key, zones, Knot (authoritative,
# $LAB_AUTH) and unbound (validating resolver, $LAB_RESOLVER).
#
# Zones are registered first (built-in ones and lab_zone calls from
# lab/world.d), then written out in one go: every signed zone gets its keys
# from keymgr before Knot starts, so each parent zone file can carry its
# children's DS records and the chain root -> test. -> child validates.

LAB_NS=ns.test.			# the one name server of every lab zone
ZONES=()			# registered zones, FQDN with the trailing dot
declare -A ZONE_KIND=()		# root|signed|unsigned|bogus
declare -A ZONE_UPDATE=()	# yes: RFC 2136 updates with the lab TSIG key
declare -A ZONE_SIGDATES=()	# ldns-signzone -i/-e of a lab_zone_presigned zone

# fqdn NAME: NAME with exactly one trailing dot ("." stays ".").
fqdn() {
	local n=${1%.}
	echo "${n:+$n}."
}

# zone_base NAME: a file name for the zone ("root" for ".").
zone_base() {
	[ "$1" = . ] && { echo root; return; }
	echo "${1%.}"
}

# is_below NAME ZONE: NAME is strictly below ZONE.
is_below() {
	[ "$1" != "$2" ] || return 1
	[ "$2" = . ] && return 0
	[[ $1 == *".$2" ]]
}

# zone_parent NAME: the closest registered zone above NAME.
zone_parent() {
	local z best=
	for z in "${ZONES[@]}"; do
		if is_below "$1" "$z" && [ ${#z} -gt ${#best} ]; then best=$z; fi
	done
	echo "$best"
}

# zone_add NAME KIND UPDATE [BODYFILE]: register a zone; BODYFILE holds its
# records without SOA/NS (relative names are relative to NAME).
zone_add() {
	local name=$1 kind=$2 update=$3 body=${4:-/dev/null} z
	for z in "${ZONES[@]}"; do
		[ "$z" = "$name" ] && die "zone $name is defined twice"
	done
	[ -r "$body" ] || die "zone $name: cannot read $body"
	mkdir -p "$LAB_DIR/knot/src"
	cat "$body" >"$LAB_DIR/knot/src/$(zone_base "$name").body"
	ZONES+=("$name")
	ZONE_KIND[$name]=$kind
	ZONE_UPDATE[$name]=$update
}

# lab_zone NAME signed|unsigned|bogus FILE: a zone below test., delegated
# from the closest lab zone above it (test. unless it is below another lab
# zone), with DS when signed or bogus.  Signed and unsigned zones accept
# RFC 2136 updates signed with the lab TSIG key, like dane.test.
lab_zone() {
	[ $# -eq 3 ] || die "usage: lab_zone NAME signed|unsigned|bogus FILE"
	local name
	name=$(fqdn "$1")
	is_below "$name" test. || die "lab_zone $1: lab zones live below test."
	case $2 in
	signed | unsigned) zone_add "$name" "$2" yes "$3" ;;
	bogus) zone_add "$name" bogus no "$3" ;;
	*) die "lab_zone $1: kind must be signed, unsigned or bogus, not '$2'" ;;
	esac
}

# lab_zone_presigned NAME INCEPTION EXPIRATION FILE: like a bogus zone
# (ldns-signzone, DS in the parent, no updates) but signed with the given
# dates (YYYYMMDD[hhmmss], UTC): e.g. signatures that expire in a few days
# (secure until then, plus the validator's clock-skew allowance).
lab_zone_presigned() {
	[ $# -eq 4 ] || die "usage: lab_zone_presigned NAME INCEPTION EXPIRATION FILE"
	local name
	name=$(fqdn "$1")
	is_below "$name" test. || die "lab_zone_presigned $1: lab zones live below test."
	zone_add "$name" bogus no "$4"
	ZONE_SIGDATES[$name]="-i $2 -e $3"
}

# tsig_init: the lab's TSIG key in the formats the tools want.
tsig_init() {
	local secret
	mkdir -p "${LAB_DNS:?}"
	secret=$(openssl rand -base64 32)
	(
		umask 077
		echo "$secret" >"$LAB_DNS/tsig.secret"
		printf 'key "%s" {\n\talgorithm %s;\n\tsecret "%s";\n};\n' \
			"$LAB_TSIG_NAME" "$LAB_TSIG_ALG" "$secret" >"$LAB_DNS/tsig.key"
		echo "$LAB_TSIG_ALG:$LAB_TSIG_NAME:$secret" >"$LAB_DNS/tsig.knsupdate"
	)
	export_var LAB_TSIG_NAME "$LAB_TSIG_NAME"
	export_var LAB_TSIG_ALG "$LAB_TSIG_ALG"
	export_var LAB_TSIG_SECRET_FILE "$LAB_DNS/tsig.secret"
	export_var LAB_TSIG_KEYFILE "$LAB_DNS/tsig.key"
	export_var LAB_KNSUPDATE_KEY "$LAB_DNS/tsig.knsupdate"
}

# dns_world: the built-in zones (lab/README.md describes them).
dns_world() {
	local body=$LAB_DIR/knot/src mx1_tlsa
	mkdir -p "$body"
	mx1_tlsa=$(lab_tlsa 3 1 1 "$LAB_MX1_CERT")
	zone_add . root no
	printf 'ns A %s\n' "$LAB_AUTH" >"$body/test.in"
	zone_add test. signed no "$body/test.in"
	cat >"$body/dane.test.in" <<-EOF
		@ MX 10 mx1.dane.test.
		@ MX 20 mx2.dane.test.
		mx1 A 127.0.1.1
		mx1 AAAA ::1
		mx2 A 127.0.1.2
		www A 127.0.2.1
	EOF
	zone_add dane.test. signed yes "$body/dane.test.in"
	cat >"$body/unsigned.test.in" <<-EOF
		@ MX 10 mx.unsigned.test.
		mx A 127.0.1.1
		_25._tcp.mx TLSA $mx1_tlsa
	EOF
	zone_add unsigned.test. unsigned no "$body/unsigned.test.in"
	cat >"$body/bogus.test.in" <<-EOF
		@ MX 10 mx.bogus.test.
		mx A 127.0.1.1
		_25._tcp.mx TLSA $mx1_tlsa
	EOF
	zone_add bogus.test. bogus no "$body/bogus.test.in"
}

# knot_config: knot.conf for every registered zone.  Knot keeps all of its
# state under DIR and runs as root (the lab is a throw-away namespace).
knot_config() {
	local d=$LAB_DIR/knot z base
	mkdir -p "$d/zones" "$d/run" "$d/db"
	chmod 700 "$d"
	{
		cat <<-EOF
			# Knot DNS for the daneops lab $LAB_DIR (generated).
			server:
			    rundir: "$d/run"
			    pidfile: "$LAB_RUN/knot.pid"
			    user: root:root
			    listen: $LAB_AUTH@53
			    udp-workers: 1
			    tcp-workers: 1
			    background-workers: 1

			control:
			    listen: "$d/run/knot.sock"

			log:
			  - target: "$LAB_LOGS/knot.log"
			    any: info

			database:
			    storage: "$d/db"
			    kasp-db: "$d/db/keys"
			    journal-db: "$d/db/journal"
			    timer-db: "$d/db/timers"
			    catalog-db: "$d/db/catalog"

			key:
			  - id: $LAB_TSIG_NAME
			    algorithm: $LAB_TSIG_ALG
			    secret: $(cat "$LAB_DNS/tsig.secret")

			acl:
			  - id: lab-update
			    key: $LAB_TSIG_NAME
			    action: update

			# Keys are made with keymgr before the start (knot_keys), so that
			# parent zone files can hold the DS; "manual" keeps Knot from
			# generating or rolling keys of its own.
			policy:
			  - id: lab
			    algorithm: ecdsap256sha256
			    manual: on

			template:
			  - id: default
			    storage: "$d/zones"
			    semantic-checks: off

			zone:
		EOF
		for z in "${ZONES[@]}"; do
			base=$(zone_base "$z")
			echo "  - domain: \"$z\""
			echo "    file: \"$d/zones/$base.zone\""
			case ${ZONE_KIND[$z]} in
			root | signed)
				echo "    dnssec-signing: on"
				echo "    dnssec-policy: lab"
				;;
			*)
				# bogus zones are served as ldns-signzone left them
				echo "    dnssec-signing: off"
				;;
			esac
			[ "${ZONE_UPDATE[$z]}" = yes ] && echo "    acl: lab-update"
		done
	} >"$d/knot.conf"
	chmod 600 "$d/knot.conf"
	export_var LAB_KNOT_CONF "$d/knot.conf"
}

# knot_keys: a KSK and a ZSK (ECDSA P-256) for every signed zone, and the
# DS records of each into $LAB_DIR/knot/ds/ZONE.ds.  Bogus zones get keys
# from ldns-keygen, as ldns-signzone signs them.
knot_keys() {
	local d=$LAB_DIR/knot z base ksk zsk
	mkdir -p "$d/ds" "$d/ldns"
	for z in "${ZONES[@]}"; do
		base=$(zone_base "$z")
		case ${ZONE_KIND[$z]} in
		root | signed)
			run_logged "$LAB_LOGS/keymgr.log" keymgr -c "$d/knot.conf" "$z" \
				generate algorithm=ecdsap256sha256 ksk=yes zsk=no
			run_logged "$LAB_LOGS/keymgr.log" keymgr -c "$d/knot.conf" "$z" \
				generate algorithm=ecdsap256sha256 ksk=no zsk=yes
			# SHA-256 digests only (keymgr adds SHA-384 ones).
			keymgr -c "$d/knot.conf" "$z" ds 2>>"$LAB_LOGS/keymgr.log" |
				awk '$2 == "DS" && $5 == 2' >"$d/ds/$base.ds"
			;;
		bogus)
			ksk=$(cd "$d/ldns" && ldns-keygen -a ECDSAP256SHA256 -k "$z" 2>>"$LAB_LOGS/keymgr.log")
			zsk=$(cd "$d/ldns" && ldns-keygen -a ECDSAP256SHA256 "$z" 2>>"$LAB_LOGS/keymgr.log")
			echo "$d/ldns/$ksk $d/ldns/$zsk" >"$d/ldns/$base.keys"
			ldns-key2ds -n -2 "$d/ldns/$ksk.key" >"$d/ds/$base.ds"
			;;
		esac
		case ${ZONE_KIND[$z]} in
		unsigned) ;;
		*) [ -s "$d/ds/$base.ds" ] || die "no DS for zone $z - see $LAB_LOGS/keymgr.log" ;;
		esac
	done
	# The trust anchor: the root KSK as DS (unbound, libunbound), as DNSKEY
	# (drill -k, ldns), and in BIND's trust-anchors syntax (delv -a).
	# Same layout as dns-root-data's /usr/share/dns/root.ds and root.key.
	awk '{ $1 = $1 " IN"; print }' "$d/ds/root.ds" >"$LAB_DNS/root.ds"
	keymgr -c "$d/knot.conf" . dnskey 2>>"$LAB_LOGS/keymgr.log" |
		awk '$2 == "DNSKEY" && $3 == 257 { $1 = $1 " IN"; print }' >"$LAB_DNS/root.dnskey"
	[ -s "$LAB_DNS/root.dnskey" ] || die "no root DNSKEY from keymgr - see $LAB_LOGS/keymgr.log"
	awk 'BEGIN { print "trust-anchors {" }
	     { printf "\t\"%s\" static-ds %s %s %s \"%s\";\n", $1, $4, $5, $6, $7 }
	     END { print "};" }' "$LAB_DNS/root.ds" >"$LAB_DNS/root.anchors"
	export_var LAB_TA "$LAB_DNS/root.ds"
	# The lab's zones live under the RFC 6761 name test., which libunbound
	# answers NXDOMAIN for by default; this configuration (daneops
	# --resolver-conf, daneops.conf resolver_conf) lets it resolve them.
	printf 'server:\n\tlocal-zone: "test." nodefault\n' >"$LAB_DNS/resolver.conf"
	export_var LAB_RESOLVER_CONF "$LAB_DNS/resolver.conf"
	export_var LAB_TA_DNSKEY "$LAB_DNS/root.dnskey"
	export_var LAB_TA_BIND "$LAB_DNS/root.anchors"
}

# zone_text NAME: the full zone file - SOA, NS, body, then the delegations
# (NS, DS, and glue where the name server lies inside the child).
zone_text() {
	local z=$1 c base
	base=$(zone_base "$z")
	# Short TTLs and a 30 s negative TTL keep rollover tests fast.
	cat <<-EOF
		\$ORIGIN $z
		\$TTL 30
		@ SOA $LAB_NS hostmaster.test. 1 30 10 3600 30
		@ NS $LAB_NS
	EOF
	cat "$LAB_DIR/knot/src/$base.body"
	echo
	for c in "${ZONES[@]}"; do
		[ "$(zone_parent "$c")" = "$z" ] || continue
		echo "; delegation of $c (${ZONE_KIND[$c]})"
		echo "$c NS $LAB_NS"
		if [ "${ZONE_KIND[$c]}" != unsigned ]; then
			cat "$LAB_DIR/knot/ds/$(zone_base "$c").ds"
		fi
		if [ "$LAB_NS" = "$c" ] || is_below "$LAB_NS" "$c"; then
			echo "$LAB_NS A $LAB_AUTH"
		fi
	done
}

# zones_write: every zone file; bogus zones signed with signatures that
# expired long ago, so that validators must call them bogus.
zones_write() {
	local d=$LAB_DIR/knot z base
	for z in "${ZONES[@]}"; do
		base=$(zone_base "$z")
		if [ "${ZONE_KIND[$z]}" = bogus ]; then
			zone_text "$z" >"$d/src/$base.unsigned"
			# shellcheck disable=SC2046,SC2086 # split on purpose
			run_logged "$LAB_LOGS/keymgr.log" ldns-signzone \
				${ZONE_SIGDATES[$z]:--i 20200101 -e 20200201} \
				-o "$z" -f "$d/zones/$base.zone" "$d/src/$base.unsigned" \
				$(cat "$d/ldns/$base.keys") ||
				die "ldns-signzone failed for $z - see $LAB_LOGS/keymgr.log"
		else
			zone_text "$z" >"$d/zones/$base.zone"
		fi
	done
	run_logged "$LAB_LOGS/knot.log" knotc -c "$d/knot.conf" conf-check ||
		die "knot.conf does not check - see $LAB_LOGS/knot.log"
	# Load every zone now (knotc does it offline): a bad record in a lab/world.d
	# zone is named at once, not after a timeout.
	local out
	if ! out=$(knotc -c "$d/knot.conf" zone-check 2>&1); then
		echo "$out" >>"$LAB_LOGS/knot.log"
		die "a zone does not load: $(grep -m1 -i error <<<"$out" || echo "$out" | head -1) - see $d/zones"
	fi
}

# knot_start: knotd in the namespace; ready when every zone answers its SOA.
knot_start() {
	local conf=$LAB_DIR/knot/knot.conf z i ok
	port_free knotd "$LAB_AUTH" 53
	lab_addr "$LAB_AUTH"
	ns knotd -d -c "$conf" >>"$LAB_LOGS/knot.log" 2>&1 ||
		die "knotd failed to start - see $LAB_LOGS/knot.log"
	register knotd "$LAB_RUN/knot.pid" "$LAB_LOGS/knot.log" knotd "$LAB_AUTH:53"
	wait_listen knotd "$LAB_AUTH" 53 "$LAB_RUN/knot.pid" "$LAB_LOGS/knot.log"
	for z in "${ZONES[@]}"; do
		for i in $(seq 1 100); do
			ok=$(ns kdig @"$LAB_AUTH" +time=1 +retry=0 +dnssec +norec "$z" SOA 2>/dev/null || true)
			if grep -q 'status: NOERROR' <<<"$ok" && grep -qE '^;; Flags:.* aa' <<<"$ok"; then
				if [ "${ZONE_KIND[$z]}" = unsigned ] || grep -q 'RRSIG' <<<"$ok"; then
					break
				fi
			fi
			[ "$i" = 100 ] && die "knotd does not serve zone $z after 10 s - see $LAB_LOGS/knot.log"
			sleep 0.1
		done
	done
}

# unbound_config: a validating resolver whose only root is the lab's.
unbound_config() {
	local d=$LAB_DIR/unbound
	mkdir -p "$d"
	# The root hints name only ns.test. = $LAB_AUTH: the real roots are unknown.
	cat >"$LAB_DNS/root.hints" <<-EOF
		.        3600000 IN NS $LAB_NS
		$LAB_NS 3600000 IN A  $LAB_AUTH
	EOF
	cat >"$d/unbound.conf" <<-EOF
		# unbound for the daneops lab $LAB_DIR (generated).
		server:
		    interface: $LAB_RESOLVER
		    port: 53
		    access-control: 127.0.0.0/8 allow
		    access-control: ::1/128 allow
		    do-ip6: no
		    num-threads: 1
		    so-reuseport: no
		    chroot: ""
		    username: ""
		    directory: "$d"
		    pidfile: "$LAB_RUN/unbound.pid"
		    use-syslog: no
		    logfile: "$LAB_LOGS/unbound.log"
		    verbosity: 1
		    val-log-level: 2
		    log-servfail: yes
		    ede: yes
		    root-hints: "$LAB_DNS/root.hints"
		    trust-anchor-file: "$LAB_DNS/root.ds"
		    # RFC 6761: unbound answers test. itself unless told not to.
		    local-zone: "test." nodefault
		    # The lab's name server is on loopback.
		    do-not-query-localhost: no
		    # A short cache keeps rollover tests fast.
		    cache-max-ttl: 30
		    cache-max-negative-ttl: 30

		# unbound-control -c $d/unbound.conf flush_zone dane.test
		remote-control:
		    control-enable: yes
		    control-interface: "$d/control.sock"
		    control-use-cert: no
	EOF
	run_logged "$LAB_LOGS/unbound.log" unbound-checkconf "$d/unbound.conf" ||
		die "unbound.conf does not check - see $LAB_LOGS/unbound.log"
	export_var LAB_UNBOUND_CONF "$d/unbound.conf"
}

# unbound_bin: the unbound to run.  Debian ships an AppArmor profile for
# /usr/sbin/unbound that allows only /etc/unbound and /var/lib/unbound; where
# it is enforced, a copy under DIR runs unconfined (profiles attach by path).
unbound_bin() {
	if grep -qs '^unbound (enforce)' /sys/kernel/security/apparmor/profiles; then
		cp "$(command -v unbound)" "$LAB_DIR/unbound/unbound"
		echo "$LAB_DIR/unbound/unbound"
	else
		echo unbound
	fi
}

# unbound_start: ready when dane.test. comes back secure (AD), which proves
# the whole chain of trust from the lab root.
unbound_start() {
	local conf=$LAB_DIR/unbound/unbound.conf i out bin
	port_free unbound "$LAB_RESOLVER" 53
	lab_addr "$LAB_RESOLVER"
	bin=$(unbound_bin)
	ns "$bin" -c "$conf" >>"$LAB_LOGS/unbound.log" 2>&1 ||
		die "unbound failed to start - see $LAB_LOGS/unbound.log"
	register unbound "$LAB_RUN/unbound.pid" "$LAB_LOGS/unbound.log" unbound "$LAB_RESOLVER:53"
	wait_listen unbound "$LAB_RESOLVER" 53 "$LAB_RUN/unbound.pid" "$LAB_LOGS/unbound.log"
	for i in $(seq 1 100); do
		out=$(ns kdig @"$LAB_RESOLVER" +time=2 +retry=0 +dnssec dane.test SOA 2>/dev/null || true)
		grep -qE '^;; Flags:.* ad' <<<"$out" && return 0
		sleep 0.1
	done
	die "unbound does not validate dane.test. after 10 s - see $LAB_LOGS/unbound.log"
}
