/*
 * fetch - the MTA-STS policy GET, in the daneops-http plugin (fetch.h).
 */
#include "mtasts/fetch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "config.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static int fetch_ready;

static void
fetch_init(void)
{
	fetch_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

struct fetch_state {
	struct sbuf body;
	int too_big;
	const int *cancel;
};

static size_t
fetch_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct fetch_state *st = arg;

	if (sbuf_add(&st->body, data, size * n) < 0) {
		st->too_big = 1;
		return 0;       /* libcurl stops the transfer */
	}
	return size * n;
}

static int
fetch_progress_cb(void *arg, curl_off_t dlt, curl_off_t dln, curl_off_t ult,
	curl_off_t uln)
{
	struct fetch_state *st = arg;

	(void)dlt;
	(void)dln;
	(void)ult;
	(void)uln;
	return st->cancel != NULL &&
	    __atomic_load_n(st->cancel, __ATOMIC_RELAXED) != 0;
}

/* "host:443:a,b,c" for CURLOPT_RESOLVE ([v6] in brackets). */
static char *
fetch_resolve_line(const struct mtasts_fetch_req *req)
{
	struct sbuf b;
	size_t i;

	sbuf_init(&b, 16384);
	sbuf_printf(&b, "%s:443:", req->host);
	for (i = 0; i < req->naddrs; i++)
		sbuf_printf(&b, strchr(req->addrs[i], ':') != NULL ? "%s[%s]" :
		    "%s%s", i > 0 ? "," : "", req->addrs[i]);
	return sbuf_steal(&b, NULL);
}

static void
fetch_setup(CURL *c, const struct mtasts_fetch_req *req, const char *url,
	struct curl_slist *resolve, struct fetch_state *st)
{
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, req->timeout_ms);
	curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (req->ca_file != NULL) {
		curl_easy_setopt(c, CURLOPT_CAINFO, req->ca_file);
		curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	}
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)req->max);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "daneops/" DANEOPS_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, st);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, fetch_progress_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, st);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
}

int
mtasts_fetch(const struct mtasts_fetch_req *req,
	struct mtasts_fetch_resp *resp, struct err *e)
{
	struct fetch_state st;
	struct curl_slist *resolve;
	char *line, *url, *s = NULL, ebuf[CURL_ERROR_SIZE];
	CURLcode rc;
	CURL *c;

	memset(resp, 0, sizeof(*resp));
	pthread_once(&fetch_once, fetch_init);
	if (!fetch_ready || (c = curl_easy_init()) == NULL)
		return err_set(e, ERR_SYSTEM, "cannot initialise libcurl");
	memset(&st, 0, sizeof(st));
	sbuf_init(&st.body, req->max);
	st.cancel = req->cancel;
	line = fetch_resolve_line(req);
	resolve = curl_slist_append(NULL, line);
	url = xasprintf("https://%s%s", req->host, req->path);
	fetch_setup(c, req, url, resolve, &st);
	ebuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &s) == CURLE_OK &&
	    s != NULL)
		resp->content_type = xstrdup(s);
	s = NULL;
	if (curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &s) == CURLE_OK &&
	    s != NULL)
		resp->location = xstrdup(s);
	resp->too_big = st.too_big || rc == CURLE_FILESIZE_EXCEEDED;
	if (resp->too_big)
		err_set(e, ERR_NETWORK, "%s: the policy is larger than %zu "
		    "bytes", url, req->max);
	else if (rc != CURLE_OK)
		err_set(e, ERR_NETWORK, "%s: %s", url, ebuf[0] != '\0' ? ebuf :
		    curl_easy_strerror(rc));
	else
		resp->body = sbuf_steal(&st.body, &resp->len);
	sbuf_free(&st.body);
	curl_easy_cleanup(c);
	curl_slist_free_all(resolve);
	free(line);
	free(url);
	return rc == CURLE_OK && !resp->too_big ? 0 : -1;
}
