#!/usr/bin/env bash
# What daneops loads at startup (src/util/plugin.h): libcurl and GMime are
# in the plugins daneops-http.so and daneops-mime.so, loaded only by the
# runs that use them, so --version, tlsa, check, roll with rfc2136 and
# doctor map neither (the dynamic loader's own log, LD_DEBUG=libs, says
# which libraries it initialised).  The plugins themselves still work from
# daneops (tests/e2e/provider_http.sh and report.sh test the providers and
# ingest in depth; provider_http.sh through tests/provider_tool, which links
# the plugin's code in), a missing plugin is a clear error, and an unsafe
# one is refused.
. "$DANEOPS_TOP/tests/lib.sh"

HEAVY='libcurl|libgmime|libglib|libgobject|libgio|libgnutls|libldap|libgssapi|libssh2|librtmp|libnghttp2|libpsl|libidn2|libgpgme'

# loaded DESC CMD...: the heavy libraries the command had initialised.
loaded() {
	LD_DEBUG=libs "$@" 2>&1 >/dev/null | grep -E 'calling init: ' |
		grep -oE "($HEAVY)[^ /]*" | sort -u | tr '\n' ' '
}
light() {	# light DESC CMD...
	local desc=$1 got; shift
	got=$(loaded "$@")
	is "$got" "" "$desc loads neither libcurl nor GMime"
}

CERT=$DANEOPS_TOP/tests/data/tlsa/ec.crt
cat >"$TMP/rfc2136.conf" <<EOF
[daneops]
state_dir = $TMP/state

[lineage ec]
source_key = $TMP/src/key.pem
source_chain = $TMP/src/chain.pem
deploy_key = $TMP/deploy/key.pem
deploy_chain = $TMP/deploy/chain.pem
tlsa = _25._tcp.mx.example.org
provider = ns

[provider ns]
type = rfc2136
zone = example.org
server = 127.0.0.1@9
retries = 0
timeout = 1
EOF
sed -e 's/^type = rfc2136/type = cloudflare/' -e '/^server\|^retries\|^timeout/d' \
	"$TMP/rfc2136.conf" >"$TMP/cloudflare.conf"

# --- 1. The runs that do not need them do not load them -------------------
light "--version" "$DANEOPS" --version
light "tlsa --help" "$DANEOPS" tlsa --help
light "tlsa of a certificate" "$DANEOPS" tlsa -r 311 "$CERT"
light "check --help" "$DANEOPS" check --help
light "roll plan with an rfc2136 provider" "$DANEOPS" roll plan --config "$TMP/rfc2136.conf"
light "doctor --help" "$DANEOPS" doctor --help
got=$(ldd "$DANEOPS" | grep -cE "$HEAVY")
is "$got" 0 "daneops is not linked with libcurl, GMime or what they pull in"

# The check above can see a library when it is there: ingest loads GMime.
got=$(loaded "$DANEOPS" report ingest --db "$TMP/r.sqlite" \
	--file "$DANEOPS_TOP/tests/data/tlsrpt/google.eml")
case $got in *libgmime*) pass "report ingest loads GMime (from daneops-mime.so)" ;;
*) fail "report ingest loads GMime (from daneops-mime.so)" "got: '$got'" ;; esac

# --- 2. The plugins work from daneops ---------------------------------------
expect_output ': stored ' "report ingest through daneops-mime.so" \
	"$DANEOPS" report ingest --db "$TMP/r2.sqlite" \
	--file "$DANEOPS_TOP/tests/data/tlsrpt/google.eml"
# The cloudflare provider's own check of its parameters: the plugin is in.
expect_output 'cloudflare provider: missing parameter "token_file"' \
	"roll with a cloudflare provider loads daneops-http.so" \
	"$DANEOPS" roll plan --config "$TMP/cloudflare.conf"
got=$(loaded "$DANEOPS" roll plan --config "$TMP/cloudflare.conf")
case $got in *libcurl*) pass "... and with it libcurl" ;;
*) fail "... and with it libcurl" "got: '$got'" ;; esac

# --- 3. Missing, unsafe and foreign plugins --------------------------------
# A copy of daneops with no plugins beside it (none are installed here).
mkdir "$TMP/bin"
cp "$DANEOPS" "$TMP/bin/daneops"
expect_output "the daneops-http plugin is not installed \(tried $TMP/bin/daneops-http.so, /[^ ]*/daneops/daneops-http.so\)" \
	"a missing daneops-http.so is one clear error naming the paths" \
	"$TMP/bin/daneops" roll plan --config "$TMP/cloudflare.conf"
expect_status 75 "ingest without daneops-mime.so: exit 75, the MTA keeps the message" \
	"$TMP/bin/daneops" report ingest --db "$TMP/r3.sqlite" --quarantine "$TMP/q" \
	<"$DANEOPS_TOP/tests/data/tlsrpt/google.eml"
expect_output 'the daneops-mime plugin is not installed' "... and says why" \
	"$TMP/bin/daneops" report ingest --db "$TMP/r3.sqlite" \
	--file "$DANEOPS_TOP/tests/data/tlsrpt/google.eml"
[ ! -e "$TMP/q" ] || [ -z "$(ls -A "$TMP/q")" ]
_tap_result $? "... and quarantines nothing"

cp "$(dirname "$DANEOPS")/daneops-http.so" "$TMP/bin/"
chmod 664 "$TMP/bin/daneops-http.so"
expect_output 'refusing to load a plugin .*writable by no one else' \
	"a group-writable plugin is refused" \
	"$TMP/bin/daneops" roll plan --config "$TMP/cloudflare.conf"
# A module that is not a daneops plugin (GMime's has no entry point).
cp "$(dirname "$DANEOPS")/daneops-mime.so" "$TMP/bin/daneops-http.so"
chmod 644 "$TMP/bin/daneops-http.so"
expect_output 'the daneops-http plugin has no daneops_http_plugin_v1' \
	"a module without the entry point is refused" \
	"$TMP/bin/daneops" roll plan --config "$TMP/cloudflare.conf"
cp "$(dirname "$DANEOPS")/daneops-http.so" "$TMP/bin/"
expect_output 'cloudflare provider: missing parameter "token_file"' \
	"the plugin beside a copied daneops is found" \
	"$TMP/bin/daneops" roll plan --config "$TMP/cloudflare.conf"

done_testing
