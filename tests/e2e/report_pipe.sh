#!/usr/bin/env bash
# The report pipe as installed (docs/report.md, contrib/postfix/): a TLS
# report mailed over SMTP to the lab's Postfix, which delivers it itself
# through the daneops-tlsrpt pipe(8) transport running as the unprivileged
# user daneops, into a database that user owns.  A second delivery is a
# duplicate; a database the pipe cannot write defers the mail (exit 75 ->
# "deferred", never "bounced") until it can; a mail without a report is
# quarantined; an unknown address is refused at RCPT.
#
# The Postfix lines are contrib/postfix/'s, with the test's paths for the
# binary, database and tables.  The user daneops is created here when the
# package has not made it, and removed again at the end.
. "$DANEOPS_TOP/tests/lib.sh"
D=$DANEOPS_TOP/tests/data/tlsrpt
LAB=$TMP/lab
W=$TMP/world
DB=$TMP/tlsrpt/tlsrpt.sqlite
Q=$TMP/tlsrpt/quarantine
ADDR=127.0.10.1
made_user=0
cleanup() {
	[ -n "${KEEP_LOG:-}" ] && cp "$LAB/log/postfix.log" "$KEEP_LOG"
	"$DANEOPS_TOP/lab/lab" stop "$LAB" >/dev/null 2>&1
	if [ "$made_user" = 1 ]; then
		userdel daneops >/dev/null 2>&1
		getent group daneops >/dev/null && groupdel daneops >/dev/null 2>&1
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] || { echo "not ok 1 - needs root (a system user, a lab)"; echo "1..1"; exit 1; }

# --- the user the pipe runs as
if ! id daneops >/dev/null 2>&1; then
	useradd --system --user-group --home-dir /nonexistent --no-create-home \
		--shell /usr/sbin/nologin daneops || { echo "not ok 1 - useradd daneops"; echo "1..1"; exit 1; }
	made_user=1
fi
chmod 755 "$TMP"
install -d -o daneops -g daneops -m 0750 "$TMP/tlsrpt"
# user_bin USER: the binary as USER can run it: in place, or copied with its
# plugins (found next to it) when USER cannot reach the build tree (a
# checkout below /root).
user_bin() {
	if runuser -u "$1" -- test -x "$DANEOPS"; then echo "$DANEOPS"; return; fi
	mkdir -p "$TMP/bin"
	cp "$DANEOPS" "$TMP/bin/"
	cp "$(dirname "$DANEOPS")"/daneops-*.so "$TMP/bin/" 2>/dev/null
	chmod -R a+rX "$TMP/bin"
	echo "$TMP/bin/daneops"
}
BIN=$(user_bin daneops)

# --- the lab's Postfix with contrib/postfix's lines
mkdir -p "$W/pmconf"
: >"$W/pmconf/main.cf"
sed -n '/^tls-reports@/s/example\.org/reports.test/p' \
	"$DANEOPS_TOP/contrib/postfix/daneops-tlsrpt" >"$W/daneops-tlsrpt"
postmap -c "$W/pmconf" "hash:$W/daneops-tlsrpt"
# master.cf's entry, with this build's binary and the test's database.
svc=$(grep -v '^#' "$DANEOPS_TOP/contrib/postfix/master.cf" |
	sed "s|argv=/usr/bin/daneops report ingest|argv=$BIN report ingest --db $DB --quarantine $Q|")
# main.cf: contrib/postfix/postconf.sh's values, the table at its test path.
pc() { grep -o "^postconf -e '$1 = [^']*'" "$DANEOPS_TOP/contrib/postfix/postconf.sh" |
	sed -e "s/^postconf -e '//" -e "s/'\$//" -e "s|/etc/postfix/daneops-tlsrpt|$W/daneops-tlsrpt|"; }
{
	echo "lab_smtp $ADDR \"\$LAB_MX1_CHAIN\" \"\$LAB_MX1_KEY\""
	echo "lab_postfix_main 'mydestination = reports.test'"
	# The lab's local_transport is error:, which smtpd refuses before it
	# looks at the recipient tables.
	echo "lab_postfix_main 'local_transport = discard:'"
	echo "lab_postfix_main '$(pc transport_maps)'"
	echo "lab_postfix_main '$(pc local_recipient_maps)'"
	while IFS= read -r l; do echo "lab_postfix_master '$l'"; done <<<"$svc"
} >"$W/tlsrpt.sh"
if ! DANEOPS_LAB_WORLD=$W "$DANEOPS_TOP/lab/lab" start "$LAB" >"$TMP/lab-start.log" 2>&1; then
	echo "not ok 1 - the private lab did not start"
	sed 's/^/#   /' "$TMP/lab-start.log" | tail -20
	echo "1..1"
	exit 1
