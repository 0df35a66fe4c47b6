#!/bin/bash
# exec-hook.sh - a DNS provider for the "exec" provider's tests
# (tests/e2e/provider_exec.sh), following docs/provider-exec.md.
#
# It keeps records in $HOOK_DIR/records ("OWNER U S M HEX" lines), and logs
# its arguments ($HOOK_DIR/argv.log, one call a line), its environment
# ($HOOK_DIR/env.log) and its standard input ($HOOK_DIR/stdin.log), so the
# tests can prove that secrets travel in the environment and never in argv.
# $HOOK_DIR/mode makes it misbehave:
#   temp N    exit 75 with a temporary error the next N calls
#   fail      exit 1 with {"error": ...}
#   hang      start a child that sleeps, then sleep (a timeout must kill both)
#   garbage   exit 0 with output that is not JSON
#   big       exit 0 with 2 MiB of output
set -u
d=${HOOK_DIR:?}
printf '%s\n' "$*" >>"$d/argv.log"
env >>"$d/env.log"
echo "--" >>"$d/env.log"
cat >>"$d/stdin.log"
echo >>"$d/stdin.log"
touch "$d/records"
mode=$(cat "$d/mode" 2>/dev/null || echo ok)
case $mode in
temp\ *)
	n=${mode#temp }
	if [ "$n" -gt 0 ]; then
		echo "temp $((n - 1))" >"$d/mode"
		echo '{"error": "API busy", "temporary": true}'
		exit 75
	fi ;;
fail) echo '{"error": "zone is locked by the registrar"}'; exit 1 ;;
hang) sleep 300 & echo $! >"$d/child.pid"; sleep 300 ;;
garbage) echo 'this is not json'; exit 0 ;;
big) head -c 2097152 /dev/zero | tr '\0' x; exit 0 ;;
esac
action=$1 owner=$2
case $action in
list)
	printf '{"records": ['
	sep=
	while read -r o rec; do
		[ "$o" = "$owner" ] || continue
		printf '%s"%s"' "$sep" "$rec"; sep=,
	done <"$d/records"
	echo ']}' ;;
add)
	grep -qxF "$owner $4" "$d/records" || echo "$owner $4" >>"$d/records"
	echo '{"ok": true}' ;;
delete)
	grep -vxF "$owner $3" "$d/records" >"$d/records.new"
	mv "$d/records.new" "$d/records"
	echo '{"ok": true}' ;;
*) echo "{\"error\": \"unknown action $action\"}"; exit 64 ;;
esac
