/*
 * record - the _mta-sts and _smtp._tls TXT records (see record.h).
 *
 * Both grammars are "version 1*(delim field) [delim]" with
 * delim = *WSP ";" *WSP and field = name "=" value; this file walks that
 * shape once and lets each record judge its own fields.
 */
#include "mtasts/record.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xalloc.h"

#define WSP(c) ((c) == ' ' || (c) == '\t')

/* ext-value: 1*(%x21-3A / %x3C / %x3E-7E), i.e. no space, ";" or "=". */
static int
rec_value_char(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != ';' && c != '=';
}

/* ext-name: (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / "."). */
static size_t
rec_name_len(const char *p)
{
	size_t n = 0;

	if (!isalnum((unsigned char)p[0]))
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '-' ||
	    p[n] == '.')
		n++;
	return n <= 32 ? n : 0;
}

/* 1 when txt starts with tag followed by ";", WSP or the end. */
static int
rec_starts(const char *txt, const char *tag)
{
	size_t n = strlen(tag);

	return strncmp(txt, tag, n) == 0 && (txt[n] == '\0' || txt[n] == ';' ||
	    WSP(txt[n]));
}

typedef int (*rec_field_cb)(void *arg, const char *name, size_t nlen,
	const char *value, size_t vlen, struct err *e);

/*
 * Walk the fields after the version tag; field() judges each one.  what
 * names the record in messages.
 */
static int
rec_walk(const char *txt, const char *tag, const char *what,
	rec_field_cb field, void *arg, struct err *e)
{
	const char *p = txt + strlen(tag);
	size_t nlen, vlen, nfields = 0;

	for (;;) {
		while (WSP(*p))
			p++;
		if (*p == '\0')
			break;
		if (*p != ';')
			return err_set(e, ERR_INPUT, "%s \"%.80s\": want \";\" "
			    "before \"%.20s\"", what, txt, p);
		p++;
		while (WSP(*p))
			p++;
		if (*p == '\0')
			break;          /* a trailing delimiter */
		if ((nlen = rec_name_len(p)) == 0 || p[nlen] != '=')
			return err_set(e, ERR_INPUT, "%s \"%.80s\": \"%.20s\" "
			    "is not a name=value field", what, txt, p);
		vlen = 0;
		while (p[nlen + 1 + vlen] != '\0' && !WSP(p[nlen + 1 + vlen]) &&
		    p[nlen + 1 + vlen] != ';')
			vlen++;
		if (field(arg, p, nlen, p + nlen + 1, vlen, e) < 0)
			return -1;
		nfields++;
		p += nlen + 1 + vlen;
	}
	if (nfields == 0)
		return err_set(e, ERR_INPUT, "%s \"%.80s\": no fields after %s",
		    what, txt, tag);
	return 0;
}

/* --- _mta-sts --------------------------------------------------------- */

struct txt_state {
	struct mtasts_txt *out;
	int have_id;
	const char *txt;
};

static int
txt_field(void *arg, const char *name, size_t nlen, const char *value,
	size_t vlen, struct err *e)
{
	struct txt_state *st = arg;
	size_t i;

	if (nlen == 2 && strncmp(name, "id", 2) == 0) {
		if (st->have_id)
			return err_set(e, ERR_INPUT, "_mta-sts TXT \"%.80s\": "
			    "id given twice", st->txt);
		if (vlen == 0 || vlen > MTASTS_ID_MAX)
			return err_set(e, ERR_INPUT, "_mta-sts TXT \"%.80s\": "
			    "id must be 1 to 32 letters and digits", st->txt);
		for (i = 0; i < vlen; i++)
			if (!isalnum((unsigned char)value[i]))
				return err_set(e, ERR_INPUT, "_mta-sts TXT "
				    "\"%.80s\": id \"%.*s\" is not letters and "
				    "digits only", st->txt, (int)vlen, value);
		memcpy(st->out->id, value, vlen);
		st->out->id[vlen] = '\0';
		st->have_id = 1;
		return 0;
	}
	for (i = 0; i < vlen; i++)
		if (!rec_value_char((unsigned char)value[i]))
			break;
	if (vlen == 0 || i < vlen)
		return err_set(e, ERR_INPUT, "_mta-sts TXT \"%.80s\": field "
		    "%.*s has a bad value", st->txt, (int)nlen, name);
	return 0;       /* an extension: ignored */
}

