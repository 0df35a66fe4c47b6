/*
 * ingest - the user that runs "daneops report ingest", and its rights.
 */
#include "doctor/ingest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "util/fileio.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

#define INGEST_MAX_SVC          32
#define INGEST_MAX_GROUPS       64
#define INGEST_SETUP_MAX        8192

static int ingest_has(const struct host_list *l, const char *v);

/* A user as ROOT/etc/passwd and ROOT/etc/group say. */
struct ingest_user {
	char name[64];
	long uid, gid;
	long groups[INGEST_MAX_GROUPS];
	size_t ngroups;
};

/* A master.cf pipe service running daneops report ingest. */
struct ingest_svc {
	char *name;
	char *user;             /* user= without :group; NULL when missing */
	char *argv;             /* argv= and what follows */
};

int
ingest_is_cmd(const char *cmd)
{
	const char *d = strstr(cmd, "daneops");
	const char *r = d != NULL ? strstr(d, " report") : NULL;

	return r != NULL && strstr(r, " ingest") != NULL;
}

/* The value of "--opt VALUE" or "--opt=VALUE" in cmd (new string) or NULL. */
static char *
ingest_opt(const char *cmd, const char *opt)
{
	const char *p = cmd;
	size_t n = strlen(opt);

	while ((p = strstr(p, opt)) != NULL) {
		p += n;
		if (*p == '=' || *p == ' ' || *p == '\t') {
			p += 1 + strspn(p + 1, " \t");
			return xstrndup(p, strcspn(p, " \t\r\n"));
		}
	}
	return NULL;
}

/* Field k (0-based, white-space separated) of line, or NULL. */
static char *
ingest_field(const char *line, int k)
{
	size_t n;

	for (;;) {
		line += strspn(line, " \t");
		n = strcspn(line, " \t");
		if (n == 0)
			return NULL;
		if (k-- == 0)
			return xstrndup(line, n);
		line += n;
	}
}

/* One logical master.cf line: keep it when it is a daneops ingest pipe. */
static void
ingest_master_line(const char *line, struct ingest_svc *v, size_t *n)
{
	char *name = ingest_field(line, 0), *cmd = ingest_field(line, 7);
	const char *argv = strstr(line, "argv=");
	const char *user = strstr(line, " user=");
	struct ingest_svc *s;

	if (name != NULL && name[0] != '#' && cmd != NULL &&
	    strcmp(cmd, "pipe") == 0 && argv != NULL &&
	    ingest_is_cmd(argv) && *n < INGEST_MAX_SVC) {
		s = &v[(*n)++];
		s->name = name;
		name = NULL;
		s->argv = xstrdup(argv + 5);
		s->user = user != NULL ? xstrndup(user + 6,
		    strcspn(user + 6, ": \t")) : NULL;
	}
	free(name);
	free(cmd);
}

/* The daneops ingest pipes of ROOT/etc/postfix/master.cf. */
static size_t
ingest_services(const struct host *h, struct ingest_svc *v)
{
	char *p = host_path(h, "/etc/postfix/master.cf"), *text, *line, *nl;
	struct sbuf logical;
	struct err e;
	size_t n = 0;

	text = fileio_read(p, INGEST_MASTER_MAX, NULL, &e);
	free(p);
	if (text == NULL)
		return 0;
	sbuf_init(&logical, INGEST_MASTER_MAX);
	for (line = text; line != NULL; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if ((line[0] == ' ' || line[0] == '\t') && logical.len > 0) {
			(void)sbuf_adds(&logical, " ");
			(void)sbuf_adds(&logical, line);
			continue;
		}
		if (logical.len > 0)
			ingest_master_line(logical.data, v, &n);
		sbuf_reset(&logical);
		if (line[0] != '#' && line[0] != '\0')
			(void)sbuf_adds(&logical, line);
	}
	if (logical.len > 0)
		ingest_master_line(logical.data, v, &n);
	sbuf_free(&logical);
	free(text);
	return n;
}

static void
ingest_services_free(struct ingest_svc *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].user);
		free(v[i].argv);
	}
}

/* The source file of a file-based map spec ("hash:/x" -> "/x"), or NULL. */
static const char *
ingest_map_path(const char *spec)
{
	static const char *const types[] = { "hash:", "btree:", "lmdb:",
	    "cdb:", "texthash:", "dbm:" };
	size_t i;

	if (strncmp(spec, "proxy:", 6) == 0)
		spec += 6;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strncmp(spec, types[i], strlen(types[i])) == 0)
			return spec + strlen(types[i]);
	return spec[0] == '/' ? spec : NULL;
}

