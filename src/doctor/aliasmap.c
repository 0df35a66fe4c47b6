/*
 * aliasmap - alias maps, their compiled forms and the role addresses.
 */
#include "doctor/aliasmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/fileio.h"
#include "util/xalloc.h"

/* RFC 2142 role mailboxes a mail host needs, and root (cron, daemons). */
static const char *const aliasmap_roles[] = {
	"postmaster", "abuse", "hostmaster", "webmaster", "root",
};

struct mapspec {
	char type[32];
	const char *path;       /* into the spec */
	const char *suffix;     /* of the compiled file; NULL: none */
	int file;               /* a file this module can read */
};

static void
mapspec_parse(const char *spec, struct mapspec *m)
{
	const char *colon;

	memset(m, 0, sizeof(*m));
	if (strncmp(spec, "proxy:", 6) == 0)
		spec += 6;
	if ((colon = strchr(spec, ':')) == NULL) {
		/* A bare path has Postfix's default_database_type. */
		snprintf(m->type, sizeof(m->type), "hash");
		m->path = spec;
	} else {
		snprintf(m->type, sizeof(m->type), "%.*s",
		    (int)(colon - spec), spec);
		m->path = colon + 1;
	}
	m->file = m->path[0] == '/';
	if (strcmp(m->type, "hash") == 0 || strcmp(m->type, "btree") == 0)
		m->suffix = ".db";
	else if (strcmp(m->type, "lmdb") == 0)
		m->suffix = ".lmdb";
	else if (strcmp(m->type, "cdb") == 0)
		m->suffix = ".cdb";
	else if (strcmp(m->type, "dbm") == 0 || strcmp(m->type, "sdbm") == 0)
		m->suffix = ".pag";
	else if (strcmp(m->type, "texthash") != 0)
		m->file = 0;
}

static int
aliasmap_in_database(const struct host *h, const char *path)
{
	struct mapspec m;
	size_t i;

	for (i = 0; i < h->alias_database.n; i++) {
		mapspec_parse(h->alias_database.v[i], &m);
		if (strcmp(m.path, path) == 0)
			return 1;
	}
	return 0;
}

static void
aliasmap_fmt_time(const struct timespec *t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t->tv_sec, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%SZ", &tm);
}

/* The compiled map next to a source: missing or older means stale. */
static void
aliasmap_freshness(const struct aliasmap *am, const struct mapspec *m,
	const struct stat *src, struct findings *f)
{
	char *db = xasprintf("%s%s", m->path, m->suffix), *p, fix[600];
	char ts[32], td[32];
	struct stat st;
	int rc;

	p = host_path(am->h, db);
	rc = stat(p, &st);
	free(p);
	if (aliasmap_in_database(am->h, m->path))
		snprintf(fix, sizeof(fix), "run newaliases");
	else
		snprintf(fix, sizeof(fix), "run postalias %s:%s", m->type,
		    m->path);
	if (rc != 0)
		findings_add(f, FINDING_ERROR, "alias-db-missing", db, fix,
		    "%s has no compiled map %s: Postfix cannot read the "
		    "aliases", m->path, db);
	else if (st.st_mtim.tv_sec < src->st_mtim.tv_sec ||
	    (st.st_mtim.tv_sec == src->st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec < src->st_mtim.tv_nsec)) {
		aliasmap_fmt_time(&st.st_mtim, td, sizeof(td));
		aliasmap_fmt_time(&src->st_mtim, ts, sizeof(ts));
		findings_add(f, FINDING_ERROR, "alias-db-stale", db, fix,
		    "%s (%s) is older than %s (%s): Postfix still uses the "
		    "entries from before the last edit", db, td, m->path, ts);
	}
	free(db);
}

static void
aliasmap_parse_notes(const struct aliases *a, struct findings *f)
{
	char subj[600], fix[700];
	size_t i;

	for (i = 0; i < a->nbad; i++) {
		snprintf(subj, sizeof(subj), "%s:%d", a->path, a->bad[i]);
		snprintf(fix, sizeof(fix), "write it as \"name: value, ...\" "
		    "(continuation lines start with a space), then run "
		    "newaliases");
		findings_add(f, FINDING_WARNING, "alias-syntax", subj, fix,
		    "not an alias entry (no \"name:\"): Postfix skips it");
	}
	for (i = 0; i < a->ndup; i++) {
		snprintf(subj, sizeof(subj), "%s:%d", a->path, a->dup[i]);
		findings_add(f, FINDING_WARNING, "alias-duplicate", subj,
		    "merge the two entries into one, then run newaliases",
		    "a second entry for a name: Postfix uses only the first");
	}
}

