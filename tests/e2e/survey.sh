#!/usr/bin/env bash
# needs: lab
#
# tests/e2e/survey.sh - "daneops survey" on the lab: the same verdicts as
# "daneops check" for every case of lab/world.d/50-check-cases.sh, one
# probe per address however many domains share it (the summary's counter),
# malformed input lines, sharding, an interrupted run and its rerun,
# politeness, and notifications (files and a sendmail capture, rate
# limited by the history), and issue 12's limits (concurrent runs on
# one history, inputs that are no files, SIGTERM, no symlink followed).
. "$DANEOPS_TOP/tests/lib.sh"
# shellcheck disable=SC1091
. "$DANEOPS_LAB/env"

RES=(--trust-anchor "$LAB_TA" --resolver-conf "$LAB_RESOLVER_CONF" --stub ".=$LAB_AUTH")
SV=(lab_run "$DANEOPS" survey "${RES[@]}" --timeout 6)

# summary FILE JQ: a field of the summary line.
summary() { jq -r "select(.schema == \"daneops-survey-summary/1\") | $2" "$1"; }
# verdicts FILE: "domain verdict host-verdicts address-verdicts" and the
# DNSSEC states (MX, address and TLSA security), sorted.  survey resolves
# on libunbound's worker thread and check in its loop: this compares the two.
verdicts() {
	jq -r 'select(.schema == "daneops-check/1") |
		"\(.domain) \(.verdict) \([.hosts[].verdict] | join(",")) \([.hosts[].addresses[].verdict] | join(","))" +
		" mx:\(.mx.status)/\(.mx.security) \([.hosts[] | "\(.address_security)/\(.tlsa.status // "-")/\(.tlsa.security // "-")"] | join(","))"' "$1" | sort
}

# 1. Every check case: survey says what check says, host by host.
cut -d' ' -f1 "$LAB_CHECK_CASES" >"$TMP/cases"
"${SV[@]}" "$TMP/cases" >"$TMP/survey.json" 2>"$TMP/survey.err"
is "$?" 0 "survey of the check cases exits 0"
is "$(wc -c <"$TMP/survey.err")" 0 "nothing on stderr (no progress line without a TTY)"
# shellcheck disable=SC2046
lab_run "$DANEOPS" check "${RES[@]}" --timeout 6 --json $(cat "$TMP/cases") >"$TMP/check.json"
verdicts "$TMP/survey.json" >"$TMP/sv.v"
verdicts "$TMP/check.json" >"$TMP/ck.v"
is "$(wc -l <"$TMP/sv.v")" "$(wc -l <"$TMP/cases")" "one result per case domain"
if diff "$TMP/ck.v" "$TMP/sv.v" >"$TMP/diff"; then
	pass "survey and check agree on every case (verdicts, DNS status and DNSSEC security)"
else
	fail "survey and check disagree" "$(head -5 "$TMP/diff" | tr '\n' ' ')"
fi
while read -r domain want; do
	got=$(jq -r --arg d "$domain" 'select(.domain == $d) | .verdict' "$TMP/survey.json")
	is "$got" "$want" "survey $domain: $want"
done <"$LAB_CHECK_CASES"
is "$(summary "$TMP/survey.json" .domains)" "$(wc -l <"$TMP/cases")" "the summary counts every domain"
is "$(summary "$TMP/survey.json" '.verdicts | add')" "$(wc -l <"$TMP/cases")" "verdict counts add up"
is "$(summary "$TMP/survey.json" '.reasons | add')" \
	"$(jq -s '[.[] | select(.verdict == "fail" or .verdict == "unknown")] | length' "$TMP/check.json")" \
	"every fail and unknown has a reason"
is "$(summary "$TMP/survey.json" '.reasons."tlsa-mismatch" > 0 and .reasons.starttls > 0')" true \
	"reasons name mismatches and STARTTLS failures"

# 2. Sharing: 120 domains on 4 shared hosts are 4 connections.
grep '^d' "$LAB_SURVEY_DOMAINS" >"$TMP/shared"
"${SV[@]}" "$TMP/shared" >"$TMP/shared.json"
is "$(summary "$TMP/shared.json" '"\(.domains) \(.verdicts.pass) \(.probes.connections) \(.probes.addresses)"')" \
	"120 120 4 4" "120 domains over 4 addresses: one probe per address"
"${SV[@]}" "$LAB_SURVEY_DOMAINS" >"$TMP/all.json"
is "$(summary "$TMP/all.json" '"\(.verdicts.pass) \(.verdicts.fail) \(.probes.connections) \(.probes.addresses)"')" \
	"120 8 5 4" "another name and record set at one address is one more probe, and fails"
"${SV[@]}" --no-cache --per-address 1 "$TMP/shared" >"$TMP/nocache.json"
is "$(summary "$TMP/nocache.json" '"\(.verdicts.pass) \(.probes.connections) \(.probes.max_per_address)"')" \
	"120 120 1" "--no-cache probes per domain; --per-address 1 holds"
verdicts "$TMP/shared.json" >"$TMP/a.v"
verdicts "$TMP/nocache.json" >"$TMP/b.v"
check "cached and uncached results agree" cmp "$TMP/a.v" "$TMP/b.v"
head -20 "$TMP/shared" >"$TMP/twenty"
start=$(date +%s%N)
"${SV[@]}" --no-cache --rate 40 "$TMP/twenty" >"$TMP/rate.json"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -ge 450 ] && pass "--rate 40: 20 connections take at least 0.45 s ($ms ms)" ||
	fail "--rate 40 took only $ms ms"

