/*
 * prov_cloudflare - TLSA records through the Cloudflare API v4.
 *
 * Cloudflare stores records one by one, each with an id: list reads
 * GET /zones/ID/dns_records?type=TLSA&name=OWNER page by page; add POSTs
 * one record (81057 "record already exists" and 81058 "identical record
 * already exists" mean it is there: success); delete finds the ids of the
 * records equal to the one given and DELETEs each (gone already: success).
 * Records other than the one named are never touched.  The zone id comes
 * from GET /zones?name=ZONE unless zone_id is given.
 *
 * The token (an API token with Zone.DNS Edit for the zone) is read from
 * token_file and sent as a bearer token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "provider/http.h"
#include "provider/provider_impl.h"
#include "util/hex.h"
#include "util/xalloc.h"

#define CF_API "https://api.cloudflare.com/client/v4"
#define CF_PER_PAGE 100
#define CF_MAX_PAGES 1000

struct cf {
	struct http_client *http;
	char *zone_id;
};

static const char *const cf_keys[] = {
	"zone_id", "token_file", "api", NULL,
};

void
prov_idrecs_free(struct prov_idrec *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].id);
		tlsa_rec_free(v[i].rec);
	}
	free(v);
}

static int
cf_int(json_t *o, const char *key, unsigned max, unsigned *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > (json_int_t)max)
		return -1;
	*out = (unsigned)json_integer_value(v);
	return 0;
}

/* A record from "data" (the structured form) or else "content". */
static struct tlsa_rec *
cf_record(json_t *rec, struct err *e)
{
	json_t *data = json_object_get(rec, "data");
	const char *cert, *content;
	unsigned u, s, m;
	struct tlsa_rec *r;
	char *text;

	if (json_is_object(data) && cf_int(data, "usage", 255, &u) == 0 &&
	    cf_int(data, "selector", 255, &s) == 0 &&
	    cf_int(data, "matching_type", 255, &m) == 0 &&
	    (cert = json_string_value(json_object_get(data, "certificate"))) !=
	    NULL) {
		text = xasprintf("%u %u %u %s", u, s, m, cert);
		r = provider_rec_parse(text, "cloudflare provider: record data",
		    e);
		free(text);
		return r;
	}
	if ((content = json_string_value(json_object_get(rec, "content"))) !=
	    NULL)
		return provider_rec_parse(content,
		    "cloudflare provider: record content", e);
	err_set(e, ERR_NETWORK, "cloudflare provider: a TLSA record without "
	    "data or content");
	return NULL;
}

int
cf_parse_records(json_t *j, const char *name, struct prov_idrec **v,
	size_t *n, unsigned *pages, struct err *e)
{
	json_t *result = json_object_get(j, "result"), *rec, *info;
	const char *id, *type, *rname;
	struct tlsa_rec *r;
	size_t i;

	if (!json_is_array(result))
		return err_set(e, ERR_NETWORK, "cloudflare provider: the record "
		    "list has no result array");
	json_array_foreach(result, i, rec) {
		type = json_string_value(json_object_get(rec, "type"));
		rname = json_string_value(json_object_get(rec, "name"));
		id = json_string_value(json_object_get(rec, "id"));
		if (type == NULL || rname == NULL || id == NULL)
			return err_set(e, ERR_NETWORK, "cloudflare provider: a "
			    "record without id, type or name");
		if (strcmp(type, "TLSA") != 0 || strcasecmp(rname, name) != 0)
			continue;
		if ((r = cf_record(rec, e)) == NULL)
			return -1;
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		(*v)[*n].id = xstrdup(id);
		(*v)[(*n)++].rec = r;
	}
	*pages = 1;
	info = json_object_get(j, "result_info");
	if (json_is_object(info) && json_object_get(info, "total_pages") !=
	    NULL && cf_int(info, "total_pages", CF_MAX_PAGES, pages) < 0)
		return err_set(e, ERR_NETWORK, "cloudflare provider: bad "
		    "result_info.total_pages");
	return 0;
}

long
cf_parse_error(json_t *j, char *msg, size_t msglen)
{
	json_t *first = json_array_get(json_object_get(j, "errors"), 0);
	const char *m = json_string_value(json_object_get(first, "message"));
	json_t *code = json_object_get(first, "code");

	snprintf(msg, msglen, "%s", m != NULL ? m : "no message");
	return json_is_integer(code) ? (long)json_integer_value(code) : 0;
}

