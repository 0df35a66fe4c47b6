#!/usr/bin/env bash
# daneops report and the files it is given: summary and digest only read
# (no schema, no WAL switched on in a file they are handed; a directory or
# another SQLite file is a clear error, exit 3); ingest refuses symlinks,
# directories every user may write, and creating a database that the
# directory's owner could not write (root making one for the daneops user);
# quarantine files are never written through a planted symlink.
. "$DANEOPS_TOP/tests/lib.sh"
D=$DANEOPS_TOP/tests/data/tlsrpt
chmod 755 "$TMP"
# said PATTERN DESC: the output of the command just run matches PATTERN.
said() { cp "$TMP/out" "$TMP/said"; expect_output "$1" "$2" cat "$TMP/said"; }

# --- summary and digest only read
mkdir "$TMP/dir.sqlite"
expect_status 3 "summary --db DIR exits 3 (the man page's 'unusable database')" \
	"$DANEOPS" report summary --db "$TMP/dir.sqlite"
said 'not a regular file' "...and says why"
sqlite3 "$TMP/other.sqlite" 'CREATE TABLE t (x); INSERT INTO t VALUES (1);'
sum0=$(sha256sum <"$TMP/other.sqlite")
expect_status 3 "summary of another SQLite file exits 3" \
	"$DANEOPS" report summary --db "$TMP/other.sqlite"
said 'not a daneops report database' "...and says it is not a report database"
is "$(sha256sum <"$TMP/other.sqlite")" "$sum0" "...and leaves the file byte for byte as it was"
is "$(sqlite3 "$TMP/other.sqlite" 'PRAGMA journal_mode')" delete "...not switched to WAL"
is "$(sqlite3 "$TMP/other.sqlite" "SELECT group_concat(name) FROM sqlite_master")" t "...no schema added"
expect_status 3 "digest of another SQLite file exits 3" \
	"$DANEOPS" report digest --db "$TMP/other.sqlite" --alert-to a@example.org --sendmail /bin/false
is "$(sha256sum <"$TMP/other.sqlite")" "$sum0" "...unchanged by digest either"
: >"$TMP/empty.sqlite"
expect_status 3 "summary of an empty file exits 3" \
	"$DANEOPS" report summary --db "$TMP/empty.sqlite"
is "$(stat -c %s "$TMP/empty.sqlite")" 0 "...and leaves it empty"

# A real database: summary works on a read-only copy (no write needed).
"$DANEOPS" report ingest --db "$TMP/db.sqlite" --file "$D/google.eml" >/dev/null
sqlite3 "$TMP/db.sqlite" 'PRAGMA journal_mode=DELETE' >/dev/null
chmod 444 "$TMP/db.sqlite"
expect_output '^TLS reports: 1;' "summary reads a database it may not write" \
	"$DANEOPS" report summary --db "$TMP/db.sqlite"
is "$(sqlite3 "$TMP/db.sqlite" 'PRAGMA journal_mode')" delete "...and leaves its journal mode"

# --- ingest: symlinks and shared directories
ln -s "$TMP/db.sqlite" "$TMP/link.sqlite"
expect_status 3 "ingest --file into a symlinked database: refused, exit 3" \
	"$DANEOPS" report ingest --db "$TMP/link.sqlite" --file "$D/microsoft.eml"
said 'symbolic link' "...saying it is a symlink"
expect_status 3 "summary of a symlinked database: refused" \
	"$DANEOPS" report summary --db "$TMP/link.sqlite"
mkdir "$TMP/open"
chmod 777 "$TMP/open"
expect_status 3 "ingest into a directory every user may write: refused" \
	"$DANEOPS" report ingest --db "$TMP/open/db" --file "$D/google.eml"
said 'writable by other users' "...saying so"
check "...and nothing was created there" test ! -e "$TMP/open/db"
expect_status 75 "the pipe (stdin) keeps the mail queued instead: exit 75" \
	"$DANEOPS" report ingest --db "$TMP/open/db" --quarantine "$TMP/q" <"$D/google.eml"
