/*
 * prov_powerdns - TLSA records through the PowerDNS Authoritative HTTP API.
 *
 * The RRset is the unit: list reads the zone (GET
 * /servers/S/zones/ZONE., asking for just the owner's TLSA RRset and
 * filtering here too, for servers that ignore rrset_name); add and delete
 * compute the new set and PATCH the zone with changetype REPLACE of the
 * whole TLSA RRset (DELETE when it becomes empty), which PowerDNS applies
 * in one backend transaction.  Disabled records are kept as they are.
 * When the set would not change nothing is written.
 *
 * The API key is read from api_key_file and sent as X-API-Key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "provider/http.h"
#include "provider/provider_impl.h"
#include "util/xalloc.h"

#define PDNS_API "http://127.0.0.1:8081/api/v1"

struct pdns {
	struct http_client *http;
	char *zpath;            /* /servers/S/zones/ZONE. escaped */
};

static const char *const pdns_keys[] = {
	"api", "server_id", "api_key_file", NULL,
};

/* The records of one RRset object into on/off. */
static int
pdns_parse_records(json_t *set, struct tlsa_rec ***on, size_t *non,
	struct tlsa_rec ***off, size_t *noff, struct err *e)
{
	json_t *records = json_object_get(set, "records"), *v;
	const char *content;
	struct tlsa_rec *r;
	size_t i;

	if (!json_is_array(records))
		return err_set(e, ERR_NETWORK, "powerdns provider: an RRset "
		    "without records");
	json_array_foreach(records, i, v) {
		content = json_string_value(json_object_get(v, "content"));
		if (content == NULL)
			return err_set(e, ERR_NETWORK, "powerdns provider: a "
			    "record without content");
		if ((r = provider_rec_parse(content, "powerdns provider",
		    e)) == NULL)
			return -1;
		if (json_is_true(json_object_get(v, "disabled")))
			provider_recs_push(off, noff, r);
		else
			provider_recs_push(on, non, r);
		tlsa_rec_free(r);
	}
	return 0;
}

int
pdns_parse_zone(json_t *j, const char *owner, struct tlsa_rec ***on,
	size_t *non, struct tlsa_rec ***off, size_t *noff, uint32_t *ttl,
	struct err *e)
{
	json_t *rrsets = json_object_get(j, "rrsets"), *set, *t;
	const char *name, *type;
	size_t i;

	*ttl = 0;
	if (!json_is_array(rrsets))
		return err_set(e, ERR_NETWORK, "powerdns provider: the zone has "
		    "no rrsets array");
	json_array_foreach(rrsets, i, set) {
		name = json_string_value(json_object_get(set, "name"));
		type = json_string_value(json_object_get(set, "type"));
		if (name == NULL || type == NULL)
			return err_set(e, ERR_NETWORK, "powerdns provider: an "
			    "RRset without name or type");
		if (strcmp(type, "TLSA") != 0 || strcasecmp(name, owner) != 0)
			continue;
		t = json_object_get(set, "ttl");
		if (json_is_integer(t) && json_integer_value(t) >= 0 &&
		    json_integer_value(t) <= INT32_MAX)
			*ttl = (uint32_t)json_integer_value(t);
		if (pdns_parse_records(set, on, non, off, noff, e) < 0)
			return -1;
	}
	return 0;
}

/* PowerDNS errors are {"error": "..."}; 401 is a plain-text body. */
static int
pdns_check(struct provider *p, const char *what, struct http_resp *r,
	struct err *e)
{
	const char *msg = json_string_value(json_object_get(r->json, "error"));

	if (r->status >= 200 && r->status < 300)
		return 0;
	if (msg == NULL)
		msg = "no error message";
	if (r->status == 401 || r->status == 403)
		return err_set(e, ERR_INPUT, "powerdns provider: API key "
		    "rejected (HTTP %ld); check api_key_file", r->status);
	if (r->status == 404)
		return err_set(e, ERR_INPUT, "powerdns provider: zone %s or "
		    "server_id not found (HTTP 404: %.200s)", p->zone, msg);
	return err_set(e, ERR_INPUT, "powerdns provider: %s: HTTP %ld: %.200s",
	    what, r->status, msg);
}

static int
pdns_init(struct provider *p, struct err *e)
{
	struct pdns *st = xcalloc(1, sizeof(*st));
	const char *api = provider_param(p, "api");
	const char *sid = provider_param(p, "server_id");
	char *key, *esid, *ezone;

	p->impl = st;
	if (p->zone == NULL)
		return err_set(e, ERR_USAGE, "powerdns provider: missing "
		    "parameter \"zone\"");
	if ((st->http = http_client_new("powerdns", api != NULL ? api :
	    PDNS_API, e)) == NULL)
		return -1;
	esid = http_escape(sid != NULL ? sid : "localhost");
	ezone = http_escape(p->zone);
	st->zpath = xasprintf("/servers/%s/zones/%s", esid, ezone);
	free(esid);
	free(ezone);
	if ((key = provider_secret(p, "api_key_file", e)) == NULL)
		return -1;
	http_client_secret_header(st->http, "X-API-Key", key);
	provider_secret_free(key);
	return 0;
}

static void
pdns_fini(struct provider *p)
{
	struct pdns *st = p->impl;

	if (st == NULL)
		return;
	http_client_free(st->http);
	free(st->zpath);
	free(st);
}