/*
 * Judge an answer: 0 when it succeeded, else -1 with e set.  *code gets
 * Cloudflare's error code so callers can accept the ones that mean done.
 */
static int
cf_check(struct provider *p, const char *what, struct http_resp *r,
	long *code, struct err *e)
{
	json_t *ok = json_object_get(r->json, "success");
	char msg[160];

	*code = 0;
	if (r->json == NULL || !json_is_object(r->json))
		return err_set(e, ERR_NETWORK, "cloudflare provider: %s: HTTP "
		    "%ld with a body that is not JSON", what, r->status);
	if (r->status >= 200 && r->status < 300 && json_is_true(ok))
		return 0;
	*code = cf_parse_error(r->json, msg, sizeof(msg));
	if (r->status == 401 || r->status == 403 || *code == 10000 ||
	    *code == 9109 || *code == 9106 || *code == 9103 || *code == 10001)
		return err_set(e, ERR_INPUT, "cloudflare provider: token "
		    "rejected or lacks DNS Edit permission for zone %s (HTTP "
		    "%ld, code %ld: %s); check token_file", p->zone != NULL ?
		    p->zone : "(zone_id)", r->status, *code, msg);
	return err_set(e, ERR_INPUT, "cloudflare provider: %s: HTTP %ld, code "
	    "%ld: %s", what, r->status, *code, msg);
}

static int
cf_init(struct provider *p, struct err *e)
{
	struct cf *st = xcalloc(1, sizeof(*st));
	const char *api = provider_param(p, "api");
	const char *zid = provider_param(p, "zone_id");
	char *token;

	p->impl = st;
	if (p->zone == NULL && zid == NULL)
		return err_set(e, ERR_USAGE, "cloudflare provider: missing "
		    "parameter \"zone\" (or \"zone_id\")");
	if (zid != NULL)
		st->zone_id = xstrdup(zid);
	if ((st->http = http_client_new("cloudflare", api != NULL ? api :
	    CF_API, e)) == NULL)
		return -1;
	if ((token = provider_secret(p, "token_file", e)) == NULL)
		return -1;
	http_client_bearer(st->http, token);
	provider_secret_free(token);
	return 0;
}

static void
cf_fini(struct provider *p)
{
	struct cf *st = p->impl;

	if (st == NULL)
		return;
	http_client_free(st->http);
	free(st->zone_id);
	free(st);
}

/* The zone's id, looked up once by name. */
static int
cf_zone_id(struct provider *p, struct provider_retry *rt, struct err *e)
{
	struct cf *st = p->impl;
	struct http_resp r;
	const char *id;
	char *name, *path;
	long code;
	int rc;

	if (st->zone_id != NULL)
		return 0;
	name = http_escape(p->zone);
	name[strlen(name) - 1] = '\0';  /* the trailing dot */
	path = xasprintf("/zones?name=%s", name);
	free(name);
	rc = http_call(st->http, rt, "GET", path, NULL, &r, e);
	free(path);
	if (rc == 0 && (rc = cf_check(p, "zone lookup", &r, &code, e)) == 0) {
		id = json_string_value(json_object_get(json_array_get(
		    json_object_get(r.json, "result"), 0), "id"));
		if (id != NULL)
			st->zone_id = xstrdup(id);
		else
			rc = err_set(e, ERR_INPUT, "cloudflare provider: zone "
			    "%s not found, or the token cannot see it", p->zone);
	}
	http_resp_free(&r);
	return rc;
}

/* owner without its trailing dot (Cloudflare's names have none), once
 * it is known to be in the zone. */
static char *
cf_name(struct provider *p, const char *owner, struct err *e)
{
	char *sub;

	if (p->zone != NULL) {
		if ((sub = provider_subname(p, owner, e)) == NULL)
			return NULL;
		free(sub);
	}
	return xstrndup(owner, strlen(owner) - 1);
}

/* Every TLSA record at owner with its id, all pages. */
static int
cf_fetch(struct provider *p, struct provider_retry *rt, const char *owner,
	struct prov_idrec **v, size_t *n, struct err *e)
{
	struct cf *st = p->impl;
	char *name, *qname, *path;
	unsigned page, pages = 1;
	struct http_resp r;
	long code;
	int rc = 0;

