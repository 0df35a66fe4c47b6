#!/usr/bin/env bash
# daneops report, end to end: the real binary on the messages of
# tests/data/tlsrpt (shaped like Google's and Microsoft's published
# reports, a bare .json.gz body, an octet-stream attachment, broken ones),
# a gzip bomb made here (1 GiB of zeros), a duplicate, 40 concurrent
# ingests into one database, the alias-pipe exit contract (0 stored /
# duplicate / quarantined, 75 try again), summary, and alert and digest
# mails.
#
# Mail: here --sendmail points to tests/report_sendmail.sh, which records
# the arguments and the message exactly as sendmail gets them, so the text
# can be checked.  The lab's Postfix delivers nothing (every transport is
# error:), so it cannot show the text; tests/e2e/report_lab.sh shows its
# real sendmail taking and queueing the alerts.
. "$DANEOPS_TOP/tests/lib.sh"
D=$DANEOPS_TOP/tests/data/tlsrpt
DB=$TMP/tlsrpt.sqlite
Q=$TMP/quarantine
SM=$DANEOPS_TOP/tests/report_sendmail.sh
export REPORT_MAIL_DIR=$TMP/mail
mkdir -p "$REPORT_MAIL_DIR"
ingest() { "$DANEOPS" report ingest --db "$DB" --quarantine "$Q" "$@"; }
nreports() { sqlite3 "$DB" 'SELECT count(*) FROM reports'; }
nquarantined() { find "$Q" -name '*.eml' 2>/dev/null | wc -l; }

# --- usage
expect_status 0 "report --help" "$DANEOPS" report --help
expect_status 2 "report without a subcommand is a usage error" "$DANEOPS" report
expect_status 2 "unknown subcommand" "$DANEOPS" report frobnicate
expect_status 2 "unknown option" "$DANEOPS" report summary --frob
expect_status 2 "a bad --since" "$DANEOPS" report summary --since yesterday
expect_status 2 "--alert-to must be an address, not an option" \
	"$DANEOPS" report ingest --alert-to -oQ/tmp
expect_status 2 "digest needs --alert-to" "$DANEOPS" report digest --db "$DB"
expect_status 3 "summary of a database that does not exist" \
	"$DANEOPS" report summary --db "$TMP/none.sqlite"

# --- every form of report mail, on standard input as from an alias pipe
expect_output '^stdin: stored Google Inc\. ' "Google: multipart/report, tlsrpt+gzip" \
	ingest <"$D/google.eml"
expect_output '^stdin: stored Microsoft Corporation .*4 failed' \
	"Microsoft: tlsrpt+gzip, mx-host, no sending-mta-ip" ingest <"$D/microsoft.eml"
expect_output '^stdin: stored Mail Example ' "a bare .json.gz body" \
	ingest <"$D/bare-gzip.eml"
expect_output '^stdin: stored Microsoft Corporation 133456789099999999' \
	"application/octet-stream named *.json.gz" ingest <"$D/octet-stream.eml"
is "$(nreports)" 4 "four reports stored"

# Postfix local(8) prepends a "From sender date" envelope line and
# Delivered-To/X-Original-To headers to mail it pipes to a command.
rm -f "$DB"*
{ printf 'From noreply-smtp-tls-reporting@google.com  Fri Nov 27 15:59:59 2026\n'
  printf 'X-Original-To: tls-reports@example.org\nDelivered-To: tls-reports@example.org\n'
  cat "$D/microsoft.eml"; } >"$TMP/piped.eml"
expect_output '^stdin: stored Microsoft' "a message as Postfix local(8) pipes it" ingest <"$TMP/piped.eml"
for f in google bare-gzip octet-stream; do ingest <"$D/$f.eml" >/dev/null; done

# --- duplicates: stored once, exit 0
expect_output '^stdin: duplicate of Google Inc\.' "the same message again is a duplicate" \
	ingest <"$D/google.eml"
