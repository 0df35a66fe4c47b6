#!/usr/bin/env bash
# tests/e2e/report_metrics.sh - "daneops report metrics": the stored TLS
# reports as Prometheus counters (textfile collector format).  The file
# must pass "promtool check metrics" (which the test first shows failing
# on a broken copy), and its counters must add up to what "report
# summary --json" and "report summary --by result --json" say (separate
# code paths) for every label the reports gave, hostile ones included.
. "$DANEOPS_TOP/tests/lib.sh"

DB=$TMP/r.sqlite
python3 "$DANEOPS_TOP/tests/data/report-series.py" "$TMP"
files=()
for f in "$TMP"/r*.json; do files+=(--file "$f"); done
check "ingest five reports" "$DANEOPS" report ingest --db "$DB" "${files[@]}"

check "report metrics --out FILE" "$DANEOPS" report metrics --db "$DB" --out "$TMP/tlsrpt.prom"
"$DANEOPS" report metrics --db "$DB" >"$TMP/stdout.prom"
check "report metrics: the same on stdout" cmp "$TMP/tlsrpt.prom" "$TMP/stdout.prom"

if command -v promtool >/dev/null; then
	promtool check metrics <"$TMP/tlsrpt.prom" >"$TMP/promtool.out" 2>&1
	st=$?
	if [ "$st" = 0 ] && [ ! -s "$TMP/promtool.out" ]; then pass "promtool check metrics: clean"
	else fail "promtool check metrics: clean (exit $st)" "$(head -3 "$TMP/promtool.out")"; fi
	# The checker can fail: an unescaped quote in a label breaks the file.
	sed 's/\\"/"/' "$TMP/tlsrpt.prom" >"$TMP/broken.prom"
	# shellcheck disable=SC2016 # $1 is the inner shell's
	expect_status 1 "promtool refuses a label with an unescaped quote" \
		sh -c 'promtool check metrics <"$1"' sh "$TMP/broken.prom"
else
	fail "promtool (prometheus, scripts/packages.txt) is installed"
fi

# The counters against the summaries, summed with a parser of the format.
"$DANEOPS" report summary --db "$DB" --json >"$TMP/summary.json"
"$DANEOPS" report summary --db "$DB" --by result --json >"$TMP/result.json"
"$DANEOPS" report summary --db "$DB" --by policy --json >"$TMP/policy.json"
python3 - "$TMP" >"$TMP/sums.tap" <<'PY'
import json, re, sys
d = sys.argv[1]
line_re = re.compile(r'^([a-z_]+)(?:\{(.*)\})? (-?[0-9.e+]+)$')
lab_re = re.compile(r'([a-z_]+)="((?:[^"\\]|\\.)*)"')
series = []
for line in open(d + "/tlsrpt.prom", encoding="utf-8"):
    line = line.rstrip("\n")
    if not line or line.startswith("#"):
        continue
    m = line_re.match(line)
    if not m:
        series.append(("unparsed", {}, 0)); continue
    labels = {k: re.sub(r'\\(.)', lambda x: "\n" if x.group(1) == "n" else x.group(1), v)
              for k, v in lab_re.findall(m.group(2) or "")}
    series.append((m.group(1), labels, float(m.group(3))))
n = 0
def ok(cond, desc, diag=""):
    global n; n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, desc))
    if not cond and diag: print("#   " + diag)
def total(name, **want):
    return sum(v for (s, l, v) in series if s == name and all(l.get(k) == x for k, x in want.items()))
summ = json.load(open(d + "/summary.json"))
ok(not [s for s in series if s[0] == "unparsed"], "every sample line parses")
ok(total("daneops_tlsrpt_sessions_total", result="successful") == sum(r["successful"] for r in summ["rows"]),
   "successful sessions equal the summary's")
ok(total("daneops_tlsrpt_sessions_total", result="failed") == summ["failed"], "failed sessions equal the summary's")
ok(total("daneops_tlsrpt_failed_sessions_total") == summ["failed"], "failure details equal the summary's failures")
ok(total("daneops_tlsrpt_reports_total") == summ["reports"], "reports_total is the number of reports")
for r in json.load(open(d + "/result.json"))["rows"]:
    got = total("daneops_tlsrpt_failed_sessions_total", result_type=r["key"])
    ok(got == r["failed"], "result type %s: %d failed" % (r["key"], r["failed"]), "got %r" % got)
for r in json.load(open(d + "/policy.json"))["rows"]:
    for res in ("successful", "failed"):
        got = total("daneops_tlsrpt_sessions_total", policy_type=r["key"], result=res)
        ok(got == r[res], "policy type %s: %d %s" % (r["key"], r[res], res), "got %r" % got)
hostile = [l for (s, l, v) in series if s == "daneops_tlsrpt_failed_sessions_total" and l["receiving_mx"].startswith("<b>")]
ok(len(hostile) == 1 and hostile[0]["receiving_mx"] == "<b>x&y</b>'\"?",
   "a hostile receiving MX label survives escaping (control character as ?)", repr(hostile))
print("1..%d" % n)
PY
while read -r line; do
	case $line in
	"ok "*) pass "${line#ok * - }" ;;
	"not ok "*) fail "${line#not ok * - }" ;;
	"#"*) echo "$line" ;;
	esac
done <"$TMP/sums.tap"
if grep -q '^1\.\.[1-9]' "$TMP/sums.tap"; then pass "the sums were checked"
else fail "the sums were checked" "$(tail -3 "$TMP/sums.tap")"; fi

expect_status 2 "metrics --since: usage" "$DANEOPS" report metrics --db "$DB" --since 7d
expect_status 3 "metrics without a database: exit 3" "$DANEOPS" report metrics --db "$TMP/none.sqlite"

done_testing
