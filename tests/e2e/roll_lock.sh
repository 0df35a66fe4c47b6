#!/usr/bin/env bash
# The roll lock with the real binary (no lab: the lineage's exec provider
# fails after a moment, so each run holds the lock briefly and touches
# nothing else).  Checked: 25 pairs of "roll run" started together - the
# refused one exits 75 naming the pid of the other, never "an unknown
# process" or a dead run; the lock file is empty between runs; a planted
# symlink, a lock file others may write and a directory others may write
# are refused and nothing is written through them.
. "$DANEOPS_TOP/tests/lib.sh"

mkdir -p "$TMP/state"
chmod 700 "$TMP/state"
cat >"$TMP/prov.sh" <<'EOF'
#!/bin/sh
# holds the run for a moment, then fails: the run ends (exit 3)
sleep 0.3
echo '{"error": "test provider: no records here", "temporary": false}'
exit 1
EOF
chmod 755 "$TMP/prov.sh"
conf() {
	cat >"$TMP/roll.conf" <<-EOF
	[daneops]
	state_dir = $TMP/state
	lock_file = $1

	[lineage l]
	source_key = $TMP/none.key
	source_chain = $TMP/none.pem
	deploy_key = $TMP/deploy.key
	deploy_chain = $TMP/deploy.pem
	tlsa = _25._tcp.mx.example.org
	provider = p

	[provider p]
	type = exec
	command = $TMP/prov.sh
	zone = example.org
	retries = 0
	EOF
}
conf "$TMP/state/roll.lock"

expect_status 3 "a run alone takes the lock (and fails in the provider)" \
	"$DANEOPS" roll run --config "$TMP/roll.conf"
last_output | grep -q 'test provider: no records here' && pass "...the provider's error" ||
	fail "...the provider's error" "$(last_output)"
is "$(stat -c %s "$TMP/state/roll.lock")" 0 "the lock file is empty after the run"

# --- pairs started together
refused=0 bad=0
for i in $(seq 1 25); do
	"$DANEOPS" roll run --config "$TMP/roll.conf" >"$TMP/a.out" 2>&1 &
	a=$!
	"$DANEOPS" roll run --config "$TMP/roll.conf" >"$TMP/b.out" 2>&1 &
	b=$!
	wait "$a"; ra=$?
	wait "$b"; rb=$?
	for who in a b; do
		if [ "$who" = a ]; then rc=$ra other=$b; else rc=$rb other=$a; fi
		[ "$rc" = 75 ] || continue
		refused=$((refused + 1))
		grep -q "another run holds the lock (pid $other started " "$TMP/$who.out" || {
			bad=$((bad + 1))
			echo "# pair $i: $who (exit 75) did not name pid $other: $(cat "$TMP/$who.out")"
		}
	done
	[ -s "$TMP/state/roll.lock" ] && { bad=$((bad + 1)); echo "# pair $i: lock file not cleared"; }
done
is "$bad" 0 "every refused run named the run that held the lock; the line cleared after each"
[ "$refused" -ge 10 ] && pass "the runs did race ($refused of 25 pairs refused one)" ||
	fail "the runs did race ($refused of 25 pairs refused one)"

# --- a planted symlink: refused, its target untouched
echo "precious" >"$TMP/precious"
ln -s "$TMP/precious" "$TMP/state/link.lock"
conf "$TMP/state/link.lock"
expect_status 3 "a symlinked lock file is refused (exit 3)" "$DANEOPS" roll run --config "$TMP/roll.conf"
last_output | grep -q "link.lock: refused: the lock file is a symbolic link" &&
	pass "...saying so" || fail "...saying so" "$(last_output)"
is "$(cat "$TMP/precious")" "precious" "the symlink's target is untouched"
expect_status 3 "roll newkey refuses it too" "$DANEOPS" roll newkey l --config "$TMP/roll.conf"

# --- a lock file others may write, a directory others may write
conf "$TMP/state/roll.lock"
chmod 666 "$TMP/state/roll.lock"
expect_output 'refused: the lock file must be a regular file owned by uid' \
	"a lock file others may write is refused" "$DANEOPS" roll run --config "$TMP/roll.conf"
chmod 600 "$TMP/state/roll.lock"
mkdir -p "$TMP/shared"
chmod 1777 "$TMP/shared"
conf "$TMP/shared/roll.lock"
expect_output 'shared/roll.lock: refused: its directory .* can be written by others' \
	"a lock file in a directory others may write is refused" "$DANEOPS" roll run --config "$TMP/roll.conf"
[ -e "$TMP/shared/roll.lock" ] && fail "nothing is created there" || pass "nothing is created there"
done_testing