/* The transport the table source text gives key (new string) or NULL. */
static char *
ingest_table_find(const char *text, const char *key)
{
	const char *line, *nl;
	size_t klen = strlen(key), n;

	for (line = text; line != NULL && *line != '\0'; line = nl) {
		nl = strchr(line, '\n');
		if (nl != NULL)
			nl++;
		n = strcspn(line, " \t\r\n");
		if (line[0] == '#' || n != klen || strncasecmp(line, key, n) != 0)
			continue;
		line += n + strspn(line + n, " \t");
		return xstrndup(line, strcspn(line, ": \t\r\n"));
	}
	return NULL;
}

/* transport_maps' transport for addr (then its domain), or NULL. */
static char *
ingest_transport(const struct host *h, const char *addr)
{
	const char *at = strrchr(addr, '@'), *path;
	char *p, *text, *t = NULL;
	struct err e;
	size_t i;

	for (i = 0; i < h->transport_maps.n && t == NULL; i++) {
		if ((path = ingest_map_path(h->transport_maps.v[i])) == NULL)
			continue;
		p = host_path(h, path);
		text = fileio_read(p, ALIASMAP_FILE_MAX, NULL, &e);
		free(p);
		if (text == NULL)
			continue;
		t = ingest_table_find(text, addr);
		if (t == NULL && at != NULL)
			t = ingest_table_find(text, at + 1);
		free(text);
	}
	return t;
}

int
ingest_routed(const struct host *h, const char *addr)
{
	struct ingest_svc v[INGEST_MAX_SVC];
	char *t = ingest_transport(h, addr);
	size_t i, n;
	int found = 0;

	if (t == NULL)
		return 0;
	n = ingest_services(h, v);
	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, t) == 0)
			found = 1;
	ingest_services_free(v, n);
	free(t);
	return found;
}

/* Look name up in ROOT/etc/passwd and ROOT/etc/group; -1 when unknown. */
static int
ingest_user(const struct host *h, const char *name, struct ingest_user *u)
{
	char *p, *text, *line, *save, *f[4], *s;
	struct err e;
	int found = 0, k;

	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", name);
	p = host_path(h, "/etc/passwd");
	text = fileio_read(p, ALIASMAP_FILE_MAX, NULL, &e);
	free(p);
	for (line = text != NULL ? strtok_r(text, "\n", &save) : NULL;
	    line != NULL && !found; line = strtok_r(NULL, "\n", &save)) {
		for (k = 0, s = line; k < 4 && s != NULL; k++) {
			f[k] = s;
			if ((s = strchr(s, ':')) != NULL)
				*s++ = '\0';
		}
		if (k == 4 && s != NULL && strcmp(f[0], name) == 0) {
			u->uid = strtol(f[2], NULL, 10);
			u->gid = strtol(f[3], NULL, 10);
			found = 1;
		}
	}
	free(text);
	if (!found)
		return -1;
	p = host_path(h, "/etc/group");
	text = fileio_read(p, ALIASMAP_FILE_MAX, NULL, &e);
	free(p);
	for (line = text != NULL ? strtok_r(text, "\n", &save) : NULL;
	    line != NULL; line = strtok_r(NULL, "\n", &save)) {
		/* name:x:gid:member,member */
		char *gid = strchr(line, ':'), *members;

		if (gid == NULL || (gid = strchr(gid + 1, ':')) == NULL ||
		    (members = strchr(gid + 1, ':')) == NULL)
			continue;
		for (s = strtok(members + 1, ","); s != NULL;
		    s = strtok(NULL, ","))
			if (strcmp(s, name) == 0 &&
			    u->ngroups < INGEST_MAX_GROUPS)
				u->groups[u->ngroups++] = strtol(gid + 1, NULL,
				    10);
	}
	free(text);
	return 0;
}

/* May u do what (4 read, 2 write, 1 search) to a file with st? */
static int
ingest_may(const struct ingest_user *u, const struct stat *st, int what)
{
	int bits;
	size_t i;

	if (u->uid == 0)
		return 1;
	if ((long)st->st_uid == u->uid)
		bits = (st->st_mode >> 6) & 7;
	else {
		int member = (long)st->st_gid == u->gid;

		for (i = 0; i < u->ngroups && !member; i++)
			member = (long)st->st_gid == u->groups[i];
		bits = member ? (st->st_mode >> 3) & 7 : st->st_mode & 7;
	}
	return (bits & what) == what;
}

