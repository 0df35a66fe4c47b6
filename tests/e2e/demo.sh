#!/usr/bin/env bash
# The README's first command, scripts/demo, runs to the end on its own lab
# and shows the published records coming back secure.
. "$DANEOPS_TOP/tests/lib.sh"

before=$(ip netns list | grep -c '^daneops-' || true)
"$DANEOPS_TOP/scripts/demo" >"$TMP/demo.out" 2>&1
status=$?
is "$status" 0 "scripts/demo exits 0"
[ "$status" = 0 ] || sed 's/^/#   /' "$TMP/demo.out" | tail -30
check "the demo publishes records over RFC 2136" grep -q "update accepted" "$TMP/demo.out"
check "the demo shows the records validated as secure" grep -q "^.*secure.*: the records validate" "$TMP/demo.out"
check "the demo's records include 3 1 1 for mx1" grep -qE "_25\._tcp\.mx1\.dane\.test\..*TLSA 3 1 1 [0-9a-f]{64}" "$TMP/demo.out"
after=$(ip netns list | grep -c '^daneops-' || true)
is "$after" "$before" "the demo leaves no lab namespace behind"

done_testing
