/*
 * conf - the roll configuration file.
 *
 * Parsing is two passes over the text in memory: conf_scan checks every
 * line's length and shape (so inih never truncates or guesses, and a syntax
 * error names its line), then inih's ini_parse_string calls conf_handler for
 * each name = value.  inih returns the line of the first handler failure;
 * the handler keeps the first message.
 */
#include "roll/conf.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "tlsa/tlsa_gen.h"
#include "util/fileio.h"
#include "util/xalloc.h"

struct conf_ctx {
	struct conf *c;
	char msg[ERR_MSG_MAX];          /* first handler error */
	char *sect_names[256];          /* "[...]" bodies in order, with lines */
	int sect_lines[256];
	size_t nsect;
};

static int
conf_fail(struct conf_ctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
conf_fail(struct conf_ctx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->msg[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
		va_end(ap);
	}
	return 0;
}

/*
 * One line: blank, comment, "[section]", "name = value", or an indented
 * continuation.  Returns NULL when fine, else why not.
 */
static const char *
conf_scan_line(const char *s, size_t len, struct conf_ctx *x, int lineno)
{
	const char *end = s + len;

	if (len > CONF_MAX_LINE - 1)
		return "line longer than 198 bytes (inih would truncate it; "
		    "keep long values in files)";
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	if (s == end || *s == ';' || *s == '#')
		return NULL;
	if (*s == '[') {
		const char *close = memchr(s, ']', (size_t)(end - s));

		if (close == NULL)
			return "section header without ']'";
		if (x->nsect < sizeof(x->sect_lines) / sizeof(x->sect_lines[0])) {
			x->sect_names[x->nsect] = xstrndup(s + 1,
			    (size_t)(close - s - 1));
			x->sect_lines[x->nsect++] = lineno;
		}
		return NULL;
	}
	if (memchr(s, '=', (size_t)(end - s)) == NULL &&
	    memchr(s, ':', (size_t)(end - s)) == NULL)
		return "expected '[section]' or 'name = value'";
	return NULL;
}

static int
conf_scan(const char *name, const char *text, struct conf_ctx *x,
	struct err *e)
{
	const char *p = text, *nl, *why;
	int lineno = 0;

	while (*p != '\0') {
		lineno++;
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if ((why = conf_scan_line(p, (size_t)(nl - p), x, lineno)) != NULL)
			return err_set(e, ERR_INPUT, "%s:%d: %s", name, lineno, why);
		p = *nl == '\n' ? nl + 1 : nl;
	}
	return 0;
}

static int
conf_number(struct conf_ctx *x, const char *key, const char *val, long lo,
	long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(val, &end, 10);
	if (errno != 0 || end == val || *end != '\0' || v < lo || v > hi)
		return conf_fail(x, "%s: '%s' is not a number from %ld to %ld",
		    key, val, lo, hi);
	*out = v;
	return 1;
}

static int
conf_bool(struct conf_ctx *x, const char *key, const char *val, int *out)
{
	if (strcmp(val, "yes") == 0 || strcmp(val, "true") == 0 ||
	    strcmp(val, "1") == 0)
		*out = 1;
	else if (strcmp(val, "no") == 0 || strcmp(val, "false") == 0 ||
	    strcmp(val, "0") == 0)
		*out = 0;
	else
		return conf_fail(x, "%s: '%s' is not yes or no", key, val);
	return 1;
}

/* Replace *slot with a copy of val; a key given twice is an error. */
static int
conf_string(struct conf_ctx *x, const char *key, const char *val, char **slot)
{
	if (*slot != NULL)
		return conf_fail(x, "%s: given twice", key);
	if (*val == '\0')
		return conf_fail(x, "%s: empty value", key);
	*slot = xstrdup(val);
	return 1;
}

/* Append the space-separated words of val to list[*n]. */
static int
conf_words(struct conf_ctx *x, const char *key, const char *val, char **list,
	size_t *n, size_t max)
{
	char *copy = xstrdup(val), *w, *save = NULL;

	for (w = strtok_r(copy, " \t", &save); w != NULL;
	    w = strtok_r(NULL, " \t", &save)) {
		if (*n >= max) {
			free(copy);
			return conf_fail(x, "%s: more than %zu values", key, max);
		}
		list[(*n)++] = xstrdup(w);
	}
	free(copy);
	return 1;
}

char *
conf_owner_host(const char *owner)
{
	const char *p = owner;
	size_t len;
	int i;

	/* Skip the "_port._proto." labels. */
	for (i = 0; i < 2 && *p == '_'; i++) {
		p = strchr(p, '.');
		if (p == NULL)
			return NULL;
		p++;
	}
	if (i != 2 || *p == '\0')
		return NULL;
	len = strlen(p);
	if (len > 0 && p[len - 1] == '.')
		len--;
	return xstrndup(p, len);
}

static int
conf_owners(struct conf_ctx *x, struct conf_lineage *l, const char *val)
{
	size_t first = l->nowners, i, len;
	char *h, *o;

	if (!conf_words(x, "tlsa", val, l->owners, &l->nowners, CONF_MAX_LIST))
		return 0;
	for (i = first; i < l->nowners; i++) {
		o = l->owners[i];
		if ((h = conf_owner_host(o)) == NULL)
			return conf_fail(x, "tlsa: '%s' is not _PORT._PROTO.HOST", o);
		free(h);
		for (len = 0; o[len] != '\0'; len++)
			o[len] = (char)tolower((unsigned char)o[len]);
		if (o[len - 1] != '.') {
			l->owners[i] = xasprintf("%s.", o);
			free(o);
		}
	}
	return 1;
}

static int
conf_params_add(struct conf_ctx *x, struct conf_lineage *l, const char *val)
{
	char *words[CONF_MAX_LIST];
	size_t n = 0, i;
	unsigned u, s, m;
	struct err e;
	int ok = 1;

	if (!conf_words(x, "params", val, words, &n, CONF_MAX_LIST)) {
		while (n > 0)
			free(words[--n]);
		return 0;
	}
	for (i = 0; i < n; i++) {
		err_clear(&e);
		if (ok && (strlen(words[i]) != 3 ||
		    tlsa_params_parse(words[i], &u, &s, &m, &e) < 0 ||
		    l->nparams >= CONF_MAX_LIST))
			ok = conf_fail(x, "params: '%s' is not like 311 or 211",
			    words[i]);
		else if (ok) {
			l->params[l->nparams].usage = (uint8_t)u;
			l->params[l->nparams].selector = (uint8_t)s;
			l->params[l->nparams++].mtype = (uint8_t)m;
		}
		free(words[i]);
	}
	return ok;
}

/* "host:port[:starttls][@address]" */
static int
conf_verify(struct conf_ctx *x, struct conf_lineage *l, const char *val)
{
	struct conf_endpoint *ep;
	char *copy, *port, *kind, *at;
	long p = 0;     /* set by conf_number on success */

	if (l->nverify >= CONF_MAX_LIST)
		return conf_fail(x, "verify: more than %d endpoints", CONF_MAX_LIST);
	copy = xstrdup(val);
	if ((at = strchr(copy, '@')) != NULL)
		*at++ = '\0';
	if ((port = strchr(copy, ':')) == NULL || (at != NULL && *at == '\0')) {
		free(copy);
		return conf_fail(x, "verify: '%s' is not "
		    "host:port[:starttls][@address]", val);
	}
	*port++ = '\0';
	if ((kind = strchr(port, ':')) != NULL)
		*kind++ = '\0';
	if (!conf_number(x, "verify port", port, 1, 65535, &p)) {
		free(copy);
		return 0;
	}
	ep = &l->verify[l->nverify++];
	ep->host = xstrdup(copy);
	ep->port = (uint16_t)p;
	ep->starttls = kind != NULL ? xstrdup(kind) : NULL;
	ep->connect = at != NULL ? xstrdup(at) : NULL;
	ep->text = xstrdup(val);
	free(copy);
	return 1;
}

static int
conf_section_line(struct conf_ctx *x, const char *section)
{
	size_t i;

	for (i = 0; i < x->nsect; i++)
		if (strcmp(x->sect_names[i], section) == 0)
			return x->sect_lines[i];
	return 0;
}

static struct conf_lineage *
conf_lineage_get(struct conf_ctx *x, const char *section, const char *name)
{
	struct conf *c = x->c;
	struct conf_lineage *l;
	size_t i;

	for (i = 0; i < c->nlineages; i++)
		if (strcmp(c->lineages[i].name, name) == 0)
			return &c->lineages[i];
	c->lineages = xreallocarray(c->lineages, c->nlineages + 1,
	    sizeof(*c->lineages));
	l = &c->lineages[c->nlineages++];
	memset(l, 0, sizeof(*l));
	l->name = xstrdup(name);
	l->line = conf_section_line(x, section);
	l->ttl = 300;
	l->next_key = 1;
	l->reload_timeout = CONF_RELOAD_TIMEOUT;
	l->certbot_timeout = CONF_CERTBOT_TIMEOUT;
	l->certbot_backoff = CONF_CERTBOT_BACKOFF;
	l->certbot_backoff_max = CONF_CERTBOT_BACKOFF_MAX;
	l->max_failures = CONF_MAX_FAILURES;
	return l;
}

static struct conf_provider *
conf_provider_get(struct conf *c, const char *name)
{
	struct conf_provider *p;
	size_t i;

	for (i = 0; i < c->nproviders; i++)
		if (strcmp(c->providers[i].name, name) == 0)
			return &c->providers[i];
	c->providers = xreallocarray(c->providers, c->nproviders + 1,
	    sizeof(*c->providers));
	p = &c->providers[c->nproviders++];
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	return p;
}

static struct conf_provider *
conf_provider_find(struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nproviders; i++)
		if (strcmp(c->providers[i].name, name) == 0)
			return &c->providers[i];
	return NULL;
}

