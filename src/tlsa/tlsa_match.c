/*
 * tlsa_match - does one TLSA record match the inputs of "daneops tlsa
 * --match", and the one line that says so.
 */
#include "tlsa/tlsa_match.h"

#include <stdlib.h>
#include <string.h>

#include "tlsa/tlsa_gen.h"
#include "util/hex.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

/* Hex digits of association data shown before "..." in the verdict. */
#define TLSA_MATCH_HEX_SHOWN 16

/* The verdict line is bounded; a longer one is cut, which is harmless. */
#define TLSA_MATCH_LINE_MAX (64 * 1024)

static void
tlsa_match_add(struct tlsa_match *m, size_t src, int depth, int fits)
{
	m->hits = xreallocarray(m->hits, m->nhits + 1, sizeof(*m->hits));
	m->hits[m->nhits].src = src;
	m->hits[m->nhits].depth = depth;
	m->hits[m->nhits].fits = fits;
	m->nhits++;
	if (fits)
		m->nfits++;
}

/* "3 1 1 0123456789abcdef..." */
static void
tlsa_match_rec_text(struct sbuf *b, const struct tlsa_rec *r)
{
	char *hex = hex_encode(r->data, r->len);

	sbuf_printf(b, "%u %u %u %.*s%s", r->usage, r->selector, r->mtype,
	    TLSA_MATCH_HEX_SHOWN, hex,
	    strlen(hex) > TLSA_MATCH_HEX_SHOWN ? "..." : "");
	free(hex);
}

/* A fitting hit: "mx1.crt (depth 0, CN=mx1.example.org)". */
static void
tlsa_match_hit_text(struct sbuf *b, const struct tlsa_match_hit *h,
	struct certsrc *const *srcs)
{
	const struct certsrc *s = srcs[h->src];
	char *subject;

	if (h->depth < 0) {
		sbuf_printf(b, "%s (%s)", s->name, certsrc_kind_name(s->kind));
		return;
	}
	subject = certsrc_subject(certsrc_cert(s, h->depth));
	sbuf_printf(b, "%s (depth %d, %s)", s->name, h->depth, subject);
	free(subject);
}

/* A hit at the wrong depth: "the issuer at depth 1 in full.pem (CN=...)". */
static void
tlsa_match_miss_text(struct sbuf *b, const struct tlsa_match_hit *h,
	struct certsrc *const *srcs)
{
	const struct certsrc *s = srcs[h->src];
	char *subject;

	if (h->depth < 0) {
		sbuf_printf(b, "the %s in %s", certsrc_kind_name(s->kind),
		    s->name);
		return;
	}
	subject = certsrc_subject(certsrc_cert(s, h->depth));
	sbuf_printf(b, "the %s at depth %d in %s (%s)", h->depth == 0 ? "leaf" :
	    h->depth == 1 ? "issuer" : "certificate", h->depth, s->name,
	    subject);
	free(subject);
}

/* "; it matches X and Y, but usage 3 (DANE-EE) needs the leaf (depth 0)" */
static void
tlsa_match_why_not(struct sbuf *b, const struct tlsa_match *m,
	const struct tlsa_rec *r, struct certsrc *const *srcs)
{
	int ee = r->usage == TLSA_USAGE_PKIX_EE ||
	    r->usage == TLSA_USAGE_DANE_EE;
	size_t i, n = 0;

	for (i = 0; i < m->nhits; i++) {
		sbuf_adds(b, n++ == 0 ? "; it matches " : " and ");
		tlsa_match_miss_text(b, &m->hits[i], srcs);
	}
	if (n > 0)
		sbuf_printf(b, ", but usage %u (%s) needs %s", r->usage,
		    tlsa_usage_name(r->usage), ee ? "the leaf (depth 0)" :
		    "an issuer (depth 1 or more, or a CA certificate on its "
		    "own)");
}

static char *
tlsa_match_line(const struct tlsa_match *m, const struct tlsa_rec *r,
	struct certsrc *const *srcs, size_t nsrcs)
{
	struct sbuf b;
	size_t i, n = 0;
	int keys = 0;

	sbuf_init(&b, TLSA_MATCH_LINE_MAX);
	sbuf_adds(&b, m->nfits > 0 ? "match: " : "no match: ");
	tlsa_match_rec_text(&b, r);
	if (m->nfits > 0) {
		sbuf_adds(&b, " matches ");
		for (i = 0; i < m->nhits; i++) {
			if (!m->hits[i].fits)
				continue;
			sbuf_adds(&b, n++ == 0 ? "" : ", ");
			tlsa_match_hit_text(&b, &m->hits[i], srcs);
		}
		return sbuf_steal(&b, NULL);
	}
	sbuf_adds(&b, m->nhits > 0 ? " matches nothing usable in " :
	    " matches nothing in ");
	for (i = 0; i < nsrcs; i++) {
		sbuf_printf(&b, "%s%s", i > 0 ? ", " : "", srcs[i]->name);
		keys |= srcs[i]->kind != CERTSRC_CERTS;
	}
	tlsa_match_why_not(&b, m, r, srcs);
	if (keys && r->selector == TLSA_SEL_CERT)
		sbuf_adds(&b, " (selector 0 compares whole certificates, so it "
		    "never matches a bare key)");
	return sbuf_steal(&b, NULL);
}

struct tlsa_match *
tlsa_match_run(const struct tlsa_rec *r, struct certsrc *const *srcs,
	size_t nsrcs)
{
	struct tlsa_match *m = xcalloc(1, sizeof(*m));
	const struct certsrc *s;
	size_t i;
	int d;

	for (i = 0; i < nsrcs; i++) {
		s = srcs[i];
		if (s->kind != CERTSRC_CERTS) {
			if (tlsa_rec_matches_pkey(r, s->pkey))
				tlsa_match_add(m, i, -1,
				    certsrc_depth_fits(s, r->usage, -1));
			continue;
		}
		for (d = 0; d < certsrc_ncerts(s); d++)
			if (tlsa_rec_matches_cert(r, certsrc_cert(s, d)))
				tlsa_match_add(m, i, d,
				    certsrc_depth_fits(s, r->usage, d));
	}
	m->line = tlsa_match_line(m, r, srcs, nsrcs);
	return m;
}

void
tlsa_match_free(struct tlsa_match *m)
{
	if (m == NULL)
		return;
	free(m->hits);
	free(m->line);
	free(m);
}
