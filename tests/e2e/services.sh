#!/usr/bin/env bash
# installed: yes (tests/run: also run against the installed daneops)
# needs: lab
# Setting up the lab leaves the machine's own services as they were
# (issue 16): scripts/services.sh undoes what the packages' postinst
# enabled at boot, shown on a scratch root with real unit files; on this
# machine no unit of a lab package (nor a daneops unit) is enabled that
# was not before scripts/setup first ran, and /etc/resolv.conf is what it
# was then, with the lab running.
. "$DANEOPS_TOP/tests/lib.sh"
. "$DANEOPS_TOP/scripts/services.sh"

# --- 1. The mechanism, on a scratch root ---------------------------------
R=$TMP/root
mkdir -p "$R/etc/systemd/system/multi-user.target.wants" "$R/lib/systemd/system" "$R/etc/rc2.d" "$R/etc/init.d"
units=()
for u in knot.service unbound.service unbound-resolvconf.service nginx.service postfix.service certbot.timer; do
	[ -f "/lib/systemd/system/$u" ] && cp "/lib/systemd/system/$u" "$R/lib/systemd/system/" && units+=("$u")
done
[ -f /lib/systemd/system/certbot.service ] && cp /lib/systemd/system/certbot.service "$R/lib/systemd/system/"
is "${#units[@]}" 6 "the lab packages' unit files are installed (knot, unbound, unbound-resolvconf, nginx, postfix, certbot.timer)"
# Something the machine had enabled before: stays.
cp /lib/systemd/system/nginx.service "$R/lib/systemd/system/mine.service"
ln -s /lib/systemd/system/mine.service "$R/etc/systemd/system/multi-user.target.wants/mine.service"
services_links "$R" >"$TMP/before"
# What the postinst scripts do (deb-systemd-helper enable, update-rc.d defaults).
systemctl --root="$R" enable "${units[@]}" >/dev/null 2>&1
ln -s ../init.d/knot "$R/etc/rc2.d/S01knot"
services_links "$R" >"$TMP/enabled"
check "the packages' postinst enable the units at boot (unbound-resolvconf among them)" \
	grep -q 'unbound.service.wants/unbound-resolvconf.service' "$TMP/enabled"
services_restore "$R" "$TMP/before"
services_links "$R" >"$TMP/after"
check "services_restore: exactly the links of before, no more, no less" diff "$TMP/before" "$TMP/after"

# --- 2. This machine -------------------------------------------------------
record=/var/lib/daneops-setup
check "scripts/setup recorded the services enabled before it first ran" test -s "$record/enabled-before"
# The units of the packages scripts/packages.txt installs, and daneops's.
mapfile -t pkgs < <(grep -v '^[[:space:]]*\(#\|$\)' "$DANEOPS_TOP/scripts/packages.txt")
dpkg -L "${pkgs[@]}" daneops 2>/dev/null | grep -E '^/(usr/)?lib/systemd/system/[^/]+\.(service|timer|socket|path)$' |
	xargs -rn1 basename | sort -u >"$TMP/lab-units"
check "the lab packages ship units (knot.service among them)" grep -qx knot.service "$TMP/lab-units"
services_links / | LC_ALL=C comm -13 "$record/enabled-before" - >"$TMP/new-links"
bad=$(while read -r l; do u=${l##*/}; grep -qx "$u" "$TMP/lab-units" && echo "$l"; done <"$TMP/new-links")
is "$bad" "" "no lab (or daneops) unit is enabled at boot that was not before setup"
hook=etc/systemd/system/unbound.service.wants/unbound-resolvconf.service
if grep -qx "$hook" "$record/enabled-before"; then
	pass "unbound-resolvconf: enabled before setup first ran, left so"
elif [ -e "/$hook" ] || [ -L "/$hook" ]; then
	fail "no unbound-resolvconf hook enabled by setup"
else
	pass "no unbound-resolvconf hook enabled by setup"
fi
{ readlink /etc/resolv.conf || true; sha256sum </etc/resolv.conf 2>/dev/null || true; } >"$TMP/resolv-now"
check "/etc/resolv.conf is as before setup, with the lab running" diff "$record/resolv.conf-before" "$TMP/resolv-now"
check "the lab is running (this suite needs it)" test -e "$DANEOPS_LAB/env"

done_testing
