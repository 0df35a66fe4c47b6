/*
 * tlsa - TLSA records: the value type the whole engine shares.
 */
#include "tlsa/tlsa.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/hex.h"
#include "util/xalloc.h"

struct tlsa_rec *
tlsa_rec_new(uint8_t usage, uint8_t selector, uint8_t mtype,
	const uint8_t *data, size_t len)
{
	struct tlsa_rec *r = xcalloc(1, sizeof(*r));

	r->usage = usage;
	r->selector = selector;
	r->mtype = mtype;
	r->len = len;
	r->data = xmemdup(data, len);
	return r;
}

struct tlsa_rec *
tlsa_rec_dup(const struct tlsa_rec *r)
{
	return tlsa_rec_new(r->usage, r->selector, r->mtype, r->data, r->len);
}

void
tlsa_rec_free(struct tlsa_rec *r)
{
	if (r == NULL)
		return;
	free(r->data);
	free(r);
}

size_t
tlsa_mtype_digest_len(unsigned mtype)
{
	switch (mtype) {
	case TLSA_MATCH_SHA256:
		return 32;
	case TLSA_MATCH_SHA512:
		return 64;
	default:
		return 0;
	}
}

/* One decimal field 0-255 followed by white space; advance *p past both. */
static int
tlsa_parse_field(const char **p, uint8_t *out)
{
	const char *s = *p;
	char *end;
	unsigned long v;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || v > 255 || !isspace((unsigned char)*end))
		return -1;
	*out = (uint8_t)v;
	*p = end;
	return 0;
}

struct tlsa_rec *
tlsa_rec_parse(const char *text, struct err *e)
{
	struct tlsa_rec *r;
	const char *p = text;
	uint8_t u, s, m, *data;
	size_t len, bad, want;

	if (tlsa_parse_field(&p, &u) < 0 || tlsa_parse_field(&p, &s) < 0 ||
	    tlsa_parse_field(&p, &m) < 0) {
		err_set(e, ERR_USAGE, "TLSA record '%s': expected 'USAGE SELECTOR "
		    "MTYPE HEX' with fields 0-255", text);
		return NULL;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0') {
		err_set(e, ERR_USAGE, "TLSA record '%s': no association data",
		    text);
		return NULL;
	}
	if (hex_decode(p, strlen(p), &data, &len, &bad) < 0) {
		err_set(e, ERR_USAGE, "TLSA record '%s': association data is not "
		    "hexadecimal (at character %zu)", text, (size_t)(p - text) + bad + 1);
		return NULL;
	}
	want = tlsa_mtype_digest_len(m);
	if ((want != 0 && len != want) || len == 0 || len > TLSA_DATA_MAX) {
		err_set(e, ERR_USAGE, "TLSA record '%s': %zu bytes of data, but "
		    "matching type %u (%s) needs %zu", text, len, m,
		    tlsa_mtype_name(m), want);
		free(data);
		return NULL;
	}
	r = tlsa_rec_new(u, s, m, data, len);
	free(data);
	return r;
}

char *
tlsa_rec_format(const struct tlsa_rec *r)
{
	char *hex = hex_encode(r->data, r->len);
	char *s = xasprintf("%u %u %u %s", r->usage, r->selector, r->mtype, hex);

	free(hex);
	return s;
}

int
tlsa_rec_equal(const struct tlsa_rec *a, const struct tlsa_rec *b)
{
	return a->usage == b->usage && a->selector == b->selector &&
	    a->mtype == b->mtype && a->len == b->len &&
	    memcmp(a->data, b->data, a->len) == 0;
}

int
tlsa_rec_usable_smtp(const struct tlsa_rec *r, const char **why)
{
	const char *reason = NULL;
	size_t want;

	if (r->usage == TLSA_USAGE_PKIX_TA || r->usage == TLSA_USAGE_PKIX_EE)
		reason = "PKIX usages (0, 1) are not used for SMTP (RFC 7672 3.1.3)";
	else if (r->usage > TLSA_USAGE_DANE_EE)
		reason = "unknown certificate usage";
	else if (r->selector > TLSA_SEL_SPKI)
		reason = "unknown selector";
	else if (r->mtype > TLSA_MATCH_SHA512)
		reason = "unknown matching type";
	else if ((want = tlsa_mtype_digest_len(r->mtype)) != 0 && r->len != want)
		reason = "digest length does not fit the matching type";
	if (why != NULL)
		*why = reason;
	return reason == NULL;
}

const char *
tlsa_usage_name(unsigned usage)
{
	static const char *names[] = { "PKIX-TA", "PKIX-EE", "DANE-TA",
	    "DANE-EE" };

	return usage < 4 ? names[usage] : "unknown";
}

const char *
tlsa_selector_name(unsigned selector)
{
	static const char *names[] = { "Cert", "SPKI" };

	return selector < 2 ? names[selector] : "unknown";
}

const char *
tlsa_mtype_name(unsigned mtype)
{
	static const char *names[] = { "Full", "SHA2-256", "SHA2-512" };

	return mtype < 3 ? names[mtype] : "unknown";
}