expect_output 'duplicate of Microsoft' "the same report as tlsrpt+json is a duplicate" \
	ingest <"$D/microsoft-json.eml"
expect_status 0 "a duplicate is success" ingest <"$D/google.eml"
is "$(nreports)" 4 "duplicates are not stored again"

# --- files: bare JSON and .json.gz, a maildir
expect_output 'stored|duplicate' "--file report.json.gz" ingest --file "$D/google.json.gz"
rm -f "$DB"*
mkdir -p "$TMP/Maildir/new" "$TMP/Maildir/cur" "$TMP/Maildir/tmp"
cp "$D/google.eml" "$D/microsoft.eml" "$TMP/Maildir/new/"
cp "$D/bare-gzip.eml" "$TMP/Maildir/cur/1:2,S"
expect_status 0 "--maildir" ingest --maildir "$TMP/Maildir"
is "$(nreports)" 3 "--maildir stored the three reports"
expect_status 3 "--file with an unusable file exits 3 (and nothing is quarantined)" \
	ingest --file "$D/microsoft2.json" --file "$D/no-report.eml"
is "$(nquarantined)" 0 "files are never quarantined"
is "$(nreports)" 4 "the usable file of the batch was stored"

# --- unusable messages on stdin: quarantined byte for byte, exit 0
n=0
for f in malformed-json.eml bad-gzip.eml truncated.eml no-report.eml; do
	expect_status 0 "$f: quarantined, exit 0 (no bounce)" ingest <"$D/$f"
	n=$((n + 1))
	is "$(nquarantined)" "$n" "$f: one more file in the quarantine"
	q=$(ls -t "$Q"/*.eml | head -1)
	check "$f: the quarantined copy is the message" cmp "$q" "$D/$f"
done
expect_output "kept in $Q/" "the quarantine is logged on stderr" ingest <"$D/no-report.eml"
is "$(stat -c %a "$Q")" 700 "the quarantine directory is private"
is "$(find "$Q" -name '*.tmp' | wc -l)" 0 "no temporary files are left"

# A message larger than ingest holds in memory (32 MiB) is read to its end
# and kept truncated to the quarantine's per-file cap (1 MiB).
{ printf 'Subject: huge\n\n'; head -c 25M /dev/urandom | base64; } >"$TMP/huge.eml"
expect_output 'larger than 33554432 bytes; kept in' "a 34 MB message is quarantined" ingest <"$TMP/huge.eml"
q=$(ls -t "$Q"/*.eml | head -1)
check "...its first MiB" cmp -n 1048576 "$q" "$TMP/huge.eml"
expect_output "^\[daneops: quarantine copy truncated to 1048576 of $(stat -c %s "$TMP/huge.eml") bytes\]\$" \
	"...and a last line saying it was cut, of how many bytes" tail -1 "$q"
rm -f "$TMP/huge.eml" "$q"

# --- temporary failures: exit 75, nothing lost
expect_status 75 "quarantine not writable: 75" \
	"$DANEOPS" report ingest --db "$DB" --quarantine /dev/null/q <"$D/no-report.eml"
expect_status 75 "database not writable: 75" \
	"$DANEOPS" report ingest --db /nonexistent/dir/db --quarantine "$Q" <"$D/google.eml"
expect_status 75 "database not writable, with --file: 75" \
	"$DANEOPS" report ingest --db /nonexistent/dir/db --file "$D/google.eml"
# A corrupt database is the admin's to fix; meanwhile the MTA keeps the mail.
head -c 4096 /dev/urandom >"$TMP/corrupt.sqlite"
expect_status 75 "a damaged database: 75" \
	"$DANEOPS" report ingest --db "$TMP/corrupt.sqlite" --quarantine "$Q" <"$D/google.eml"

# --- a gzip bomb: 1 GiB of zeros as 64 gzip members of 16 MiB (RFC 1952
# allows members back to back; gunzip(1) inflates it all), in a tlsrpt
# message.  Refused at the 10 MiB cap, fast and in little memory.
head -c 16M /dev/zero | gzip -9 >"$TMP/m.gz"
for i in $(seq 64); do cat "$TMP/m.gz"; done >"$TMP/bomb.gz"
is "$(gzip -dc "$TMP/bomb.gz" | wc -c)" 1073741824 "the bomb inflates to 1 GiB"
{
	printf 'From: bomb@bad.example\nSubject: Report Domain: example.org\n'
	printf 'MIME-Version: 1.0\nContent-Type: multipart/report; report-type=tlsrpt; boundary=b\n\n'
	printf -- '--b\nContent-Type: application/tlsrpt+gzip\nContent-Transfer-Encoding: base64\n\n'
	base64 -w 76 "$TMP/bomb.gz"
	printf -- '--b--\n'
} >"$TMP/bomb.eml"
start=$(date +%s%N)
/usr/bin/time -f '%M' -o "$TMP/rss" "$DANEOPS" report ingest --db "$DB" --quarantine "$Q" \
	<"$TMP/bomb.eml" >"$TMP/bomb.out" 2>&1
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
is "$rc" 0 "the gzip bomb is quarantined, exit 0"
expect_output 'gzip bomb' "the bomb is named as such" cat "$TMP/bomb.out"
[ "$ms" -lt 10000 ] && pass "the bomb is refused quickly (${ms} ms)" || fail "the bomb took ${ms} ms"
rss=$(tail -1 "$TMP/rss")
# Even under ASan (which alone needs ~100 MB) far below the 1 GiB inflated.
[ "$rss" -lt 300000 ] && pass "the bomb costs little memory (${rss} KiB)" || fail "RSS ${rss} KiB"
expect_output 'gzip bomb' "--file refuses the bare bomb too" ingest --file "$TMP/bomb.gz"

# --- summary
rm -f "$DB"*
for f in google microsoft bare-gzip octet-stream; do ingest <"$D/$f.eml" >/dev/null; done
expect_output '^TLS reports: 4; 10 failed sessions' "summary: totals" \
	"$DANEOPS" report summary --db "$DB"
out=$("$DANEOPS" report summary --db "$DB")
grep -q '^example.org (mx: mail.example.org)$' <<<"$out" && pass "summary: a row per domain and MX" || fail "no example.org row" "$out"
grep -q 'sessions:     200 successful, 8 failed' <<<"$out" && pass "summary: session counts" || fail "counts" "$out"
grep -q 'failures:     tlsa-invalid 6, certificate-revoked-by-magic 2 (unregistered type)' <<<"$out" \
	&& pass "summary: failure result types" || fail "types" "$out"
grep -q 'reported by:  Google Inc., Microsoft Corporation' <<<"$out" && pass "summary: organisations" || fail "orgs" "$out"
grep -q 'period:       2026-11-26T00:00:00Z .. 2026-11-27T23:59:59Z' <<<"$out" && pass "summary: first and last seen" || fail "dates" "$out"
"$DANEOPS" report summary --db "$DB" --json >"$TMP/s.json"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["reports"], d["failed"], len(d["rows"]), d["rows"][1]["failures"]["tlsa-invalid"])' "$TMP/s.json")" \
	"4 10 2 6" "summary --json parses and has the numbers"
expect_output '^TLS reports: 1; 2 failed' "summary --domain" \
	"$DANEOPS" report summary --db "$DB" --domain example.net.
expect_output '^TLS reports: 1 ending since 2026-11-27T00:00:00Z; 4 failed' "summary --since DATE" \
	"$DANEOPS" report summary --db "$DB" --since 2026-11-27
expect_output '^TLS reports: 0' "summary --since 0h: nothing ends in the future" \
	"$DANEOPS" report summary --db "$DB" --since 0h

# --- concurrency: 20 reports, each sent twice, 40 processes at once
rm -f "$DB"*
mkdir -p "$TMP/conc"
for i in $(seq 20); do
	sed "s/133456789012345678+example.org/conc-$i/" "$D/microsoft.json" | gzip -n >"$TMP/conc/$i.json.gz"
	{ printf 'From: r@x.example\nMIME-Version: 1.0\nContent-Type: application/tlsrpt+gzip\nContent-Transfer-Encoding: base64\n\n'
	  base64 -w 76 "$TMP/conc/$i.json.gz"; } >"$TMP/conc/$i.eml"
done
pids=()
for i in $(seq 20) $(seq 20); do
	ingest <"$TMP/conc/$i.eml" >"$TMP/conc/out.$i.$RANDOM" 2>&1 &
	pids+=($!)
done
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
is "$bad" 0 "40 concurrent ingests all exit 0"
is "$(nreports)" 20 "20 distinct reports stored once each"
is "$(cat "$TMP"/conc/out.* | grep -c 'duplicate of')" 20 "the other 20 were duplicates"
is "$(cat "$TMP"/conc/out.* | grep -ci 'locked')" 0 "no 'database is locked' failures"
is "$(sqlite3 "$DB" 'PRAGMA journal_mode')" wal "the database is in WAL mode"

# --- alerts through sendmail
rm -f "$DB"* "$REPORT_MAIL_DIR"/*
alert() { ingest --sendmail "$SM" --alert-to admin@example.org --alert-from daneops@example.org "$@"; }
expect_status 0 "no failures: no alert" alert <"$D/google.eml"
is "$(ls "$REPORT_MAIL_DIR" | wc -l)" 0 "no mail for a report without failures"
expect_status 0 "failures: alert" alert <"$D/microsoft.eml"
is "$(cat "$REPORT_MAIL_DIR/1.args")" "-oi -f daneops@example.org -- admin@example.org" \
	"sendmail gets -oi -f FROM -- RCPT"
m=$REPORT_MAIL_DIR/1.msg
grep -q '^To: admin@example.org$' "$m" && pass "alert: To" || fail "alert: To" "$(cat "$m")"
grep -q '^Subject: daneops: 4 failed TLS sessions reported by Microsoft Corporation$' "$m" \
	&& pass "alert: Subject" || fail "alert: Subject" "$(head -5 "$m")"
grep -q '^Auto-Submitted: auto-generated$' "$m" && pass "alert: Auto-Submitted" || fail "alert: Auto-Submitted"
grep -qE '^Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} \+0000$' "$m" && pass "alert: Date" || fail "alert: Date"
grep -q 'failures:     tlsa-invalid 3' "$m" && pass "alert: the summary is in the body" || fail "alert body" "$(cat "$m")"
expect_status 0 "a duplicate does not alert again" alert <"$D/microsoft-json.eml"
is "$(ls "$REPORT_MAIL_DIR" | grep -c msg)" 1 "still one mail"
REPORT_MAIL_EXIT=1 expect_output 'alert to admin@example.org not sent' \
	"a failing sendmail is logged" alert <"$D/bare-gzip.eml"
is "$(nreports)" 3 "...and the report is stored anyway"
expect_status 0 "...with exit 0" alert <"$D/octet-stream.eml" 
expect_output '^digest sent to admin@example.org' "digest" \
	"$DANEOPS" report digest --db "$DB" --sendmail "$SM" --alert-to admin@example.org --since 2026-11-01
m=$(ls -t "$REPORT_MAIL_DIR"/*.msg | head -1)
grep -q '^Subject: daneops: TLS report digest: 4 reports, 10 failed sessions$' "$m" \
	&& pass "digest: Subject" || fail "digest: Subject" "$(head -5 "$m")"
is "$(cat "${m%.msg}.args")" "-oi -t" "without --alert-from: sendmail -oi -t"
REPORT_MAIL_EXIT=75 expect_status 75 "digest: sendmail says try again: 75" \
	"$DANEOPS" report digest --db "$DB" --sendmail "$SM" --alert-to admin@example.org

done_testing
