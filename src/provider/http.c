/*
 * http - the HTTP/JSON client of the API providers (see http.h).
 *
 * Secrets live only in this process: the bearer token goes to libcurl as
 * CURLOPT_XOAUTH2_BEARER (never into a header list), a secret header is
 * built per request and its copy wiped; neither is logged (no
 * CURLOPT_VERBOSE) nor put in a message.
 */
#include "provider/http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "config.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

#define HTTP_TRY_MS 30000       /* one attempt at most */
#define HTTP_CONNECT_MS 10000

struct http_client {
	CURL *curl;
	char *prov;
	char *base;
	char *bearer;
	char *hname;
	char *hvalue;
};

/* What one attempt collected. */
struct http_attempt {
	struct sbuf body;
	int too_big;
	long retry_after_ms;    /* -1: none */
};

static int http_curl_ready;

/*
 * Plain http only to this host: a token must not cross a network in clear
 * (the test servers, and PowerDNS's API on its default 127.0.0.1:8081).
 */
static int
http_loopback(const char *url)
{
	const char *host = url + strlen("http://");
	size_t len = strcspn(host, "/?#");
	const char *at = memchr(host, '@', len);
	char addr[INET_ADDRSTRLEN];
	struct in_addr in;

	if (at != NULL)
		return 0;       /* user:password@ in a URL: refuse outright */
	if (len >= 5 && strncmp(host, "[::1]", 5) == 0)
		return len == 5 || host[5] == ':';
	if (len >= 9 && strncasecmp(host, "localhost", 9) == 0)
		return len == 9 || host[9] == ':';
	/* A numeric 127/8 address, not a name that merely starts so. */
	len = strcspn(host, ":/?#");
	if (len == 0 || len >= sizeof(addr))
		return 0;
	memcpy(addr, host, len);
	addr[len] = '\0';
	return inet_pton(AF_INET, addr, &in) == 1 &&
	    (ntohl(in.s_addr) >> 24) == 127;
}

struct http_client *
http_client_new(const char *prov, const char *base, struct err *e)
{
	struct http_client *c;
	size_t len = strlen(base);

	if (strncmp(base, "https://", 8) != 0 && (strncmp(base, "http://",
	    7) != 0 || !http_loopback(base))) {
		err_set(e, ERR_USAGE, "%s provider: api = \"%s\": want an "
		    "https:// URL (http:// only to this host: 127.0.0.1, "
		    "[::1], localhost)", prov, base);
		return NULL;
	}
	if (!http_curl_ready) {
		/* Once per process: the providers are used single-threaded. */
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			err_set(e, ERR_SYSTEM, "cannot initialise libcurl");
			return NULL;
		}
		http_curl_ready = 1;
	}
	c = xcalloc(1, sizeof(*c));
	if ((c->curl = curl_easy_init()) == NULL) {
		free(c);
		err_set(e, ERR_SYSTEM, "cannot initialise libcurl");
		return NULL;
	}
	while (len > 0 && base[len - 1] == '/')
		len--;
	c->base = xstrndup(base, len);
	c->prov = xstrdup(prov);
	return c;
}

static void
http_wipe(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void
http_client_free(struct http_client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->curl);
	http_wipe(c->bearer);
	http_wipe(c->hvalue);
	free(c->hname);
	free(c->base);
	free(c->prov);
	free(c);
}

void
http_client_bearer(struct http_client *c, const char *token)
{
	http_wipe(c->bearer);
	c->bearer = xstrdup(token);
}

void
http_client_secret_header(struct http_client *c, const char *name,
	const char *value)
{
	free(c->hname);
	http_wipe(c->hvalue);
	c->hname = xstrdup(name);
	c->hvalue = xstrdup(value);
}

void
http_resp_free(struct http_resp *r)
{
	if (r == NULL)
		return;
	free(r->body);
	if (r->json != NULL)
		json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

char *
http_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = xmalloc(strlen(s) * 3 + 1), *o = out;

	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (isalnum(ch) || strchr("-._~", ch) != NULL)
			*o++ = (char)ch;
		else {
			*o++ = '%';
			*o++ = hex[ch >> 4];
			*o++ = hex[ch & 15];
		}
	}
	*o = '\0';
	return out;
}

static size_t
http_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct http_attempt *a = arg;

	/* Refusing the bytes makes libcurl stop the transfer. */
	if (sbuf_add(&a->body, data, size * n) < 0) {
		a->too_big = 1;
		return 0;
	}
	return size * n;
}

static size_t
http_header_cb(char *data, size_t size, size_t n, void *arg)
{
	struct http_attempt *a = arg;
	size_t len = size * n;
	char value[128];

	if (len > 12 && len < 12 + sizeof(value) &&
	    strncasecmp(data, "Retry-After:", 12) == 0) {
		memcpy(value, data + 12, len - 12);
		value[len - 12] = '\0';
		a->retry_after_ms = provider_retry_after_ms(value,
		    (long)time(NULL));
	}
	return len;
}

