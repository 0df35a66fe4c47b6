/*
 * tlsa_out - render generated TLSA records as zone lines, nsupdate
 * commands, JSON or Cloudflare API request bodies.
 *
 * JSON is built with jansson, so every string (an input's file name, say)
 * is escaped by a library rather than by hand.
 */
#include "tlsa/tlsa_out.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/hex.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

/* Output is bounded: 64 MiB is far beyond any real set of records. */
#define TLSA_OUT_MAX (64 * 1024 * 1024)

static const char *const tlsa_out_names[] = {
	[TLSA_OUT_ZONE] = "zone",
	[TLSA_OUT_NSUPDATE] = "nsupdate",
	[TLSA_OUT_JSON] = "json",
	[TLSA_OUT_CLOUDFLARE] = "cloudflare",
};
#define TLSA_OUT_NFORMATS (sizeof(tlsa_out_names) / sizeof(tlsa_out_names[0]))

int
tlsa_out_format_parse(const char *name, enum tlsa_out_format *f,
	struct err *e)
{
	size_t i;

	for (i = 0; i < TLSA_OUT_NFORMATS; i++) {
		if (strcmp(name, tlsa_out_names[i]) == 0) {
			*f = (enum tlsa_out_format)i;
			return 0;
		}
	}
	return err_set(e, ERR_USAGE, "--format %s: unknown format (zone, "
	    "nsupdate, json, cloudflare)", name);
}