/* The owner's TLSA RRset as the server has it now. */
static int
pdns_fetch(struct provider *p, struct provider_retry *rt, const char *owner,
	struct tlsa_rec ***on, size_t *non, struct tlsa_rec ***off,
	size_t *noff, uint32_t *ttl, struct err *e)
{
	struct pdns *st = p->impl;
	struct http_resp r;
	char *sub, *eo, *path;
	int rc;

	*on = *off = NULL;
	*non = *noff = 0;
	if ((sub = provider_subname(p, owner, e)) == NULL)
		return -1;
	free(sub);
	eo = http_escape(owner);
	path = xasprintf("%s?rrsets=true&rrset_name=%s&rrset_type=TLSA",
	    st->zpath, eo);
	rc = http_call(st->http, rt, "GET", path, NULL, &r, e);
	if (rc == 0 && (rc = pdns_check(p, "list", &r, e)) == 0) {
		if (r.json == NULL)
			rc = err_set(e, ERR_NETWORK, "powerdns provider: the "
			    "zone is not JSON");
		else
			rc = pdns_parse_zone(r.json, owner, on, non, off, noff,
			    ttl, e);
	}
	http_resp_free(&r);
	free(path);
	free(eo);
	return rc;
}

static void
pdns_push(json_t *list, struct tlsa_rec **recs, size_t n, int disabled)
{
	char *text;
	size_t i;

	for (i = 0; i < n; i++) {
		text = tlsa_rec_format(recs[i]);
		json_array_append_new(list, json_pack("{s:s, s:b}", "content",
		    text, "disabled", disabled));
		free(text);
	}
}

/* REPLACE the RRset with on + off, or DELETE it when both are empty. */
static int
pdns_write(struct provider *p, struct provider_retry *rt, const char *owner,
	struct tlsa_rec **on, size_t non, struct tlsa_rec **off, size_t noff,
	uint32_t ttl, struct err *e)
{
	struct pdns *st = p->impl;
	json_t *body, *set, *list;
	struct http_resp r;
	int rc;

	set = json_pack("{s:s, s:s}", "name", owner, "type", "TLSA");
	if (non + noff == 0)
		json_object_set_new(set, "changetype", json_string("DELETE"));
	else {
		list = json_array();
		pdns_push(list, on, non, 0);
		pdns_push(list, off, noff, 1);
		json_object_set_new(set, "changetype", json_string("REPLACE"));
		json_object_set_new(set, "ttl", json_integer(ttl));
		json_object_set_new(set, "records", list);
	}
	body = json_pack("{s:[o]}", "rrsets", set);
	rc = http_call(st->http, rt, "PATCH", st->zpath, body, &r, e);
	if (rc == 0)
		rc = pdns_check(p, "PATCH", &r, e);
	http_resp_free(&r);
	json_decref(body);
	return rc;
}

static int
pdns_list(struct provider *p, const char *owner, struct tlsa_rec ***recs,
	size_t *n, struct err *e)
{
	struct provider_retry rt;
	struct tlsa_rec **off;
	size_t noff;
	uint32_t ttl;
	int rc;

	provider_retry_start(&rt, p);
	rc = pdns_fetch(p, &rt, owner, recs, n, &off, &noff, &ttl, e);
	provider_recs_free(off, noff);
	return rc;
}

/* Remove r from recs if there; returns 1 when it was. */
static int
pdns_remove(struct tlsa_rec **recs, size_t *n, const struct tlsa_rec *r)
{
	long i = provider_recs_find(recs, *n, r);

	if (i < 0)
		return 0;
	tlsa_rec_free(recs[i]);
	memmove(recs + i, recs + i + 1, (*n - (size_t)i - 1) * sizeof(*recs));
	(*n)--;
	return 1;
}

static int
pdns_add(struct provider *p, const char *owner, uint32_t ttl,
	const struct tlsa_rec *rec, struct err *e)
{
	struct provider_retry rt;
	struct tlsa_rec **on, **off;
	size_t non, noff;
	uint32_t cur;
	int rc;

	provider_retry_start(&rt, p);
	rc = pdns_fetch(p, &rt, owner, &on, &non, &off, &noff, &cur, e);
	if (rc == 0 && provider_recs_find(on, non, rec) < 0) {
		/* A disabled copy is enabled rather than doubled. */
		pdns_remove(off, &noff, rec);
		provider_recs_push(&on, &non, rec);
		rc = pdns_write(p, &rt, owner, on, non, off, noff, ttl, e);
	}
	provider_recs_free(on, non);
	provider_recs_free(off, noff);
	return rc;
}

static int
pdns_del(struct provider *p, const char *owner, const struct tlsa_rec *rec,
	struct err *e)
{
	struct provider_retry rt;
	struct tlsa_rec **on, **off;
	size_t non, noff;
	uint32_t ttl;
	int rc;

	provider_retry_start(&rt, p);
	rc = pdns_fetch(p, &rt, owner, &on, &non, &off, &noff, &ttl, e);
	if (rc == 0 && pdns_remove(on, &non, rec))
		rc = pdns_write(p, &rt, owner, on, non, off, noff, ttl, e);
	provider_recs_free(on, non);
	provider_recs_free(off, noff);
	return rc;
}

const struct provider_ops prov_powerdns_ops = {
	.name = "powerdns",
	.keys = pdns_keys,
	.init = pdns_init,
	.fini = pdns_fini,
	.list = pdns_list,
	.add = pdns_add,
	.del = pdns_del,
};