/* One alias_maps entry: read it if it is a file. */
static void
aliasmap_add(struct aliasmap *am, const char *spec, struct findings *f)
{
	struct mapspec m;
	struct stat st;
	struct err e;
	char *p, *text;
	size_t len;

	mapspec_parse(spec, &m);
	if (!m.file) {
		findings_add(f, FINDING_INFO, "alias-map-skipped", spec,
		    "check the names this map answers by hand (postmap -q)",
		    "not a file map: its entries are not followed here");
		return;
	}
	p = host_path(am->h, m.path);
	if (stat(p, &st) != 0) {
		findings_add(f, FINDING_ERROR, "alias-map-missing", m.path,
		    "create it (at least \"postmaster: root\"), run newaliases, "
		    "or remove it from alias_maps",
		    "alias_maps names %s, which does not exist", m.path);
		free(p);
		return;
	}
	text = fileio_read(p, ALIASMAP_FILE_MAX, &len, &e);
	free(p);
	if (text == NULL) {
		findings_unchecked(f, "aliases", "%s", e.msg);
		return;
	}
	if (am->nmaps < ALIASMAP_MAX_MAPS) {
		am->maps[am->nmaps] = aliases_parse(m.path, text, len);
		aliasmap_parse_notes(am->maps[am->nmaps], f);
		am->nmaps++;
		if (am->main_path == NULL)
			am->main_path = xstrdup(m.path);
	}
	free(text);
	if (m.suffix != NULL)
		aliasmap_freshness(am, &m, &st, f);
}

static int
aliasmap_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The login names of ROOT/etc/passwd, sorted for bsearch. */
static void
aliasmap_users(struct aliasmap *am, struct findings *f)
{
	char *p = host_path(am->h, "/etc/passwd"), *text, *line, *save;
	struct err e;
	size_t n;

	text = fileio_read(p, ALIASMAP_FILE_MAX, NULL, &e);
	free(p);
	if (text == NULL) {
		findings_unchecked(f, "aliases", "%s", e.msg);
		return;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL &&
	    am->nusers < ALIASMAP_MAX_USERS; line = strtok_r(NULL, "\n", &save)) {
		n = strcspn(line, ":");
		if (n == 0 || line[n] != ':' || line[0] == '#' ||
		    line[0] == '+' || line[0] == '-')
			continue;
		am->users = xreallocarray(am->users, am->nusers + 1,
		    sizeof(*am->users));
		am->users[am->nusers++] = xstrndup(line, n);
	}
	free(text);
	if (am->nusers > 1)
		qsort(am->users, am->nusers, sizeof(*am->users),
		    aliasmap_strcmp);
}

static int
aliasmap_is_user(void *arg, const char *name)
{
	const struct aliasmap *am = arg;

	return am->nusers > 0 && bsearch(&name, am->users, am->nusers,
	    sizeof(*am->users), aliasmap_strcmp) != NULL;
}

static int
aliasmap_is_local(void *arg, const char *domain)
{
	const struct aliasmap *am = arg;

	return strcasecmp(domain, "localhost") == 0 ||
	    host_is_local_domain(am->h, domain);
}

static char *
aliasmap_include(void *arg, const char *path, size_t *len, struct err *e)
{
	const struct aliasmap *am = arg;
	char *p, *text;

	if (path[0] != '/') {
		err_set(e, ERR_INPUT, "%s: not an absolute path", path);
		return NULL;
	}
	p = host_path(am->h, path);
	text = fileio_read(p, ALIASMAP_FILE_MAX, len, e);
	free(p);
	if (text == NULL)
		err_set(e, ERR_INPUT, "cannot be read");
	return text;
}

struct aliasmap *
aliasmap_load(const struct host *h, struct findings *f)
{
	struct aliasmap *am = xcalloc(1, sizeof(*am));
	size_t i;

	am->h = h;
	if (h->postconf_error != NULL)
		findings_add(f, FINDING_INFO, "postconf-failed", "postconf",
		    "run postconf -n to see what Postfix says",
		    "%s; main.cf was read without it", h->postconf_error);
	for (i = 0; i < h->alias_maps.n; i++)
		aliasmap_add(am, h->alias_maps.v[i], f);
	aliasmap_users(am, f);
	am->env.maps = (const struct aliases *const *)am->maps;
	am->env.nmaps = am->nmaps;
	am->env.is_user = aliasmap_is_user;
	am->env.is_local_domain = aliasmap_is_local;
	am->env.include = aliasmap_include;
	am->env.arg = am;
	return am;
}

void
aliasmap_free(struct aliasmap *am)
{
	size_t i;

	if (am == NULL)
		return;
	for (i = 0; i < am->nmaps; i++)
		aliases_free(am->maps[i]);
	for (i = 0; i < am->nusers; i++)
		free(am->users[i]);
	free(am->users);
	free(am->main_path);
	free(am);
}