static int
conf_global(struct conf_ctx *x, const char *k, const char *v)
{
	struct conf *c = x->c;

	if (strcmp(k, "state_dir") == 0)
		return conf_string(x, k, v, &c->state_dir);
	if (strcmp(k, "lock_file") == 0)
		return conf_string(x, k, v, &c->lock_file);
	if (strcmp(k, "certbot_dir") == 0)
		return conf_string(x, k, v, &c->certbot_dir);
	if (strcmp(k, "certbot_command") == 0)
		return conf_string(x, k, v, &c->certbot_command);
	if (strcmp(k, "certbot_work_dir") == 0)
		return conf_string(x, k, v, &c->certbot_work_dir);
	if (strcmp(k, "certbot_logs_dir") == 0)
		return conf_string(x, k, v, &c->certbot_logs_dir);
	if (strcmp(k, "ca_file") == 0)
		return conf_string(x, k, v, &c->ca_file);
	if (strcmp(k, "resolver") == 0)
		return conf_string(x, k, v, &c->resolver);
	if (strcmp(k, "resolver_conf") == 0)
		return conf_string(x, k, v, &c->resolver_conf);
	if (strcmp(k, "trust_anchor") == 0)
		return conf_words(x, k, v, c->trust_anchors, &c->ntrust_anchors,
		    CONF_MAX_LIST);
	if (strcmp(k, "stub") == 0)
		return conf_words(x, k, v, c->stubs, &c->nstubs, CONF_MAX_LIST);
	return conf_fail(x, "unknown setting '%s' in [daneops]", k);
}

