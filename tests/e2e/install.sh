#!/usr/bin/env bash
# installed: yes (tests/run: also run against the installed daneops)
# What an installation puts on a mail host (docs/install.md).
# Against the build tree: "meson install" into a scratch DESTDIR, units'
# paths following the prefix, whatis-clean man pages.  Against the
# installed package (tests/run's installed mode): the files, the
# conffile, the daneops user and /var/lib/daneops rights, the plugins
# loaded from the multiarch libdir, the units accepted by
# systemd-analyze verify (no systemd runs as PID 1 here), nothing
# enabled or started, the certbot hook and the example configuration
# harmless.
. "$DANEOPS_TOP/tests/lib.sh"

installed=0
[ -n "${DANEOPS_INSTALLED:-}" ] && [ "$DANEOPS" = "$DANEOPS_INSTALLED" ] && installed=1

# Every man page's NAME parses for whatis/apropos (lintian bad-whatis-entry).
for page in "$DANEOPS_TOP"/man/*.[1-8]; do
	base=$(basename "$page"); name=${base%.*}
	expect_output ": \"$name - " "lexgrog parses the NAME of $base" lexgrog "$page"
done

# In daneops-CMD.1 the default name is daneops-CMD (the NAME line, for
# whatis); a bare .Nm would print that, not the command "daneops CMD".
for page in "$DANEOPS_TOP"/man/daneops-*.1; do
	check "no bare .Nm in $(basename "$page") (write .Nm daneops Cm CMD)" \
		sh -c "! sed 1,6d '$page' | grep -qE '^\.Nm( [^d\"]|\$)'"
done

if [ "$installed" = 0 ]; then
	build=$(cd "$(dirname "$DANEOPS")/.." && pwd)
	prefix=$(meson introspect --buildoptions "$build" |
		python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
	dest=$TMP/dest
	check "meson install into a DESTDIR" env DESTDIR="$dest" meson install -C "$build" --no-rebuild --quiet
	for f in bin/daneops lib/systemd/system/daneops-roll.service lib/systemd/system/daneops-roll.timer \
		lib/systemd/system/daneops-watch.service lib/systemd/system/daneops-watch.timer \
		lib/systemd/system/daneops-digest.service lib/systemd/system/daneops-digest.timer \
		lib/sysusers.d/daneops.conf lib/tmpfiles.d/daneops.conf libexec/daneops/certbot-deploy-hook \
		share/man/man1/daneops-roll.1 share/man/man5/daneops.conf.5; do
		check "installs $prefix/$f" test -f "$dest$prefix/$f"
	done
	check "installs the example /etc/daneops/daneops.conf" test -f "$dest/etc/daneops/daneops.conf"
	check "plugins in the multiarch libdir" sh -c "ls '$dest$prefix'/lib/*/daneops/daneops-http.so '$dest$prefix'/lib/*/daneops/daneops-mime.so"
	check "units run $prefix/bin/daneops (the prefix, not a fixed /usr/bin)" \
		grep -q "^ExecStart=$prefix/bin/daneops roll run\$" "$dest$prefix/lib/systemd/system/daneops-roll.service"
	check "no unit names a path that is not the prefix's" \
		sh -c "! grep -h '^ExecStart=' '$dest$prefix'/lib/systemd/system/*.service | grep -v '=$prefix/bin/daneops '"
	check "the hook runs $prefix/bin/daneops" grep -q "^$prefix/bin/daneops roll run" "$dest$prefix/libexec/daneops/certbot-deploy-hook"
	done_testing
	exit
fi

# --- the installed package -------------------------------------------------
bindir=$(dirname "$DANEOPS")
check "the package is installed" dpkg-query -W daneops
check "daneops --version runs" "$DANEOPS" --version
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
libdir=/usr/lib/$multiarch/daneops
for p in http mime; do
	check "plugin $libdir/daneops-$p.so, 0644" test "$(stat -c %a "$libdir/daneops-$p.so")" = 644
done
# The installed binary loads its plugins from the installed libdir.
LD_DEBUG=files "$DANEOPS" report ingest --db "$TMP/r.sqlite" \
	--file "$DANEOPS_TOP/tests/data/tlsrpt/google.eml" >"$TMP/ld.out" 2>&1
check "report ingest stores a report through the installed daneops-mime.so" grep -q ': stored ' "$TMP/ld.out"
check "... loaded from $libdir" grep -q "file=$libdir/daneops-mime.so" "$TMP/ld.out"
for m in daneops daneops-tlsa daneops-check daneops-roll daneops-report daneops-doctor daneops-survey daneops-watch; do
	expect_output "^$m \(1\) +- " "whatis $m" whatis -l "$m"
done
expect_output '^daneops.conf \(5\)' "whatis daneops.conf" whatis daneops.conf

# Configuration: a conffile that enables nothing.
check "/etc/daneops/daneops.conf is a conffile" \
	sh -c "dpkg-query -W -f='\${Conffiles}' daneops | grep -q ' /etc/daneops/daneops.conf '"
check "the example configuration has no lineage" sh -c "! grep -q '^\[lineage' /etc/daneops/daneops.conf"
expect_status 0 "roll run with the shipped configuration does nothing, exit 0" \
	"$DANEOPS" roll run --config /etc/daneops/daneops.conf
expect_status 0 "the certbot hook exits 0 with the shipped configuration" \
	/usr/libexec/daneops/certbot-deploy-hook
expect_status 0 "... and without any configuration" env DANEOPS_CONFIG="$TMP/none" /usr/libexec/daneops/certbot-deploy-hook
# The hook runs the installed daneops roll on the configuration: its errors
# reach certbot; a busy lock (75: the run in progress takes the renewal) is 0.
mkdir "$TMP/st"
printf '[daneops]\nstate_dir = %s\n[lineage x]\nttl = 2\n' "$TMP/st" >"$TMP/bad.conf"
expect_status 3 "the hook passes roll's error on (exit 3)" env DANEOPS_CONFIG="$TMP/bad.conf" /usr/libexec/daneops/certbot-deploy-hook
cp "$TMP/out" "$TMP/hook.out"
check "... naming the configuration" grep -q "$TMP/bad.conf:3: \[lineage x\]" "$TMP/hook.out"
printf '[daneops]\nstate_dir = %s\n' "$TMP/st" >"$TMP/idle.conf"
# roll's lock is a POSIX (OFD) record lock on byte 0 of roll.lock: hold it.
python3 -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 0)
time.sleep(3)' "$TMP/st/roll.lock" &
sleep 0.5
expect_output 'another run holds the lock' "with the lock held, roll (run by the hook) says so" \
	env DANEOPS_CONFIG="$TMP/idle.conf" /usr/libexec/daneops/certbot-deploy-hook
expect_status 0 "... and the hook exits 0" env DANEOPS_CONFIG="$TMP/idle.conf" /usr/libexec/daneops/certbot-deploy-hook
wait

# The user and the directories (DECISIONS: /var/lib/daneops root 0755,
# tlsrpt daneops 0750).
# shellcheck disable=SC2016
check "system user daneops" sh -c 'id -u daneops >/dev/null && [ "$(id -u daneops)" -lt 1000 ]'
# shellcheck disable=SC2016
check "daneops has no login shell" sh -c 'case $(getent passwd daneops | cut -d: -f7) in */nologin|*/false) ;; *) exit 1 ;; esac'
is "$(stat -c '%U:%G %a' /var/lib/daneops)" "root:root 755" "/var/lib/daneops root:root 0755"
is "$(stat -c '%U:%G %a' /var/lib/daneops/tlsrpt)" "daneops:daneops 750" "/var/lib/daneops/tlsrpt daneops:daneops 0750"
is "$(stat -c '%U:%G %a' /var/lib/daneops/tlsrpt/quarantine)" "daneops:daneops 750" "quarantine daneops:daneops 0750"
check "daneops can write its report directory" runuser -u daneops -- sh -c "touch /var/lib/daneops/tlsrpt/.t && rm /var/lib/daneops/tlsrpt/.t"

