/*
 * mime - find the TLS report in a mail message (RFC 8460 section 5.3).
 *
 * Built into the daneops-mime plugin (mime_module.c), not into daneops:
 * GMime and GLib are loaded only when a report is ingested.
 */
#include "report/mime.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "report/gunzip.h"
#include "report/tlsrpt.h"
#include "util/xalloc.h"

/* Nested multiparts and attached messages deeper than this are ignored. */
#define MIME_MAX_DEPTH 8
/* Parts looked at (the pre-scan already bounds them). */
#define MIME_MAX_PARTS MIME_MAX_BOUNDARY_LINES

/* The parts of the best kind found so far (borrowed from the message). */
struct mime_pick {
	GMimePart *part[MIME_MAX_REPORTS + 1];  /* one more: "too many" */
	size_t n;
	int score;
	const char *how;
	int nparts;
};

static int
mime_ends_with(const char *s, const char *suffix)
{
	size_t n, m;

	if (s == NULL)
		return 0;
	n = strlen(s);
	m = strlen(suffix);
	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* How likely a leaf part is to be the report: 0 not at all .. 3 the RFC. */
static int
mime_score(GMimePart *part, const char **how)
{
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
	const char *name = g_mime_part_get_filename(part);
	int named = mime_ends_with(name, ".json.gz") ||
	    mime_ends_with(name, ".json") || mime_ends_with(name, ".gz");

	if (ct == NULL)
		return 0;
	if (g_mime_content_type_is_type(ct, "application", "tlsrpt+gzip") ||
	    g_mime_content_type_is_type(ct, "application", "tlsrpt+json")) {
		*how = "application/tlsrpt part";
		return 3;
	}
	if (named && (g_mime_content_type_is_type(ct, "application", "*") ||
	    g_mime_content_type_is_type(ct, "text", "plain"))) {
		*how = "attachment named *.json(.gz)";
		return 2;
	}
	if (g_mime_content_type_is_type(ct, "application", "gzip") ||
	    g_mime_content_type_is_type(ct, "application", "x-gzip") ||
	    g_mime_content_type_is_type(ct, "application", "json")) {
		*how = "application/gzip or json part";
		return 1;
	}
	return 0;
}

static void
mime_walk(GMimeObject *obj, int depth, struct mime_pick *pick)
{
	const char *how = NULL;
	int i, n, score;

	if (depth > MIME_MAX_DEPTH || pick->nparts++ > MIME_MAX_PARTS)
		return;
	if (GMIME_IS_MULTIPART(obj)) {
		n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
		for (i = 0; i < n; i++)
			mime_walk(g_mime_multipart_get_part(GMIME_MULTIPART(obj),
			    i), depth + 1, pick);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		/* A report forwarded as message/rfc822. */
		GMimeMessage *m = g_mime_message_part_get_message(
		    GMIME_MESSAGE_PART(obj));

		if (m != NULL && g_mime_message_get_mime_part(m) != NULL)
			mime_walk(g_mime_message_get_mime_part(m), depth + 1,
			    pick);
	} else if (GMIME_IS_PART(obj)) {
		score = mime_score(GMIME_PART(obj), &how);
		if (score > pick->score) {
			pick->n = 0;
			pick->score = score;
			pick->how = how;
		}
		if (score > 0 && score == pick->score &&
		    pick->n < MIME_MAX_REPORTS + 1)
			pick->part[pick->n++] = GMIME_PART(obj);
	}
}

/* The decoded content of part (transfer encoding undone); caller frees. */
static char *
mime_decode(GMimePart *part, size_t *len, struct err *e)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *mem;
	GByteArray *ba;
	char *data;

	if (w == NULL) {
		err_set(e, ERR_INPUT, "the report part is empty");
		return NULL;
	}
	mem = g_mime_stream_mem_new();
	if (g_mime_data_wrapper_write_to_stream(w, mem) < 0) {
		g_object_unref(mem);
		err_set(e, ERR_INPUT, "the report part cannot be decoded");
		return NULL;
	}
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	*len = ba->len;
	data = xmalloc(ba->len + 1);
	if (ba->len > 0)        /* an empty array may have no data at all */
		memcpy(data, ba->data, ba->len);
	data[ba->len] = '\0';
	g_object_unref(mem);
	return data;
}

static int
mime_looks_json(const char *data, size_t len)
{
	size_t i;

	for (i = 0; i < len && isspace((unsigned char)data[i]); i++)
		;
	return i < len && data[i] == '{';
}

/*
 * Turn a decoded payload into the report JSON of out: inflate it if
 * gzipped, to at most max bytes (what is left of TLSRPT_MAX_JSON).
 */
static int
mime_payload(char *data, size_t len, size_t max, struct mime_part *out,
	struct err *e)
{
	struct err sub;

	if (gunzip_is_gzip(data, len)) {
		if (max == 0) {
			free(data);
			return err_set(e, ERR_INPUT, "%s: the reports together "
			    "inflate past %d bytes", out->how, TLSRPT_MAX_JSON);
		}
		out->json = gunzip_buf(data, len, max, &out->len, &sub);
		free(data);
		if (out->json == NULL)
			return err_set(e, ERR_INPUT, "%s: %s", out->how, sub.msg);
		return 0;
	}
	if (len > max) {
		free(data);
		return err_set(e, ERR_INPUT, "%s: the reports together are "
		    "larger than %d bytes", out->how, TLSRPT_MAX_JSON);
	}
	if (!mime_looks_json(data, len)) {
		free(data);
		return err_set(e, ERR_INPUT, "%s: neither gzip nor JSON",
		    out->how);
	}
	out->json = data;
	out->len = len;
	return 0;
}