/* The numeric settings of a lineage: slot and range, or NULL. */
static long *
conf_lineage_num(struct conf_lineage *l, const char *k, long *lo, long *hi)
{
	const struct {
		const char *key;
		size_t off;
		long lo, hi;
	} nums[] = {
		{ "min_wait", offsetof(struct conf_lineage, min_wait), 0,
		    86400 * 30 },
		{ "reload_timeout", offsetof(struct conf_lineage,
		    reload_timeout), 1, 3600 },
		{ "certbot_timeout", offsetof(struct conf_lineage,
		    certbot_timeout), 1, 86400 },
		{ "certbot_backoff", offsetof(struct conf_lineage,
		    certbot_backoff), 1, 86400 * 7 },
		{ "certbot_backoff_max", offsetof(struct conf_lineage,
		    certbot_backoff_max), 1, 86400 * 30 },
		{ "max_failures", offsetof(struct conf_lineage, max_failures),
		    1, 1000 },
	};
	size_t i;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (strcmp(k, nums[i].key) == 0) {
			*lo = nums[i].lo;
			*hi = nums[i].hi;
			return (long *)((char *)l + nums[i].off);
		}
	return NULL;
}

static int
conf_lineage_key(struct conf_ctx *x, struct conf_lineage *l, const char *k,
	const char *v)
{
	size_t n = 0;
	long num = 0, lo, hi, *slot;
	int b = 0;

	if (strcmp(k, "certbot") == 0)
		return conf_string(x, k, v, &l->certbot);
	if (strcmp(k, "source_key") == 0)
		return conf_string(x, k, v, &l->source_key);
	if (strcmp(k, "source_chain") == 0)
		return conf_string(x, k, v, &l->source_chain);
	if (strcmp(k, "deploy_key") == 0)
		return conf_string(x, k, v, &l->deploy_key);
	if (strcmp(k, "deploy_chain") == 0)
		return conf_string(x, k, v, &l->deploy_chain);
	if (strcmp(k, "deploy_combined") == 0)
		return conf_string(x, k, v, &l->deploy_combined);
	if (strcmp(k, "provider") == 0)
		return conf_string(x, k, v, &l->provider);
	if (strcmp(k, "key_type") == 0) {
		if (strcmp(v, "rsa") != 0 && strcmp(v, "ec") != 0)
			return conf_fail(x, "key_type: '%s' is not rsa or ec", v);
		return conf_string(x, k, v, &l->key_type);
	}
	if (strcmp(k, "tlsa") == 0)
		return conf_owners(x, l, v);
	if (strcmp(k, "params") == 0)
		return conf_params_add(x, l, v);
	if (strcmp(k, "verify") == 0)
		return conf_verify(x, l, v);
	if (strcmp(k, "reload") == 0) {
		if (l->reload[0] != NULL)
			return conf_fail(x, "reload: given twice");
		return conf_words(x, k, v, l->reload, &n, CONF_MAX_LIST - 1);
	}
	if (strcmp(k, "ttl") == 0) {
		if (!conf_number(x, k, v, 1, 86400 * 7, &num))
			return 0;
		l->ttl = (uint32_t)num;
		return 1;
	}
	if ((slot = conf_lineage_num(l, k, &lo, &hi)) != NULL)
		return conf_number(x, k, v, lo, hi, slot);
	if (strcmp(k, "rollover_days") == 0) {
		if (!conf_number(x, k, v, 0, 3650, &num))
			return 0;
		l->rollover_days = (int)num;
		return 1;
	}
	if (strcmp(k, "next_key") == 0) {
		if (!conf_bool(x, k, v, &b))
			return 0;
		l->next_key = b;
		return 1;
	}
	return conf_fail(x, "unknown setting '%s' in [lineage %s]", k, l->name);
}