# 3. Garbage lines are reported, not fatal.
{
	echo "# a comment"
	echo
	echo "   next.cases.test   # trailing comment"
	echo "two words.test"
	echo "bad..name.test"
	printf 'x%.0s' $(seq 1 1500); echo
	printf 'ctl\001.test\n'
	echo "EE311.Cases.Test."
} >"$TMP/garbage"
"${SV[@]}" "$TMP/garbage" >"$TMP/garbage.json"
is "$?" 0 "garbage lines do not stop the survey"
is "$(jq -r 'select(.schema == "daneops-survey-error/1") | .line' "$TMP/garbage.json" | tr '\n' ' ')" \
	"4 5 6 7 " "each malformed line is an error object with its line number"
is "$(jq -r 'select(.schema == "daneops-check/1") | .domain' "$TMP/garbage.json" | sort | tr '\n' ' ')" \
	"ee311.cases.test next.cases.test " "the good lines are checked (comments, blanks, case, dots)"
is "$(summary "$TMP/garbage.json" '"\(.lines) \(.errors)"')" "8 4" "the summary counts lines and errors"
check "every output line is JSON" jq -e . "$TMP/garbage.json"
lab_run "$DANEOPS" survey "${RES[@]}" --timeout 6 <"$TMP/twenty" >"$TMP/stdin.json"
is "$(summary "$TMP/stdin.json" .domains)" 20 "domains from stdin"
expect_status 3 "an unreadable input exits 3" "${SV[@]}" /nonexistent/list

# 4. Shards partition the input.
for i in 1 2 3; do
	"${SV[@]}" --shard "$i/3" "$TMP/shared" >"$TMP/shard$i.json"
done
cat "$TMP/shard1.json" "$TMP/shard2.json" "$TMP/shard3.json" >"$TMP/shards.json"
verdicts "$TMP/shards.json" >"$TMP/c.v"
check "three shards concatenate into the whole" cmp "$TMP/a.v" "$TMP/c.v"
n1=$(summary "$TMP/shard1.json" .domains)
[ "$n1" -gt 10 ] && [ "$n1" -lt 80 ] && pass "a shard holds a share ($n1 of 120)" ||
	fail "shard 1/3 holds $n1 of 120"
expect_status 2 "--shard 4/3 is a usage error" "$DANEOPS" survey --shard 4/3
expect_status 2 "--shard 0/3 is a usage error" "$DANEOPS" survey --shard 0/3