int
mtasts_txt_is_sts(const char *txt)
{
	return rec_starts(txt, "v=STSv1");
}

int
mtasts_txt_parse(const char *txt, struct mtasts_txt *out, struct err *e)
{
	struct txt_state st = { out, 0, txt };

	memset(out, 0, sizeof(*out));
	if (!mtasts_txt_is_sts(txt))
		return err_set(e, ERR_INPUT, "_mta-sts TXT \"%.80s\": does not "
		    "start with v=STSv1", txt);
	if (rec_walk(txt, "v=STSv1", "_mta-sts TXT", txt_field, &st, e) < 0)
		return -1;
	if (!st.have_id)
		return err_set(e, ERR_INPUT, "_mta-sts TXT \"%.80s\": no id",
		    txt);
	return 0;
}

enum mtasts_sel
mtasts_txt_select(const char *const *txts, size_t n, struct mtasts_txt *out,
	struct err *e)
{
	size_t i, found = 0, which = 0;

	for (i = 0; i < n; i++)
		if (mtasts_txt_is_sts(txts[i])) {
			found++;
			which = i;
		}
	if (found == 0)
		return MTASTS_SEL_NONE;
	if (found > 1) {
		err_set(e, ERR_INPUT, "_mta-sts: %zu TXT records start with "
		    "v=STSv1; senders ignore them all unless there is one",
		    found);
		return MTASTS_SEL_MANY;
	}
	return mtasts_txt_parse(txts[which], out, e) == 0 ? MTASTS_SEL_ONE :
	    MTASTS_SEL_INVALID;
}

/* --- _smtp._tls ------------------------------------------------------- */

struct rpt_state {
	struct mtasts_tlsrpt *out;
	int have_rua;
	const char *txt;
};

/* One URI of rua: scheme ":" then printable characters but "," and ";". */
static int
rpt_uri(struct rpt_state *st, const char *u, size_t len, struct err *e)
{
	size_t i, slen;

	for (slen = 0; slen < len && (isalnum((unsigned char)u[slen]) ||
	    strchr("+-.", u[slen]) != NULL); slen++)
		;
	if (slen == 0 || !isalpha((unsigned char)u[0]) || slen >= len ||
	    u[slen] != ':' || slen + 1 == len)
		return err_set(e, ERR_INPUT, "_smtp._tls TXT \"%.80s\": \"%.*s\" "
		    "is not a URI", st->txt, (int)(len > 60 ? 60 : len), u);
	for (i = slen + 1; i < len; i++)
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f)
			return err_set(e, ERR_INPUT, "_smtp._tls TXT \"%.80s\": "
			    "URI \"%.*s\" has a space or control character",
			    st->txt, (int)(len > 60 ? 60 : len), u);
	if (slen == 6 && strncasecmp(u, "mailto", 6) == 0) {
		if (memchr(u, '@', len) == NULL)
			return err_set(e, ERR_INPUT, "_smtp._tls TXT \"%.80s\": "
			    "\"%.*s\" has no address", st->txt, (int)len, u);
		st->out->nmailto++;
	} else if (slen == 5 && strncasecmp(u, "https", 5) == 0)
		st->out->nhttps++;
	if (st->out->nrua < MTASTS_RUA_MAX)
		st->out->rua[st->out->nrua++] = xstrndup(u, len);
	return 0;
}

/*
 * rua's value runs to the next ";" or the end (URIs are separated by
 * *WSP "," *WSP, so it may hold spaces): parse it from the record itself.
 */
