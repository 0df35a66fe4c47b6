#!/usr/bin/env bash
# installed: yes (tests/run: also run against the installed daneops)
# daneops doctor on fixture trees (--root): a clean Debian-like mail host
# (exit 0), then one change at a time, each giving its finding and exit 1:
# alias maps (stale or missing compiled maps, dead ends, loops, includes,
# pipes, syntax, duplicates; with and without postconf), renewal schedules
# (certbot.timer with Debian's guarded cron file, extra crontab lines, the
# snap timer, a daneops timer that renews, acme.sh, masked timers, no
# systemd) and the usage errors.  Everything is --skip-live: the live
# checks are in tests/e2e/doctor_lab.sh.
. "$DANEOPS_TOP/tests/lib.sh"

. "$DANEOPS_TOP/tests/data/doctor-lib.sh"

doctor() { "$DANEOPS" doctor --skip-live "$@"; }

# case NAME: a fresh copy of the clean tree in $R.
n=0
case_root() { n=$((n + 1)); R=$TMP/case$n; cp -a "$TMP/clean" "$R"; }

# finds CODE PATTERN DESC [doctor args...]: exit 1 and a finding CODE
# whose block matches PATTERN.
finds() {
	local code=$1 pat=$2 desc=$3; shift 3
	doctor --root "$R" "$@" >"$TMP/out" 2>&1
	local rc=$?
	if [ $rc = 1 ] && awk -v c="$code" '$2 == c { p = 1; print; next }
		/^[a-z]/ { p = 0 } p' "$TMP/out" | grep -qE -- "$pat"; then
		pass "$desc"
	else
		fail "$desc (exit $rc, want 1 and $code /$pat/)"
		sed 's/^/#   /' "$TMP/out" | head -20
	fi
}

mkroot "$TMP/clean"

# --- a clean system
expect_status 0 "clean system: exit 0" doctor --root "$TMP/clean"
expect_output '^doctor: 0 errors, 0 warnings, 0 info$' "clean: nothing found" \
	doctor --root "$TMP/clean"
expect_status 0 "clean system without postconf: exit 0" \
	env DANEOPS_POSTCONF=/nonexistent/postconf "$DANEOPS" doctor --skip-live --root "$TMP/clean"
printf '#!/bin/sh\nexit 1\n' >"$TMP/postconf-fails"; chmod 755 "$TMP/postconf-fails"
DANEOPS_POSTCONF=$TMP/postconf-fails "$DANEOPS" doctor --skip-live --root "$TMP/clean" >"$TMP/out" 2>&1
is "$?" 0 "postconf fails: main.cf is read instead, exit 0"
grep -q '^info    postconf-failed' "$TMP/out" && pass "postconf-failed info" ||
	fail "postconf-failed info" "$(cat "$TMP/out")"
doctor --root "$TMP/clean" --json >"$TMP/clean.json" 2>&1
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["findings"] == [] and d["errors"] == 0 and d["unchecked"] == [], d
assert "lineages: no daneops configuration" in d["skipped"], d
' "$TMP/clean.json" && pass "clean --json: no findings, lineages skipped" ||
	fail "clean --json" "$(cat "$TMP/clean.json")"

# --- compiled alias maps
case_root; touch -d '2026-02-01' "$R/etc/aliases"
finds alias-db-stale 'fix: run newaliases' "aliases.db older than aliases: run newaliases"
finds alias-db-stale '/etc/aliases.db \(2026-01-01' "the message names both files and times"
case_root; rm "$R/etc/aliases.db"
finds alias-db-missing 'run newaliases' "no aliases.db: run newaliases"
case_root; sed -i 's/hash:/lmdb:/' "$R/etc/postfix/main.cf"
touch -d '2025-12-01' "$R/etc/aliases.lmdb"
finds alias-db-stale 'aliases.lmdb' "lmdb: aliases.lmdb is what newaliases builds"
case_root; sed -i 's/^alias_maps.*/alias_maps = hash:\/etc\/aliases, hash:\/etc\/postfix\/more/' "$R/etc/postfix/main.cf"
printf 'abuse: alice\n' >"$R/etc/postfix/more"
finds alias-db-missing 'postalias hash:/etc/postfix/more' \
	"a map outside alias_database: the fix is postalias"