# 5. Interrupted (stalled servers keep it busy), then rerun.
{ cat "$TMP/shared"; for i in 1 2 3 4 5 6; do echo stall.cases.test; done; } >"$TMP/intr"
"$DANEOPS_TOP/lab/lab" exec "$DANEOPS_LAB" "$DANEOPS" survey "${RES[@]}" --timeout 20 \
	"$TMP/intr" >"$TMP/intr.json" 2>"$TMP/intr.err" &
pid=$!
sleep 2
# ip netns exec runs the survey as a child: signal the process itself.
kill -INT "$(pgrep -f "survey.*$TMP/intr" | grep -v "^$pid\$" | tail -1)" 2>/dev/null ||
	kill -INT "$pid"
wait "$pid"
is "$?" 130 "SIGINT ends the survey with 130"
is "$(summary "$TMP/intr.json" '"\(.interrupted) \(.cancelled)"')" "true 6" \
	"the summary says interrupted and how many were cancelled"
check "an interrupted run leaves only whole JSON lines" jq -e . "$TMP/intr.json"
"${SV[@]}" --timeout 3 "$TMP/intr" >"$TMP/rerun.json"
verdicts "$TMP/intr.json" >"$TMP/i.v"
verdicts "$TMP/rerun.json" | grep -v '^stall' >"$TMP/r.v"
check "the rerun gives the same results" cmp "$TMP/i.v" "$TMP/r.v"

# 6. Notifications: files, content, rate limiting, sendmail.
mkdir -p "$TMP/mail"
NOTE=(--notify --notify-dir "$TMP/mail" --notify-cc dane-team@example.test --history "$TMP/h.db")
"${SV[@]}" "${NOTE[@]}" "$LAB_SURVEY_DOMAINS" >"$TMP/n1.json"
is "$(find "$TMP/mail" -name '*.eml' | wc -l)" 8 "one message per failing domain"
m=$(find "$TMP/mail" -name 's01.survey.test-*.eml' | head -1)
leaf=$(openssl x509 -in "$LAB_SURVEY_MX_CERT" -noout -pubkey | openssl pkey -pubin -outform DER |
	openssl dgst -sha256 -binary | od -An -tx1 | tr -d ' \n')
stale=$(openssl pkey -in "$LAB_PKI/mx2-next.key" -pubout -outform DER |
	openssl dgst -sha256 -binary | od -An -tx1 | tr -d ' \n')
expect_output '^To: postmaster@s01\.survey\.test$' "addressed to the postmaster" cat "$m"
expect_output '^Cc: dane-team@example\.test$' "with the copy address" cat "$m"
expect_output 'mx5\.survey\.test' "names the host" cat "$m"
expect_output 'address 127\.0\.6\.1: fail' "names the address" cat "$m"
expect_output "3 1 1 $stale +STALE" "names the stale record" cat "$m"
expect_output "3 1 1 $leaf +\\(DANE-EE" "gives the record that would match (leaf key)" cat "$m"
expect_output 'How to fix it' "says how to fix it" cat "$m"
is "$(summary "$TMP/n1.json" '"\(.notifications.sent) \(.notifications.suppressed)"')" "8 0" \
	"the summary counts messages"
"${SV[@]}" "${NOTE[@]}" "$LAB_SURVEY_DOMAINS" >"$TMP/n2.json"
is "$(find "$TMP/mail" -name '*.eml' | wc -l)" 8 "a rerun within the interval sends nothing"
is "$(summary "$TMP/n2.json" '"\(.notifications.sent) \(.notifications.suppressed)"')" "0 8" \
	"repeats are suppressed"
"${SV[@]}" "${NOTE[@]}" --notify-interval 0 "$LAB_SURVEY_DOMAINS" >/dev/null
is "$(find "$TMP/mail" -name '*.eml' | wc -l)" 16 "--notify-interval 0: sent again"
expect_output 'failed 3 check\(s\) so far' "the history counts failures" \
	sh -c "cat '$TMP'/mail/s01.survey.test-*.eml"
