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
	EOF
	cat >"$r/etc/postfix/main.cf" <<-'EOF'
	# Debian-like
	myhostname = mx.example.org
	mydomain = example.org
	mydestination = $myhostname, $mydomain,
	    localhost
	alias_maps = hash:/etc/aliases
	alias_database = hash:/etc/aliases
	EOF
	cat >"$r/etc/aliases" <<-'EOF'
	# See man 5 aliases for format
	postmaster:    root
	abuse: root
	hostmaster: root
	webmaster: postmaster@example.org
	root: alice
	tls-reports: "|/usr/bin/daneops report ingest"
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
