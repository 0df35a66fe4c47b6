# lab/lib/pki.sh - the lab PKI, made per run with the openssl CLI only.
#
# Certificates are issued with "openssl ca" rather than "openssl x509 -req":
# OpenSSL 3.0's x509 cannot set a start date, and expired certificates need one.
# Public functions (usable from lab/world.d/*.sh): lab_cert, lab_key, lab_tlsa.

PKI_LOG=
PKI_CA_DIR=

# pki_init: an empty CA database for "openssl ca" (the lab keeps no records).
pki_init() {
	PKI_LOG=$LAB_LOGS/pki.log
	PKI_CA_DIR=$LAB_PKI/.ca
	mkdir -p "$LAB_PKI" "$PKI_CA_DIR/new"
	chmod 700 "$LAB_PKI"
	: >"$PKI_CA_DIR/index.txt"
	openssl rand -hex 16 >"$PKI_CA_DIR/serial"
	cat >"$PKI_CA_DIR/ca.cnf" <<-EOF
		# openssl ca settings for the lab; extensions come from per-cert files.
		[ ca ]
		default_ca = lab
		[ lab ]
		database = $PKI_CA_DIR/index.txt
		new_certs_dir = $PKI_CA_DIR/new
		serial = $PKI_CA_DIR/serial
		default_md = sha256
		policy = lab_policy
		unique_subject = no
		copy_extensions = none
		email_in_dn = no
		[ lab_policy ]
		commonName = supplied
	EOF
	export_var LAB_PKI "$LAB_PKI"
}

# pki_keygen FILE KEYTYPE: a new private key (rsa = RSA 2048, ecdsa = P-256).
pki_keygen() {
	local key=$1 type=$2
	case $type in
	rsa) run_logged "$PKI_LOG" openssl genpkey -algorithm RSA \
		-pkeyopt rsa_keygen_bits:2048 -out "$key.tmp" ;;
	ecdsa) run_logged "$PKI_LOG" openssl genpkey -algorithm EC \
		-pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve \
		-out "$key.tmp" ;;
	*) die "lab_key $(basename "$key" .key): key type must be rsa or ecdsa, not '$type'" ;;
	esac
	chmod 600 "$key.tmp"
	mv "$key.tmp" "$key"
}

# lab_key NAME KEYTYPE: a private key $LAB_PKI/NAME.key, kept if it exists;
# exported as LAB_<NAME>_KEY.
lab_key() {
	local key=$LAB_PKI/$1.key
	[ -s "$key" ] || pki_keygen "$key" "$2"
	export_var "LAB_$(upper "$1")_KEY" "$key"
}

# pki_san ARG: one subjectAltName entry; bare names are DNS, addresses IP.
pki_san() {
	case $1 in
	DNS:* | IP:* | email:* | URI:*) echo "$1" ;;
	*)
		if [[ $1 =~ ^[0-9.]+$ || $1 == *:* ]]; then echo "IP:$1"; else echo "DNS:$1"; fi
		;;
	esac
}

