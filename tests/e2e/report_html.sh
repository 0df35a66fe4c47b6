#!/usr/bin/env bash
# tests/e2e/report_html.sh - "daneops report summary --by" and "daneops
# report html", the page checked in a real browser.
#
# Reports over three days, three policy types, several result types and
# MX hosts (one sender writing HTML into its fields) are ingested; then:
#  1. summary --by day|mx|policy|result|receiving-mx, text and JSON, whose
#     totals must equal those of the plain "report summary --json" (a
#     separate code path, src/report/summary.c) and of the reports;
#  2. the page is self-contained: no script, no URL to fetch, a CSP of
#     default-src 'none', the hostile fields escaped;
#  3. headless Chromium (Debian's chromium, as an unprivileged user) loads
#     it from a file with no console message at all, and the DOM it
#     rendered holds, for every chart, one bar per row whose numbers (data
#     attributes and the <title> shown on hover) and whose table row equal
#     "report summary --by ... --json"; a screenshot shows the charts drew.
. "$DANEOPS_TOP/tests/lib.sh"

DB=$TMP/r.sqlite
python3 "$DANEOPS_TOP/tests/data/report-series.py" "$TMP"
files=()
for f in "$TMP"/r*.json; do files+=(--file "$f"); done
check "ingest five reports" "$DANEOPS" report ingest --db "$DB" "${files[@]}"

# --- 1. summary --by -----------------------------------------------------------
for by in day mx policy result receiving-mx; do
	check "summary --by $by --json" "$DANEOPS" report summary --db "$DB" --by "$by" --json
	cp "$TMP/out" "$TMP/by-$by.json"
done
is "$(jq -c '[.rows[] | [.key, .successful, .failed]]' "$TMP/by-day.json")" \
	'[["2026-11-27",350,14],["2026-11-28",280,0],["2026-11-29",13,4]]' "by day: the sessions of each day"
is "$(jq -c '[.rows[] | [.key, .successful, .failed]]' "$TMP/by-policy.json")" \
	'[["no-policy-found",12,1],["sts",580,5],["tlsa",51,12]]' "by policy: each policy type"
is "$(jq -c '[.rows[] | [.key, .failed]]' "$TMP/by-result.json")" \
	'[["tlsa-invalid",10],["certificate-expired",5],["dnssec-invalid",2],["starttls-not-supported",1]]' \
	"by result: failures per result type, most first"
is "$(jq -c '[.rows[] | [.key, .failed]]' "$TMP/by-receiving-mx.json")" \
	"[[\"mx1.example.org\",12],[\"<b>x&y</b>'\\\"?\",3],[\"mx2.example.org\",3]]" \
	"by receiving-mx: failures per receiving MX host"
"$DANEOPS" report summary --db "$DB" --json >"$TMP/plain.json"
for by in day mx policy; do
	is "$(jq -c '[.reports, .successful, .failed]' "$TMP/by-$by.json")" \
		"$(jq -c '[.reports, ([.rows[].successful] | add), .failed]' "$TMP/plain.json")" \
		"by $by: totals equal the plain summary's"
done
is "$(jq .failed "$TMP/by-result.json")" "$(jq .failed "$TMP/plain.json")" "by result: total failures equal"
"$DANEOPS" report summary --db "$DB" --by day >"$TMP/by-day.txt" 2>&1
expect_output '^2026-11-28 +280 +0$' "by day, text: one line a day" cat "$TMP/by-day.txt"
expect_output '^total +643 +18$' "by day, text: the total" cat "$TMP/by-day.txt"
expect_status 2 "--by week: usage" "$DANEOPS" report summary --db "$DB" --by week
expect_status 2 "summary --out: usage" "$DANEOPS" report summary --db "$DB" --out "$TMP/x"
expect_status 2 "html --json: usage" "$DANEOPS" report html --db "$DB" --json
expect_status 3 "html without a database: exit 3" "$DANEOPS" report html --db "$TMP/none.sqlite"

# --- 2. the page, as a file ------------------------------------------------------
mkdir -p "$TMP/web"
check "report html --out FILE" "$DANEOPS" report html --db "$DB" --out "$TMP/web/page.html"
PAGE=$TMP/web/page.html
"$DANEOPS" report html --db "$DB" >"$TMP/stdout.html"
is "$(sed 's/on [0-9-]* [0-9:]* UTC/on T/' "$TMP/stdout.html" | sha256sum)" \
	"$(sed 's/on [0-9-]* [0-9:]* UTC/on T/' "$PAGE" | sha256sum)" "html without --out: the same page on stdout"
