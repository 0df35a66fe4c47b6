/*
 * aliases - parse aliases(5) text and follow names through it.
 */
#include "doctor/aliases.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/sbuf.h"
#include "util/xalloc.h"

/* Most expansions a resolution may make: bounds a wide fan-out too. */
#define ALIASES_MAX_STEPS       4000
/* Include files read by one resolution (each may be megabytes). */
#define ALIASES_MAX_INCLUDES    64

static char *
aliases_lower(const char *s, size_t len)
{
	char *p = xstrndup(s, len);
	size_t i;

	for (i = 0; p[i] != '\0'; i++)
		p[i] = (char)tolower((unsigned char)p[i]);
	return p;
}

/* Trimmed [s, s+len), without one pair of surrounding double quotes. */
static char *
aliases_token(const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		s++;
		len -= 2;
	}
	return xstrndup(s, len);
}

size_t
aliases_split(const char *text, size_t len, char ***out, size_t max)
{
	size_t i, start = 0, n = 0;
	int quoted = 0, bol = 1;
	char *tok;

	*out = NULL;
	for (i = 0; i <= len; i++) {
		/* A "#" first on a line of an include file: to the end. */
		if (i < len && bol && !quoted && text[i] == '#') {
			while (i < len && text[i] != '\n')
				i++;
			start = i;
		}
		if (i < len && !isspace((unsigned char)text[i]))
			bol = 0;
		if (i < len && text[i] == '"')
			quoted = !quoted;
		if (i < len && (quoted || (text[i] != ',' && text[i] != '\n')))
			continue;
		if (i < len && text[i] == '\n')
			bol = 1;
		tok = aliases_token(text + start, i - start);
		start = i + 1;
		if (tok[0] == '\0' || n >= max) {
			free(tok);
			continue;
		}
		*out = xreallocarray(*out, n + 1, sizeof(**out));
		(*out)[n++] = tok;
	}
	return n;
}

/* "name: values" into a; 0, or -1 when the line has no name. */
static int
aliases_entry(struct aliases *a, const char *s, size_t len, int line)
{
	struct alias *x;
	size_t i, colon = len;
	int quoted = 0;
	char *name;

	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (s[i] == ':' && !quoted) {
			colon = i;
			break;
		}
	}
	if (colon == len)
		return -1;
	name = aliases_token(s, colon);
	if (name[0] == '\0') {
		free(name);
		return -1;
	}
	if (a->n >= ALIASES_MAX_ENTRIES) {
		a->dropped++;
		free(name);
		return 0;
	}
	a->v = xreallocarray(a->v, a->n + 1, sizeof(*a->v));
	x = &a->v[a->n++];
	x->name = aliases_lower(name, strlen(name));
	free(name);
	x->line = line;
	x->nvalues = aliases_split(s + colon + 1, len - colon - 1, &x->values,
	    ALIASES_MAX_VALUES);
	return 0;
}

static void
aliases_finish(struct aliases *a, struct sbuf *logical, int line,
	int overflow)
{
	if (logical->len == 0 && !overflow)
		return;
	if (overflow || aliases_entry(a, logical->data, logical->len,
	    line) < 0) {
		if (a->nbad < ALIASES_MAX_BAD)
			a->bad[a->nbad++] = line;
	}
	sbuf_reset(logical);
}