static int
conf_provider_key(struct conf_ctx *x, struct conf_provider *p, const char *k,
	const char *v)
{
	if (strcmp(k, "type") == 0)
		return conf_string(x, k, v, &p->type);
	if (p->nparams >= CONF_MAX_LIST)
		return conf_fail(x, "[provider %s]: too many settings", p->name);
	p->params[p->nparams].key = xstrdup(k);
	p->params[p->nparams++].value = xstrdup(v);
	return 1;
}

/* "lineage NAME" -> "NAME" when the section is of that kind. */
static const char *
conf_sect_arg(const char *section, const char *kind)
{
	size_t n = strlen(kind);

	if (strncmp(section, kind, n) != 0 || section[n] != ' ')
		return NULL;
	section += n;
	while (*section == ' ')
		section++;
	return *section != '\0' ? section : NULL;
}

static int
conf_handler(void *user, const char *section, const char *name,
	const char *value)
{
	struct conf_ctx *x = user;
	const char *arg;

	if (x->msg[0] != '\0')
		return 1;       /* report the first error only */
	if (strcmp(section, "daneops") == 0)
		return conf_global(x, name, value);
	if ((arg = conf_sect_arg(section, "lineage")) != NULL)
		return conf_lineage_key(x, conf_lineage_get(x, section, arg),
		    name, value);
	if ((arg = conf_sect_arg(section, "provider")) != NULL)
		return conf_provider_key(x, conf_provider_get(x->c, arg), name,
		    value);
	if (*section == '\0')
		return conf_fail(x, "'%s' outside any section", name);
	return conf_fail(x, "unknown section [%s]", section);
}

/* Checks that need the whole file: references and required settings. */
static int
conf_check_lineage(const char *name, struct conf *c, struct conf_lineage *l,
	struct err *e)
{
	const char *what = NULL;

	if (l->certbot == NULL && (l->source_key == NULL || l->source_chain == NULL))
		what = "certbot = NAME, or source_key and source_chain";
	else if (l->deploy_key == NULL || l->deploy_chain == NULL)
		what = "deploy_key and deploy_chain";
	else if (l->nowners == 0)
		what = "tlsa";
	else if (l->provider == NULL)
		what = "provider";
	if (what != NULL)
		return err_set(e, ERR_INPUT, "%s:%d: [lineage %s] needs %s", name,
		    l->line, l->name, what);
	if ((l->prov = conf_provider_find(c, l->provider)) == NULL)
		return err_set(e, ERR_INPUT, "%s:%d: [lineage %s]: no section "
		    "[provider %s]", name, l->line, l->name, l->provider);
	if (l->prov->type == NULL)
		return err_set(e, ERR_INPUT, "%s: [provider %s] needs type", name,
		    l->prov->name);
	if (l->nparams == 0) {
		l->params[0].usage = 3;
		l->params[0].selector = 1;
		l->params[0].mtype = 1;
		l->nparams = 1;
	}
	if (l->key_type == NULL)
		l->key_type = xstrdup("ec");
	return 0;
}