# Units: verified, pointing at the installed binary, none enabled or started.
units=(daneops-roll.service daneops-roll.timer daneops-watch.service daneops-watch.timer
	daneops-digest.service daneops-digest.timer)
for u in "${units[@]}"; do
	check "$u installed" test -f "/lib/systemd/system/$u"
done
# verify exits 0 on unknown keys and the like: any output is a failure too.
(cd /lib/systemd/system && systemd-analyze verify --man=no "${units[@]}") >"$TMP/verify" 2>&1
rc=$?
[ "$rc" = 0 ] && [ ! -s "$TMP/verify" ]
_tap_result $? "systemd-analyze verify accepts the units, without a warning" "$TMP/verify"
check "units run $DANEOPS" sh -c "grep -h '^ExecStart=' /lib/systemd/system/daneops-*.service | grep -v '^ExecStart=$bindir/daneops ' | grep -c . | grep -qx 0"
for u in "${units[@]}"; do
	st=$(systemctl is-enabled "$u" 2>/dev/null)
	# A service without [Install] (its timer starts it) is "static".
	case $u:$st in *.timer:disabled | *.service:static) pass "$u is not enabled by the package ($st)" ;;
	*) fail "$u is not enabled by the package" "systemctl is-enabled: $st" ;; esac
done
check "roll's unit keeps /var/lib/daneops traversable (StateDirectoryMode=0755)" \
	grep -qx 'StateDirectoryMode=0755' /lib/systemd/system/daneops-roll.service
check "digest runs as user daneops" grep -qx 'User=daneops' /lib/systemd/system/daneops-digest.service
check "digest: no NoNewPrivileges (sendmail's set-gid postdrop)" sh -c "! grep -q '^NoNewPrivileges=yes' /lib/systemd/system/daneops-digest.service"
check "roll: NoNewPrivileges, ProtectSystem=strict, @system-service" sh -c \
	"grep -qx NoNewPrivileges=yes /lib/systemd/system/daneops-roll.service && grep -qx ProtectSystem=strict /lib/systemd/system/daneops-roll.service && grep -qx SystemCallFilter=@system-service /lib/systemd/system/daneops-roll.service"

done_testing
