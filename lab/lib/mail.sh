# lab/lib/mail.sh - one Postfix instance whose configuration, queue and data
# live under DIR/postfix; /etc/postfix is neither read nor written.
#
# Postfix quirks handled here (see lab/README.md, "Postfix"):
#  - "postfix -c DIR" needs no alternate_config_directories entry in
#    /etc/postfix/main.cf when run by root: that check is only made for
#    set-gid programs (postdrop, postqueue), which the lab does not use.
#  - master opens $data_directory/master.lock as the postfix user, who cannot
#    walk into a 0700 parent such as a mktemp -d directory.  Every Postfix
#    daemon chdir()s into queue_directory as root first, so data_directory is
#    the *relative* path "data" = DIR/postfix/queue/data.
#  - maillog_file must lie below maillog_file_prefixes.
#  - every inet_interfaces address must exist on an interface (lab_addr).

SMTP_LISTENERS=()	# "ADDR|KEY,CHAIN[,KEY,CHAIN...]|starttls|no-starttls"
POSTFIX_MAIN_EXTRA=()	# lab_postfix_main
POSTFIX_MASTER_EXTRA=()	# lab_postfix_master

# lab_postfix_main LINE...: "name = value" lines for the lab's main.cf,
# replacing the lab's own setting of name ("mydestination = x.test").
lab_postfix_main() { POSTFIX_MAIN_EXTRA+=("$@"); }
# lab_postfix_master LINE...: lines appended to the lab's master.cf.
lab_postfix_master() { POSTFIX_MASTER_EXTRA+=("$@"); }

