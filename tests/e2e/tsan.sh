#!/usr/bin/env bash
# The resolver's thread (src/dns/ubthread.c) under ThreadSanitizer: the
# main suite runs under AddressSanitizer, which cannot be combined with it,
# so this test builds the two threaded unit tests again with
# -fsanitize=thread in a scratch directory (a few seconds: only their own
# objects) and runs them.  Each passes when every cmocka test passed and
# ThreadSanitizer reported nothing.  ASLR is turned off for the run
# (setarch -R): ThreadSanitizer's fixed memory layout clashes with the
# wide mmap randomisation of recent kernels.
. "$DANEOPS_TOP/tests/lib.sh"

build=$TMP/build-tsan
if ! meson setup "$build" "$DANEOPS_TOP" -Db_sanitize=thread -Dbuildtype=debug \
	>"$TMP/setup.log" 2>&1; then
	fail "meson setup with -Db_sanitize=thread" "$(tail -5 "$TMP/setup.log")"
	done_testing
	exit
fi
check "the threaded unit tests build with ThreadSanitizer" \
	ninja -C "$build" tests/test_dns_ubthread tests/test_dns_resolver

for t in test_dns_ubthread test_dns_resolver; do
	CMOCKA_MESSAGE_OUTPUT=STDOUT TSAN_OPTIONS="halt_on_error=1 exitcode=66" \
		setarch "$(uname -m)" -R "$build/tests/$t" >"$TMP/$t.out" 2>&1
	status=$?
	if [ "$status" = 0 ] && ! grep -q 'ThreadSanitizer' "$TMP/$t.out" &&
		grep -q 'PASSED' "$TMP/$t.out"; then
		pass "$t under ThreadSanitizer: no data race"
	else
		fail "$t under ThreadSanitizer (exit $status)" \
			"$(grep -m1 -A12 -E 'WARNING: ThreadSanitizer|FAILED|FATAL' "$TMP/$t.out")"
	fi
done
done_testing