cat >"$TMP/sendmail" <<EOF
#!/bin/sh
echo "ARGS: \$*" >>"$TMP/captured"
cat >>"$TMP/captured"
EOF
chmod +x "$TMP/sendmail"
grep '^s0[12]' "$LAB_SURVEY_DOMAINS" >"$TMP/two"
"${SV[@]}" --notify --sendmail "$TMP/sendmail" "$TMP/two" >/dev/null
is "$(grep -c '^ARGS: -oi -t$' "$TMP/captured")" 2 "sendmail -oi -t, once per failing domain"
expect_output '^To: postmaster@s02\.survey\.test' "the captured mail is addressed" cat "$TMP/captured"
expect_status 2 "--notify-dir needs --notify" "$DANEOPS" survey --notify-dir /tmp

# 7. watch: the textfile and mail on change.
grep -E '^(d00[12]|s01)' "$LAB_SURVEY_DOMAINS" >"$TMP/watch.domains"
mkdir -p "$TMP/wmail"
W=(lab_run "$DANEOPS" watch "${RES[@]}" --timeout 6 --domains "$TMP/watch.domains"
	--prom "$TMP/w.prom" --state "$TMP/w.db" --notify-to ops@example.test --notify-dir "$TMP/wmail")
expect_status 1 "watch exits 1 when a domain fails" "${W[@]}"
expect_output '^daneops_domain_ok\{domain="s01\.survey\.test"\} 0$' "textfile: the failing domain" cat "$TMP/w.prom"
expect_output '^daneops_domain_verdict\{domain="d001\.survey\.test",verdict="pass"\} 1$' \
	"textfile: verdict gauges" cat "$TMP/w.prom"
expect_output '^daneops_tlsa_records\{domain="s01\.survey\.test",host="mx5\.survey\.test",status="unmatched"\} 1$' \
	"textfile: records by status" cat "$TMP/w.prom"
expect_output '^daneops_cert_days_left\{domain="d002\.survey\.test",host="mx2\.survey\.test",address="127\.0\.6\.2"\} 3[0-9][0-9]$' \
	"textfile: certificate days left" cat "$TMP/w.prom"
bad=$(grep -vE '^(# (HELP|TYPE) .*|[a-z_]+(\{[^}]*\})? [0-9.e+-]+)$' "$TMP/w.prom" | head -1)
is "$bad" "" "every textfile line is exposition format"
is "$(find "$TMP/wmail" -name '*.eml' | wc -l)" 1 "first run: a mail about the failing domain"
expect_output '^To: ops@example\.test$' "watch mails the operator" cat "$(find "$TMP/wmail" -name '*.eml' | head -1)"
"${W[@]}" >/dev/null 2>&1
is "$(find "$TMP/wmail" -name '*.eml' | wc -l)" 1 "no change, no mail"
grep '^d00' "$TMP/watch.domains" >"$TMP/w2"
expect_status 0 "watch exits 0 when every domain passes" lab_run "$DANEOPS" watch "${RES[@]}" \
	--domains "$TMP/w2" --prom "$TMP/w2.prom"
expect_status 2 "watch needs --domains and --prom" "$DANEOPS" watch --prom /tmp/x.prom

# 8. Issue 12: two runs sharing a history send one message per failing
# domain; inputs that are no files end at once with a message; writes
# follow no symlink.
mkdir -p "$TMP/cmail"
CN=(--notify --notify-dir "$TMP/cmail" --history "$TMP/c.db")
# The history exists (schema, WAL) before the two start, as in production:
# neither then waits for the other just to open it.
grep '^d00[12]' "$LAB_SURVEY_DOMAINS" >"$TMP/pass2"
"${SV[@]}" "${CN[@]}" "$TMP/pass2" >/dev/null
# Both read the list backwards, so that they start with the failing
# domains, at the same moment.
tac "$LAB_SURVEY_DOMAINS" >"$TMP/reversed"
"${SV[@]}" "${CN[@]}" "$TMP/reversed" >"$TMP/c1.json" 2>"$TMP/c1.err" &
p1=$!
"${SV[@]}" "${CN[@]}" "$TMP/reversed" >"$TMP/c2.json" 2>"$TMP/c2.err" &
p2=$!
wait "$p1"; r1=$?
wait "$p2"; r2=$?
is "$r1 $r2" "0 0" "two concurrent surveys on one history both finish"
is "$(find "$TMP/cmail" -name '*.eml' | wc -l)" 8 "two concurrent surveys send one message per failing domain"
is "$(find "$TMP/cmail" -name '*.eml' | sed 's,.*/,,; s,-.*,,' | sort -u | wc -l)" 8 \
	"and every failing domain has its message"