/* The program of a pipe ("/usr/bin/x arg"): 1 when it is missing. */
static int
aliasmap_pipe_missing(const struct aliasmap *am, const char *cmd)
{
	char prog[512], *p;
	int missing;

	cmd += strspn(cmd, " \t");
	snprintf(prog, sizeof(prog), "%.*s", (int)strcspn(cmd, " \t"), cmd);
	if (prog[0] != '/')
		return 0;       /* found through PATH at delivery: not judged */
	p = host_path(am->h, prog);
	missing = access(p, X_OK) != 0;
	free(p);
	return missing;
}

static void
aliasmap_problem(struct aliasmap *am, struct findings *f, const char *subj,
	const struct alias_leaf *l, const char *what_for, int others)
{
	const char *file = am->main_path != NULL ? am->main_path :
	    "/etc/aliases";
	enum finding_sev sev = others ? FINDING_WARNING : FINDING_ERROR;
	const char *arrow = l->via[0] != '\0' ? " -> " : "";
	char fix[1024];

	switch (l->kind) {
	case ALIAS_LOOP:
		snprintf(fix, sizeof(fix), "edit %s so that the chain ends at "
		    "a person's mailbox or address, then run newaliases", file);
		findings_add(f, sev, "alias-loop", subj, fix, "%s%s%s: loops "
		    "back%s%s", l->via, arrow, l->what, what_for[0] ? "; " : "",
		    what_for);
		break;
	case ALIAS_TOO_DEEP:
		snprintf(fix, sizeof(fix), "shorten the chain in %s, then run "
		    "newaliases", file);
		findings_add(f, sev, "alias-too-deep", subj, fix, "%s%s%s: "
		    "more than %d aliases deep", l->via, arrow, l->what,
		    ALIASES_MAX_DEPTH);
		break;
	case ALIAS_BAD_INCLUDE:
		snprintf(fix, sizeof(fix), "create %s or remove the :include: "
		    "from %s, then run newaliases", l->what, file);
		findings_add(f, sev, "alias-dead-end", subj, fix, "%s%s"
		    ":include:%s: %s%s%s", l->via, arrow, l->what, l->why,
		    what_for[0] ? "; " : "", what_for);
		break;
	default:
		snprintf(fix, sizeof(fix), "add \"%s: alice\" to %s (alice: a "
		    "person who reads mail, or an address), or create the user, "
		    "then run newaliases", l->what, file);
		findings_add(f, sev, "alias-dead-end", subj, fix, "%s%s%s: %s%s%s",
		    l->via, arrow, l->what, l->why != NULL ? l->why : "unknown",
		    what_for[0] ? "; " : "", what_for);
		break;
	}
}

size_t
aliasmap_report(struct aliasmap *am, struct findings *f, const char *subj,
	const struct alias_resolution *r, const char *what_for)
{
	const struct alias_leaf *l;
	size_t i, good = 0;
	char fix[1024];

	for (i = 0; i < r->nleaves; i++)
		if (!alias_kind_is_problem(r->leaves[i].kind))
			good++;
	for (i = 0; i < r->nleaves; i++) {
		l = &r->leaves[i];
		if (alias_kind_is_problem(l->kind))
			aliasmap_problem(am, f, subj, l, good > 0 ? "" :
			    what_for, good > 0);
		else if (l->kind == ALIAS_PIPE &&
		    aliasmap_pipe_missing(am, l->what)) {
			snprintf(fix, sizeof(fix), "install the program or "
			    "correct the pipe in %s, then run newaliases",
			    am->main_path != NULL ? am->main_path :
			    "/etc/aliases");
			findings_add(f, FINDING_ERROR, "alias-pipe-missing",
			    subj, fix, "%s -> \"|%s\": the program does not "
			    "exist or is not executable", l->via, l->what);
		}
	}
	return good;
}

void
aliasmap_check_roles(struct aliasmap *am, struct findings *f)
{
	struct alias_resolution r;
	char what_for[128];
	size_t i, j;
	int root_box = 0;

	for (i = 0; i < sizeof(aliasmap_roles) / sizeof(aliasmap_roles[0]);
	    i++) {
		aliases_resolve(&am->env, aliasmap_roles[i], &r);
		snprintf(what_for, sizeof(what_for), "mail to %s is lost",
		    aliasmap_roles[i]);
		aliasmap_report(am, f, aliasmap_roles[i], &r, what_for);
		for (j = 0; j < r.nleaves; j++)
			if (r.leaves[j].kind == ALIAS_MAILBOX &&
			    strcmp(r.leaves[j].what, "root") == 0)
				root_box = 1;
		alias_resolution_free(&r);
	}
	if (root_box)
		findings_add(f, FINDING_INFO, "root-mailbox", "root",
		    "add \"root: alice\" (a person who reads mail) to the "
		    "aliases, then run newaliases",
		    "mail for root (and the role addresses that lead to it) "
		    "stays in root's mailbox, which few people read");
}