static int
tlsa_out_check_host(const char *host, struct err *e)
{
	size_t len = strlen(host), label = 0, i;

	if (len > 0 && host[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return err_set(e, ERR_USAGE, "--host '%s': not a host name "
		    "(1 to 253 characters)", host);
	for (i = 0; i <= len; i++) {
		if (i == len || host[i] == '.') {
			if (label == 0 || label > 63)
				return err_set(e, ERR_USAGE, "--host '%s': "
				    "labels must be 1 to 63 characters", host);
			label = 0;
		} else if (isalnum((unsigned char)host[i]) || host[i] == '-' ||
		    host[i] == '_') {
			label++;
		} else {
			return err_set(e, ERR_USAGE, "--host '%s': '%c' is not "
			    "allowed in a host name", host, isprint(
			    (unsigned char)host[i]) ? host[i] : '?');
		}
	}
	return 0;
}

int
tlsa_out_check(enum tlsa_out_format f, const struct tlsa_out_opts *o,
	struct err *e)
{
	if (o->host != NULL && tlsa_out_check_host(o->host, e) < 0)
		return -1;
	if (strcmp(o->proto, "tcp") != 0 && strcmp(o->proto, "udp") != 0 &&
	    strcmp(o->proto, "sctp") != 0)
		return err_set(e, ERR_USAGE, "--proto %s: expected tcp, udp or "
		    "sctp", o->proto);
	if (o->port < 1 || o->port > 65535)
		return err_set(e, ERR_USAGE, "--port %u: expected 1-65535",
		    o->port);
	if (o->ttl < -1 || o->ttl > TLSA_OUT_TTL_MAX)
		return err_set(e, ERR_USAGE, "--ttl %ld: expected 0-%ld",
		    o->ttl, TLSA_OUT_TTL_MAX);
	if (o->host == NULL && (f == TLSA_OUT_NSUPDATE ||
	    f == TLSA_OUT_CLOUDFLARE))
		return err_set(e, ERR_USAGE, "--format %s needs --host for the "
		    "owner name", tlsa_out_names[f]);
	return 0;
}

char *
tlsa_out_owner(const struct tlsa_out_opts *o, int dot)
{
	size_t len = strlen(o->host);

	if (len > 0 && o->host[len - 1] == '.')
		len--;
	return xasprintf("_%u._%s.%.*s%s", o->port, o->proto, (int)len,
	    o->host, dot ? "." : "");
}

/* One zone or nsupdate line. */
static int
tlsa_out_line(struct sbuf *b, enum tlsa_out_format f,
	const struct tlsa_out_opts *o, const char *owner,
	const struct tlsa_rec *r, struct err *e)
{
	char *rdata = tlsa_rec_format(r);
	int rc;

	if (f == TLSA_OUT_NSUPDATE)
		rc = sbuf_printf(b, "update add %s %ld IN TLSA %s\n", owner,
		    o->ttl >= 0 ? o->ttl : TLSA_OUT_NSUPDATE_TTL, rdata);
	else if (owner == NULL)
		rc = sbuf_printf(b, "%s\n", rdata);
	else if (o->ttl >= 0)
		rc = sbuf_printf(b, "%s %ld IN TLSA %s\n", owner, o->ttl,
		    rdata);
	else
		rc = sbuf_printf(b, "%s IN TLSA %s\n", owner, rdata);
	free(rdata);
	if (rc < 0)
		return err_set(e, ERR_SYSTEM, "output larger than %d bytes",
		    TLSA_OUT_MAX);
	return 0;
}

/* A JSON string; text that is not UTF-8 (a file name) is made ASCII. */
static json_t *
tlsa_out_json_string(const char *text)
{
	json_t *j = json_string(text);
	char *copy;
	size_t i;

	if (j != NULL)
		return j;
	copy = xstrdup(text);
	for (i = 0; copy[i] != '\0'; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

/* The object for one record in the json format. */
static json_t *
tlsa_out_json_rr(const struct tlsa_out_opts *o, const char *owner,
	const struct tlsa_out_rr *rr)
{
	char *hex = hex_encode(rr->rec->data, rr->rec->len);
	json_t *obj;

	obj = json_pack("{s:o, s:o, s:i, s:i, s:i, s:s, s:o, s:o}",
	    "owner", owner != NULL ? json_string(owner) : json_null(),
	    "ttl", o->ttl >= 0 ? json_integer(o->ttl) : json_null(),
	    "usage", rr->rec->usage, "selector", rr->rec->selector,
	    "matching_type", rr->rec->mtype, "data", hex,
	    "source", tlsa_out_json_string(rr->source),
	    "depth", rr->depth >= 0 ? json_integer(rr->depth) : json_null());
	free(hex);
	return obj;
}

/* The body of a Cloudflare "create DNS record" request. */
static json_t *
tlsa_out_cloudflare_rr(const struct tlsa_out_opts *o, const char *name,
	const struct tlsa_rec *r)
{
	char *hex = hex_encode(r->data, r->len);
	json_t *obj;

	obj = json_pack("{s:s, s:s, s:I, s:{s:i, s:i, s:i, s:s}}",
	    "type", "TLSA", "name", name,
	    "ttl", (json_int_t)(o->ttl >= 0 ? o->ttl :
	    TLSA_OUT_CLOUDFLARE_AUTO_TTL),
	    "data", "usage", r->usage, "selector", r->selector,
	    "matching_type", r->mtype, "certificate", hex);
	free(hex);
	return obj;
}

/* Append obj as JSON (one line when compact) and release it. */
static int
tlsa_out_json_add(struct sbuf *b, json_t *obj, size_t flags, struct err *e)
{
	char *text;
	int rc;

	text = obj != NULL ? json_dumps(obj, flags) : NULL;
	json_decref(obj);
	if (text == NULL)
		return err_set(e, ERR_SYSTEM, "cannot build JSON output");
	rc = sbuf_printf(b, "%s\n", text);
	free(text);
	if (rc < 0)
		return err_set(e, ERR_SYSTEM, "output larger than %d bytes",
		    TLSA_OUT_MAX);
	return 0;
}

static int
tlsa_out_seen(const struct tlsa_out_rr *rrs, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (tlsa_rec_equal(rrs[j].rec, rrs[i].rec))
			return 1;
	return 0;
}

char *
tlsa_out_render(enum tlsa_out_format f, const struct tlsa_out_opts *o,
	const struct tlsa_out_rr *rrs, size_t n, struct err *e)
{
	char *owner = NULL;
	json_t *array = NULL;
	struct sbuf b;
	size_t i;
	int rc = 0;

	if (tlsa_out_check(f, o, e) < 0)
		return NULL;
	if (o->host != NULL)
		owner = tlsa_out_owner(o, f != TLSA_OUT_CLOUDFLARE);
	sbuf_init(&b, TLSA_OUT_MAX);
	if (f == TLSA_OUT_JSON)
		array = json_array();
	for (i = 0; i < n && rc == 0; i++) {
		if (tlsa_out_seen(rrs, i))
			continue;
		if (f == TLSA_OUT_JSON) {
			if (json_array_append_new(array,
			    tlsa_out_json_rr(o, owner, &rrs[i])) < 0)
				rc = err_set(e, ERR_SYSTEM, "cannot build "
				    "JSON output");
		} else if (f == TLSA_OUT_CLOUDFLARE) {
			rc = tlsa_out_json_add(&b, tlsa_out_cloudflare_rr(o,
			    owner, rrs[i].rec), JSON_COMPACT, e);
		} else {
			rc = tlsa_out_line(&b, f, o, owner, rrs[i].rec, e);
		}
	}
	if (rc == 0 && array != NULL)
		rc = tlsa_out_json_add(&b, array, JSON_INDENT(2), e);
	else
		json_decref(array);
	free(owner);
	if (rc < 0) {
		sbuf_free(&b);
		return NULL;
	}
	return sbuf_steal(&b, NULL);
}
