# tests/data/doctor-lib.sh - helpers for tests/e2e/doctor*.sh (sourced
# after tests/lib.sh): mkroot builds the fixture tree of a clean
# Debian-like mail host, for "daneops doctor --root".

# mkroot DIR: a clean system.
mkroot() {
	local r=$1
	mkdir -p "$r/etc/postfix" "$r/etc/cron.d" "$r/var/spool/cron/crontabs" \
		"$r/lib/systemd/system" "$r/etc/systemd/system/timers.target.wants" \
		"$r/run/systemd/system" "$r/usr/bin" "$r/etc/letsencrypt/renewal"
	cat >"$r/etc/passwd" <<-'EOF'
	root:x:0:0:root:/root:/bin/bash
	daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
	alice:x:1000:1000:Alice:/home/alice:/bin/bash
	daneops:x:998:998::/var/lib/daneops:/usr/sbin/nologin
	nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
	EOF
	cat >"$r/etc/group" <<-'EOF'
	root:x:0:
	daneops:x:998:
	nogroup:x:65534:
	EOF
	# TLS reports: the pipe(8) transport of contrib/postfix, as user daneops.
	cp "$DANEOPS_TOP/contrib/postfix/daneops-tlsrpt" \
		"$r/etc/postfix/daneops-tlsrpt"
	touch "$r/etc/postfix/daneops-tlsrpt.db"
	{ printf 'smtp inet n - y - - smtpd\n'; cat "$DANEOPS_TOP/contrib/postfix/master.cf"; } \
		>"$r/etc/postfix/master.cf"
	mkdir -p "$r/var/lib/daneops/tlsrpt"
	chmod 0755 "$r/var/lib/daneops"
	chown 998:998 "$r/var/lib/daneops/tlsrpt"
	chmod 0750 "$r/var/lib/daneops/tlsrpt"
	cat >"$r/etc/postfix/main.cf" <<-'EOF'
	# Debian-like
	myhostname = mx.example.org
	mydomain = example.org
	mydestination = $myhostname, $mydomain,
	    localhost
	alias_maps = hash:/etc/aliases
	alias_database = hash:/etc/aliases
	transport_maps = hash:/etc/postfix/daneops-tlsrpt
	local_recipient_maps = proxy:unix:passwd.byname $alias_maps hash:/etc/postfix/daneops-tlsrpt
	EOF
	cat >"$r/etc/aliases" <<-'EOF'
	# See man 5 aliases for format
	postmaster:    root
	abuse: root
	hostmaster: root
	webmaster: postmaster@example.org
	root: alice
	EOF
	touch -d '2026-01-01 10:00' "$r/etc/aliases"
	touch -d '2026-01-01 10:05' "$r/etc/aliases.db"
	printf '#!/bin/sh\n' >"$r/usr/bin/certbot"
	printf '#!/bin/sh\n' >"$r/usr/bin/daneops"
	chmod 755 "$r/usr/bin/certbot" "$r/usr/bin/daneops"
	cat >"$r/lib/systemd/system/certbot.timer" <<-'EOF'
	[Timer]
	OnCalendar=*-*-* 00,12:00:00
	RandomizedDelaySec=43200
	Persistent=true
	EOF
	cat >"$r/lib/systemd/system/certbot.service" <<-'EOF'
	[Service]
	Type=oneshot
	ExecStart=/usr/bin/certbot -q renew
	EOF
	ln -s /lib/systemd/system/certbot.timer \
		"$r/etc/systemd/system/timers.target.wants/certbot.timer"
	cat >"$r/etc/cron.d/certbot" <<-'EOF'
	SHELL=/bin/sh
	PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin

	0 */12 * * * root test -x /usr/bin/certbot -a \! -d /run/systemd/system && perl -e 'sleep int(rand(43200))' && certbot -q renew
	EOF
	echo 'MAILTO=alice' >"$r/var/spool/cron/crontabs/alice"
	echo '5 4 * * * /home/alice/backup.sh' >>"$r/var/spool/cron/crontabs/alice"
	echo '[renewalparams]' >"$r/etc/letsencrypt/renewal/mx.example.org.conf"
}

# newaliases: what running it does to the tree, for the cases that edit
# /etc/aliases and expect nothing else.
newaliases() { touch "$R/etc/aliases.db"; }
