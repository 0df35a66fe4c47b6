/*
 * provider - dispatch to the DNS providers: parameter checking and the
 * calls of provider.h.  What the providers share (secrets, the retry clock,
 * record lists) is in provider_shared.c.
 *
 * Every provider call runs under one deadline ("timeout", default 60 s)
 * and a retry budget ("retries", default 5), so the roll engine can bound
 * how long a run waits for a provider whatever the provider does.
 *
 * rfc2136 and exec are linked in.  The HTTP providers (cloudflare, desec,
 * powerdns) need libcurl, whose dozens of libraries every run of daneops
 * would otherwise load: they live in the daneops-http plugin, loaded on
 * the first provider_new of one of them (util/plugin.h).
 */
#include "provider/provider.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "provider/provider_impl.h"
#include "util/plugin.h"
#include "util/xalloc.h"

static const struct provider_ops *const provider_all[] = {
	&prov_rfc2136_ops,
	&prov_exec_ops,
};

/* The providers of the daneops-http plugin. */
static const char *const provider_http_names[] = {
	"cloudflare", "desec", "powerdns",
};

/*
 * Programs that link the plugin's sources in (the unit tests, the fuzz
 * targets, tests/provider_tool) define its entry point; daneops itself
 * does not, so this weak reference is NULL there and the plugin is loaded.
 */
extern const struct prov_http_module *daneops_http_plugin_v1(void)
	__attribute__((weak, visibility("hidden")));

/* The ops of the HTTP provider type from the plugin, or NULL and e. */
static const struct provider_ops *
provider_http_ops(const char *type, struct err *e)
{
	const struct prov_http_module *m;
	const struct provider_ops *const *o;

	if (daneops_http_plugin_v1 != NULL)
		m = daneops_http_plugin_v1();
	else
		m = plugin_entry("http", DANEOPS_HTTP_PLUGIN_ENTRY,
		    PROV_HTTP_MODULE_ABI, sizeof(*m), e);
	if (m == NULL)
		return NULL;
	for (o = m->ops; *o != NULL; o++)
		if (strcmp((*o)->name, type) == 0)
			return *o;
	err_set(e, ERR_INTERNAL, "the daneops-http plugin has no %s provider",
	    type);
	return NULL;
}

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
	for (i = 0; i < sizeof(provider_http_names) /
	    sizeof(provider_http_names[0]); i++)
		if (type != NULL && strcmp(provider_http_names[i], type) == 0 &&
		    (ops = provider_http_ops(type, e)) == NULL)
			return NULL;
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