if grep -qiE '<script|javascript:|(src|href)=' "$PAGE"; then
	fail "the page has no script and links nothing" "$(grep -oiE '<script|javascript:|(src|href)=[^ ]*' "$PAGE" | head -3)"
else
	pass "the page has no script and links nothing"
fi
expect_output "Content-Security-Policy\" content=\"default-src 'none'" "the page forbids every fetch" cat "$PAGE"
expect_output '>&lt;b&gt;x&amp;y&lt;/b&gt;&#39;&quot;\?<' "a hostile receiving MX host is escaped, its control character replaced" cat "$PAGE"

# --- the digest mail: the summary as text, the page as its HTML alternative ----
export REPORT_MAIL_DIR=$TMP/mail
mkdir -p "$REPORT_MAIL_DIR"
check "report digest" "$DANEOPS" report digest --db "$DB" --sendmail "$DANEOPS_TOP/tests/report_sendmail.sh" \
	--alert-to admin@example.org --since 2026-11-01
"$DANEOPS" report summary --db "$DB" --since 2026-11-01 >"$TMP/digest-want.txt"
"$DANEOPS" report html --db "$DB" --since 2026-11-01 >"$TMP/digest-want.html"
python3 - "$REPORT_MAIL_DIR/1.msg" "$TMP/digest-want.txt" "$TMP/digest-want.html" >"$TMP/digest.tap" <<'PY'
import email, re, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
parts = [p for p in m.walk() if not p.is_multipart()]
stamp = lambda s: re.sub(r"on \d{4}-\d\d-\d\d \d\d:\d\d UTC", "on T", s)
checks = [
    (m.get_content_type() == "multipart/alternative", "digest: multipart/alternative"),
    ([p.get_content_type() for p in parts] == ["text/plain", "text/html"], "digest: plain text first, then HTML"),
    (len(parts) == 2 and parts[0].get_payload(decode=True).decode() == open(sys.argv[2]).read(),
     "digest: the text part is report summary"),
    (len(parts) == 2 and stamp(parts[1].get_payload(decode=True).decode()) == stamp(open(sys.argv[3]).read()),
     "digest: the HTML part is report html for the same period"),
    (all(len(l) <= 998 for l in open(sys.argv[1], "rb").read().split(b"\n")), "digest: no line over 998 bytes"),
]
for i, (c, d) in enumerate(checks, 1):
    print(("ok %d - %s" if c else "not ok %d - %s") % (i, d))
PY
while read -r line; do
	case $line in
	"ok "*) pass "${line#ok * - }" ;;
	"not ok "*) fail "${line#not ok * - }" ;;
	esac
done <"$TMP/digest.tap"
[ "$(grep -c '^ok' "$TMP/digest.tap")" = 5 ] || fail "the digest checks ran" "$(cat "$TMP/digest.tap")"

# --- 3. in headless Chromium --------------------------------------------------
if ! command -v chromium >/dev/null; then
	fail "chromium (scripts/packages.txt) is installed"
	done_testing
	exit
fi
# Not as root (Chromium refuses its sandbox there): as nobody, with a home
# of its own; the page's directory must be reachable.
chmod 711 "$TMP"
chmod 755 "$TMP/web"
chmod 644 "$PAGE"
mkdir -p "$TMP/web/home"
browser=(env HOME="$TMP/web/home")
if [ "$(id -u)" = 0 ]; then
	chown nobody "$TMP/web/home"
	browser=(setpriv --reuid=65534 --regid=65534 --clear-groups "${browser[@]}")
fi
chrome() {
	"${browser[@]}" timeout 120 chromium --headless --disable-gpu --no-first-run \
		--user-data-dir="$TMP/web/home/profile" --enable-logging=stderr --v=0 "$@"
}
(cd "$TMP/web/home" && chrome --dump-dom "file://$PAGE") >"$TMP/dom.html" 2>"$TMP/chrome.err"
if [ -s "$TMP/dom.html" ] && grep -q 'id="chart-day"' "$TMP/dom.html"; then
	pass "chromium rendered the page"
else
	fail "chromium rendered the page" "$(tail -5 "$TMP/chrome.err")"
fi
if grep -q ':CONSOLE' "$TMP/chrome.err"; then
	fail "no console messages" "$(grep ':CONSOLE' "$TMP/chrome.err" | head -3)"