mkdir -m 1777 "$TMP/sticky"
chmod 1777 "$TMP/sticky"
expect_status 3 "...also a sticky one like /tmp" \
	"$DANEOPS" report ingest --db "$TMP/sticky/db" --file "$D/google.eml"
mkdir -m 770 "$TMP/grp"
expect_status 3 "...and one its group may write" \
	"$DANEOPS" report ingest --db "$TMP/grp/db" --file "$D/google.eml"

# --- ingest does not create a database another user could not share
# user_bin USER: the binary as USER can run it: in place, or copied with its
# plugins (found next to it) when USER cannot reach the build tree (a
# checkout below /root).
user_bin() {
	if runuser -u "$1" -- test -x "$DANEOPS"; then echo "$DANEOPS"; return; fi
	mkdir -p "$TMP/bin"
	cp "$DANEOPS" "$TMP/bin/"
	cp "$(dirname "$DANEOPS")"/daneops-*.so "$TMP/bin/" 2>/dev/null
	chmod -R a+rX "$TMP/bin"
	echo "$TMP/bin/daneops"
}
if [ "$(id -u)" = 0 ]; then
	NB=$(user_bin nobody)
	mkdir "$TMP/theirs"
	chown nobody "$TMP/theirs"
	expect_status 3 "root creating a database in a directory of another user: refused" \
		"$DANEOPS" report ingest --db "$TMP/theirs/tlsrpt.sqlite" --file "$D/google.eml"
	said 'belongs to nobody.*runuser -u nobody' "...naming the owner and how to run it"
	check "...and no database was made" test ! -e "$TMP/theirs/tlsrpt.sqlite"
	expect_status 75 "...the same from the pipe: 75, the MTA keeps the mail" \
		"$DANEOPS" report ingest --db "$TMP/theirs/tlsrpt.sqlite" --quarantine "$TMP/q" <"$D/google.eml"
	check "the owner creates it" runuser -u nobody -- "$NB" report ingest \
		--db "$TMP/theirs/tlsrpt.sqlite" --file "$D/google.eml"
	expect_status 0 "then root may add to it" \
		"$DANEOPS" report ingest --db "$TMP/theirs/tlsrpt.sqlite" --file "$D/microsoft.eml"
	is "$(stat -c %U "$TMP"/theirs/tlsrpt.sqlite*  | sort -u)" nobody \
		"...and every file of the database still belongs to the owner"
	check "...who can still write it" runuser -u nobody -- "$NB" report ingest \
		--db "$TMP/theirs/tlsrpt.sqlite" --file "$D/bare-gzip.eml"
	# A database file planted by a third user in root's directory.
	mkdir -m 755 "$TMP/mine"
	cp "$TMP/theirs/tlsrpt.sqlite" "$TMP/mine/tlsrpt.sqlite"
	chown nobody "$TMP/mine/tlsrpt.sqlite"
	expect_status 3 "a database file another user put in our directory: refused" \
		"$DANEOPS" report ingest --db "$TMP/mine/tlsrpt.sqlite" --file "$D/octet-stream.eml"
	said 'belongs to uid [0-9]+, neither us nor the directory' "...saying whose it is"
else
	fail "this test needs root (chown, runuser)"
fi

# --- the quarantine: no symlinks, no directory others may write
mkdir -m 700 "$TMP/qtarget"
ln -s "$TMP/qtarget" "$TMP/qlink"
expect_status 75 "a quarantine that is a symlink: refused, exit 75 (the MTA keeps the mail)" \
	"$DANEOPS" report ingest --db "$TMP/q.sqlite" --quarantine "$TMP/qlink" <"$D/no-report.eml"
is "$(find "$TMP/qtarget" -type f | wc -l)" 0 "...nothing written through it"
mkdir -m 777 "$TMP/qopen"
chmod 777 "$TMP/qopen"
expect_status 75 "a quarantine others may write: refused, exit 75" \
	"$DANEOPS" report ingest --db "$TMP/q.sqlite" --quarantine "$TMP/qopen" <"$D/no-report.eml"
said 'writable by nobody else' "...saying why"
is "$(find "$TMP/qopen" -type f | wc -l)" 0 "...nothing written there"

done_testing