	*v = NULL;
	*n = 0;
	if ((name = cf_name(p, owner, e)) == NULL)
		return -1;
	if (cf_zone_id(p, rt, e) < 0) {
		free(name);
		return -1;
	}
	qname = http_escape(name);
	for (page = 1; rc == 0 && page <= pages; page++) {
		path = xasprintf("/zones/%s/dns_records?type=TLSA&name=%s&"
		    "per_page=%d&page=%u", st->zone_id, qname, CF_PER_PAGE, page);
		rc = http_call(st->http, rt, "GET", path, NULL, &r, e);
		free(path);
		if (rc == 0 && (rc = cf_check(p, "list", &r, &code, e)) == 0)
			rc = cf_parse_records(r.json, name, v, n, &pages, e);
		http_resp_free(&r);
	}
	free(qname);
	free(name);
	if (rc < 0) {
		prov_idrecs_free(*v, *n);
		*v = NULL;
		*n = 0;
	}
	return rc;
}

static int
cf_list(struct provider *p, const char *owner, struct tlsa_rec ***recs,
	size_t *n, struct err *e)
{
	struct provider_retry rt;
	struct prov_idrec *v;
	size_t i, nv;

	provider_retry_start(&rt, p);
	if (cf_fetch(p, &rt, owner, &v, &nv, e) < 0)
		return -1;
	for (i = 0; i < nv; i++)
		provider_recs_push(recs, n, v[i].rec);
	prov_idrecs_free(v, nv);
	return 0;
}

static int
cf_add(struct provider *p, const char *owner, uint32_t ttl,
	const struct tlsa_rec *rec, struct err *e)
{
	struct cf *st = p->impl;
	struct provider_retry rt;
	struct http_resp r;
	char *hex, *name, *path;
	json_t *body;
	long code;
	int rc;

	provider_retry_start(&rt, p);
	if ((name = cf_name(p, owner, e)) == NULL)
		return -1;
	if (cf_zone_id(p, &rt, e) < 0) {
		free(name);
		return -1;
	}
	hex = hex_encode(rec->data, rec->len);
	body = json_pack("{s:s, s:s, s:I, s:{s:i, s:i, s:i, s:s}}",
	    "type", "TLSA", "name", name, "ttl", (json_int_t)ttl, "data",
	    "usage", rec->usage, "selector", rec->selector, "matching_type",
	    rec->mtype, "certificate", hex);
	path = xasprintf("/zones/%s/dns_records", st->zone_id);
	rc = http_call(st->http, &rt, "POST", path, body, &r, e);
	/* 81057/81058: the record exists already, which is what we want. */
	if (rc == 0 && cf_check(p, "add", &r, &code, e) < 0 &&
	    code != 81057 && code != 81058)
		rc = -1;
	http_resp_free(&r);
	json_decref(body);
	free(path);
	free(name);
	free(hex);
	return rc;
}

static int
cf_delete_id(struct provider *p, struct provider_retry *rt, const char *id,
	struct err *e)
{
	struct cf *st = p->impl;
	struct http_resp r;
	char *eid = http_escape(id), *path;
	long code;
	int rc;

	path = xasprintf("/zones/%s/dns_records/%s", st->zone_id, eid);
	rc = http_call(st->http, rt, "DELETE", path, NULL, &r, e);
	/* Gone already (a concurrent delete, a retried call): done. */
	if (rc == 0 && r.status != 404 && cf_check(p, "delete", &r, &code,
	    e) < 0 && code != 81044)
		rc = -1;
	http_resp_free(&r);
	free(path);
	free(eid);
	return rc;
}

static int
cf_del(struct provider *p, const char *owner, const struct tlsa_rec *rec,
	struct err *e)
{
	struct provider_retry rt;
	struct prov_idrec *v;
	size_t i, nv;
	int rc = 0;

	provider_retry_start(&rt, p);
	if (cf_fetch(p, &rt, owner, &v, &nv, e) < 0)
		return -1;
	for (i = 0; rc == 0 && i < nv; i++)
		if (tlsa_rec_equal(v[i].rec, rec))
			rc = cf_delete_id(p, &rt, v[i].id, e);
	prov_idrecs_free(v, nv);
	return rc;
}

const struct provider_ops prov_cloudflare_ops = {
	.name = "cloudflare",
	.keys = cf_keys,
	.init = cf_init,
	.fini = cf_fini,
	.list = cf_list,
	.add = cf_add,
	.del = cf_del,
};