else
	pass "no console messages"
fi

# The rendered DOM against summary --by ... --json: every bar and table row.
python3 - "$TMP" >"$TMP/dom-check.tap" <<'EOF'
import json, sys
from html.parser import HTMLParser
d = sys.argv[1]

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.section = None; self.bars = {}; self.rows = {}; self.scripts = 0
        self.bar = None; self.in_title = False; self.row = None; self.cell = None
        self.in_body = False; self.svgs = set()
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script": self.scripts += 1
        if tag == "section": self.section = a.get("id")
        if tag == "svg" and a.get("id"): self.svgs.add(a["id"])
        if tag == "g" and a.get("class") == "bar":
            self.bar = {"key": a.get("data-key"), "successful": a.get("data-successful"),
                        "failed": a.get("data-failed"), "title": "", "rects": 0}
            self.bars.setdefault(self.section, []).append(self.bar)
        if tag == "rect" and self.bar is not None: self.bar["rects"] += 1
        if tag == "title" and self.bar is not None: self.in_title = True
        if tag == "tbody": self.in_body = True
        if tag == "tr" and self.in_body: self.row = []; self.rows.setdefault(self.section, []).append(self.row)
        if tag in ("td", "th") and self.row is not None: self.cell = ""
    def handle_endtag(self, tag):
        if tag == "g": self.bar = None
        if tag == "title": self.in_title = False
        if tag in ("td", "th") and self.cell is not None: self.row.append(self.cell); self.cell = None
        if tag == "tr": self.row = None
        if tag == "tbody": self.in_body = False
    def handle_data(self, data):
        if self.in_title and self.bar is not None: self.bar["title"] += data
        if self.cell is not None: self.cell += data

p = Dom(); p.feed(open(d + "/dom.html", encoding="utf-8").read())
n = 0
def ok(cond, desc, diag=""):
    global n; n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, desc))
    if not cond and diag: print("#   " + diag)
ok(p.scripts == 0, "the rendered DOM has no script element")
for by in ["day", "result", "receiving-mx", "policy"]:
    want = json.load(open("%s/by-%s.json" % (d, by)))["rows"]
    both = by in ("day", "policy")
    bars = p.bars.get(by, [])
    ok("chart-" + by in p.svgs, "chart %s: drawn as SVG" % by)
    ok(len(bars) == len(want), "chart %s: %d bars for %d rows" % (by, len(bars), len(want)))
    for w, b in zip(want, bars):
        key = w["key"] or "(none)"
        got = (b["key"], b["successful"] if both else None, b["failed"])
        exp = (w["key"], str(w["successful"]) if both else None, str(w["failed"]))
        ok(got == exp, "chart %s, %s: bar numbers" % (by, key), "got %r want %r" % (got, exp))
        title = "%s: %d successful, %d failed" % (key, w["successful"], w["failed"]) if both \
            else "%s: %d failed" % (key, w["failed"])
        ok(b["title"] == title, "chart %s, %s: hover title" % (by, key), "got %r want %r" % (b["title"], title))
        ok(b["rects"] == 2, "chart %s, %s: bar drawn" % (by, key))
    rows = p.rows.get(by, [])
    exp_rows = [[w["key"] or "(none)"] + ([str(w["successful"])] if both else []) + [str(w["failed"])] for w in want]
    ok(rows == exp_rows, "table %s: the rows of summary --by %s --json" % (by, by), "got %r" % rows[:3])
print("1..%d" % n)
EOF
while read -r line; do
	case $line in
	"ok "*) pass "${line#ok * - }" ;;
	"not ok "*) fail "${line#not ok * - }" ;;
	"#"*) echo "$line" ;;
	esac
done <"$TMP/dom-check.tap"
if grep -q '^1\.\.[1-9]' "$TMP/dom-check.tap"; then pass "the DOM check ran"
else fail "the DOM check ran" "$(tail -3 "$TMP/dom-check.tap")"; fi

# A screenshot: the charts give it colour and size.
(cd "$TMP/web/home" && chrome --window-size=1000,2400 --screenshot="$TMP/web/home/shot.png" \
	"file://$PAGE") >/dev/null 2>&1
size=$(stat -c %s "$TMP/web/home/shot.png" 2>/dev/null || echo 0)
if [ "$size" -gt 30000 ]; then pass "screenshot: $size bytes"; else fail "screenshot: $size bytes, want > 30000"; fi

done_testing
