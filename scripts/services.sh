# shellcheck shell=bash
# scripts/services.sh - sourced by scripts/setup (and tests/e2e/services.sh):
# keep the machine's boot-time services as they were when packages are
# installed.  Debian's postinst scripts enable the units of a newly
# installed service (knot, unbound with unbound-resolvconf, nginx,
# postfix, certbot.timer ...) through *.wants symlinks and rc?.d links;
# setup records those links before apt-get and disables what appeared.
#
#   services_links ROOT          the enabling links under ROOT, one a line
#   services_restore ROOT BEFORE disable/remove every link not in the file
#                                BEFORE (output of services_links)
# ROOT is / on the machine, a scratch tree in the test.

services_links() {
	local root=${1%/}
	( cd "$root/" 2>/dev/null && find etc/systemd/system etc/rc0.d etc/rc1.d etc/rc2.d \
		etc/rc3.d etc/rc4.d etc/rc5.d etc/rc6.d etc/rcS.d -type l 2>/dev/null |
		grep -E '^etc/systemd/system/.*\.(wants|requires)/|^etc/rc.\.d/' | LC_ALL=C sort )
}

services_restore() {
	local root=${1%/} before=$2 link unit
	local -a units=() new=()
	mapfile -t new < <(services_links "$root" | LC_ALL=C comm -13 "$before" -)
	for link in "${new[@]}"; do
		case $link in
		etc/systemd/system/*) unit=${link##*/}; units+=("$unit") ;;
		esac
	done
	# systemctl edits the links offline (no running systemd needed) and
	# turns the rc?.d S links of a unit's init script into K links.
	if [ ${#units[@]} -gt 0 ] && command -v systemctl >/dev/null; then
		mapfile -t units < <(printf '%s\n' "${units[@]}" | sort -u)
		systemctl --root="${root:-/}" --no-reload disable "${units[@]}" >/dev/null 2>&1 || true
	fi
	# Whatever is still new (links systemctl left, rc?.d links it made):
	# remove, so the machine boots exactly as before.
	services_links "$root" | LC_ALL=C comm -13 "$before" - | while read -r link; do
		rm -f "$root/$link"
	done
}