case_root; sed -i 's/^alias_maps.*/alias_maps = hash:\/etc\/aliases, ldap:\/etc\/postfix\/ldap-aliases.cf/' "$R/etc/postfix/main.cf"
doctor --root "$R" >"$TMP/out" 2>&1
is "$?" 0 "a network map is only an info finding"
grep -q '^info    alias-map-skipped ldap:' "$TMP/out" && pass "alias-map-skipped names it" ||
	fail "alias-map-skipped names it" "$(cat "$TMP/out")"
case_root; sed -i 's/^alias_maps.*/alias_maps = hash:\/etc\/mail\/aliases/' "$R/etc/postfix/main.cf"
finds alias-map-missing '/etc/mail/aliases' "alias_maps names a file that does not exist"

# --- role addresses
case_root; sed -i 's/^abuse: root/abuse: webteam/' "$R/etc/aliases"
finds alias-dead-end 'abuse -> webteam: no such alias or user' "abuse -> webteam: dead end"
finds alias-dead-end 'fix: add "webteam: alice"' "dead end: the fix adds the missing alias"
case_root; sed -i '/^hostmaster/d' "$R/etc/aliases"
finds alias-dead-end '^ +hostmaster: no such alias or user' "hostmaster missing"
case_root; sed -i 's/^postmaster: *root/postmaster: admin/' "$R/etc/aliases"
echo 'admin: postmaster' >>"$R/etc/aliases"
finds alias-loop 'postmaster -> admin -> postmaster: loops back' "postmaster -> admin -> postmaster: a loop"
case_root; sed -i 's/^root: alice/root: alice, bob@localhost/' "$R/etc/aliases"
finds alias-dead-end 'root -> bob' "root -> bob@localhost: a local domain is followed"
case_root; sed -i 's/^root: alice/root: alice,/' "$R/etc/aliases"
sed -i '/^root: alice,/a\	  carol' "$R/etc/aliases"
finds alias-dead-end 'root -> carol' "continuation line: root -> carol"
case_root; sed -i 's/^webmaster:.*/webmaster: :include:\/etc\/mail\/webmasters/' "$R/etc/aliases"
finds alias-dead-end ':include:/etc/mail/webmasters: cannot be read' "a missing :include: file"
mkdir -p "$R/etc/mail"; printf '# the web team\nalice,\nroot\n' >"$R/etc/mail/webmasters"
newaliases
expect_status 0 "an :include: file that resolves is fine" doctor --root "$R"
case_root; sed -i 's/^abuse: root/abuse: "|\/usr\/local\/bin\/abuse-bot --in"/' "$R/etc/aliases"
finds alias-pipe-missing 'abuse-bot' "a pipe to a program that does not exist"
case_root; sed -i 's/^root: alice/root: \\root/' "$R/etc/aliases"; newaliases
doctor --root "$R" >"$TMP/out" 2>&1
is "$?" 0 "root's own mailbox: only info"
grep -q '^info    root-mailbox root' "$TMP/out" && pass "root-mailbox info" ||
	fail "root-mailbox info" "$(cat "$TMP/out")"
case_root; echo 'this line has no colon' >>"$R/etc/aliases"
finds alias-syntax '' "a line without name: is reported"
grep -q 'alias-syntax /etc/aliases:7' "$TMP/out" && pass "alias-syntax names file:line" ||
	fail "alias-syntax names file:line" "$(cat "$TMP/out")"
case_root; echo 'abuse: alice' >>"$R/etc/aliases"
finds alias-duplicate 'only the first' "a duplicate entry"

