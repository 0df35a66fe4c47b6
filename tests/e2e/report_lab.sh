#!/usr/bin/env bash
# installed: yes (tests/run: also run against the installed daneops)
# needs: lab
# daneops report alerts through a real sendmail: the lab's Postfix.
#
# "lab/lab exec" sets MAIL_CONFIG to the lab's Postfix, so /usr/sbin/sendmail
# (and the postdrop it runs: as root, MAIL_CONFIG is honoured without an
# alternate_config_directories entry) queues into the lab's own queue; the
# host's /var/spool/postfix is not touched.  The lab delivers nothing (every
# transport is error:), so what proves the hand-off is Postfix's log: pickup
# took a message from our envelope sender, cleanup saw our Message-ID, qmgr
# queued it for our recipient.  The message text itself is checked in
# tests/e2e/report.sh with a recording stand-in for sendmail.
. "$DANEOPS_TOP/tests/lib.sh"
. "$DANEOPS_LAB/env"
D=$DANEOPS_TOP/tests/data/tlsrpt
LOG=$LAB_LOGS/postfix.log
tag=$$.$RANDOM
from=daneops-$tag@example.org
to=admin-$tag@example.org
host_maildrop() { find /var/spool/postfix/maildrop -type f 2>/dev/null | wc -l; }
before=$(host_maildrop)

# wait_log PATTERN: up to 20 s for Postfix to log a line matching PATTERN.
wait_log() {
	local i
	for i in $(seq 100); do
		grep -qE -- "$1" "$LOG" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

expect_status 0 "ingest with --sendmail /usr/sbin/sendmail (the lab's Postfix)" \
	lab_run "$DANEOPS" report ingest --db "$TMP/db" --quarantine "$TMP/q" \
	--sendmail /usr/sbin/sendmail --alert-to "$to" --alert-from "$from" \
	<"$D/microsoft.eml"
check "Postfix pickup took a message from <$from>" wait_log "pickup.*from=<$from>"
qid=$(grep -E "pickup.*from=<$from>" "$LOG" | tail -1 | sed -E 's/.*: ([0-9A-F]+): uid=.*/\1/')
check "cleanup saw daneops' Message-ID" wait_log "$qid: message-id=<daneops\.[0-9]+\.[0-9a-f]{16}@example\.org>"
check "qmgr queued it for one recipient" wait_log "$qid: from=<$from>, size=[0-9]+, nrcpt=1"
check "...<$to> (then the lab's error transport refuses it, as for all mail)" \
	wait_log "$qid: to=<$to>, .*status=bounced"

# The digest without --alert-from: "sendmail -oi -t", recipients from To:.
expect_status 0 "digest through the lab's sendmail -t" \
	lab_run "$DANEOPS" report digest --db "$TMP/db" --sendmail /usr/sbin/sendmail \
	--alert-to "digest-$to" --since 2026-01-01
check "Postfix took the digest for <digest-$to> from To:" wait_log "to=<digest-$to>, "

is "$(host_maildrop)" "$before" "the host's maildrop queue is untouched"
done_testing
