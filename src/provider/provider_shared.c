/*
 * provider_shared - what the provider files share (provider_impl.h):
 * parameter access, secret files, the retry clock (backoff with jitter
 * bounded by the call's timeout), Retry-After parsing and record-list
 * helpers.  Apart from provider.c (the dispatch) because the HTTP providers
 * live in the daneops-http plugin, which links this file but must not pull
 * in the other providers (util/plugin.h).  No global state.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "provider/provider_impl.h"
#include "util/fileio.h"
#include "util/xalloc.h"

#define PROVIDER_BACKOFF_CAP_MS 30000

void
provider_recs_free(struct tlsa_rec **recs, size_t nrecs)
{
	size_t i;

	if (recs == NULL)
		return;
	for (i = 0; i < nrecs; i++)
		tlsa_rec_free(recs[i]);
	free(recs);
}
const char *
provider_param(const struct provider *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->nparams; i++)
		if (strcmp(p->params[i].key, key) == 0)
			return p->params[i].value;
	return NULL;
}

const char *
provider_param_req(const struct provider *p, const char *key, struct err *e)
{
	const char *v = provider_param(p, key);

	if (v == NULL || v[0] == '\0') {
		err_set(e, ERR_USAGE, "%s provider: missing parameter \"%s\"",
		    p->ops->name, key);
		return NULL;
	}
	return v;
}

char *
provider_secret(const struct provider *p, const char *key, struct err *e)
{
	const char *path;
	struct err e2;
	size_t len;
	char *s;

	if ((path = provider_param_req(p, key, e)) == NULL)
		return NULL;
	if ((s = fileio_read_secret(path, PROVIDER_SECRET_MAX, &len,
	    &e2)) == NULL) {
		err_set(e, ERR_INPUT, "%s provider: %s: %s", p->ops->name, key,
		    e2.msg);
		return NULL;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	if (len == 0 || strlen(s) != len) {
		provider_secret_free(s);
		err_set(e, ERR_INPUT, "%s provider: %s: %s holds no usable "
		    "secret", p->ops->name, key, path);
		return NULL;
	}
	return s;
}

void
provider_secret_free(char *secret)
{
	if (secret == NULL)
		return;
	explicit_bzero(secret, strlen(secret));
	free(secret);
}

uint64_t
provider_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
provider_retry_start(struct provider_retry *rt, const struct provider *p)
{
	rt->deadline_ms = provider_now_ms() + p->timeout_ms;
	rt->left = p->retries;
	rt->next_ms = p->backoff_ms;
	rt->why = NULL;
}

long
provider_retry_left_ms(const struct provider_retry *rt)
{
	uint64_t now = provider_now_ms();

	return now >= rt->deadline_ms ? 0 : (long)(rt->deadline_ms - now);
}

static void
provider_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int
provider_retry_wait(struct provider_retry *rt, long hint_ms)
{
	long delay, left = provider_retry_left_ms(rt);

	if (rt->left == 0) {
		rt->why = "retries exhausted";
		return -1;
	}
	if (hint_ms >= 0) {
		/* The server said when; waiting less only earns another 429. */
		delay = hint_ms;
		if (delay >= left) {
			rt->why = "the server asked to wait longer than the "
			    "call's timeout allows";
			return -1;
		}
	} else {
		/* Full jitter on the upper half keeps clients apart. */
		delay = rt->next_ms / 2 +
		    (long)arc4random_uniform(rt->next_ms / 2 + 1);
		if (rt->next_ms < PROVIDER_BACKOFF_CAP_MS / 2)
			rt->next_ms *= 2;
		else
			rt->next_ms = PROVIDER_BACKOFF_CAP_MS;
		if (delay >= left) {
			rt->why = "timeout";
			return -1;
		}
	}
	rt->left--;
	provider_sleep_ms(delay);
	return 0;
}

long
provider_retry_after_ms(const char *value, long now)
{
	static const char *const fmts[] = {
		"%a, %d %b %Y %H:%M:%S GMT",    /* IMF-fixdate */
		"%A, %d-%b-%y %H:%M:%S GMT",    /* RFC 850 */
		"%a %b %e %H:%M:%S %Y",         /* asctime */
	};
	const char *s = value, *end;
	unsigned long n;
	struct tm tm;
	size_t i;
	time_t t;

	while (*s == ' ' || *s == '\t')
		s++;
	if (isdigit((unsigned char)*s)) {
		errno = 0;
		n = strtoul(s, (char **)&end, 10);
		while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
			end++;
		if (*end != '\0' || errno != 0)
			return -1;
		/* A day is longer than any call may wait anyway. */
		return n > 86400 ? 86400L * 1000 : (long)n * 1000;
	}
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, fmts[i], &tm);
		if (end == NULL)
			continue;
		while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
			end++;
		if (*end != '\0')
			continue;
		t = timegm(&tm);
		if (t == (time_t)-1)
			return -1;
		if (t <= now)
			return 0;
		return t - now > 86400 ? 86400L * 1000 : (long)(t - now) * 1000;
	}
	return -1;
}

void
provider_recs_push(struct tlsa_rec ***recs, size_t *n, const struct tlsa_rec *r)
{
	if (provider_recs_find(*recs, *n, r) >= 0)
		return;
	*recs = xreallocarray(*recs, *n + 1, sizeof(**recs));
	(*recs)[(*n)++] = tlsa_rec_dup(r);
}

long
provider_recs_find(struct tlsa_rec *const *recs, size_t n,
	const struct tlsa_rec *r)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tlsa_rec_equal(recs[i], r))
			return (long)i;
	return -1;
}

char *
provider_subname(const struct provider *p, const char *owner, struct err *e)
{
	size_t olen = strlen(owner), zlen;

	if (p->zone == NULL) {
		err_set(e, ERR_INTERNAL, "%s provider: no zone", p->ops->name);
		return NULL;
	}
	zlen = strlen(p->zone);
	if (olen == 0 || owner[olen - 1] != '.')
		goto bad;
	if (strcmp(p->zone, ".") == 0)
		return xstrndup(owner, olen - 1);
	if (olen == zlen && strcasecmp(owner, p->zone) == 0)
		return xstrdup("");
	if (olen > zlen + 1 && owner[olen - zlen - 1] == '.' &&
	    strcasecmp(owner + olen - zlen, p->zone) == 0)
		return xstrndup(owner, olen - zlen - 1);
bad:
	err_set(e, ERR_USAGE, "%s provider: owner %s is not in zone %s",
	    p->ops->name, owner, p->zone);
	return NULL;
}

struct tlsa_rec *
provider_rec_parse(const char *text, const char *what, struct err *e)
{
	struct tlsa_rec *r;
	struct err e2;

	if ((r = tlsa_rec_parse(text, &e2)) == NULL)
		err_set(e, ERR_NETWORK, "%s: not a TLSA record: %.80s", what,
		    text);
	return r;
}