/*
 * Why u cannot reach and use abs (what: 6 a file to read and write, 3 a
 * directory to write in) as a new string, or NULL when it can.  A missing
 * final component is "missing".
 */
static char *
ingest_denied(const struct host *h, const struct ingest_user *u,
	const char *abs, int what, int *missing)
{
	char *copy = xstrdup(abs), *p, *slash;
	struct stat st;
	char *why = NULL;

	*missing = 0;
	for (slash = copy + 1; why == NULL; slash++) {
		slash = strchr(slash, '/');
		if (slash != NULL)
			*slash = '\0';
		p = host_path(h, copy);
		if (stat(p, &st) != 0) {
			*missing = slash == NULL;
			why = xasprintf("%s does not exist", copy);
		} else if (slash != NULL && !ingest_may(u, &st, 1))
			why = xasprintf("%s cannot enter %s (%ld:%ld, mode "
			    "%04o)", u->name, copy, (long)st.st_uid,
			    (long)st.st_gid, (unsigned)(st.st_mode & 07777));
		else if (slash == NULL && !ingest_may(u, &st, what))
			why = xasprintf("%s cannot %s %s (%ld:%ld, mode %04o)",
			    u->name, what == 3 ? "write in" : "write", copy,
			    (long)st.st_uid, (long)st.st_gid,
			    (unsigned)(st.st_mode & 07777));
		free(p);
		if (slash == NULL)
			break;
		*slash = '/';
	}
	free(copy);
	return why;
}

/* The directory part of an absolute path (new string). */
static char *
ingest_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash == NULL || slash == path ? xstrdup("/") :
	    xstrndup(path, (size_t)(slash - path));
}

/* Rights of u, who runs ingest (how), on the database and quarantine. */
static void
ingest_rights(const struct host *h, const struct ingest_user *u,
	const char *how, const char *db, const char *quarantine,
	struct findings *f)
{
	char *dir = ingest_dirname(db), *why, fix[1024];
	int missing;

	snprintf(fix, sizeof(fix), "install -d -o %s -g %s -m 0750 %s (and "
	    "chown -R %s: %s if it holds files of another user)", u->name,
	    u->name, dir, u->name, dir);
	if ((why = ingest_denied(h, u, dir, 3, &missing)) != NULL) {
		findings_add(f, FINDING_ERROR, "ingest-rights", dir, fix,
		    "%s runs daneops report ingest, but %s: every TLS report "
		    "waits in the queue, then bounces", how, why);
		free(why);
		free(dir);
		return;
	}
	if ((why = ingest_denied(h, u, db, 6, &missing)) != NULL && !missing)
		findings_add(f, FINDING_ERROR, "ingest-rights", db, fix,
		    "%s runs daneops report ingest, but %s (made by another "
		    "user?)", how, why);
	free(why);
	if ((why = ingest_denied(h, u, quarantine, 3, &missing)) != NULL &&
	    !missing)
		findings_add(f, FINDING_ERROR, "ingest-rights", quarantine, fix,
		    "%s runs daneops report ingest, but %s: unusable mail "
		    "cannot be kept", how, why);
	free(why);
	free(dir);
}

/* The database and quarantine a command line uses (new strings). */
static void
ingest_paths(const char *cmd, char **db, char **quarantine)
{
	*db = ingest_opt(cmd, "--db");
	*quarantine = ingest_opt(cmd, "--quarantine");
	if (*db == NULL)
		*db = xstrdup(INGEST_DB);
	if (*quarantine == NULL)
		*quarantine = xstrdup(INGEST_QUARANTINE);
}

/* 1 when a file map of list has key (its source text read under ROOT). */
static int
ingest_list_has_key(const struct host *h, const struct host_list *l,
	const char *key)
{
	const char *path;
	char *p, *text, *v;
	struct err e;
	size_t i;
	int found = 0;

	for (i = 0; i < l->n && !found; i++) {
		if ((path = ingest_map_path(l->v[i])) == NULL)
			continue;
		p = host_path(h, path);
		text = fileio_read(p, ALIASMAP_FILE_MAX, NULL, &e);
		free(p);
		if (text != NULL && (v = ingest_table_find(text, key)) != NULL) {
			found = 1;
			free(v);
		}
		free(text);
	}
	return found;
}

/*
 * An address routed to the pipe in a local domain must also pass smtpd's
 * recipient check (local_recipient_maps), or senders get "User unknown"
 * at RCPT and the reports never reach the queue.
 */