static int
alias_cmp(const void *pa, const void *pb)
{
	const struct alias *x = pa, *y = pb;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

/* Sort by name; of duplicates keep the first in the file. */
static void
aliases_sort(struct aliases *a)
{
	size_t i, j, k;

	if (a->n < 2)
		return;
	qsort(a->v, a->n, sizeof(*a->v), alias_cmp);
	for (i = 1, j = 0; i < a->n; i++) {
		if (strcmp(a->v[i].name, a->v[j].name) != 0) {
			a->v[++j] = a->v[i];
			continue;
		}
		if (a->ndup < ALIASES_MAX_BAD)
			a->dup[a->ndup++] = a->v[i].line;
		for (k = 0; k < a->v[i].nvalues; k++)
			free(a->v[i].values[k]);
		free(a->v[i].values);
		free(a->v[i].name);
	}
	a->n = j + 1;
}

struct aliases *
aliases_parse(const char *path, const char *text, size_t len)
{
	struct aliases *a = xcalloc(1, sizeof(*a));
	struct sbuf logical;
	const char *line = text, *end = text + len, *nl;
	size_t n, blank;
	int lineno = 0, start = 0, overflow = 0;

	a->path = xstrdup(path);
	sbuf_init(&logical, ALIASES_MAX_LINE);
	while (line < end) {
		nl = memchr(line, '\n', (size_t)(end - line));
		n = nl != NULL ? (size_t)(nl - line) : (size_t)(end - line);
		lineno++;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		blank = 0;
		while (blank < n && isspace((unsigned char)line[blank]))
			blank++;
		if (blank == n || line[blank] == '#')
			;       /* blank or comment: neither starts nor ends */
		else if (blank > 0 && (logical.len > 0 || overflow)) {
			if (sbuf_adds(&logical, " ") < 0 ||
			    sbuf_add(&logical, line + blank, n - blank) < 0)
				overflow = 1;
		} else {
			aliases_finish(a, &logical, start, overflow);
			overflow = 0;
			start = lineno;
			if (sbuf_add(&logical, line + blank, n - blank) < 0)
				overflow = 1;
		}
		line = nl != NULL ? nl + 1 : end;
	}
	aliases_finish(a, &logical, start, overflow);
	sbuf_free(&logical);
	aliases_sort(a);
	return a;
}

void
aliases_free(struct aliases *a)
{
	size_t i, j;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++) {
		for (j = 0; j < a->v[i].nvalues; j++)
			free(a->v[i].values[j]);
		free(a->v[i].values);
		free(a->v[i].name);
	}
	free(a->v);
	free(a->path);
	free(a);
}