static void
conf_defaults(struct conf *c)
{
	if (c->state_dir == NULL)
		c->state_dir = xstrdup("/var/lib/daneops");
	if (c->lock_file == NULL)
		c->lock_file = xasprintf("%s/roll.lock", c->state_dir);
	if (c->certbot_dir == NULL)
		c->certbot_dir = xstrdup(CONF_CERTBOT_DIR);
	if (c->certbot_command == NULL)
		c->certbot_command = xstrdup("certbot");
}

struct conf *
conf_parse(const char *name, const char *text, struct err *e)
{
	struct conf_ctx x;
	size_t i;
	int line;

	memset(&x, 0, sizeof(x));
	x.c = xcalloc(1, sizeof(*x.c));
	x.c->path = xstrdup(name);
	if (conf_scan(name, text, &x, e) < 0)
		goto fail;
	line = ini_parse_string(text, conf_handler, &x);
	if (line != 0) {
		err_set(e, ERR_INPUT, "%s:%d: %s", name, line,
		    x.msg[0] != '\0' ? x.msg : "syntax error");
		goto fail;
	}
	for (i = 0; i < x.c->nlineages; i++)
		if (conf_check_lineage(name, x.c, &x.c->lineages[i], e) < 0)
			goto fail;
	conf_defaults(x.c);
	for (i = 0; i < x.nsect; i++)
		free(x.sect_names[i]);
	return x.c;
fail:
	for (i = 0; i < x.nsect; i++)
		free(x.sect_names[i]);
	conf_free(x.c);
	return NULL;
}

struct conf *
conf_load(const char *path, struct err *e)
{
	struct conf *c;
	char *text;

	if ((text = fileio_read(path, FILEIO_DEFAULT_MAX, NULL, e)) == NULL)
		return NULL;
	c = conf_parse(path, text, e);
	free(text);
	return c;
}

struct conf_lineage *
conf_lineage_find(struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nlineages; i++)
		if (strcmp(c->lineages[i].name, name) == 0)
			return &c->lineages[i];
	return NULL;
}

static void
conf_list_free(char **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i]);
}

static void
conf_lineage_free(struct conf_lineage *l)
{
	size_t i;

	free(l->name);
	free(l->certbot);
	free(l->source_key);
	free(l->source_chain);
	free(l->deploy_key);
	free(l->deploy_chain);
	free(l->deploy_combined);
	free(l->provider);
	free(l->key_type);
	conf_list_free(l->owners, l->nowners);
	for (i = 0; l->reload[i] != NULL; i++)
		free(l->reload[i]);
	for (i = 0; i < l->nverify; i++) {
		free(l->verify[i].host);
		free(l->verify[i].starttls);
		free(l->verify[i].connect);
		free(l->verify[i].text);
	}
}

void
conf_free(struct conf *c)
{
	size_t i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->nlineages; i++)
		conf_lineage_free(&c->lineages[i]);
	free(c->lineages);
	for (i = 0; i < c->nproviders; i++) {
		free(c->providers[i].name);
		free(c->providers[i].type);
		for (j = 0; j < c->providers[i].nparams; j++) {
			free((char *)c->providers[i].params[j].key);
			free((char *)c->providers[i].params[j].value);
		}
	}
	free(c->providers);
	conf_list_free(c->trust_anchors, c->ntrust_anchors);
	conf_list_free(c->stubs, c->nstubs);
	free(c->path);
	free(c->state_dir);
	free(c->lock_file);
	free(c->certbot_dir);
	free(c->certbot_command);
	free(c->certbot_work_dir);
	free(c->certbot_logs_dir);
	free(c->ca_file);
	free(c->resolver);
	free(c->resolver_conf);
	free(c);
}

void
conf_resolver_opts(const struct conf *c, struct resolver_opts *ro)
{
	memset(ro, 0, sizeof(*ro));
	ro->trust_anchors = (const char *const *)c->trust_anchors;
	ro->ntrust_anchors = c->ntrust_anchors;
	ro->stubs = (const char *const *)c->stubs;
	ro->nstubs = c->nstubs;
	ro->forwarder = c->resolver;
	ro->conf_file = c->resolver_conf;
}