static void
ingest_check_rcpt(const struct host *h, const struct aliasmap *am,
	const char *addr, struct findings *f)
{
	const char *at = strrchr(addr, '@');
	char *local, *setup;
	size_t i;
	int known = 0;

	if (at == NULL || !host_is_local_domain(h, at + 1) ||
	    h->local_recipient_maps.n == 0)
		return;
	local = xstrndup(addr, (size_t)(at - addr));
	/* The default maps: users, and the alias maps. */
	if (ingest_has(&h->local_recipient_maps, "proxy:unix:passwd.byname") &&
	    am->env.is_user(am->env.arg, local))
		known = 1;
	for (i = 0; i < am->nmaps && !known; i++)
		known = aliases_find(am->maps[i], local) != NULL;
	if (!known)
		known = ingest_list_has_key(h, &h->local_recipient_maps, addr) ||
		    ingest_list_has_key(h, &h->local_recipient_maps, local);
	if (!known) {
		setup = ingest_setup(h, addr);
		findings_add(f, FINDING_ERROR, "ingest-rcpt-unknown", addr, setup,
		    "%s is routed to daneops report ingest, but no "
		    "local_recipient_maps table has it: smtpd refuses it at "
		    "RCPT (\"User unknown in local recipient table\")", addr);
		free(setup);
	}
	free(local);
}

/* The addresses transport_maps sends to service: recipient checks. */
static void
ingest_check_routes(const struct host *h, const struct aliasmap *am,
	const char *service, struct findings *f)
{
	char *p, *text, *line, *save, *v;
	const char *path;
	struct err e;
	size_t i, n;

	for (i = 0; i < h->transport_maps.n; i++) {
		if ((path = ingest_map_path(h->transport_maps.v[i])) == NULL)
			continue;
		p = host_path(h, path);
		text = fileio_read(p, ALIASMAP_FILE_MAX, NULL, &e);
		free(p);
		for (line = text != NULL ? strtok_r(text, "\n", &save) : NULL;
		    line != NULL; line = strtok_r(NULL, "\n", &save)) {
			n = strcspn(line, " \t");
			if (line[0] == '#' || line[n] == '\0' ||
			    memchr(line, '@', n) == NULL)
				continue;
			line[n] = '\0';
			v = line + n + 1 + strspn(line + n + 1, " \t");
			if (strncmp(v, service, strlen(service)) == 0 &&
			    v[strlen(service)] == ':')
				ingest_check_rcpt(h, am, line, f);
		}
		free(text);
	}
}

/* The master.cf services: their user must exist, reach the files, and
 * some transport_maps entry must lead to them. */
static size_t
ingest_check_services(const struct host *h, const struct aliasmap *am,
	struct findings *f)
{
	struct ingest_svc v[INGEST_MAX_SVC];
	struct ingest_user u;
	char how[256], *db, *q, *setup;
	size_t i, n = ingest_services(h, v);

	for (i = 0; i < n; i++) {
		snprintf(how, sizeof(how), "master.cf service %s (user=%s)",
		    v[i].name, v[i].user != NULL ? v[i].user : "?");
		if (v[i].user == NULL || ingest_user(h, v[i].user, &u) < 0) {
			findings_add(f, FINDING_ERROR, "ingest-user-missing",
			    v[i].name, "adduser --system --group --home "
			    "/var/lib/daneops --no-create-home daneops (the "
			    "Debian package does this)", "%s: no such user in "
			    "/etc/passwd: pipe(8) cannot run it", how);
			continue;
		}
		ingest_paths(v[i].argv, &db, &q);
		ingest_rights(h, &u, how, db, q, f);
		free(db);
		free(q);
		ingest_check_routes(h, am, v[i].name, f);
		if (h->transport_maps.n == 0) {
			setup = ingest_setup(h, NULL);
			findings_add(f, FINDING_WARNING, "ingest-unrouted",
			    v[i].name, setup, "%s runs daneops report ingest, "
			    "but transport_maps is empty: no mail reaches it",
			    how);
			free(setup);
		}
	}
	ingest_services_free(v, n);
	return n;
}

static int
ingest_has(const struct host_list *l, const char *v)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], v) == 0)
			return 1;
	return 0;
}