const struct alias *
aliases_find(const struct aliases *a, const char *name)
{
	size_t lo = 0, hi = a->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcasecmp(name, a->v[mid].name);
		if (c == 0)
			return &a->v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* One resolution in progress: the chain of names that led here. */
struct aliases_walk {
	const struct alias_env *env;
	struct alias_resolution *r;
	const char *chain[ALIASES_MAX_DEPTH + 1];
	size_t depth;
	size_t steps;
	size_t includes;
};

static void aliases_walk_name(struct aliases_walk *w, const char *name);
static void aliases_walk_alias(struct aliases_walk *w, const char *name);

static void
aliases_leaf(struct aliases_walk *w, enum alias_kind kind, const char *what,
	const char *why)
{
	struct alias_resolution *r = w->r;
	struct alias_leaf *l;
	struct sbuf via;
	size_t i;

	if (r->nleaves >= ALIASES_MAX_LEAVES) {
		r->dropped++;
		return;
	}
	sbuf_init(&via, 4096);
	for (i = 0; i < w->depth; i++)
		(void)sbuf_printf(&via, "%s%s", i > 0 ? " -> " : "",
		    w->chain[i]);
	r->leaves = xreallocarray(r->leaves, r->nleaves + 1,
	    sizeof(*r->leaves));
	l = &r->leaves[r->nleaves++];
	l->kind = kind;
	l->what = xstrdup(what);
	l->via = sbuf_steal(&via, NULL);
	l->why = why != NULL ? xstrdup(why) : NULL;
}

static const struct alias *
aliases_lookup(const struct alias_env *env, const char *name)
{
	const struct alias *x;
	size_t i;

	for (i = 0; i < env->nmaps; i++)
		if ((x = aliases_find(env->maps[i], name)) != NULL)
			return x;
	return NULL;
}

static void
aliases_walk_include(struct aliases_walk *w, const char *path)
{
	char **vals, *text, label[512];
	struct err e;
	size_t len, n, i;

	if (++w->includes > ALIASES_MAX_INCLUDES) {
		aliases_leaf(w, ALIAS_TOO_DEEP, path, "too many :include: files");
		return;
	}
	text = w->env->include(w->env->arg, path, &len, &e);
	if (text == NULL) {
		aliases_leaf(w, ALIAS_BAD_INCLUDE, path, e.msg);
		return;
	}
	n = aliases_split(text, len, &vals, ALIASES_MAX_VALUES);
	free(text);
	snprintf(label, sizeof(label), ":include:%s", path);
	for (i = 0; i < w->depth; i++)
		if (strcmp(w->chain[i], label) == 0)
			break;
	if (i < w->depth)
		aliases_leaf(w, ALIAS_LOOP, label, "the file includes itself");
	else if (w->depth >= ALIASES_MAX_DEPTH)
		aliases_leaf(w, ALIAS_TOO_DEEP, label, NULL);
	else {
		w->chain[w->depth++] = label;
		for (i = 0; i < n; i++)
			aliases_walk_name(w, vals[i]);
		w->depth--;
	}
	for (i = 0; i < n; i++)
		free(vals[i]);
	free(vals);
}

/* A name whose own mailbox is meant: "\name", or an alias naming itself. */
static void
aliases_walk_mailbox(struct aliases_walk *w, const char *name)
{
	if (w->env->is_user(w->env->arg, name))
		aliases_leaf(w, ALIAS_MAILBOX, name, NULL);
	else
		aliases_leaf(w, ALIAS_UNKNOWN, name, "no such user");
}

/* One value of an alias, or one address to follow. */
static void
aliases_walk_name(struct aliases_walk *w, const char *v)
{
	const char *at;
	char *local;

	if (++w->steps > ALIASES_MAX_STEPS) {
		aliases_leaf(w, ALIAS_TOO_DEEP, v, "too many expansions");
		return;
	}
	if (v[0] == '|')
		aliases_leaf(w, ALIAS_PIPE, v + 1, NULL);
	else if (v[0] == '/')
		aliases_leaf(w, ALIAS_FILE, v, NULL);
	else if (strncasecmp(v, ":include:", 9) == 0)
		aliases_walk_include(w, v + 9);
	else if (v[0] == '\\')
		aliases_walk_mailbox(w, v + 1);
	else if ((at = strrchr(v, '@')) != NULL) {
		if (!w->env->is_local_domain(w->env->arg, at + 1)) {
			aliases_leaf(w, ALIAS_REMOTE, v, NULL);
			return;
		}
		local = xstrndup(v, (size_t)(at - v));
		aliases_walk_name(w, local);
		free(local);
	} else if (v[0] != '\0') {
		local = aliases_lower(v, strlen(v));
		aliases_walk_alias(w, local);
		free(local);
	}
}

/* A local name: an alias (first map that has it), else a user. */
static void
aliases_walk_alias(struct aliases_walk *w, const char *name)
{
	const struct alias *x;
	size_t i;

	for (i = 0; i < w->depth; i++)
		if (strcmp(w->chain[i], name) == 0) {
			aliases_leaf(w, ALIAS_LOOP, name, NULL);
			return;
		}
	if ((x = aliases_lookup(w->env, name)) == NULL) {
		if (w->env->is_user(w->env->arg, name))
			aliases_leaf(w, ALIAS_MAILBOX, name, NULL);
		else
			aliases_leaf(w, ALIAS_UNKNOWN, name, "no such alias "
			    "or user");
		return;
	}
	if (w->depth >= ALIASES_MAX_DEPTH) {
		aliases_leaf(w, ALIAS_TOO_DEEP, name, NULL);
		return;
	}
	if (x->nvalues == 0) {
		aliases_leaf(w, ALIAS_UNKNOWN, name, "the alias is empty");
		return;
	}
	w->chain[w->depth++] = x->name;
	for (i = 0; i < x->nvalues; i++) {
		/* "user: user, other": user's own mailbox, as sendmail. */
		if (strcasecmp(x->values[i], name) == 0)
			aliases_walk_mailbox(w, name);
		else
			aliases_walk_name(w, x->values[i]);
	}
	w->depth--;
}

void
aliases_resolve(const struct alias_env *env, const char *name,
	struct alias_resolution *r)
{
	struct aliases_walk w;

	memset(r, 0, sizeof(*r));
	memset(&w, 0, sizeof(w));
	w.env = env;
	w.r = r;
	aliases_walk_name(&w, name);
}

void
alias_resolution_free(struct alias_resolution *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nleaves; i++) {
		free(r->leaves[i].what);
		free(r->leaves[i].via);
		free(r->leaves[i].why);
	}
	free(r->leaves);
	memset(r, 0, sizeof(*r));
}

int
alias_kind_is_problem(enum alias_kind k)
{
	return k == ALIAS_UNKNOWN || k == ALIAS_LOOP ||
	    k == ALIAS_BAD_INCLUDE || k == ALIAS_TOO_DEEP;
}

const char *
alias_kind_name(enum alias_kind k)
{
	static const char *const names[] = {
		"mailbox", "file", "pipe", "remote", "unknown", "loop",
		"bad-include", "too-deep",
	};

	return (size_t)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}
