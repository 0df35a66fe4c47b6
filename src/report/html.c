/*
 * html - the TLS report page (see html.h).
 */
#include "report/html.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/sbuf.h"
#include "util/xalloc.h"

#define HTML_MAX (16 * 1024 * 1024)

/* Okabe-Ito: blue and vermillion; the text colours pass WCAG AA on white. */
#define COL_OK   "#0072B2"
#define COL_FAIL "#D55E00"

static const char html_style[] =
	"body{font-family:system-ui,-apple-system,\"Segoe UI\",sans-serif;"
	"color:#1a1a1a;background:#fff;max-width:60rem;margin:2rem auto;"
	"padding:0 1rem;line-height:1.4}"
	"h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2.5rem}"
	".lead{font-size:1.05rem}"
	"svg{display:block;max-width:100%;height:auto}"
	"svg text{font-size:12px;fill:#1a1a1a}"
	"svg .axis{stroke:#767676;stroke-width:1}"
	"svg .grid{stroke:#ddd;stroke-width:1}"
	"rect.ok{fill:" COL_OK "}rect.fail{fill:" COL_FAIL "}"
	"g.bar:hover rect{opacity:.8}"
	".legend{display:flex;gap:1.5rem;margin:.5rem 0 1rem;font-size:.9rem}"
	".sw{display:inline-block;width:.9em;height:.9em;margin-right:.35em;"
	"vertical-align:-.1em}"
	".sw.ok{background:" COL_OK "}.sw.fail{background:" COL_FAIL "}"
	"table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}"
	"caption{text-align:left;font-weight:600;padding:.3rem 0}"
	"th,td{padding:.2rem .8rem;border-bottom:1px solid #ddd;text-align:left}"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
	"tfoot td{font-weight:600}"
	".empty{color:#555;font-style:italic}"
	"footer{margin-top:3rem;color:#555;font-size:.85rem}";

/* s escaped for HTML text and attribute values. */
static void
put(struct sbuf *b, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&':
			sbuf_adds(b, "&amp;");
			break;
		case '<':
			sbuf_adds(b, "&lt;");
			break;
		case '>':
			sbuf_adds(b, "&gt;");
			break;
		case '"':
			sbuf_adds(b, "&quot;");
			break;
		case '\'':
			sbuf_adds(b, "&#39;");
			break;
		default:
			sbuf_add(b, s, 1);
		}
}

static const char *
key_text(const char *k)
{
	return k[0] != '\0' ? k : "(none)";
}

/* A round axis maximum at or above v: 1, 2 or 5 times a power of ten. */
static int64_t
nice_max(int64_t v)
{
	int64_t p = 1;

	if (v <= 0)
		return 1;
	while (p <= v / 10)
		p *= 10;
	if (v <= p)
		return p;
	if (v <= 2 * p)
		return 2 * p;
	if (v <= 5 * p)
		return 5 * p;
	return 10 * p;
}

static double
scale(int64_t v, int64_t max, double len)
{
	return max > 0 ? (double)v * len / (double)max : 0;
}

/* Sessions per day: vertical stacked bars, successful below failed. */
static void
chart_days(struct sbuf *b, const struct series *s)
{
	const double left = 80, top = 12, h = 220, bottom = 70;
	double bw, x, hok, hf, width;
	int64_t max = 0;
	size_t i;
	int g;

	for (i = 0; i < s->nrows; i++)
		if (s->rows[i].successful + s->rows[i].failed > max)
			max = s->rows[i].successful + s->rows[i].failed;
	max = nice_max(max);
	bw = s->nrows > 40 ? 12 : s->nrows > 12 ? 28 : 44;
	width = left + (double)s->nrows * (bw + 6) + 20;
	if (width < 480)
		width = 480;
	sbuf_printf(b, "<svg id=\"chart-day\" role=\"img\" aria-labelledby="
	    "\"chart-day-t\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\">"
	    "<title id=\"chart-day-t\">Sessions per day (UTC): successful and "
	    "failed, stacked</title>", width, top + h + bottom, width);
	for (g = 0; g <= 4; g++) {
		double y = top + h - h * g / 4;

		sbuf_printf(b, "<line class=\"grid\" x1=\"%.0f\" x2=\"%.0f\" "
		    "y1=\"%.1f\" y2=\"%.1f\"/><text x=\"%.0f\" y=\"%.1f\" "
		    "text-anchor=\"end\">%" PRId64 "</text>", left, width - 10,
		    y, y, left - 6, y + 4, max * g / 4);
	}
	for (i = 0; i < s->nrows; i++) {
		const struct series_row *r = &s->rows[i];

		x = left + 6 + (double)i * (bw + 6);
		hok = scale(r->successful, max, h);
		hf = scale(r->failed, max, h);
		if (r->failed > 0 && hf < 2)
			hf = 2;         /* a failure never vanishes */
		sbuf_adds(b, "<g class=\"bar\" data-key=\"");
		put(b, r->key);
		sbuf_printf(b, "\" data-successful=\"%" PRId64 "\" data-failed="
		    "\"%" PRId64 "\"><title>", r->successful, r->failed);
		put(b, key_text(r->key));
		sbuf_printf(b, ": %" PRId64 " successful, %" PRId64 " failed"
		    "</title><rect class=\"ok\" x=\"%.1f\" y=\"%.1f\" width="
		    "\"%.0f\" height=\"%.1f\"/><rect class=\"fail\" x=\"%.1f\" "
		    "y=\"%.1f\" width=\"%.0f\" height=\"%.1f\"/>", r->successful,
		    r->failed, x, top + h - hok, bw, hok, x, top + h - hok - hf,
		    bw, hf);
		sbuf_printf(b, "<text transform=\"translate(%.1f %.1f) "
		    "rotate(-45)\" text-anchor=\"end\">", x + bw / 2,
		    top + h + 14);
		put(b, key_text(r->key));
		sbuf_adds(b, "</text></g>");
	}
	sbuf_printf(b, "<line class=\"axis\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\""
	    " y2=\"%.0f\"/></svg>", left, width - 10, top + h, top + h);
}