fi
# shellcheck disable=SC1091
. "$LAB/env"
LOG=$LAB_LOGS/postfix.log
lx() { "$DANEOPS_TOP/lab/lab" exec "$LAB" "$@"; }
check "master.cf has the daneops-tlsrpt pipe as user daneops" \
	grep -q 'flags=RX user=daneops argv=' "$LAB_POSTFIX_CONF/master.cf"

# smtp FILE RCPT: send FILE over SMTP to the lab's Postfix; prints the reply.
smtp() {
	lx python3 - "$ADDR" "$1" "$2" <<-'PY'
	import smtplib, sys
	addr, path, rcpt = sys.argv[1:4]
	with smtplib.SMTP(addr, 25, local_hostname="client.test", timeout=20) as s:
	    try:
	        s.sendmail("noreply-smtp-tls-reporting@google.example", [rcpt],
	                   open(path, "rb").read())
	        print("accepted")
	    except smtplib.SMTPRecipientsRefused as e:
	        code, msg = list(e.recipients.values())[0]
	        print(code, msg.decode())
	        sys.exit(1)
	PY
}
# wait_log N PATTERN: up to 30 s for the N-th Postfix log line matching PATTERN.
wait_log() {
	local _
	for _ in $(seq 150); do
		[ "$(grep -cE -- "$2" "$LOG" 2>/dev/null)" -ge "$1" ] && return 0
		sleep 0.2
	done
	return 1
}
nreports() { sqlite3 "$DB" 'SELECT count(*) FROM reports'; }
sent='to=<tls-reports@reports.test>, relay=daneops-tlsrpt, .*dsn=2\.0\.0, status=sent \(delivered via daneops-tlsrpt service'

# --- a report, delivered by Postfix to the pipe
check "Postfix accepts a TLS report for tls-reports@reports.test over SMTP" \
	smtp "$D/google.eml" tls-reports@reports.test
check "...and delivers it through the daneops-tlsrpt pipe (status=sent)" wait_log 1 "$sent"
is "$(nreports)" 1 "the report is in the database"
is "$(stat -c %U "$DB")" daneops "the database was made by the pipe, as user daneops"

# --- the same report again
check "a second delivery of the same report..." smtp "$D/google.eml" tls-reports@reports.test
check "...is delivered (status=sent)" wait_log 2 "$sent"
is "$(nreports)" 1 "...as a duplicate: still one report"

# --- a temporary failure: the database cannot be written
# (with the -wal and -shm files when they exist: SQLite gives them the
# database's mode when it makes them)
chmod 0440 "$DB"*
check "a report while the database cannot be written is accepted" \
	smtp "$D/microsoft.eml" tls-reports@reports.test
check "...and deferred (exit 75: dsn=4.3.0, status=deferred)" \
	wait_log 1 'to=<tls-reports@reports.test>, relay=daneops-tlsrpt, .*dsn=4\.3\.0, status=deferred'
qn=$(lx postqueue -c "$LAB_POSTFIX_CONF" -j | grep -c 'tls-reports@reports.test')
is "$qn" 1 "...it waits in the queue"
is "$(grep -c 'status=bounced' "$LOG")" 0 "...nothing bounced"
chmod 0640 "$DB"*
lx postqueue -c "$LAB_POSTFIX_CONF" -f
check "once the database is writable again, the queued report is delivered" wait_log 3 "$sent"
is "$(nreports)" 2 "...and stored"

# --- no report: quarantined, not bounced
check "a mail without a report is accepted" smtp "$D/no-report.eml" tls-reports@reports.test
check "...and delivered (status=sent)" wait_log 4 "$sent"
is "$(find "$Q" -name '*.eml' -user daneops | wc -l)" 1 "...into the quarantine, as user daneops"
is "$(grep -c 'status=bounced' "$LOG")" 0 "still nothing bounced"

# --- recipient validation: only the table's addresses
expect_output '^550 5\.1\.1 .*User unknown in local recipient table' \
	"another address in the domain is refused at RCPT" smtp "$D/google.eml" nobody-here@reports.test

done_testing
