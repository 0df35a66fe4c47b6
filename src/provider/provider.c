/*
 * provider - dispatch to the DNS providers, and what they share: parameter
 * checking, secret files, the retry clock (backoff with jitter bounded by
 * the call's timeout), Retry-After parsing and record-list helpers.
 *
 * Every provider call runs under one deadline ("timeout", default 60 s)
 * and a retry budget ("retries", default 5), so the roll engine can bound
 * how long a run waits for a provider whatever the provider does.
 */
#include "provider/provider.h"

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

static const struct provider_ops *const provider_all[] = {
	&prov_rfc2136_ops,
	&prov_cloudflare_ops,
	&prov_desec_ops,
	&prov_powerdns_ops,
	&prov_exec_ops,
};

static const char *const provider_common_keys[] = {
	"zone", "retries", "timeout", "backoff_ms", NULL,
};

static int
provider_key_known(const struct provider_ops *ops, const char *key)
{
	const char *const *k;

	for (k = provider_common_keys; *k != NULL; k++)
		if (strcmp(*k, key) == 0)
			return 1;
	for (k = ops->keys; k != NULL && *k != NULL; k++)
		if (strcmp(*k, key) == 0)
			return 1;
	return 0;
}

/* An unsigned decimal in [min, max]; ERR_USAGE naming key otherwise. */
static int
provider_uint(const struct provider *p, const char *key, unsigned min,
	unsigned max, unsigned *out, struct err *e)
{
	const char *v = provider_param(p, key);
	unsigned long n;
	char *end;

	if (v == NULL)
		return 0;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (!isdigit((unsigned char)v[0]) || *end != '\0' || errno != 0 ||
	    n < min || n > max)
		return err_set(e, ERR_USAGE, "%s provider: %s = \"%s\": want a "
		    "number from %u to %u", p->ops->name, key, v, min, max);
	*out = (unsigned)n;
	return 0;
}

/* The zone as an absolute lower-case name, checked for sanity. */
static int
provider_zone_set(struct provider *p, struct err *e)
{
	const char *v = provider_param(p, "zone");
	size_t i, len;

	if (v == NULL)
		return 0;
	len = strlen(v);
	if (len == 0 || len > 253)
		return err_set(e, ERR_USAGE, "%s provider: zone = \"%s\" is not "
		    "a domain name", p->ops->name, v);
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)v[i]) && strchr("-_.", v[i]) == NULL)
			return err_set(e, ERR_USAGE, "%s provider: zone = \"%s\" "
			    "is not a domain name", p->ops->name, v);
	p->zone = v[len - 1] == '.' ? xstrdup(v) : xasprintf("%s.", v);
	for (i = 0; p->zone[i] != '\0'; i++)
		p->zone[i] = (char)tolower((unsigned char)p->zone[i]);
	return 0;
}

static int
provider_params_check(struct provider *p, struct err *e)
{
	size_t i, j;

	for (i = 0; i < p->nparams; i++) {
		if (!provider_key_known(p->ops, p->params[i].key))
			return err_set(e, ERR_USAGE, "%s provider: unknown "
			    "parameter \"%s\"", p->ops->name, p->params[i].key);
		for (j = 0; j < i; j++)
			if (strcmp(p->params[i].key, p->params[j].key) == 0)
				return err_set(e, ERR_USAGE, "%s provider: "
				    "parameter \"%s\" given twice", p->ops->name,
				    p->params[i].key);
	}
	p->retries = 5;
	p->timeout_ms = 60000;
	p->backoff_ms = 1000;
	if (provider_uint(p, "retries", 0, 20, &p->retries, e) < 0 ||
	    provider_uint(p, "backoff_ms", 0, 60000, &p->backoff_ms, e) < 0)
		return -1;
	if (provider_param(p, "timeout") != NULL) {
		unsigned s;

		if (provider_uint(p, "timeout", 1, 3600, &s, e) < 0)
			return -1;
		p->timeout_ms = s * 1000;
	}
	return provider_zone_set(p, e);
}

struct provider *
provider_new(const char *type, const struct provider_param *params,
	size_t nparams, struct err *e)
{
	const struct provider_ops *ops = NULL;
	struct provider *p;
	size_t i;

	for (i = 0; i < sizeof(provider_all) / sizeof(provider_all[0]); i++)
		if (type != NULL && strcmp(provider_all[i]->name, type) == 0)
			ops = provider_all[i];
	if (ops == NULL) {
		err_set(e, ERR_USAGE, "unknown DNS provider type \"%s\" (want "
		    "rfc2136, cloudflare, desec, powerdns or exec)",
		    type != NULL ? type : "");
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->ops = ops;
	p->params = xcalloc(nparams + 1, sizeof(*p->params));
	for (i = 0; i < nparams; i++) {
		p->params[i].key = xstrdup(params[i].key);
		p->params[i].value = xstrdup(params[i].value);
	}
	p->nparams = nparams;
	if (provider_params_check(p, e) < 0 || ops->init(p, e) < 0) {
		provider_free(p);
		return NULL;
	}
	return p;
}

void
provider_free(struct provider *p)
{
	size_t i;

	if (p == NULL)
		return;
	if (p->ops->fini != NULL)
		p->ops->fini(p);
	for (i = 0; i < p->nparams; i++) {
		free((char *)p->params[i].key);
		free((char *)p->params[i].value);
	}
	free(p->params);
	free(p->zone);
	free(p);
}

const char *
provider_type(const struct provider *p)
{
	return p->ops->name;
}

/* Owners are absolute; a relative one is a caller bug worth naming. */
static int
provider_owner_check(const struct provider *p, const char *owner,
	struct err *e)
{
	size_t len = owner != NULL ? strlen(owner) : 0;

	if (len < 2 || len > 254 || owner[len - 1] != '.')
		return err_set(e, ERR_USAGE, "%s provider: owner \"%s\" is not "
		    "an absolute domain name", p->ops->name,
		    owner != NULL ? owner : "");
	return 0;
}

int
provider_list(struct provider *p, const char *owner, struct tlsa_rec ***recs,
	size_t *nrecs, struct err *e)
{
	*recs = NULL;
	*nrecs = 0;
	if (provider_owner_check(p, owner, e) < 0)
		return -1;
	if (p->ops->list(p, owner, recs, nrecs, e) < 0) {
		provider_recs_free(*recs, *nrecs);
		*recs = NULL;
		*nrecs = 0;
		return -1;
	}
	return 0;
}

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

int
provider_add(struct provider *p, const char *owner, uint32_t ttl,
	const struct tlsa_rec *r, struct err *e)
{
	if (provider_owner_check(p, owner, e) < 0)
		return -1;
	return p->ops->add(p, owner, ttl, r, e);
}

int
provider_delete(struct provider *p, const char *owner,
	const struct tlsa_rec *r, struct err *e)
{
	if (provider_owner_check(p, owner, e) < 0)
		return -1;
	return p->ops->del(p, owner, r, e);
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
