/*
 * prov_desec - TLSA records through the deSEC API (desec.io).
 *
 * deSEC's unit is the RRset: list reads GET /domains/D/rrsets/SUB/TLSA/;
 * add and delete compute the new record set from the current one and write
 * it whole with PATCH /domains/D/rrsets/ (the bulk endpoint, which creates,
 * replaces or - with no records - deletes the RRset atomically).  When
 * the set would not change nothing is written, so repeated calls cost no
 * write quota (deSEC limits writes per domain hard).  Between the read and
 * the write another writer could change the set; the roll engine's lock
 * makes daneops the only writer of its owners.
 *
 * The token is read from token_file and sent as "Authorization: Token",
 * deSEC's scheme.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "provider/http.h"
#include "provider/provider_impl.h"
#include "util/xalloc.h"

#define DESEC_API "https://desec.io/api/v1"

struct desec {
	struct http_client *http;
	char *domain;           /* without the trailing dot */
	int domain_ok;          /* GET /domains/D/ succeeded once */
};

static const char *const desec_keys[] = {
	"domain", "token_file", "api", NULL,
};

int
desec_parse_rrset(json_t *j, struct tlsa_rec ***recs, size_t *n,
	uint32_t *ttl, struct err *e)
{
	json_t *records = json_object_get(j, "records"), *v;
	json_t *t = json_object_get(j, "ttl");
	struct tlsa_rec *r;
	size_t i;

	if (!json_is_array(records) || !json_is_integer(t) ||
	    json_integer_value(t) < 0 || json_integer_value(t) > INT32_MAX)
		return err_set(e, ERR_NETWORK, "desec provider: an RRset "
		    "without records or ttl");
	*ttl = (uint32_t)json_integer_value(t);
	json_array_foreach(records, i, v) {
		if (!json_is_string(v))
			return err_set(e, ERR_NETWORK, "desec provider: a record "
			    "that is not a string");
		if ((r = provider_rec_parse(json_string_value(v),
		    "desec provider", e)) == NULL)
			return -1;
		provider_recs_push(recs, n, r);
		tlsa_rec_free(r);
	}
	return 0;
}

/* A short, printable excerpt of an error body (deSEC's are small JSON). */
static void
desec_excerpt(const struct http_resp *r, char *buf, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < r->len && o + 1 < len; i++)
		buf[o++] = r->body[i] >= 0x20 && r->body[i] < 0x7f ?
		    r->body[i] : ' ';
	buf[o] = '\0';
}

static int
desec_check(struct provider *p, const char *what, struct http_resp *r,
	struct err *e)
{
	struct desec *st = p->impl;
	char body[200];

	if (r->status >= 200 && r->status < 300)
		return 0;
	desec_excerpt(r, body, sizeof(body));
	if (r->status == 401 || r->status == 403)
		return err_set(e, ERR_INPUT, "desec provider: token rejected or "
		    "not allowed to write TLSA in domain %s (HTTP %ld: %s); "
		    "check token_file and the token's policy", st->domain,
		    r->status, body);
	if (r->status == 404)
		return err_set(e, ERR_INPUT, "desec provider: domain %s is not "
		    "in this deSEC account (HTTP 404)", st->domain);
	/* 400 carries the field errors, e.g. ttl below minimum_ttl. */
	return err_set(e, ERR_INPUT, "desec provider: %s: HTTP %ld: %s", what,
	    r->status, body);
}

static int
desec_init(struct provider *p, struct err *e)
{
	struct desec *st = xcalloc(1, sizeof(*st));
	const char *api = provider_param(p, "api");
	const char *dom = provider_param(p, "domain");
	char *token, *hdr;
	size_t len;

	p->impl = st;
	if (dom != NULL && p->zone != NULL)
		return err_set(e, ERR_USAGE, "desec provider: give \"domain\" "
		    "or \"zone\", not both");
	if (dom != NULL) {
		len = strlen(dom);
		p->zone = len > 0 && dom[len - 1] == '.' ? xstrdup(dom) :
		    xasprintf("%s.", dom);
	}
	if (p->zone == NULL || strcmp(p->zone, ".") == 0)
		return err_set(e, ERR_USAGE, "desec provider: missing parameter "
		    "\"domain\"");
	st->domain = xstrndup(p->zone, strlen(p->zone) - 1);
	if ((st->http = http_client_new("desec", api != NULL ? api : DESEC_API,
	    e)) == NULL)
		return -1;
	if ((token = provider_secret(p, "token_file", e)) == NULL)
		return -1;
	hdr = xasprintf("Token %s", token);
	http_client_secret_header(st->http, "Authorization", hdr);
	provider_secret_free(hdr);
	provider_secret_free(token);
	return 0;
}

static void
desec_fini(struct provider *p)
{
	struct desec *st = p->impl;

	if (st == NULL)
		return;
	http_client_free(st->http);
	free(st->domain);
	free(st);
}

/* The domain must exist: else a missing RRset and a missing domain are
 * both a 404 and could not be told apart. */