/*
 * A long key cut for a chart label (the title keeps it whole), never
 * inside a UTF-8 sequence.
 */
static void
label_cut(char *out, size_t size, const char *key)
{
	size_t n = strlen(key), cut = 31;

	if (n <= 34 || size < 35) {
		snprintf(out, size, "%s", key);
		return;
	}
	while (cut > 0 && ((unsigned char)key[cut] & 0xc0) == 0x80)
		cut--;
	snprintf(out, size, "%.*s...", (int)cut, key);
}

/*
 * Horizontal bars, one row per key: stacked successful + failed, or
 * failed alone (failures series).
 */
static void
chart_rows(struct sbuf *b, const char *id, const char *title,
	const struct series *s, int both)
{
	const double left = 230, right = 90, row = 26, top = 8, w = 640;
	double y, wok, wf, len = w - left - right;
	int64_t max = 0;
	size_t i;

	for (i = 0; i < s->nrows; i++)
		if (s->rows[i].successful + s->rows[i].failed > max)
			max = s->rows[i].successful + s->rows[i].failed;
	sbuf_printf(b, "<svg id=\"chart-%s\" role=\"img\" aria-labelledby="
	    "\"chart-%s-t\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\">"
	    "<title id=\"chart-%s-t\">", id, id, w,
	    top * 2 + row * (double)s->nrows, w, id);
	put(b, title);
	sbuf_adds(b, "</title>");
	for (i = 0; i < s->nrows; i++) {
		const struct series_row *r = &s->rows[i];
		char label[44];

		y = top + row * (double)i;
		wok = both ? scale(r->successful, max, len) : 0;
		wf = scale(r->failed, max, len);
		if (r->failed > 0 && wf < 2)
			wf = 2;
		label_cut(label, sizeof(label), key_text(r->key));
		sbuf_adds(b, "<g class=\"bar\" data-key=\"");
		put(b, r->key);
		if (both)
			sbuf_printf(b, "\" data-successful=\"%" PRId64,
			    r->successful);
		sbuf_printf(b, "\" data-failed=\"%" PRId64 "\"><title>",
		    r->failed);
		put(b, key_text(r->key));
		if (both)
			sbuf_printf(b, ": %" PRId64 " successful, %" PRId64
			    " failed", r->successful, r->failed);
		else
			sbuf_printf(b, ": %" PRId64 " failed", r->failed);
		sbuf_printf(b, "</title><text x=\"%.0f\" y=\"%.1f\" "
		    "text-anchor=\"end\">", left - 8, y + 16);
		put(b, label);
		sbuf_printf(b, "</text><rect class=\"ok\" x=\"%.0f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"18\"/><rect class=\"fail\" "
		    "x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"18\"/>"
		    "<text x=\"%.1f\" y=\"%.1f\">", left, y + 3, wok,
		    left + wok, y + 3, wf, left + wok + wf + 6, y + 16);
		if (both)
			sbuf_printf(b, "%" PRId64 " / %" PRId64, r->successful,
			    r->failed);
		else
			sbuf_printf(b, "%" PRId64, r->failed);
		sbuf_adds(b, "</text></g>");
	}
	sbuf_adds(b, "</svg>");
}

static void
legend(struct sbuf *b, int both)
{
	sbuf_adds(b, "<div class=\"legend\">");
	if (both)
		sbuf_adds(b, "<span><span class=\"sw ok\"></span>successful "
		    "sessions</span>");
	sbuf_adds(b, "<span><span class=\"sw fail\"></span>failed sessions"
	    "</span></div>");
}

