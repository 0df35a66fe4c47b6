#!/usr/bin/env bash
# Documentation: every man page lints clean; --help of each command works
# and mentions each option its man page documents.
. "$DANEOPS_TOP/tests/lib.sh"
cd "$DANEOPS_TOP"

for page in man/*.[1-8]; do
	check "mandoc -Tlint clean: $page" mandoc -Tlint -W warning "$page"
done

expect_status 0 "daneops --help exits 0" "$DANEOPS" --help
expect_output '^daneops [0-9]' "daneops --version names the version" "$DANEOPS" --version
expect_status 2 "an unknown command is a usage error" "$DANEOPS" frobnicate
expect_status 2 "no command is a usage error" "$DANEOPS"

# Every command listed by --help has a man page and a working --help.
for cmd in $("$DANEOPS" --help | awk '/^commands:/{f=1;next} f&&!NF{exit} f{print $1}'); do
	check "man page exists for $cmd" test -f "man/daneops-$cmd.1"
	expect_status 0 "daneops $cmd --help exits 0" "$DANEOPS" "$cmd" --help
	# each long option in the usage text is documented in the man page
	missing=""
	for opt in $("$DANEOPS" "$cmd" --help 2>&1 | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
		# mdoc writes --host as ".Fl \-host" (or "Fl -host")
		grep -qE -- "Fl (\\\\)?-${opt#--}([^a-z0-9-]|\$)" "man/daneops-$cmd.1" || missing="$missing $opt"
	done
	is "$missing" "" "every option in 'daneops $cmd --help' is in its man page"
done

# The README opens with the two set-up commands in a code block.
check "README opens with a code block" sh -c 'head -n 20 README.md | grep -q "^\`\`\`"'

done_testing
