#!/usr/bin/env bash
# The "exec" DNS provider end to end, with tests/data/provider/exec-hook.sh
# as the external command: list/add/delete and idempotency, the request on
# standard input, the secret in the environment and never in argv, exit 75
# retried then success, temporary failures past the retries (ERR_TEMP),
# permanent failures, a hanging command killed with its children at the
# timeout, output that is not JSON or too big, and bad parameters.
. "$DANEOPS_TOP/tests/lib.sh"

TOOL=$(dirname "$DANEOPS")/../tests/provider_tool
HOOK=$DANEOPS_TOP/tests/data/provider/exec-hook.sh
OWNER=_25._tcp.mx.example.org.
R1="3 1 1 $(printf '%064x' 1)"
R2="3 1 1 $(printf '%064x' 2)"
export HOOK_DIR=$TMP/hook
mkdir -p "$HOOK_DIR"
SECRET=s3cr3t-$RANDOM$RANDOM$RANDOM
(umask 077 && echo "$SECRET" >"$TMP/secret")
P=("command=$HOOK" "secret_file=$TMP/secret" zone=example.org retries=3 timeout=10 backoff_ms=50)

expect_status 0 "exec: list of an empty owner" "$TOOL" exec "${P[@]}" -- list "$OWNER"
is "$(last_output)" "" "exec: nothing listed"
expect_status 0 "exec: add" "$TOOL" exec "${P[@]}" -- add "$OWNER" 300 "$R1"
expect_status 0 "exec: add again" "$TOOL" exec "${P[@]}" -- add "$OWNER" 300 "$R1"
expect_status 0 "exec: add a second" "$TOOL" exec "${P[@]}" -- add "$OWNER" 300 "$R2"
expect_status 0 "exec: list" "$TOOL" exec "${P[@]}" -- list "$OWNER"
is "$(last_output | sort | tr '\n' ,)" "$R1,$R2," "exec: both records listed once"
expect_status 0 "exec: delete" "$TOOL" exec "${P[@]}" -- delete "$OWNER" "$R1"
expect_status 0 "exec: delete again" "$TOOL" exec "${P[@]}" -- delete "$OWNER" "$R1"
expect_status 0 "exec: list after delete" "$TOOL" exec "${P[@]}" -- list "$OWNER"
is "$(last_output)" "$R2" "exec: the other record is untouched"

# What the command was given.
grep -qF "add $OWNER 300 $R1" "$HOOK_DIR/argv.log" && pass "exec: add gets ACTION OWNER TTL RECORD as arguments" ||
	fail "exec: add gets ACTION OWNER TTL RECORD as arguments" "$(head -3 "$HOOK_DIR/argv.log")"
grep -qF "{\"action\":\"delete\",\"owner\":\"$OWNER\",\"zone\":\"example.org.\",\"record\":\"$R1\"}" \
	"$HOOK_DIR/stdin.log" && pass "exec: the request is on standard input as JSON" ||
	fail "exec: the request is on standard input as JSON" "$(head -3 "$HOOK_DIR/stdin.log")"
grep -qx "DANEOPS_SECRET=$SECRET" "$HOOK_DIR/env.log" && pass "exec: the secret is in the environment" ||
	fail "exec: the secret is in the environment"
grep -qx "DANEOPS_ZONE=example.org." "$HOOK_DIR/env.log" && pass "exec: DANEOPS_ZONE is set" ||
	fail "exec: DANEOPS_ZONE is set"
if grep -qF "$SECRET" "$HOOK_DIR/argv.log" "$HOOK_DIR/stdin.log"; then
	fail "exec: the secret is never in argv or on stdin"
else pass "exec: the secret is never in argv or on stdin"; fi

# Failures.
echo "temp 2" >"$HOOK_DIR/mode"
: >"$HOOK_DIR/argv.log"
expect_status 0 "exec: exit 75 twice, then success" "$TOOL" exec "${P[@]}" -- add "$OWNER" 300 "$R1"
is "$(wc -l <"$HOOK_DIR/argv.log")" 3 "exec: ... in three runs"
echo "temp 9" >"$HOOK_DIR/mode"
expect_status 75 "exec: exit 75 past the retries is ERR_TEMP" "$TOOL" exec "${P[@]}" -- list "$OWNER"
if grep -qE 'API busy.*retries exhausted' "$TMP/out"; then pass "exec: ... with the command's reason"
else fail "exec: ... with the command's reason" "$(cat "$TMP/out")"; fi
echo fail >"$HOOK_DIR/mode"
: >"$HOOK_DIR/argv.log"
expect_status 3 "exec: another exit status is permanent (ERR_INPUT)" "$TOOL" exec "${P[@]}" -- add "$OWNER" 300 "$R1"
is "$(wc -l <"$HOOK_DIR/argv.log")" 1 "exec: ... and not retried"
echo hang >"$HOOK_DIR/mode"
SECONDS=0
expect_status 75 "exec: a command that hangs is killed at the timeout" "$TOOL" exec "${P[@]/timeout=*/timeout=2}" -- list "$OWNER"
[ "$SECONDS" -lt 5 ] && pass "exec: ... in time" || fail "exec: ... in time" "took $SECONDS s"
sleep 0.2
# (a zombie waiting for a reaper counts as dead)
child=$(cat "$HOOK_DIR/child.pid")
if [ -r "/proc/$child/stat" ] && ! awk '{ exit $3 == "Z" ? 0 : 1 }' "/proc/$child/stat"; then
	fail "exec: ... with its children (process group)"
	kill "$child"
else pass "exec: ... with its children (process group)"; fi
echo garbage >"$HOOK_DIR/mode"
expect_status 3 "exec: output that is not JSON is an error" "$TOOL" exec "${P[@]}" -- list "$OWNER"
echo big >"$HOOK_DIR/mode"
expect_status 3 "exec: more output than the cap is an error" "$TOOL" exec "${P[@]}" -- list "$OWNER"
echo ok >"$HOOK_DIR/mode"

# Parameters.
expect_status 2 "exec: a relative command is refused" "$TOOL" exec command=exec-hook.sh -- list "$OWNER"
expect_output 'cannot|No such file' "exec: a missing command is named" "$TOOL" exec command=/nonexistent/hook -- list "$OWNER"
cp "$TMP/secret" "$TMP/open-secret"; chmod 640 "$TMP/open-secret"
expect_output 'open-secret: secret file is accessible to group or others' "exec: a readable secret file is refused" \
	"$TOOL" exec "command=$HOOK" "secret_file=$TMP/open-secret" -- list "$OWNER"
expect_status 2 "exec: an unknown parameter is a usage error" "$TOOL" exec "${P[@]}" token_file=x -- list "$OWNER"
expect_status 0 "exec: no secret_file is fine" "$TOOL" exec "command=$HOOK" -- list "$OWNER"

done_testing