/* list joined with spaces, plus add unless already there (new string). */
static char *
ingest_join(const struct host_list *l, const char *add)
{
	struct sbuf b;
	size_t i;
	int have = 0;
	char *out;

	sbuf_init(&b, INGEST_SETUP_MAX);
	for (i = 0; i < l->n; i++) {
		if (b.len > 0)
			(void)sbuf_adds(&b, " ");
		(void)sbuf_adds(&b, l->v[i]);
		have |= strcmp(l->v[i], add) == 0;
	}
	if (!have) {
		if (b.len > 0)
			(void)sbuf_adds(&b, " ");
		(void)sbuf_adds(&b, add);
	}
	out = xstrdup(b.data != NULL ? b.data : "");
	sbuf_free(&b);
	return out;
}

/* 1 when local_recipient_maps is Postfix's default, expanded. */
static int
ingest_lrm_default(const struct host *h)
{
	const struct host_list *l = &h->local_recipient_maps;
	size_t i;

	if (l->n != h->alias_maps.n + 1 ||
	    strcmp(l->v[0], "proxy:unix:passwd.byname") != 0)
		return 0;
	for (i = 0; i < h->alias_maps.n; i++)
		if (strcmp(l->v[i + 1], h->alias_maps.v[i]) != 0)
			return 0;
	return 1;
}

static int
ingest_in_list(const struct host_list *l, const char *domain)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], domain) == 0)
			return 1;
	return 0;
}

/* The recipient-validation line for domain into b. */
static void
ingest_setup_rcpt(const struct host *h, const char *domain, struct sbuf *b)
{
	char *v;

	if (host_is_local_domain(h, domain)) {
		/* Validation off, or the table is there: nothing to add. */
		if (h->local_recipient_maps.n == 0 ||
		    ingest_has(&h->local_recipient_maps, "hash:" INGEST_TABLE))
			return;
		v = ingest_lrm_default(h) ?
		    xstrdup("proxy:unix:passwd.byname $alias_maps hash:"
		    INGEST_TABLE) :
		    ingest_join(&h->local_recipient_maps, "hash:" INGEST_TABLE);
		sbuf_printf(b, "\n  postconf -e 'local_recipient_maps = %s'", v);
		free(v);
	} else if (ingest_in_list(&h->virtual_mailbox_domains, domain)) {
		if (ingest_has(&h->virtual_mailbox_maps, "hash:" INGEST_TABLE))
			return;
		v = ingest_join(&h->virtual_mailbox_maps, "hash:" INGEST_TABLE);
		sbuf_printf(b, "\n  postconf -e 'virtual_mailbox_maps = %s'", v);
		free(v);
	} else
		sbuf_printf(b, "\n  (%s is neither in mydestination nor in "
		    "virtual_mailbox_domains here: make it one of them)",
		    domain);
}

char *
ingest_setup(const struct host *h, const char *addr)
{
	char *a = addr != NULL ? xstrdup(addr) : xasprintf("tls-reports@%s",
	    h->mydomain != NULL ? h->mydomain : "example.org");
	const char *at = strrchr(a, '@');
	struct sbuf b;
	char *v, *out;

	sbuf_init(&b, INGEST_SETUP_MAX);
	sbuf_printf(&b, "route %s to the " INGEST_SERVICE " pipe (docs/report.md,"
	    " contrib/postfix/):\n"
	    "  in master.cf: " INGEST_SERVICE " unix - n n - - pipe\n"
	    "      flags=RX user=" INGEST_USER " argv=/usr/bin/daneops report "
	    "ingest\n"
	    "  echo '%s " INGEST_SERVICE ":' >>" INGEST_TABLE "\n"
	    "  postmap " INGEST_TABLE, a, a);
	if (!ingest_has(&h->transport_maps, "hash:" INGEST_TABLE)) {
		v = ingest_join(&h->transport_maps, "hash:" INGEST_TABLE);
		sbuf_printf(&b, "\n  postconf -e 'transport_maps = %s'", v);
		free(v);
	}
	ingest_setup_rcpt(h, at != NULL ? at + 1 : "", &b);
	sbuf_printf(&b, "\n  install -d -o " INGEST_USER " -g " INGEST_USER
	    " -m 0750 /var/lib/daneops/tlsrpt\n  postfix reload");
	out = xstrdup(b.data);
	sbuf_free(&b);
	free(a);
	return out;
}