# pki_issue NAME ISSUER CN PROFILE DAYS EXPIRED [SAN...]: sign NAME.key.
# PROFILE is root, ca or leaf; ISSUER is a lab certificate name or "self".
pki_issue() {
	local name=$1 issuer=$2 cn=$3 profile=$4 days=$5 expired=$6
	shift 6
	local key=$LAB_PKI/$name.key crt=$LAB_PKI/$name.crt ext=$PKI_CA_DIR/$name.ext
	local start end san sans=() signer=()
	case $cn in */* | *,*) die "lab_cert $name: the CN must not contain '/' or ','" ;; esac
	if [ "$expired" = 1 ]; then
		# Valid for DAYS, ending yesterday.
		end=$(date -u -d '-1 day' +%y%m%d%H%M%SZ)
		start=$(date -u -d "-1 day -$days days" +%y%m%d%H%M%SZ)
	else
		# An hour of slack for clocks that differ between tools.
		start=$(date -u -d '-1 hour' +%y%m%d%H%M%SZ)
		end=$(date -u -d "-1 hour +$days days" +%y%m%d%H%M%SZ)
	fi
	{
		echo "[ ext ]"
		echo "subjectKeyIdentifier = hash"
		case $profile in
		root)
			echo "basicConstraints = critical, CA:TRUE"
			echo "keyUsage = critical, keyCertSign, cRLSign"
			;;
		ca)
			echo "basicConstraints = critical, CA:TRUE, pathlen:0"
			echo "keyUsage = critical, keyCertSign, cRLSign"
			echo "authorityKeyIdentifier = keyid:always"
			;;
		leaf)
			for san in "$@"; do sans+=("$(pki_san "$san")"); done
			echo "basicConstraints = critical, CA:FALSE"
			if openssl pkey -in "$key" -noout -text 2>/dev/null | grep -q '^modulus:'; then
				echo "keyUsage = critical, digitalSignature, keyEncipherment"
			else
				echo "keyUsage = critical, digitalSignature"
			fi
			echo "extendedKeyUsage = serverAuth, clientAuth"
			[ "$issuer" = self ] || echo "authorityKeyIdentifier = keyid:always"
			(IFS=,; echo "subjectAltName = ${sans[*]}")
			;;
		esac
	} >"$ext"
	if [ "$issuer" = self ]; then
		signer=(-selfsign -keyfile "$key")
	else
		[ -s "$LAB_PKI/$issuer.crt" ] && [ -s "$LAB_PKI/$issuer.key" ] ||
			die "lab_cert $name: no issuer '$issuer' in $LAB_PKI (lab-root, lab-int-rsa, lab-int-ecdsa, self, or an earlier lab_cert)"
		signer=(-cert "$LAB_PKI/$issuer.crt" -keyfile "$LAB_PKI/$issuer.key")
	fi
	run_logged "$PKI_LOG" openssl req -new -key "$key" -subj "/CN=$cn" \
		-out "$PKI_CA_DIR/$name.csr"
	run_logged "$PKI_LOG" openssl ca -batch -notext -config "$PKI_CA_DIR/ca.cnf" \
		"${signer[@]}" -in "$PKI_CA_DIR/$name.csr" -out "$crt.tmp" \
		-startdate "$start" -enddate "$end" -extfile "$ext" -extensions ext ||
		die "openssl ca could not issue $name - see $PKI_LOG"
	mv "$crt.tmp" "$crt"
	# The chain a server sends: the leaf and its issuers, without the root.
	if [ "$issuer" = self ] || [ "$issuer" = lab-root ]; then
		cat "$crt" >"$LAB_PKI/$name.fullchain.pem"
	else
		cat "$crt" "$LAB_PKI/$issuer.fullchain.pem" >"$LAB_PKI/$name.fullchain.pem"
	fi
	local var
	var=LAB_$(upper "$name")
	export_var "${var}_CERT" "$crt"
	export_var "${var}_CHAIN" "$LAB_PKI/$name.fullchain.pem"
}

# lab_cert NAME KEYTYPE ISSUER CN [SAN...] [--expired] [--days N]
# A certificate $LAB_PKI/NAME.crt for $LAB_PKI/NAME.key (made if missing, so
# a certificate can be issued for a pre-generated key such as mx1-next),
# plus NAME.fullchain.pem.  Without SANs the CN is the only SAN.
lab_cert() {
	[ $# -ge 4 ] || die "usage: lab_cert NAME rsa|ecdsa ISSUER CN [SAN...] [--expired] [--days N]"
	local name=$1 type=$2 issuer=$3 cn=$4 days=365 expired=0 sans=()
	shift 4
	while [ $# -gt 0 ]; do
		case $1 in
		--expired) expired=1 ;;
		--days) [ $# -ge 2 ] || die "lab_cert $name: --days needs a number"
			days=$2; shift ;;
		--days=*) days=${1#--days=} ;;
		--*) die "lab_cert $name: unknown option $1" ;;
		*) sans+=("$1") ;;
		esac
		shift
	done
	case $days in '' | *[!0-9]*) die "lab_cert $name: --days must be a number" ;; esac
	[ ${#sans[@]} -gt 0 ] || sans=("$cn")
	case $name in '' | */* | .*) die "lab_cert: bad name '$name'" ;; esac
	lab_key "$name" "$type"
	pki_issue "$name" "$issuer" "$cn" leaf "$days" "$expired" "${sans[@]}"
}

# pki_ca NAME KEYTYPE ISSUER CN: a CA certificate (root if ISSUER is self).
pki_ca() {
	local name=$1 type=$2 issuer=$3 cn=$4 profile=ca
	[ "$issuer" = self ] && profile=root
	lab_key "$name" "$type"
	pki_issue "$name" "$issuer" "$cn" "$profile" 3650 0
}

