/*
 * fetch - GET an MTA-STS policy over HTTPS (RFC 8461 §3.3) with libcurl.
 * This code lives in the daneops-http plugin (util/plugin.h); the engine
 * reaches it through the plugin's table (mtasts_fetch_fn), blocking, on a
 * thread of mtasts.c's so the check's event loop keeps probing.
 *
 * Rules: https only; the certificate must be PKIX-valid for the policy
 * host (the system store, or ca_file instead); redirects are never
 * followed (a 3xx is a failure); no caching; the body is capped at max
 * bytes; the whole transfer is bounded by timeout_ms; the connection goes
 * to the addresses given (resolved by the caller's validating resolver,
 * so the check and the fetch see the same DNS), never to libcurl's own
 * lookup.  *cancel, when it becomes non-zero, aborts the transfer.
 *
 * Ownership: the request is borrowed; the response's strings are the
 * caller's, released with mtasts_fetch_resp_clear.
 */
#ifndef DANEOPS_MTASTS_FETCH_H
#define DANEOPS_MTASTS_FETCH_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

struct mtasts_fetch_req {
	const char *host;               /* mta-sts.DOMAIN */
	const char *path;               /* "/.well-known/mta-sts.txt" */
	const char *const *addrs;       /* numeric, at least one */
	size_t naddrs;
	const char *ca_file;            /* or NULL: the system store */
	long timeout_ms;
	size_t max;                     /* body cap */
	const int *cancel;              /* or NULL; read atomically */
};

struct mtasts_fetch_resp {
	long status;                    /* HTTP status; 0 when none */
	char *content_type;             /* or NULL */
	char *location;                 /* a redirect's target, or NULL */
	char *body;                     /* NUL-terminated, or NULL */
	size_t len;
	int too_big;                    /* the body passed max */
};

/*
 * 0 with resp filled for any HTTP answer (the caller judges status and
 * type); -1 with ERR_NETWORK for transport and TLS failures (the message
 * is libcurl's, naming the host) and for a body over max.
 */
typedef int (*mtasts_fetch_fn)(const struct mtasts_fetch_req *req,
	struct mtasts_fetch_resp *resp, struct err *e);

int mtasts_fetch(const struct mtasts_fetch_req *req,
	struct mtasts_fetch_resp *resp, struct err *e);

/* Release resp's strings (the engine's and the plugin's malloc are one). */
static inline void
mtasts_fetch_resp_clear(struct mtasts_fetch_resp *r)
{
	if (r == NULL)
		return;
	free(r->content_type);
	free(r->location);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

#endif