/* Set up c->curl for one attempt; returns the header list to free. */
static struct curl_slist *
http_setup(struct http_client *c, const char *method, const char *url,
	const char *body, long ms, struct http_attempt *a)
{
	struct curl_slist *h = NULL;
	char *line;

	curl_easy_reset(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS,
	    ms < HTTP_CONNECT_MS ? ms : HTTP_CONNECT_MS);
	curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "daneops/" DANEOPS_VERSION);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, http_write_cb);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, http_header_cb);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, a);
	if (strcmp(method, "GET") == 0)
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	if (body != NULL) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
		h = curl_slist_append(h, "Content-Type: application/json");
	}
	h = curl_slist_append(h, "Accept: application/json");
	if (c->bearer != NULL) {
		curl_easy_setopt(c->curl, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		curl_easy_setopt(c->curl, CURLOPT_XOAUTH2_BEARER, c->bearer);
	}
	if (c->hname != NULL) {
		line = xasprintf("%s: %s", c->hname, c->hvalue);
		h = curl_slist_append(h, line);
		http_wipe(line);
	}
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
	return h;
}

/*
 * One attempt.  Returns 0 with a status, 1 for a temporary transport
 * failure (e set), -1 for a permanent one.
 */
static int
http_once(struct http_client *c, const char *method, const char *path,
	const char *url, const char *body, long ms, struct http_attempt *a,
	long *status, struct err *e)
{
	struct curl_slist *h;
	CURLcode rc;

	sbuf_reset(&a->body);
	a->too_big = 0;
	a->retry_after_ms = -1;
	*status = 0;
	h = http_setup(c, method, url, body, ms, a);
	rc = curl_easy_perform(c->curl);
	curl_slist_free_all(h);
	if (a->too_big)
		return err_set(e, ERR_NETWORK, "%s provider: %s %s: answer "
		    "larger than %d bytes", c->prov, method, path, HTTP_BODY_MAX);
	if (rc != CURLE_OK) {
		err_set(e, ERR_TEMP, "%s provider: %s %s: %s", c->prov, method,
		    path, curl_easy_strerror(rc));
		return rc == CURLE_UNSUPPORTED_PROTOCOL ||
		    rc == CURLE_URL_MALFORMAT ? -1 : 1;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

/* Is this status final (the provider judges it) or worth retrying? */
static int
http_status_temp(struct http_client *c, const char *method, const char *path,
	long status, struct err *e)
{
	if (status == 429)
		err_set(e, ERR_TEMP, "%s provider: %s %s: rate limited (HTTP "
		    "429)", c->prov, method, path);
	else if (status >= 500)
		err_set(e, ERR_TEMP, "%s provider: %s %s: server error (HTTP "
		    "%ld)", c->prov, method, path, status);
	else
		return 0;
	return 1;
}

static int
http_redirect(struct http_client *c, const char *method, const char *path,
	long status, struct err *e)
{
	char *where = NULL;

	curl_easy_getinfo(c->curl, CURLINFO_REDIRECT_URL, &where);
	return err_set(e, ERR_INPUT, "%s provider: %s %s: the API redirects "
	    "(HTTP %ld) to %.200s; set api to the URL it should use", c->prov,
	    method, path, status, where != NULL ? where : "(no location)");
}

int
http_call(struct http_client *c, struct provider_retry *rt,
	const char *method, const char *path, json_t *body,
	struct http_resp *resp, struct err *e)
{
	struct http_attempt a;
	char *text = NULL, *url;
	long ms, status;
	int rc;

	memset(resp, 0, sizeof(*resp));
	sbuf_init(&a.body, HTTP_BODY_MAX);
	if (body != NULL)
		text = json_dumps(body, JSON_COMPACT);
	url = xasprintf("%s%s", c->base, path);
	for (;;) {
		ms = provider_retry_left_ms(rt);
		ms = ms > HTTP_TRY_MS ? HTTP_TRY_MS : ms < 1 ? 1 : ms;
		rc = http_once(c, method, path, url, text, ms, &a, &status, e);
		if (rc == 0 && status >= 300 && status < 400)
			rc = http_redirect(c, method, path, status, e);
		else if (rc == 0)
			rc = http_status_temp(c, method, path, status, e);
		if (rc <= 0)
			break;
		if (provider_retry_wait(rt, status == 429 ?
		    a.retry_after_ms : -1) < 0) {
			size_t n = strlen(e->msg);

			snprintf(e->msg + n, sizeof(e->msg) - n, " (%s)", rt->why);
			e->kind = ERR_TEMP;
			rc = -1;
			break;
		}
	}
	free(url);
	free(text);
	if (rc < 0) {
		sbuf_free(&a.body);
		return -1;
	}
	resp->status = status;
	resp->body = sbuf_steal(&a.body, &resp->len);
	resp->json = json_loadb(resp->body, resp->len, JSON_REJECT_DUPLICATES,
	    NULL);
	return 0;
}