# tlsa_der S FILE: the DER bytes TLSA selector S covers - the certificate
# (0) or its SubjectPublicKeyInfo (1).  FILE is a PEM certificate (the first
# one in it, so a fullchain works) or, for S=1, also a private or public key.
tlsa_der() {
	local s=$1 file=$2
	case $s in
	0) openssl x509 -in "$file" -outform DER ;;
	1)
		if grep -q -- '-----BEGIN CERTIFICATE-----' "$file"; then
			openssl x509 -in "$file" -noout -pubkey | openssl pkey -pubin -outform DER
		elif grep -q -- '-----BEGIN PUBLIC KEY-----' "$file"; then
			openssl pkey -pubin -in "$file" -outform DER
		else
			openssl pkey -in "$file" -pubout -outform DER
		fi
		;;
	*) return 1 ;;
	esac
}

# lab_tlsa U S M FILE: print "U S M HEX" (lower-case hex) for FILE, computed
# with the openssl CLI alone, independent of daneops.  See tlsa_der for FILE.
# World scripts call it a lot, so results are cached by FILE's content.
lab_tlsa() {
	[ $# -eq 4 ] || die "usage: lab_tlsa USAGE SELECTOR MTYPE CERT-OR-KEY-FILE"
	local u=$1 s=$2 m=$3 file=$4 dir=$LAB_PKI/.tlsa sum cache der hex
	[ -r "$file" ] || die "lab_tlsa: cannot read $file"
	case $s in 0 | 1) ;; *) die "lab_tlsa: selector must be 0 or 1, not '$s'" ;; esac
	case $m in 0 | 1 | 2) ;; *) die "lab_tlsa: matching type must be 0, 1 or 2, not '$m'" ;; esac
	mkdir -p "$dir"
	sum=$(sha256sum <"$file")
	cache=$dir/$s$m-${sum%% *}
	if [ ! -s "$cache" ]; then
		der=$(mktemp "$dir/der.XXXXXX")
		tlsa_der "$s" "$file" >"$der" 2>/dev/null || true
		# An empty DER would digest to a plausible-looking hash.
		if [ ! -s "$der" ]; then
			rm -f "$der"
			die "lab_tlsa: openssl cannot read a certificate or key from $file"
		fi
		case $m in
		0) hex=$(od -An -v -tx1 <"$der" | tr -d ' \n') ;;
		1) hex=$(openssl dgst -sha256 -binary <"$der" | od -An -v -tx1 | tr -d ' \n') ;;
		2) hex=$(openssl dgst -sha512 -binary <"$der" | od -An -v -tx1 | tr -d ' \n') ;;
		esac
		rm -f "$der"
		echo "$hex" >"$cache.$BASHPID"
		mv "$cache.$BASHPID" "$cache"
	fi
	echo "$u $s $m $(cat "$cache")"
}

# pki_build: the standard lab certificates (lab/README.md lists them).
pki_build() {
	pki_init
	# Key generation is most of the time: make the keys side by side first.
	local k pids=()
	for k in lab-root:rsa lab-int-rsa:rsa lab-int-ecdsa:ecdsa mx1:rsa mx1-ecdsa:ecdsa \
		mx2:ecdsa www:rsa mx1-next:rsa mx2-next:ecdsa; do
		pki_keygen "$LAB_PKI/${k%:*}.key" "${k#*:}" &
		pids+=($!)
	done
	for k in "${pids[@]}"; do
		wait "$k" || die "openssl could not make the lab keys - see $PKI_LOG"
	done
	pki_ca lab-root rsa self "daneops lab root CA"
	pki_ca lab-int-rsa rsa lab-root "daneops lab intermediate RSA"
	pki_ca lab-int-ecdsa ecdsa lab-root "daneops lab intermediate ECDSA"
	export_var LAB_CA "$LAB_PKI/lab-root.crt"
	lab_cert mx1 rsa lab-int-rsa mx1.dane.test
	lab_cert mx1-ecdsa ecdsa lab-int-ecdsa mx1.dane.test
	lab_cert mx2 ecdsa lab-int-ecdsa mx2.dane.test
	lab_cert www rsa lab-int-rsa www.dane.test
	# Next keys for rollover demos: keys only, their certificates come later.
	lab_key mx1-next rsa
	lab_key mx2-next ecdsa
}