is "$(( $(summary "$TMP/c1.json" .notifications.sent) + $(summary "$TMP/c2.json" .notifications.sent) ))" 8 \
	"their summaries count 8 messages between them"
expect_status 3 "survey DIR exits 3" "$DANEOPS" survey "$TMP"
expect_output "survey: $TMP: is a directory, not a file to read" "survey DIR says why on stderr" \
	"$DANEOPS" survey "$TMP"
start=$(date +%s)
expect_status 3 "survey /dev/zero exits 3 at once" timeout -k 2 10 "$DANEOPS" survey /dev/zero
expect_output "/dev/zero: is a character device" "survey /dev/zero says why" timeout -k 2 10 "$DANEOPS" survey /dev/zero
expect_status 3 "endless zeros on stdin end the survey" sh -c "head -c 100000000 /dev/zero | timeout -k 2 10 '$DANEOPS' survey - >/dev/null"
[ $(( $(date +%s) - start )) -lt 8 ] && pass "and all of that took seconds" || fail "reading devices took $(( $(date +%s) - start )) s"
mkfifo "$TMP/fifo"
start=$(date +%s%N)
timeout -k 2 -s TERM 2 "$DANEOPS" survey "$TMP/fifo" >"$TMP/fifo.json" 2>/dev/null
is "$?" 124 "a survey waiting for a pipe ..."
is "$(summary "$TMP/fifo.json" .interrupted)" true "... ends on SIGTERM with its summary"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 4000 ] && pass "SIGTERM ends it promptly ($ms ms)" || fail "SIGTERM took $ms ms"
( sleep 30 >"$TMP/fifo" ) &
w=$!
timeout -s TERM 2 "$DANEOPS" watch --domains "$TMP/fifo" --prom "$TMP/f.prom" >/dev/null 2>&1
is "$?" 124 "watch waiting for its domain list ends on SIGTERM"
kill "$w" 2>/dev/null; wait "$w" 2>/dev/null
expect_status 3 "watch --domains DIR exits 3" "$DANEOPS" watch --domains "$TMP" --prom "$TMP/d.prom"
expect_output "watch: $TMP: is a directory, not a file to read" "watch --domains DIR says why" \
	"$DANEOPS" watch --domains "$TMP" --prom "$TMP/d.prom"
echo keep >"$TMP/victim"
: >"$TMP/empty-victim"
ln -s "$TMP/empty-victim" "$TMP/linked.db"
expect_status 3 "a history that is a symlink is refused" "${SV[@]}" --notify --notify-dir "$TMP/cmail" \
	--history "$TMP/linked.db" "$TMP/two"
is "$(wc -c <"$TMP/empty-victim")" 0 "and its target (an empty file SQLite would fill) is untouched"
mkdir -m 0777 "$TMP/open"
chmod 0777 "$TMP/open"
expect_status 3 "a --notify-dir everyone may write is refused" "${SV[@]}" --notify --notify-dir "$TMP/open" "$TMP/two"
expect_output "writable by everyone" "and says so" "${SV[@]}" --notify --notify-dir "$TMP/open" "$TMP/two"
expect_status 3 "a --history in such a directory is refused" "${SV[@]}" --notify --notify-dir "$TMP/cmail" \
	--history "$TMP/open/h.db" "$TMP/two"
ln -s "$TMP/victim" "$TMP/w3.prom"
lab_run "$DANEOPS" watch "${RES[@]}" --timeout 6 --domains "$TMP/w2" --prom "$TMP/w3.prom" >/dev/null 2>&1
is "$(cat "$TMP/victim")" keep "watch replaces a symlinked --prom instead of writing through it"
[ -L "$TMP/w3.prom" ] && fail "the --prom symlink is still there" || pass "the --prom is a file now"

expect_output 'usage: daneops survey' "--help" "$DANEOPS" survey --help
done_testing