/* The compiled form of alias map source path, per alias_maps. */
static char *
ingest_alias_db(const struct host *h, const char *path)
{
	static const char *const suffix[][2] = { { "hash:", ".db" },
	    { "btree:", ".db" }, { "lmdb:", ".lmdb" }, { "cdb:", ".cdb" },
	    { "dbm:", ".pag" } };
	const char *spec, *p;
	size_t i, k;

	for (i = 0; i < h->alias_maps.n; i++) {
		spec = h->alias_maps.v[i];
		if ((p = ingest_map_path(spec)) == NULL || strcmp(p, path) != 0)
			continue;
		if (strncmp(spec, "proxy:", 6) == 0)
			spec += 6;
		for (k = 0; k < sizeof(suffix) / sizeof(suffix[0]); k++)
			if (strncmp(spec, suffix[k][0], strlen(suffix[k][0])) == 0)
				return xasprintf("%s%s", path, suffix[k][1]);
		if (spec[0] == '/')     /* default_database_type: hash */
			return xasprintf("%s.db", path);
	}
	return xstrdup(path);
}

/* The login name of uid in ROOT/etc/passwd into name; -1 when none. */
static int
ingest_uid_name(const struct host *h, long uid, char *name, size_t len)
{
	char *p = host_path(h, "/etc/passwd"), *text, *line, *save, *c;
	struct err e;
	int rc = -1;

	text = fileio_read(p, ALIASMAP_FILE_MAX, NULL, &e);
	free(p);
	for (line = text != NULL ? strtok_r(text, "\n", &save) : NULL;
	    line != NULL && rc < 0; line = strtok_r(NULL, "\n", &save)) {
		if ((c = strchr(line, ':')) == NULL ||
		    (c = strchr(c + 1, ':')) == NULL ||
		    strtol(c + 1, NULL, 10) != uid || !isdigit((unsigned char)c[1]))
			continue;
		snprintf(name, len, "%.*s", (int)strcspn(line, ":"), line);
		rc = 0;
	}
	free(text);
	return rc;
}

/* One alias whose value pipes into daneops report ingest. */
static void
ingest_check_alias(const struct host *h, const struct aliases *map,
	const struct alias *al, const char *cmd, struct findings *f)
{
	char *db = ingest_alias_db(h, map->path), *p, *setup, *fix, *dbp, *q;
	char subj[512], owner[64], how[700];
	struct ingest_user u;
	struct stat st;

	p = host_path(h, db);
	if (stat(p, &st) != 0) {
		free(p);
		free(db);
		return;         /* alias-db-missing says it */
	}
	free(p);
	snprintf(subj, sizeof(subj), "%s:%d", map->path, al->line);
	if (st.st_uid == 0 || ingest_uid_name(h, (long)st.st_uid, owner,
	    sizeof(owner)) < 0) {
		setup = ingest_setup(h, NULL);
		fix = xasprintf("%s\n  then remove the alias %s from %s and run "
		    "newaliases", setup, al->name, map->path);
		findings_add(f, FINDING_ERROR, "ingest-alias-privs", subj, fix,
		    "alias %s pipes to daneops report ingest, but %s belongs "
		    "to %s: Postfix runs the pipe as %s (default_privs), who "
		    "cannot write the report database; every report is "
		    "deferred until it bounces", al->name, db,
		    st.st_uid == 0 ? "root" : "an unknown user",
		    h->default_privs != NULL ? h->default_privs : "nobody");
		free(fix);
		free(setup);
	} else if (ingest_user(h, owner, &u) == 0) {
		snprintf(how, sizeof(how), "alias %s (%s, owned by %s)",
		    al->name, db, owner);
		ingest_paths(cmd, &dbp, &q);
		ingest_rights(h, &u, how, dbp, q, f);
		free(dbp);
		free(q);
	}
	free(db);
}

void
ingest_check(const struct host *h, const struct aliasmap *am,
	struct findings *f)
{
	const struct alias *al;
	size_t i, k, j, n;
	char *setup;

	n = ingest_check_services(h, am, f);
	for (i = 0; i < am->nmaps; i++)
		for (k = 0; k < am->maps[i]->n; k++) {
			al = &am->maps[i]->v[k];
			for (j = 0; j < al->nvalues; j++)
				if (al->values[j][0] == '|' &&
				    ingest_is_cmd(al->values[j] + 1)) {
					ingest_check_alias(h, am->maps[i], al,
					    al->values[j] + 1, f);
					n++;
					break;
				}
		}
	/* A Postfix host that gives daneops no reports: how it would. */
	if (n == 0 && h->postfix) {
		setup = ingest_setup(h, NULL);
		findings_add(f, FINDING_INFO, "ingest-missing", "master.cf", setup,
		    "no Postfix service or alias runs daneops report ingest: TLS "
		    "reports are not kept here");
		free(setup);
	}
}