static int
desec_domain(struct provider *p, struct provider_retry *rt, struct err *e)
{
	struct desec *st = p->impl;
	struct http_resp r;
	char *path, *d;
	int rc;

	if (st->domain_ok)
		return 0;
	d = http_escape(st->domain);
	path = xasprintf("/domains/%s/", d);
	rc = http_call(st->http, rt, "GET", path, NULL, &r, e);
	if (rc == 0 && (rc = desec_check(p, "domain", &r, e)) == 0 &&
	    !json_is_object(r.json))
		rc = err_set(e, ERR_NETWORK, "desec provider: GET %s: the answer "
		    "is not a JSON object", path);
	st->domain_ok = rc == 0;
	http_resp_free(&r);
	free(path);
	free(d);
	return rc;
}

/* The RRset at owner: its records and TTL (none and 0 when absent). */
static int
desec_fetch(struct provider *p, struct provider_retry *rt, const char *owner,
	char **sub, struct tlsa_rec ***recs, size_t *n, uint32_t *ttl,
	struct err *e)
{
	struct desec *st = p->impl;
	struct http_resp r;
	char *path, *d, *s;
	int rc;

	*recs = NULL;
	*n = 0;
	*ttl = 0;
	if ((*sub = provider_subname(p, owner, e)) == NULL)
		return -1;
	if (desec_domain(p, rt, e) < 0)
		return -1;
	d = http_escape(st->domain);
	/* deSEC names the apex "..." in URLs. */
	s = (*sub)[0] == '\0' ? xstrdup("...") : http_escape(*sub);
	path = xasprintf("/domains/%s/rrsets/%s/TLSA/", d, s);
	rc = http_call(st->http, rt, "GET", path, NULL, &r, e);
	if (rc == 0 && r.status != 404) {
		if ((rc = desec_check(p, "list", &r, e)) == 0 && r.json == NULL)
			rc = err_set(e, ERR_NETWORK, "desec provider: GET %s: "
			    "the answer is not JSON", path);
		else if (rc == 0)
			rc = desec_parse_rrset(r.json, recs, n, ttl, e);
	}
	http_resp_free(&r);
	free(path);
	free(s);
	free(d);
	return rc;
}

/* Replace the RRset with recs (deleting it when there are none). */
static int
desec_write(struct provider *p, struct provider_retry *rt, const char *sub,
	struct tlsa_rec **recs, size_t n, uint32_t ttl, struct err *e)
{
	struct desec *st = p->impl;
	json_t *body, *list = json_array();
	struct http_resp r;
	char *path, *d, *text;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		text = tlsa_rec_format(recs[i]);
		json_array_append_new(list, json_string(text));
		free(text);
	}
	body = json_pack("[{s:s, s:s, s:I, s:o}]", "subname", sub, "type",
	    "TLSA", "ttl", (json_int_t)ttl, "records", list);
	d = http_escape(st->domain);
	path = xasprintf("/domains/%s/rrsets/", d);
	rc = http_call(st->http, rt, "PATCH", path, body, &r, e);
	if (rc == 0)
		rc = desec_check(p, "write", &r, e);
	http_resp_free(&r);
	json_decref(body);
	free(path);
	free(d);
	return rc;
}

static int
desec_list(struct provider *p, const char *owner, struct tlsa_rec ***recs,
	size_t *n, struct err *e)
{
	struct provider_retry rt;
	uint32_t ttl;
	char *sub = NULL;
	int rc;

	provider_retry_start(&rt, p);
	rc = desec_fetch(p, &rt, owner, &sub, recs, n, &ttl, e);
	free(sub);
	return rc;
}

static int
desec_add(struct provider *p, const char *owner, uint32_t ttl,
	const struct tlsa_rec *rec, struct err *e)
{
	struct provider_retry rt;
	struct tlsa_rec **recs;
	size_t n;
	uint32_t cur;
	char *sub = NULL;
	int rc;

	provider_retry_start(&rt, p);
	rc = desec_fetch(p, &rt, owner, &sub, &recs, &n, &cur, e);
	if (rc == 0 && provider_recs_find(recs, n, rec) < 0) {
		provider_recs_push(&recs, &n, rec);
		rc = desec_write(p, &rt, sub, recs, n, ttl, e);
	}
	provider_recs_free(recs, n);
	free(sub);
	return rc;
}

static int
desec_del(struct provider *p, const char *owner, const struct tlsa_rec *rec,
	struct err *e)
{
	struct provider_retry rt;
	struct tlsa_rec **recs;
	size_t n;
	uint32_t ttl;
	long i;
	char *sub = NULL;
	int rc;

	provider_retry_start(&rt, p);
	rc = desec_fetch(p, &rt, owner, &sub, &recs, &n, &ttl, e);
	if (rc == 0 && (i = provider_recs_find(recs, n, rec)) >= 0) {
		tlsa_rec_free(recs[i]);
		memmove(recs + i, recs + i + 1, (n - (size_t)i - 1) *
		    sizeof(*recs));
		n--;
		rc = desec_write(p, &rt, sub, recs, n, ttl, e);
	}
	provider_recs_free(recs, n);
	free(sub);
	return rc;
}

const struct provider_ops prov_desec_ops = {
	.name = "desec",
	.keys = desec_keys,
	.init = desec_init,
	.fini = desec_fini,
	.list = desec_list,
	.add = desec_add,
	.del = desec_del,
};