/* The table behind a chart. */
static void
table(struct sbuf *b, const char *id, const char *caption, const char *head,
	const struct series *s, int both)
{
	size_t i;

	sbuf_printf(b, "<table id=\"table-%s\"><caption>", id);
	put(b, caption);
	sbuf_adds(b, "</caption><thead><tr><th scope=\"col\">");
	put(b, head);
	sbuf_printf(b, "</th>%s<th scope=\"col\" class=\"n\">Failed</th></tr>"
	    "</thead><tbody>", both ? "<th scope=\"col\" class=\"n\">"
	    "Successful</th>" : "");
	for (i = 0; i < s->nrows; i++) {
		sbuf_adds(b, "<tr><th scope=\"row\">");
		put(b, key_text(s->rows[i].key));
		sbuf_adds(b, "</th>");
		if (both)
			sbuf_printf(b, "<td class=\"n\">%" PRId64 "</td>",
			    s->rows[i].successful);
		sbuf_printf(b, "<td class=\"n\">%" PRId64 "</td></tr>",
		    s->rows[i].failed);
	}
	sbuf_adds(b, "</tbody><tfoot><tr><td>Total</td>");
	if (both)
		sbuf_printf(b, "<td class=\"n\">%" PRId64 "</td>",
		    s->successful);
	sbuf_printf(b, "<td class=\"n\">%" PRId64 "</td></tr></tfoot>"
	    "</table>", s->failed);
	if (s->omitted > 0)
		sbuf_printf(b, "<p class=\"empty\">%zu more rows left out.</p>",
		    s->omitted);
}

static void
section(struct sbuf *b, const struct series_set *set, enum series_by by,
	const char *title, const char *head, const char *empty)
{
	const struct series *s = &set->s[by];
	const char *id = series_by_name(by);
	int both = by < SERIES_RESULT;

	sbuf_printf(b, "<section id=\"%s\"><h2>", id);
	put(b, title);
	sbuf_adds(b, "</h2>");
	if (s->nrows == 0) {
		sbuf_adds(b, "<p class=\"empty\">");
		put(b, empty);
		sbuf_adds(b, "</p>");
	} else {
		legend(b, both);
		if (by == SERIES_DAY)
			chart_days(b, s);
		else
			chart_rows(b, id, title, s, both);
	}
	table(b, id, title, head, s, both);
	sbuf_adds(b, "</section>\n");
}

char *
html_page(const struct series_set *set, time_t now)
{
	const struct series *d = &set->s[SERIES_DAY];
	int64_t total = d->successful + d->failed;
	char when[32], since[32];
	struct tm tm;
	struct sbuf b;

	sbuf_init(&b, HTML_MAX);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	since[0] = '\0';
	if (set->since > 0 && gmtime_r(&set->since, &tm) != NULL)
		strftime(since, sizeof(since), "%Y-%m-%d %H:%M UTC", &tm);
	sbuf_adds(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'\">"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\"><title>TLS reports");
	if (set->domain != NULL) {
		sbuf_adds(&b, ": ");
		put(&b, set->domain);
	}
	sbuf_printf(&b, "</title><style>%s</style></head><body>\n<h1>TLS "
	    "reports (RFC 8460)", html_style);
	if (set->domain != NULL) {
		sbuf_adds(&b, " for ");
		put(&b, set->domain);
	}
	sbuf_printf(&b, "</h1><p class=\"lead\" id=\"totals\" data-reports=\"%ld"
	    "\" data-successful=\"%" PRId64 "\" data-failed=\"%" PRId64 "\">"
	    "%ld report(s)%s%s: %" PRId64 " successful and %" PRId64 " failed "
	    "session(s)", set->nreports, d->successful, d->failed,
	    set->nreports, since[0] != '\0' ? " ending since " : "", since,
	    d->successful, d->failed);
	if (total > 0)
		sbuf_printf(&b, " (%.1f%% failed)", 100.0 * (double)d->failed /
		    (double)total);
	sbuf_adds(&b, ".</p>\n");
	section(&b, set, SERIES_DAY, "Sessions per day (UTC)", "Day",
	    "No sessions reported.");
	section(&b, set, SERIES_RESULT, "Failed sessions by result type",
	    "Result type", "No failures reported.");
	section(&b, set, SERIES_RMX, "Failed sessions by receiving MX host",
	    "Receiving MX host", "No failures reported.");
	section(&b, set, SERIES_POLICY, "Sessions by policy type",
	    "Policy type", "No sessions reported.");
	sbuf_printf(&b, "<footer>Made by daneops report html on %s from the "
	    "reports senders mailed to this domain's TLSRPT address. Policy "
	    "types: tlsa (DANE), sts (MTA-STS), no-policy-found.</footer>\n"
	    "</body></html>\n", when);
	return sbuf_steal(&b, NULL);
}
