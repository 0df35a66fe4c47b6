# tests/lib.sh - TAP helpers for the end-to-end tests (sourced).
#
#   ok COND_CMD... -- DESCRIPTION    is not used; instead:
#   check "description" cmd args...  passes when the command exits 0
#   expect_status N "description" cmd args...
#   expect_output PATTERN "description" cmd args...   (grep -E on stdout+stderr)
#   lab_run cmd...                   runs cmd inside the lab's network namespace
# Call done_testing at the end: it prints the plan.
set -u
: "${DANEOPS:?DANEOPS must name the daneops binary}"
: "${DANEOPS_TOP:?DANEOPS_TOP must name the source tree}"
_tap_n=0
_tap_failed=0
TMP=$(mktemp -d /tmp/daneops-e2e.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

_tap_result() {	# STATUS DESCRIPTION [DIAGNOSTIC-FILE]
	_tap_n=$((_tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_failed=$((_tap_failed + 1))
		[ -n "${3:-}" ] && [ -f "$3" ] && sed 's/^/#   /' "$3" | head -20
	fi
}

# pass/fail by hand, for assertions computed in the script.
pass() { _tap_result 0 "$1"; }
fail() { _tap_result 1 "$1"; [ $# -gt 1 ] && echo "#   $2"; return 0; }
is() {	# GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then _tap_result 0 "$3"
	else _tap_result 1 "$3"; echo "#   got:  '$1'"; echo "#   want: '$2'"; fi
}

check() {
	local desc=$1; shift
	"$@" >"$TMP/out" 2>&1
	_tap_result $? "$desc" "$TMP/out"
}

expect_status() {
	local want=$1 desc=$2 got; shift 2
	"$@" >"$TMP/out" 2>&1
	got=$?
	if [ "$got" = "$want" ]; then _tap_result 0 "$desc"
	else _tap_result 1 "$desc (exit $got, want $want)" "$TMP/out"; fi
}

expect_output() {
	local pat=$1 desc=$2; shift 2
	"$@" >"$TMP/out" 2>&1
	if grep -qE -- "$pat" "$TMP/out"; then _tap_result 0 "$desc"
	else _tap_result 1 "$desc (no match for /$pat/)" "$TMP/out"; fi
}

# The last command's combined output, for further checks.
last_output() { cat "$TMP/out"; }

lab_run() {
	: "${DANEOPS_LAB:?no lab: tests that use lab_run need '# needs: lab'}"
	"$DANEOPS_TOP/lab/lab" exec "$DANEOPS_LAB" "$@"
}

done_testing() {
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ]
}
