#!/usr/bin/env bash
# installed: yes (tests/run: also run against the installed daneops)
# The README's first command, scripts/demo, runs to the end on its own lab:
# it shows the published records coming back secure, then a full key
# rollover with daneops roll (a renewal with a new key, a lagging second
# authoritative server), with daneops check passing before, during and
# after, and leaves no lab behind.
. "$DANEOPS_TOP/tests/lib.sh"

# In tests/run's installed mode the demo runs the installed daneops.
[ "${DANEOPS_INSTALLED:-}" = "$DANEOPS" ] && export DANEOPS_DEMO_BIN=$DANEOPS
"$DANEOPS_TOP/scripts/demo" >"$TMP/demo.out" 2>&1
status=$?
is "$status" 0 "scripts/demo exits 0"
[ "$status" = 0 ] || sed 's/^/#   /' "$TMP/demo.out" | tail -30
out=$TMP/demo.out
want_bin=${DANEOPS_DEMO_BIN:-$DANEOPS_TOP/build/src/daneops}
check "the demo runs $want_bin" grep -qx "daneops: $want_bin" "$out"
check "the demo publishes records over RFC 2136" grep -q "update accepted" "$out"
check "the demo shows the records validated as secure" grep -q "^.*secure.*: the records validate" "$out"
check "the demo's records include 3 1 1 for mx1" grep -qE "_25\._tcp\.mx1\.dane\.test\..*TLSA 3 1 1 [0-9a-f]{64}" "$out"

# The rollover, in the order the demo must show it.
# line PATTERN: the number of the first line matching PATTERN (grep -E), or 0
line() { grep -nE -m1 -- "$1" "$out" | cut -d: -f1 | grep . || echo 0; }
before=$(line 'check passed BEFORE the rollover')
issued=$(line 'ACME client \(simulated.*\(new key\)')
waits=$(line 'still waiting for ns2')
during1=$(line 'check passed DURING the rollover \(ns2 lagging\)')
transfer=$(line 'zone transfer: ns2')
hold=$(line 'wait until 20[0-9T:-]+Z: new key [0-9a-f]+: its records are served everywhere; waiting')
during2=$(line 'check passed DURING the rollover \(old key still live')
deploy=$(line 'done: deploy: new key')
verify=$(line 'done: verify: every endpoint')
retire=$(line 'done: delete _25\._tcp\.mx\.roll\.test\. 3 1 1 [0-9a-f]{64}')
after=$(line 'check passed AFTER the rollover')
for v in before issued waits during1 hold during2 deploy verify retire after; do
	[ "${!v}" != 0 ] && pass "demo output: $v" || fail "demo output: $v" "no such line"
done
[ "$transfer" != 0 ] && pass "demo output: a zone transfer to ns2" || fail "demo output: a zone transfer to ns2"
ordered() {	# N... in increasing order, none 0
	local prev=0 n
	for n; do [ "$n" -gt "$prev" ] || return 1; prev=$n; done
}
ordered "$before" "$issued" "$waits" "$during1" "$hold" "$during2" "$deploy" "$verify" "$retire" "$after" &&
	pass "check before, new key waits for ns2, check during, hold, check during, deploy, verify, retire, check after" ||
	fail "check before, new key waits for ns2, check during, hold, check during, deploy, verify, retire, check after" \
		"lines $before $issued $waits $during1 $hold $during2 $deploy $verify $retire $after"
check "the demo reports the rollover complete" grep -q "rollover complete" "$out"
old=$(grep -oE -m1 'done: delete _25\._tcp\.mx\.roll\.test\. 3 1 1 [0-9a-f]{64}' "$out" | awk '{ print $NF }')
# (the section's last line, "rollover complete: key OLD -> NEW", names it on purpose)
sed -n '/^==> After the rollover/,/^==> Stopping/p' "$out" | grep -v '^rollover complete' >"$TMP/after.out"
[ -n "$old" ] && [ -s "$TMP/after.out" ] && ! grep -q "${old:0:16}" "$TMP/after.out" &&
	pass "after the rollover neither roll status nor check shows the old record" ||
	fail "after the rollover neither roll status nor check shows the old record" "old: ${old:-?}"
grep -E '^done in [0-9]+ s' "$out" | sed 's/^/# demo: /'

# Only the demo's own namespace: other labs may run at the same time.
netns=$(grep -oE -m1 'netns daneops-[0-9a-f]+' "$out" | cut -d' ' -f2)
[ -n "$netns" ] && pass "the demo names its lab's namespace" || fail "the demo names its lab's namespace"
if [ -n "$netns" ] && ! ip netns list | grep -q "^$netns\b" && [ ! -e "/etc/netns/$netns" ]; then
	pass "the demo leaves no lab namespace behind"
else
	fail "the demo leaves no lab namespace behind" "$netns"
fi

done_testing
