#!/usr/bin/env bash
# The HTTP DNS providers (cloudflare, desec, powerdns) end to end, against
# tests/servers/mock_dnsapi.py on 127.0.0.1: the real services cannot be
# reached from here, so the mock follows their published endpoints, JSON
# shapes and error bodies (its docstring lists what it does not model).
# Each provider: list/add/delete and their idempotency (checked in the mock's
# request log: no write when nothing changes, no DELETE of another record),
# a rejected token, 429 with Retry-After then success, 5xx then recovery,
# 5xx until retries run out (ERR_TEMP, exit 75), pagination, a body that is
# not JSON and one over the size cap (clean errors), a response slower than
# the timeout, unsafe secret files and bad parameters.
. "$DANEOPS_TOP/tests/lib.sh"

TOOL=$(dirname "$DANEOPS")/../tests/provider_tool
MOCK=$DANEOPS_TOP/tests/servers/mock_dnsapi.py
OWNER=_25._tcp.mx.example.org.
R1="3 1 1 $(printf '%064x' 1)"
R2="3 1 1 $(printf '%064x' 2)"
mock_pids=()
cleanup() {
	local p
	for p in "${mock_pids[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT

# start_mock MODE: start a mock; sets PORT and LOG (and the token file).
start_mock() {
	local mode=$1 i
	(umask 077 && echo "tok-$mode-$RANDOM$RANDOM" >"$TMP/$mode.token")
	LOG=$TMP/$mode.log
	python3 "$MOCK" --mode "$mode" --zone example.org --token-file "$TMP/$mode.token" \
		--port-file "$TMP/$mode.port" --log "$LOG" --page-size 2 --min-ttl 300 \
		2>"$TMP/$mode.err" &
	mock_pids+=($!)
	for i in $(seq 1 100); do [ -s "$TMP/$mode.port" ] && break; sleep 0.05; done
	PORT=$(cat "$TMP/$mode.port")
}

ctl() {	# ctl PATH JSON
	curl -sf -X POST -d "$2" "http://127.0.0.1:$PORT/_control/$1" >/dev/null
}

# last_has PATTERN DESCRIPTION: the last command's output matches.
last_has() {
	if grep -qE -- "$1" "$TMP/out"; then pass "$2"
	else fail "$2 (no match for /$1/)" "$(head -3 "$TMP/out")"; fi
}

# count PATTERN: lines of the request log matching PATTERN (grep -E).
count() { grep -cE -- "$1" "$LOG" || true; }

# listed: the records the provider lists now, one per line.
listed() { "$TOOL" "$TYPE" "${P[@]}" -- list "$OWNER" 2>&1; }

# suite TYPE WRITE-PATTERN: the tests every HTTP provider must pass.
# WRITE-PATTERN matches the log lines of calls that change the zone.
suite() {
	local w=$1 got

	expect_status 0 "$TYPE: list of an empty owner" "$TOOL" "$TYPE" "${P[@]}" -- list "$OWNER"
	is "$(last_output)" "" "$TYPE: nothing listed"
	expect_status 0 "$TYPE: add" "$TOOL" "$TYPE" "${P[@]}" -- add "$OWNER" 300 "$R1"
	is "$(listed)" "$R1" "$TYPE: the record is listed"
	: >"$LOG"
	expect_status 0 "$TYPE: add again is success" "$TOOL" "$TYPE" "${P[@]}" -- add "$OWNER" 300 "$R1"
	is "$(listed | wc -l)" 1 "$TYPE: still one record"
	expect_status 0 "$TYPE: add a second record" "$TOOL" "$TYPE" "${P[@]}" -- add "$OWNER" 300 "$R2"
	is "$(listed | sort | tr '\n' ,)" "$R1,$R2," "$TYPE: both records listed"
	: >"$LOG"
	expect_status 0 "$TYPE: delete the first" "$TOOL" "$TYPE" "${P[@]}" -- delete "$OWNER" "$R1"
	is "$(listed)" "$R2" "$TYPE: only the second is left"
	is "$(count "$w")" 1 "$TYPE: delete made exactly one write"
	: >"$LOG"
	expect_status 0 "$TYPE: delete again is success" "$TOOL" "$TYPE" "${P[@]}" -- delete "$OWNER" "$R1"
	is "$(count "$w")" 0 "$TYPE: deleting a gone record writes nothing"
	is "$(listed)" "$R2" "$TYPE: the other record is untouched"

	# Temporary failures.
	ctl faults '[{"status": 429, "retry_after": "1"}, {"status": 429, "retry_after": "1"}]'
	: >"$LOG"
	expect_status 0 "$TYPE: 429 twice, then success" "$TOOL" "$TYPE" "${P[@]}" -- list "$OWNER"
	is "$(count ' 429$')" 2 "$TYPE: both 429s were seen and waited out"
	ctl faults "[{\"status\": 429, \"retry_after\": \"$(date -u -d '+1 sec' '+%a, %d %b %Y %H:%M:%S GMT')\"}]"
	expect_status 0 "$TYPE: 429 with an HTTP-date Retry-After" "$TOOL" "$TYPE" "${P[@]}" -- list "$OWNER"
	ctl faults '[{"status": 500}, {"status": 503}]'
	expect_status 0 "$TYPE: 5xx twice, then recovery" "$TOOL" "$TYPE" "${P[@]}" -- add "$OWNER" 300 "$R1"
	is "$(listed | sort | tr '\n' ,)" "$R1,$R2," "$TYPE: the add after 5xx happened once"
	ctl faults '[{"status": 500}, {"status": 502}, {"status": 503}, {"status": 500}]'
	expect_status 75 "$TYPE: 5xx past the retries is ERR_TEMP" "$TOOL" "$TYPE" "${P[@]/retries=*/retries=2}" -- list "$OWNER"
	last_has 'retries exhausted' "$TYPE: ... saying so"
	ctl faults '[]'
	ctl faults '[{"status": 429, "retry_after": "120"}]'
	SECONDS=0
	expect_status 75 "$TYPE: a Retry-After beyond the timeout fails at once" "$TOOL" "$TYPE" "${P[@]/timeout=*/timeout=5}" -- list "$OWNER"
	[ "$SECONDS" -lt 4 ] && pass "$TYPE: ... without waiting" || fail "$TYPE: ... without waiting" "took $SECONDS s"
	ctl faults '[{"slow": 6}]'
	SECONDS=0
	expect_status 75 "$TYPE: an answer slower than the timeout is ERR_TEMP" "$TOOL" "$TYPE" "${P[@]/timeout=*/timeout=2}" -- list "$OWNER"
	[ "$SECONDS" -lt 5 ] && pass "$TYPE: ... within the timeout" || fail "$TYPE: ... within the timeout" "took $SECONDS s"
	ctl faults '[]'

	# Broken answers.
	ctl faults '[{"garbage": "malformed"}]'
	expect_status 4 "$TYPE: a body that is not JSON is a clean error" "$TOOL" "$TYPE" "${P[@]}" -- list "$OWNER"
	ctl faults '[{"garbage": "oversized"}]'
	expect_output 'larger than' "$TYPE: a body over the cap is refused" "$TOOL" "$TYPE" "${P[@]}" -- list "$OWNER"
	ctl faults '[]'

	# Pagination (the mock serves 2 records a page where it pages).
	ctl seed "{\"owner\": \"$OWNER\", \"ttl\": 300, \"records\": [\"$R1\", \"$R2\", \"3 1 1 $(printf '%064x' 3)\", \"3 1 1 $(printf '%064x' 4)\", \"3 1 1 $(printf '%064x' 5)\"]}"
	is "$(listed | wc -l)" 5 "$TYPE: five records listed"

	# Authentication and configuration.
	(umask 077 && echo wrong-token >"$TMP/wrong.token")
	expect_status 3 "$TYPE: a rejected token is ERR_INPUT" "$TOOL" "$TYPE" "${P[@]/$TOKKEY=*/$TOKKEY=$TMP/wrong.token}" -- list "$OWNER"
	last_has "$AUTHMSG" "$TYPE: ... saying what to fix"
	cp "$TMP/$TYPE.token" "$TMP/open.token"; chmod 644 "$TMP/open.token"
	expect_output "open.token: secret file is accessible to group or others" \
		"$TYPE: a token file others can read is refused" "$TOOL" "$TYPE" "${P[@]/$TOKKEY=*/$TOKKEY=$TMP/open.token}" -- list "$OWNER"
	expect_status 2 "$TYPE: an unknown parameter is a usage error" "$TOOL" "$TYPE" "${P[@]}" frobs=1 -- list "$OWNER"
	last_has 'unknown parameter "frobs"' "$TYPE: ... naming it"
	expect_output "missing parameter \"$TOKKEY\"" "$TYPE: a missing token file is named" \
		"$TOOL" "$TYPE" "${P[@]/$TOKKEY=*/}" -- list "$OWNER"
	expect_status 2 "$TYPE: an owner outside the zone is refused" "$TOOL" "$TYPE" "${P[@]}" -- add _25._tcp.mx.example.com. 300 "$R1"
	if grep -q 'Traceback' "$TMP/$TYPE.err"; then fail "$TYPE: the mock saw no protocol errors" "$(tail -5 "$TMP/$TYPE.err" | tr "\n" " ")"
	else pass "$TYPE: the mock saw no protocol errors"; fi
}

# -- Cloudflare
TYPE=cloudflare TOKKEY=token_file AUTHMSG='token rejected or lacks DNS Edit permission'
start_mock cloudflare
P=(zone=example.org "token_file=$TMP/cloudflare.token" "api=http://127.0.0.1:$PORT/client/v4" retries=5 timeout=20 backoff_ms=50)
suite '^(POST|DELETE) '
: >"$LOG"
"$TOOL" "$TYPE" "${P[@]}" -- list "$OWNER" >/dev/null 2>&1
is "$(count 'page=3')" 1 "cloudflare: the list followed result_info.total_pages to page 3"
: >"$LOG"
expect_status 0 "cloudflare: add of an existing record (81058) is success" "$TOOL" "$TYPE" "${P[@]}" -- add "$OWNER" 300 "$R1"
is "$(count 'POST .* 400$')" 1 "cloudflare: ... the API did answer 81058"
ctl faults '[{"status": 400, "code": 81057, "message": "Record already exists.", "method": "POST"}]'
expect_status 0 "cloudflare: add answered 81057 is success" "$TOOL" "$TYPE" "${P[@]}" -- add "$OWNER" 300 "3 1 1 $(printf '%064x' 7)"
ctl faults '[{"status": 404, "code": 81044, "message": "Record does not exist.", "method": "DELETE"}]'
: >"$LOG"
expect_status 0 "cloudflare: a record deleted meanwhile (404, 81044) is success" "$TOOL" "$TYPE" "${P[@]}" -- delete "$OWNER" "$R2"
is "$(count '^DELETE .* 404$')" 1 "cloudflare: ... the DELETE did get 404"
ctl faults '[{"status": 403, "code": 10000, "message": "Authentication error", "method": "POST"}]'
expect_status 3 "cloudflare: a token without DNS Edit (10000) is ERR_INPUT" "$TOOL" "$TYPE" "${P[@]}" -- add "$OWNER" 300 "$R2"
last_has 'lacks DNS Edit permission for zone example.org' "cloudflare: ... saying what to fix"
ctl faults '[]'
expect_status 0 "cloudflare: zone_id skips the zone lookup" "$TOOL" "$TYPE" zone_id=023e105f4ecef8ad9ca31a8372d0c353 \
	"token_file=$TMP/cloudflare.token" "api=http://127.0.0.1:$PORT/client/v4" -- list "$OWNER"
expect_output 'zone example.com. not found' "cloudflare: an unknown zone is named" "$TOOL" "$TYPE" zone=example.com \
	"token_file=$TMP/cloudflare.token" "api=http://127.0.0.1:$PORT/client/v4" -- list _25._tcp.mx.example.com.
expect_output 'Invalid TTL' "cloudflare: a TTL the API refuses is reported" "$TOOL" "$TYPE" "${P[@]}" -- add "$OWNER" 30 "3 1 1 $(printf '%064x' 9)"
expect_status 2 "cloudflare: an api URL that is not http(s) is refused" "$TOOL" "$TYPE" zone=example.org \
	"token_file=$TMP/cloudflare.token" api=ftp://127.0.0.1/ -- list "$OWNER"
expect_status 2 "cloudflare: plain http to another host is refused (the token would travel in clear)" "$TOOL" "$TYPE" \
	zone=example.org "token_file=$TMP/cloudflare.token" api=http://192.0.2.1/client/v4 -- list "$OWNER"
expect_status 2 "cloudflare: ... also to a name that starts with 127." "$TOOL" "$TYPE" \
	zone=example.org "token_file=$TMP/cloudflare.token" api=http://127.example.net/client/v4 -- list "$OWNER"

# -- deSEC
TYPE=desec TOKKEY=token_file AUTHMSG='token rejected or not allowed'
start_mock desec
P=(domain=example.org "token_file=$TMP/desec.token" "api=http://127.0.0.1:$PORT/api/v1" retries=5 timeout=20 backoff_ms=50)
suite '^PATCH '
: >"$LOG"
expect_output 'greater than or equal to 300' "desec: a TTL below minimum_ttl is reported" "$TOOL" "$TYPE" "${P[@]}" -- add "$OWNER" 60 "3 1 1 $(printf '%064x' 9)"
expect_status 3 "desec: ... as ERR_INPUT" "$TOOL" "$TYPE" "${P[@]}" -- add "$OWNER" 60 "3 1 1 $(printf '%064x' 9)"
expect_output 'not in this deSEC account' "desec: an unknown domain is named" "$TOOL" "$TYPE" domain=example.com \
	"token_file=$TMP/desec.token" "api=http://127.0.0.1:$PORT/api/v1" -- list _25._tcp.mx.example.com.
for r in 1 2 3 4 5; do
	"$TOOL" "$TYPE" "${P[@]}" -- delete "$OWNER" "3 1 1 $(printf '%064x' $r)" >/dev/null 2>&1
done
is "$(curl -s -X POST "http://127.0.0.1:$PORT/_control/state")" "{}" "desec: deleting the last record deletes the RRset"

# -- PowerDNS
TYPE=powerdns TOKKEY=api_key_file AUTHMSG='API key rejected'
start_mock powerdns
P=(zone=example.org "api_key_file=$TMP/powerdns.token" "api=http://127.0.0.1:$PORT/api/v1" retries=5 timeout=20 backoff_ms=50)
suite '^PATCH '
expect_output 'zone example.com. or server_id not found' "powerdns: an unknown zone is named" "$TOOL" "$TYPE" zone=example.com \
	"api_key_file=$TMP/powerdns.token" "api=http://127.0.0.1:$PORT/api/v1" -- list _25._tcp.mx.example.com.
expect_status 3 "powerdns: an unknown server_id is ERR_INPUT" "$TOOL" "$TYPE" "${P[@]}" server_id=other -- list "$OWNER"
for r in 1 2 3 4 5; do
	"$TOOL" "$TYPE" "${P[@]}" -- delete "$OWNER" "3 1 1 $(printf '%064x' $r)" >/dev/null 2>&1
done
is "$(curl -s -X POST "http://127.0.0.1:$PORT/_control/state")" "{}" "powerdns: deleting the last record deletes the RRset"

done_testing