# --- main.cf without postconf: continuation lines and $name expansion
case_root
mkdir -p "$R/etc/mail"; mv "$R/etc/aliases" "$R/etc/mail/aliases"
mv "$R/etc/aliases.db" "$R/etc/mail/aliases.db"
sed -i 's/^alias_maps.*/mail_dir = \/etc\/mail\nalias_maps = hash:${mail_dir}\/aliases/; s/^alias_database.*/alias_database = hash:$mail_dir\/aliases/' \
	"$R/etc/postfix/main.cf"
expect_status 0 "postconf: \$name expanded" doctor --root "$R"
expect_status 0 "without postconf: \$name expanded by hand" \
	env DANEOPS_POSTCONF=/nonexistent "$DANEOPS" doctor --skip-live --root "$R"
touch "$R/etc/mail/aliases"
finds alias-db-stale '/etc/mail/aliases.db' "the stale map is the one main.cf names"
case_root; rm -r "$R/etc/postfix"
expect_status 0 "no Postfix: /etc/aliases is read" doctor --root "$R"
sed -i 's/^abuse: root/abuse: nobody-here/' "$R/etc/aliases"
finds alias-dead-end 'nobody-here' "no Postfix: dead ends found in /etc/aliases"

# --- renewal schedules
case_root; echo '0 3 * * * certbot -q renew' >"$R/var/spool/cron/crontabs/root"
finds renew-duplicate 'crontab -e -u root"; keep certbot.timer' \
	"root's crontab renews as well: remove it, keep certbot.timer"
finds renew-duplicate 'scheduled 2 times \(certbot.timer, /var/spool/cron/crontabs/root:1\)' \
	"the finding lists every renewal"
case_root; sed -i 's/test -x \/usr\/bin\/certbot -a \\! -d \/run\/systemd\/system && //' "$R/etc/cron.d/certbot"
finds renew-duplicate 'delete line 4 of /etc/cron.d/certbot; keep certbot.timer' \
	"cron.d/certbot without Debian's guard is a duplicate"
case_root; rm -r "$R/run"
doctor --root "$R" >"$TMP/out" 2>&1
is "$?" 0 "no systemd: the guarded cron line renews, the timer does not"
grep -q '^info    timers-inactive' "$TMP/out" && pass "timers-inactive info" ||
	fail "timers-inactive info" "$(cat "$TMP/out")"
case_root; mkdir -p "$R/snap/bin"; printf '#!/bin/sh\n' >"$R/snap/bin/certbot"
printf '[Service]\nExecStart=/usr/bin/snap run --timer="00:00~24:00/2" certbot.renew\n' \
	>"$R/etc/systemd/system/snap.certbot.renew.service"
printf '[Timer]\nUnit=snap.certbot.renew.service\n' >"$R/etc/systemd/system/snap.certbot.renew.timer"
ln -s /etc/systemd/system/snap.certbot.renew.timer \
	"$R/etc/systemd/system/timers.target.wants/snap.certbot.renew.timer"
finds renew-duplicate 'systemctl disable --now snap.certbot.renew.timer; keep certbot.timer' \
	"the snap's timer next to the deb's"
finds certbot-twice 'apt remove certbot' "certbot installed twice"
case_root
printf '[Service]\nExecStartPre=/usr/bin/certbot renew --quiet\nExecStart=/usr/bin/daneops roll run\n' \
	>"$R/etc/systemd/system/daneops-roll.service"
printf '[Timer]\nOnCalendar=hourly\n' >"$R/etc/systemd/system/daneops-roll.timer"
ln -s /etc/systemd/system/daneops-roll.timer "$R/etc/systemd/system/timers.target.wants/"
finds renew-duplicate 'remove the renewal from the service of daneops-roll.timer' \
	"a daneops timer that also renews"
case_root; echo '0 0 * * * "/root/.acme.sh"/acme.sh --cron --home "/root/.acme.sh" > /dev/null' \
	>"$R/var/spool/cron/crontabs/root"