# lab_smtp ADDR CHAIN KEY [CHAIN KEY...] [no-starttls]: a Postfix smtpd on
# ADDR:25 presenting the given chain(s) (one RSA and one ECDSA pair, say).
lab_smtp() {
	[ $# -ge 3 ] || die "usage: lab_smtp ADDR CHAIN KEY [CHAIN KEY...] [no-starttls]"
	local addr=$1 tls=starttls files=() l
	addr=${addr#[}
	addr=${addr%]}
	shift
	while [ $# -gt 0 ]; do
		if [ "$1" = no-starttls ]; then tls=no-starttls; shift; continue; fi
		[ $# -ge 2 ] || die "lab_smtp $addr: a chain without its key ($1)"
		[ -r "$1" ] || die "lab_smtp $addr: cannot read chain $1"
		[ -r "$2" ] || die "lab_smtp $addr: cannot read key $2"
		# smtpd_tls_chain_files wants each key right before its chain.
		files+=("$2" "$1")
		shift 2
	done
	for l in "${SMTP_LISTENERS[@]}"; do
		[ "${l%%|*}" = "$addr" ] && die "lab_smtp: $addr:25 is already a lab SMTP listener"
	done
	case $addr in ::1 | 127.*.*.*) ;; *) die "lab_smtp: $addr is not in 127.0.0.0/8 or ::1" ;; esac
	SMTP_LISTENERS+=("$addr|$(IFS=,; echo "${files[*]}")|$tls")
}

# cert_host CHAIN: the first DNS name of the leaf, for the SMTP banner.
cert_host() {
	openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null |
		grep -o 'DNS:[^, ]*' | head -1 | cut -d: -f2
}

# postfix_config: main.cf and master.cf under DIR/postfix/conf.
postfix_config() {
	local d=$LAB_DIR/postfix l addr files tls n=0 ifaces=() host svc chain
	mkdir -p "$d/conf" "$d/queue"
	for l in "${SMTP_LISTENERS[@]}"; do
		IFS='|' read -r addr files tls <<<"$l"
		ifaces+=("$addr")
	done
	cat >"$d/conf/main.cf" <<-EOF
		# Postfix for the daneops lab $LAB_DIR (generated).
		compatibility_level = 3.6
		queue_directory = $d/queue
		# relative to queue_directory, see lab/lib/mail.sh
		data_directory = data
		maillog_file = $LAB_LOGS/postfix.log
		maillog_file_prefixes = $LAB_LOGS
		myhostname = lab.test
		mydomain = lab.test
		inet_interfaces = ${ifaces[*]}
		inet_protocols = all
		# The lab only shows TLS: it delivers nothing, anywhere.
		mydestination =
		local_recipient_maps =
		alias_maps =
		alias_database =
		relay_domains =
		mynetworks = 127.0.0.0/8 [::1]/128
		smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
		default_transport = error:5.7.1 the daneops lab delivers no mail
		local_transport = error:5.7.1 the daneops lab delivers no mail
		smtpd_tls_security_level = may
		smtpd_tls_protocols = >=TLSv1.2
		smtpd_tls_mandatory_protocols = >=TLSv1.2
		smtpd_tls_loglevel = 1
		# The client side (posttls-finger reads this through MAIL_CONFIG).
		smtp_dns_support_level = dnssec
		smtp_tls_security_level = dane
		smtp_tls_loglevel = 1
	EOF
	# master.cf: one smtpd per listener address, each with its own chains.
	{
		echo "# Postfix master.cf for the daneops lab (generated); nothing chrooted."
		for l in "${SMTP_LISTENERS[@]}"; do
			IFS='|' read -r addr files tls <<<"$l"
			n=$((n + 1))
			IFS=, read -r _ chain _ <<<"$files"
			host=$(cert_host "$chain")
			# Commas cannot be in a master.cf -o value: use a main.cf parameter.
			echo "lab_chain_files_$n = ${files//,/, }" >>"$d/conf/main.cf"
			svc=$addr:25
			case $addr in *:*) svc="[$addr]:25" ;; esac
			echo "$svc inet n - n - - smtpd"
			echo "  -o smtpd_tls_chain_files=\$lab_chain_files_$n"
			[ -n "$host" ] && echo "  -o myhostname=$host"
			[ "$tls" = no-starttls ] && echo "  -o smtpd_tls_security_level=none"
		done
		cat <<-'EOF'
			pickup    unix  n       -       n       60      1       pickup
			cleanup   unix  n       -       n       -       0       cleanup
			qmgr      unix  n       -       n       300     1       qmgr
			tlsmgr    unix  -       -       n       1000?   1       tlsmgr
			rewrite   unix  -       -       n       -       -       trivial-rewrite
			bounce    unix  -       -       n       -       0       bounce
			defer     unix  -       -       n       -       0       bounce
			trace     unix  -       -       n       -       0       bounce
			verify    unix  -       -       n       -       1       verify
			flush     unix  n       -       n       1000?   0       flush
			proxymap  unix  -       -       n       -       -       proxymap
			smtp      unix  -       -       n       -       -       smtp
			relay     unix  -       -       n       -       -       smtp
			showq     unix  n       -       n       -       -       showq
			error     unix  -       -       n       -       -       error
			retry     unix  -       -       n       -       -       error
			discard   unix  -       -       n       -       -       discard
			anvil     unix  -       -       n       -       1       anvil
			scache    unix  -       -       n       -       1       scache
			postlog   unix-dgram n  -       n       -       1       postlogd
		EOF
		for l in "${POSTFIX_MASTER_EXTRA[@]}"; do echo "$l"; done
	} >"$d/conf/master.cf"
	# A setting given again replaces the lab's (Postfix warns about repeats).
	for l in "${POSTFIX_MAIN_EXTRA[@]}"; do
		n=$(sed -E 's/^[[:space:]]*([A-Za-z0-9_-]+)[[:space:]]*=.*/\1/' <<<"$l")
		sed -i "/^${n}[[:space:]]*=/d" "$d/conf/main.cf"
		echo "$l" >>"$d/conf/main.cf"
	done
	export_var LAB_POSTFIX_CONF "$d/conf"
}

# postfix_start: "postfix start" in the namespace; ready when every listener
# accepts connections.  Errors of the postfix command itself go to
# maillog_file (it logs to stderr only when that is a terminal).
postfix_start() {
	local d=$LAB_DIR/postfix l addr files tls
	local pidfile=$d/queue/pid/master.pid log=$LAB_LOGS/postfix.log
	for l in "${SMTP_LISTENERS[@]}"; do
		IFS='|' read -r addr files tls <<<"$l"
		port_free "Postfix smtpd" "$addr" 25
		lab_addr "$addr"
	done
	if ! MAIL_CONFIG=$d/conf ns postfix -c "$d/conf" start >>"$log" 2>&1; then
		die "Postfix failed to start: $(grep -E 'fatal|error' "$log" | tail -1 | sed 's/^.*\]: //') - see $log"
	fi
	local listen=()
	for l in "${SMTP_LISTENERS[@]}"; do
		addr=${l%%|*}
		case $addr in *:*) listen+=("[$addr]:25") ;; *) listen+=("$addr:25") ;; esac
	done
	register postfix "$pidfile" "$log" master "${listen[@]}"
	for l in "${SMTP_LISTENERS[@]}"; do
		IFS='|' read -r addr files tls <<<"$l"
		wait_listen "Postfix smtpd" "$addr" 25 "$pidfile" "$log"
	done
}
