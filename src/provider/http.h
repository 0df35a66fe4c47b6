/*
 * http - the small HTTP/JSON client the API providers share (libcurl and
 * jansson): one request at a time, answers capped at HTTP_BODY_MAX, a
 * bearer token or one secret header for authentication, and the retry
 * policy of provider.h: HTTP 429 (waiting as Retry-After says), 5xx and
 * transport failures are retried under the call's provider_retry clock;
 * everything else is handed back for the provider to interpret.
 *
 * Redirects are never followed: an API that redirects is misconfigured
 * (and a redirect must not carry a token to another host).  Only http and
 * https URLs are allowed, plain http only to loopback (127.0.0.0/8, [::1],
 * localhost): it exists for the test servers and PowerDNS's local API; the
 * providers' default base URLs are https.
 *
 * Ownership: http_client_new returns a client freed with http_client_free
 * (NULL is a no-op), which also wipes the secrets it was given.
 * http_call fills a struct http_resp that the caller releases with
 * http_resp_free.
 */
#ifndef DANEOPS_HTTP_H
#define DANEOPS_HTTP_H

#include <stddef.h>

#include <jansson.h>

#include "provider/provider_impl.h"

#define HTTP_BODY_MAX (4 * 1024 * 1024)

struct http_client;

struct http_resp {
	long status;
	char *body;             /* NUL-terminated, never NULL after a call */
	size_t len;
	json_t *json;           /* the body as JSON, or NULL if it is not */
};

/*
 * A client for the API at base ("https://api.example/v1", no trailing
 * slash needed); prov names the provider in messages.
 */
struct http_client *http_client_new(const char *prov, const char *base,
	struct err *e);
void http_client_free(struct http_client *c);

/* Authenticate with "Authorization: Bearer token" (copied). */
void http_client_bearer(struct http_client *c, const char *token);
/* Authenticate with a header of its own, e.g. X-API-Key (value copied). */
void http_client_secret_header(struct http_client *c, const char *name,
	const char *value);

/*
 * method base+path with body (JSON, or NULL for none).  Returns 0 with resp
 * filled for every final status the provider must judge (2xx and 4xx);
 * -1 with ERR_TEMP when 429, 5xx or transport failures persist past rt,
 * ERR_NETWORK for an answer over the size cap, ERR_INPUT for a redirect.
 */
int http_call(struct http_client *c, struct provider_retry *rt,
	const char *method, const char *path, json_t *body,
	struct http_resp *resp, struct err *e);
void http_resp_free(struct http_resp *r);

/* s escaped for a URL path segment or query value; caller frees. */
char *http_escape(const char *s);

#endif