mkdir -p "$R/etc/cron.daily"; printf '#!/bin/sh\n/root/.acme.sh/acme.sh --cron\n' >"$R/etc/cron.daily/acme"
finds renew-duplicate 'acme.sh renewals are scheduled 2 times' "acme.sh twice (crontab and cron.daily)"
case_root; rm "$R/etc/systemd/system/timers.target.wants/certbot.timer" "$R/etc/cron.d/certbot"
finds renew-none 'systemctl enable --now certbot.timer' "certbot has certificates, nothing renews"
case_root; ln -s /dev/null "$R/etc/systemd/system/certbot.timer"
echo '@daily root certbot renew' >"$R/etc/cron.d/renew"
expect_status 0 "a masked timer does not count" doctor --root "$R"
case_root; echo '@daily root certbot renew' >"$R/etc/cron.d/certbot.dpkg-old"
echo '# 0 3 * * * certbot renew' >"$R/var/spool/cron/crontabs/root"
expect_status 0 "cron ignores certbot.dpkg-old; comments do not renew" doctor --root "$R"

# --- JSON, sorting, exit statuses
case_root; touch "$R/etc/aliases"; echo '0 3 * * * certbot renew' >"$R/var/spool/cron/crontabs/root"
doctor --root "$R" --json >"$TMP/j" 2>&1
is "$?" 1 "--json with findings: exit 1"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
codes = [f["code"] for f in d["findings"]]
assert codes == ["alias-db-stale", "renew-duplicate"], codes
assert d["errors"] == 1 and d["warnings"] == 1, d
assert all(f["fix"] for f in d["findings"]), d
' "$TMP/j" && pass "--json: sorted findings, each with a fix" || fail "--json" "$(cat "$TMP/j")"
expect_status 2 "unknown option: exit 2" "$DANEOPS" doctor --frobnicate
expect_status 2 "an argument: exit 2" "$DANEOPS" doctor extra
expect_status 2 "bad --warn-days: exit 2" "$DANEOPS" doctor --warn-days x
expect_status 2 "--domain '': exit 2 (issue 12)" "$DANEOPS" doctor --domain ''
expect_output "--domain '': not a mail domain name" "and says why" "$DANEOPS" doctor --domain ''
expect_status 2 "--domain '.': exit 2" "$DANEOPS" doctor --domain .
expect_status 3 "--root that does not exist: exit 3" doctor --root "$TMP/nonexistent"
expect_status 3 "--config that does not exist: exit 3" \
	doctor --root "$TMP/clean" --config "$TMP/nonexistent.conf"
expect_status 0 "--help: exit 0" "$DANEOPS" doctor --help

# --- who runs daneops report ingest, and can it write the database
# (the clean tree has contrib/postfix's pipe(8) transport as user daneops)
# A host set up the old way: an alias, no transport, no recipient table.
case_root; echo 'tls-reports: "|/usr/bin/daneops report ingest"' >>"$R/etc/aliases"; newaliases
sed -i '/^transport_maps/d; /^local_recipient_maps/d' "$R/etc/postfix/main.cf"
finds ingest-alias-privs 'aliases.db belongs to root: Postfix runs the pipe as nobody' \
	"an alias pipe in a root-owned alias map is an error: it runs as nobody"
finds ingest-alias-privs "echo 'tls-reports@example.org daneops-tlsrpt:' >>/etc/postfix/daneops-tlsrpt" \
	"...whose fix prints this host's setup: the table line"
finds ingest-alias-privs 'flags=RX user=daneops argv=/usr/bin/daneops report ingest' \
	"...the master.cf entry"
finds ingest-alias-privs "postconf -e 'transport_maps = hash:/etc/postfix/daneops-tlsrpt'" \
	"...the transport_maps line"
finds ingest-alias-privs "postconf -e 'local_recipient_maps = proxy:unix:passwd.byname .alias_maps hash:/etc/postfix/daneops-tlsrpt'" \
	"...and the recipient validation for a local domain"