static char *
mime_header_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
mime_headers(GMimeMessage *m, struct mime_report *out)
{
	InternetAddressList *from = g_mime_message_get_from(m);
	char *s;

	out->subject = mime_header_dup(g_mime_message_get_subject(m));
	out->message_id = mime_header_dup(g_mime_message_get_message_id(m));
	if (from != NULL && internet_address_list_length(from) > 0) {
		s = internet_address_list_to_string(from, NULL, FALSE);
		out->from = mime_header_dup(s);
		g_free(s);
	}
}

/* Decode and inflate the picked parts into out; all or nothing. */
static int
mime_take(struct mime_pick *pick, struct mime_report *out, struct err *e)
{
	size_t i, len, used = 0;
	struct mime_part *p;
	struct err sub;
	char *data;

	if (pick->n > MIME_MAX_REPORTS)
		return err_set(e, ERR_INPUT, "more than %d report parts (%s)",
		    MIME_MAX_REPORTS, pick->how);
	for (i = 0; i < pick->n; i++) {
		p = &out->part[out->nparts];
		p->how = pick->how;
		if ((data = mime_decode(pick->part[i], &len, &sub)) == NULL ||
		    mime_payload(data, len, TLSRPT_MAX_JSON - used, p,
		    &sub) < 0) {
			if (pick->n == 1)
				return err_set(e, ERR_INPUT, "%s", sub.msg);
			return err_set(e, ERR_INPUT, "report part %zu of %zu: "
			    "%s", i + 1, pick->n, sub.msg);
		}
		used += p->len;
		out->nparts++;
	}
	return 0;
}

/* The reports in the parsed message m. */
static int
mime_from_message(GMimeMessage *m, struct mime_report *out, struct err *e)
{
	struct mime_pick pick;
	GMimeObject *top = g_mime_message_get_mime_part(m);

	memset(&pick, 0, sizeof(pick));
	mime_headers(m, out);
	if (top == NULL)
		return err_set(e, ERR_INPUT, "the message has no body");
	mime_walk(top, 0, &pick);
	/* A single-part message may carry the report as its whole body. */
	if (pick.n == 0 && GMIME_IS_PART(top)) {
		pick.part[pick.n++] = GMIME_PART(top);
		pick.how = "message body (no report part)";
	}
	if (pick.n == 0)
		return err_set(e, ERR_INPUT, "no TLS report in the message (no "
		    "application/tlsrpt+gzip, +json or *.json.gz part)");
	return mime_take(&pick, out, e);
}

/* Does line (not NUL-terminated, up to end) start a container header? */
static int
mime_container_header(const char *p, const char *end)
{
	static const char ct[] = "content-type:";
	size_t n = sizeof(ct) - 1;

	if ((size_t)(end - p) < n || strncasecmp(p, ct, n) != 0)
		return 0;
	/* The value, possibly folded onto the next lines. */
	for (p += n; p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
	    *p == '\n'); p++)
		;
	return ((size_t)(end - p) >= 10 && strncasecmp(p, "multipart/", 10) ==
	    0) || ((size_t)(end - p) >= 14 &&
	    strncasecmp(p, "message/rfc822", 14) == 0);
}

/*
 * The cheap bounds of mime.h, on the raw text: boundary lines and
 * container headers.  GMime's tree costs memory per part; this costs one
 * pass and no allocation.
 */
static int
mime_prescan(const char *msg, size_t len, struct err *e)
{
	const char *p = msg, *end = msg + len, *nl;
	size_t dashes = 0, containers = 0;

	while (p < end) {
		if (end - p >= 2 && p[0] == '-' && p[1] == '-' &&
		    ++dashes > MIME_MAX_BOUNDARY_LINES)
			return err_set(e, ERR_INPUT, "more than %d MIME "
			    "boundary lines: not parsed (a report mail has a "
			    "few)", MIME_MAX_BOUNDARY_LINES);
		if ((*p == 'c' || *p == 'C') &&
		    mime_container_header(p, end - p > 64 ? p + 64 : end) &&
		    ++containers > MIME_MAX_CONTAINERS)
			return err_set(e, ERR_INPUT, "more than %d multipart "
			    "or message/rfc822 entities: not parsed (a report "
			    "mail has one or two)", MIME_MAX_CONTAINERS);
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}

int
mime_extract(const char *msg, size_t len, struct mime_report *out,
	struct err *e)
{
	static int initialised;
	GMimeParser *parser;
	GMimeMessage *m;
	GMimeStream *s;
	int rc;

	memset(out, 0, sizeof(*out));
	if (gunzip_is_gzip(msg, len) || mime_looks_json(msg, len)) {
		char *copy = xmalloc(len + 1);

		memcpy(copy, msg, len);
		copy[len] = '\0';
		out->part[0].how = "bare report";
		if (mime_payload(copy, len, TLSRPT_MAX_JSON, &out->part[0],
		    e) < 0)
			return -1;
		out->nparts = 1;
		return 0;
	}
	if (mime_prescan(msg, len, e) < 0)
		return -1;
	if (!initialised) {
		g_mime_init();
		initialised = 1;
	}
	s = g_mime_stream_mem_new_with_buffer(msg, len);
	parser = g_mime_parser_new_with_stream(s);
	m = g_mime_parser_construct_message(parser, NULL);
	if (m == NULL)
		rc = err_set(e, ERR_INPUT, "not a mail message");
	else
		rc = mime_from_message(m, out, e);
	if (m != NULL)
		g_object_unref(m);
	g_object_unref(parser);
	g_object_unref(s);
	if (rc < 0)
		mime_report_clear(out);
	return rc;
}