static int
rpt_rua(struct rpt_state *st, const char *v, struct err *e)
{
	const char *end = v + strcspn(v, ";"), *p = v;
	size_t len;

	for (;;) {
		while (p < end && WSP(*p))
			p++;
		len = 0;
		while (p + len < end && !WSP(p[len]) && p[len] != ',')
			len++;
		if (len == 0)
			return err_set(e, ERR_INPUT, "_smtp._tls TXT \"%.80s\": "
			    "empty URI in rua", st->txt);
		if (rpt_uri(st, p, len, e) < 0)
			return -1;
		p += len;
		while (p < end && WSP(*p))
			p++;
		if (p == end)
			return 0;
		if (*p != ',')
			return err_set(e, ERR_INPUT, "_smtp._tls TXT \"%.80s\": "
			    "want \",\" between rua URIs", st->txt);
		p++;
	}
}

static int
rpt_field(void *arg, const char *name, size_t nlen, const char *value,
	size_t vlen, struct err *e)
{
	struct rpt_state *st = arg;
	size_t i;

	if (nlen == 3 && strncmp(name, "rua", 3) == 0)
		return err_set(e, ERR_INTERNAL, "rua handled by the caller");
	for (i = 0; i < vlen; i++)
		if (!rec_value_char((unsigned char)value[i]))
			break;
	if (vlen == 0 || i < vlen)
		return err_set(e, ERR_INPUT, "_smtp._tls TXT \"%.80s\": field "
		    "%.*s has a bad value", st->txt, (int)nlen, name);
	return 0;
}

int
mtasts_tlsrpt_is_rpt(const char *txt)
{
	return rec_starts(txt, "v=TLSRPTv1");
}

int
mtasts_tlsrpt_parse(const char *txt, struct mtasts_tlsrpt *out,
	struct err *e)
{
	struct rpt_state st = { out, 0, txt };
	char *copy, *p, *q;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!mtasts_tlsrpt_is_rpt(txt))
		return err_set(e, ERR_INPUT, "_smtp._tls TXT \"%.80s\": does not "
		    "start with v=TLSRPTv1", txt);
	/*
	 * rua may contain "," and spaces between its URIs: parse it apart and
	 * replace it with a placeholder so that the generic walk sees the
	 * record's other fields.
	 */
	copy = xstrdup(txt);
	for (p = copy + strlen("v=TLSRPTv1"); (p = strchr(p, ';')) != NULL;) {
		p++;
		while (WSP(*p))
			p++;
		if (strncmp(p, "rua=", 4) != 0)
			continue;
		if (st.have_rua) {
			free(copy);
			mtasts_tlsrpt_clear(out);
			return err_set(e, ERR_INPUT, "_smtp._tls TXT \"%.80s\": "
			    "rua given twice", txt);
		}
		st.have_rua = 1;
		if (rpt_rua(&st, p + 4, e) < 0) {
			free(copy);
			mtasts_tlsrpt_clear(out);
			return -1;
		}
		/* "rua=" + value becomes "x=x" padded with spaces. */
		q = p + strcspn(p, ";");
		memset(p, ' ', (size_t)(q - p));
		memcpy(p, "x=x", 3);
	}
	rc = rec_walk(copy, "v=TLSRPTv1", "_smtp._tls TXT", rpt_field, &st, e);
	free(copy);
	if (rc == 0 && !st.have_rua)
		rc = err_set(e, ERR_INPUT, "_smtp._tls TXT \"%.80s\": no rua",
		    txt);
	if (rc < 0)
		mtasts_tlsrpt_clear(out);
	return rc;
}

enum mtasts_sel
mtasts_tlsrpt_select(const char *const *txts, size_t n,
	struct mtasts_tlsrpt *out, struct err *e)
{
	size_t i, found = 0, which = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++)
		if (mtasts_tlsrpt_is_rpt(txts[i])) {
			found++;
			which = i;
		}
	if (found == 0)
		return MTASTS_SEL_NONE;
	if (found > 1) {
		err_set(e, ERR_INPUT, "_smtp._tls: %zu TXT records start with "
		    "v=TLSRPTv1; senders send no reports unless there is one",
		    found);
		return MTASTS_SEL_MANY;
	}
	return mtasts_tlsrpt_parse(txts[which], out, e) == 0 ?
	    MTASTS_SEL_ONE : MTASTS_SEL_INVALID;
}

void
mtasts_tlsrpt_clear(struct mtasts_tlsrpt *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nrua; i++)
		free(r->rua[i]);
	memset(r, 0, sizeof(*r));
}