finds ingest-alias-privs 'remove the alias tls-reports from /etc/aliases' "...and what to undo"
case_root; echo 'tls-reports: "|/usr/bin/daneops report ingest"' >>"$R/etc/aliases"; newaliases
chown 998 "$R/etc/aliases.db"
expect_status 0 "an alias pipe in a map owned by daneops (who may write the directory) is fine" \
	doctor --root "$R"
case_root; chown root:root "$R/var/lib/daneops/tlsrpt"
finds ingest-rights 'user=daneops.*daneops cannot write in /var/lib/daneops/tlsrpt \(0:0, mode 0750\)' \
	"the pipe's user cannot write the database directory: error"
finds ingest-rights 'install -d -o daneops -g daneops -m 0750 /var/lib/daneops/tlsrpt' "...with the fix"
case_root; chmod 0700 "$R/var/lib/daneops"
finds ingest-rights 'daneops cannot enter /var/lib/daneops \(0:0, mode 0700\)' \
	"a parent directory the user cannot enter: error"
case_root; touch "$R/var/lib/daneops/tlsrpt/tlsrpt.sqlite"
finds ingest-rights 'daneops cannot write /var/lib/daneops/tlsrpt/tlsrpt.sqlite \(0:0' \
	"a database made by root (ingest --file as root) is named"
case_root; mkdir "$R/var/lib/daneops/tlsrpt/quarantine"
finds ingest-rights 'cannot write in /var/lib/daneops/tlsrpt/quarantine' "a root-owned quarantine is named"
case_root; sed -i 's/user=daneops/user=daneops:daneops/' "$R/etc/postfix/master.cf"
expect_status 0 "user=daneops:daneops is the same user" doctor --root "$R"
case_root; sed -i '/^daneops:/d' "$R/etc/passwd"
finds ingest-user-missing 'user=daneops\): no such user' "the pipe's user does not exist: error"
case_root; sed -i '/^local_recipient_maps/d' "$R/etc/postfix/main.cf"
finds ingest-rcpt-unknown 'tls-reports@example.org is routed to daneops report ingest, but no local_recipient_maps table has it' \
	"an address routed to the pipe that smtpd would refuse at RCPT: error"
finds ingest-rcpt-unknown "postconf -e 'local_recipient_maps = proxy:unix:passwd.byname .alias_maps hash:/etc/postfix/daneops-tlsrpt'" \
	"...with the local_recipient_maps line"
env DANEOPS_POSTCONF=/nonexistent/postconf "$DANEOPS" doctor --skip-live --root "$R" >"$TMP/out" 2>&1
is "$?" 1 "...also found reading main.cf without postconf"
case_root; echo 'tls-reports: alice' >>"$R/etc/aliases"; newaliases
sed -i '/^local_recipient_maps/d' "$R/etc/postfix/main.cf"
expect_status 0 "an address that is also an alias passes the default recipient check" doctor --root "$R"
case_root; printf 'smtp inet n - y - - smtpd\n' >"$R/etc/postfix/master.cf"
doctor --root "$R" >"$TMP/out" 2>&1
is "$?" 0 "a Postfix host without the report pipe: exit 0 (info only)"
said() { cp "$TMP/out" "$TMP/said"; expect_output "$1" "$2" cat "$TMP/said"; }
said '^info    ingest-missing master.cf' "...an ingest-missing info finding"
said "^ +echo 'tls-reports@example.org daneops-tlsrpt:' >>/etc/postfix/daneops-tlsrpt$" \
	"...whose fix is the setup, for this host's mydomain"
case_root; sed -i '/^transport_maps/d' "$R/etc/postfix/main.cf"
finds ingest-unrouted "postconf -e 'transport_maps = hash:/etc/postfix/daneops-tlsrpt'" \
	"a pipe no transport_maps leads to: warning, with the transport_maps line"

done_testing
