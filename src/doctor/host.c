/*
 * host - the inspected root and its Postfix settings.
 */
#include "doctor/host.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/fileio.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

extern char **environ;

#define MAINCF_MAX_PARAMS       512
#define MAINCF_MAX_VALUE        4096
#define MAINCF_MAX_DEPTH        10
#define MAINCF_MAX_EXPANSIONS   10000   /* $names expanded per setting */

struct maincf {
	char *name[MAINCF_MAX_PARAMS];
	char *value[MAINCF_MAX_PARAMS];
	size_t n;
};

char *
host_path(const struct host *h, const char *abs)
{
	return xasprintf("%s%s", h->root, abs);
}

int
host_exists(const struct host *h, const char *abs)
{
	struct stat st;
	char *p = host_path(h, abs);
	int rc = lstat(p, &st) == 0;

	free(p);
	return rc;
}

void
host_list_free(struct host_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

void
host_list_split(struct host_list *l, const char *s)
{
	size_t len;

	host_list_free(l);
	while (*s != '\0' && l->n < HOST_MAX_LIST) {
		s += strspn(s, ", \t\r\n");
		len = strcspn(s, ", \t\r\n");
		if (len == 0)
			break;
		l->v[l->n++] = xstrndup(s, len);
		s += len;
	}
}

int
host_is_local_domain(const struct host *h, const char *name)
{
	size_t i, n = strlen(name);

	if (n > 0 && name[n - 1] == '.')
		n--;
	for (i = 0; i < h->mydestination.n; i++)
		if (strlen(h->mydestination.v[i]) == n &&
		    strncasecmp(h->mydestination.v[i], name, n) == 0)
			return 1;
	return 0;
}

/* The value of name in m (after main.cf's last assignment), or NULL. */
static const char *
maincf_get(const struct maincf *m, const char *name, size_t len)
{
	size_t i;

	for (i = m->n; i-- > 0;)
		if (strlen(m->name[i]) == len &&
		    strncmp(m->name[i], name, len) == 0)
			return m->value[i];
	return NULL;
}

/*
 * Expand $name, ${name} and $(name) in s into b; unknown names vanish.
 * *budget counts expansions: "a = $b$b$b...", "b = $c$c$c..." grows
 * exponentially with the depth (fuzz_doctor_host hung on it), so the
 * expansion stops when the budget or b is used up.
 */
static int
maincf_expand_n(const struct maincf *m, const char *s, struct sbuf *b,
	int depth, long *budget)
{
	const char *v, *end;
	size_t len;
	char close;

	while (*s != '\0') {
		if (*s != '$' || depth > MAINCF_MAX_DEPTH) {
			if (sbuf_add(b, s++, 1) < 0)
				return -1;
			continue;
		}
		s++;
		if (*s == '{' || *s == '(') {
			close = *s == '{' ? '}' : ')';
			if ((end = strchr(++s, close)) == NULL)
				return 0;
			len = (size_t)(end - s);
			v = maincf_get(m, s, len);
			s = end + 1;
		} else {
			for (len = 0; isalnum((unsigned char)s[len]) ||
			    s[len] == '_'; len++)
				;
			v = maincf_get(m, s, len);
			s += len;
		}
		if (v != NULL && (--*budget < 0 ||
		    maincf_expand_n(m, v, b, depth + 1, budget) < 0))
			return -1;
	}
	return 0;
}

static void
maincf_expand(const struct maincf *m, const char *s, struct sbuf *b,
	int depth)
{
	long budget = MAINCF_MAX_EXPANSIONS;

	(void)maincf_expand_n(m, s, b, depth, &budget);
}

static void
maincf_set(struct maincf *m, const char *name, size_t nlen, const char *val)
{
	if (m->n >= MAINCF_MAX_PARAMS)
		return;
	m->name[m->n] = xstrndup(name, nlen);
	m->value[m->n] = xstrdup(val);
	m->n++;
}

/* Logical lines: a line starting with white space continues the last. */
static void
maincf_read(struct maincf *m, const char *text)
{
	struct sbuf logical;
	const char *line, *nl, *eq;
	size_t len, nlen;

	sbuf_init(&logical, MAINCF_MAX_VALUE);
	for (line = text; ; line = nl + 1) {
		nl = strchr(line, '\n');
		len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		if (len > 0 && (line[0] == ' ' || line[0] == '\t') &&
		    logical.len > 0) {
			(void)sbuf_adds(&logical, " ");
			(void)sbuf_add(&logical, line + strspn(line, " \t"),
			    len - strspn(line, " \t"));
		} else {
			if (logical.len > 0 && logical.data[0] != '#' &&
			    (eq = strchr(logical.data, '=')) != NULL) {
				for (nlen = (size_t)(eq - logical.data); nlen > 0 &&
				    isspace((unsigned char)logical.data[nlen - 1]);
				    nlen--)
					;
				eq += 1 + strspn(eq + 1, " \t");
				maincf_set(m, logical.data, nlen, eq);
			}
			sbuf_reset(&logical);
			if (len > 0 && line[0] != ' ' && line[0] != '\t')
				(void)sbuf_add(&logical, line, len);
		}
		if (nl == NULL)
			break;
	}
	sbuf_free(&logical);
}

/* The settings doctor/ingest.c needs, expanded from m. */
static void
host_maincf_more(struct host *h, const struct maincf *m, struct sbuf *b)
{
	static const char *const names[] = { "$transport_maps",
	    "$local_recipient_maps", "$virtual_mailbox_domains",
	    "$virtual_mailbox_maps" };
	struct host_list *lists[] = { &h->transport_maps,
	    &h->local_recipient_maps, &h->virtual_mailbox_domains,
	    &h->virtual_mailbox_maps };
	size_t i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		sbuf_reset(b);
		maincf_expand(m, names[i], b, 0);
		host_list_split(lists[i], b->data != NULL ? b->data : "");
	}
	sbuf_reset(b);
	maincf_expand(m, "$default_privs", b, 0);
	free(h->default_privs);
	h->default_privs = xstrdup(b->data != NULL && b->data[0] != '\0' ?
	    b->data : "nobody");
}

void
host_parse_main_cf(struct host *h, const char *text, const char *hostname)
{
	struct maincf m;
	struct sbuf b;
	const char *dot;
	char *dom;
	size_t i;

	memset(&m, 0, sizeof(m));
	/* Debian's defaults first: main.cf's own assignments come later. */
	maincf_set(&m, "myhostname", 10, hostname);
	dot = strchr(hostname, '.');
	dom = xstrdup(dot != NULL ? dot + 1 : "localdomain");
	maincf_set(&m, "mydomain", 8, dom);
	free(dom);
	maincf_set(&m, "mydestination", 13,
	    "$myhostname, localhost.$mydomain, localhost");
	maincf_set(&m, "alias_maps", 10, "hash:/etc/aliases");
	maincf_set(&m, "alias_database", 14, "hash:/etc/aliases");
	maincf_set(&m, "transport_maps", 14, "");
	maincf_set(&m, "local_recipient_maps", 20,
	    "proxy:unix:passwd.byname $alias_maps");
	maincf_set(&m, "virtual_mailbox_maps", 20, "");
	maincf_set(&m, "virtual_mailbox_domains", 23, "$virtual_mailbox_maps");
	maincf_set(&m, "default_privs", 13, "nobody");
	maincf_read(&m, text);
	sbuf_init(&b, MAINCF_MAX_VALUE);
	maincf_expand(&m, "$myhostname", &b, 0);
	free(h->myhostname);
	h->myhostname = xstrdup(b.data != NULL ? b.data : "");
	sbuf_reset(&b);
	maincf_expand(&m, "$mydomain", &b, 0);
	free(h->mydomain);
	h->mydomain = xstrdup(b.data != NULL ? b.data : "");
	sbuf_reset(&b);
	maincf_expand(&m, "$mydestination", &b, 0);
	host_list_split(&h->mydestination, b.data != NULL ? b.data : "");
	sbuf_reset(&b);
	maincf_expand(&m, "$alias_maps", &b, 0);
	host_list_split(&h->alias_maps, b.data != NULL ? b.data : "");
	sbuf_reset(&b);
	maincf_expand(&m, "$alias_database", &b, 0);
	host_list_split(&h->alias_database, b.data != NULL ? b.data : "");
	host_maincf_more(h, &m, &b);
	sbuf_free(&b);
	for (i = 0; i < m.n; i++) {
		free(m.name[i]);
		free(m.value[i]);
	}
}

/* Run argv without a shell; its standard output (bounded) in out. */
static int
host_run(char *const argv[], struct sbuf *out, struct err *e)
{
	posix_spawn_file_actions_t fa;
	char chunk[4096];
	pid_t pid;
	ssize_t n;
	int fds[2], status, rc;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return err_set_errno(e, ERR_SYSTEM, errno, "pipe");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		return err_set_errno(e, ERR_INPUT, rc, "cannot run %s", argv[0]);
	}
	rc = 0;
	while ((n = read(fds[0], chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		/* Keep reading past the cap so the child never blocks. */
		if (n < 0 || sbuf_add(out, chunk, (size_t)n) < 0)
			rc = -1;
		if (n < 0)
			break;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return err_set(e, ERR_INPUT, "%s -c %s failed (exit %d)", argv[0],
		    argv[2], WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

/* The n-th line of text (a copy), or "" when there are fewer lines. */
static char *
host_line(const char *text, size_t n)
{
	size_t len;

	while (n-- > 0 && text != NULL && (text = strchr(text, '\n')) != NULL)
		text++;
	if (text == NULL)
		return xstrdup("");
	len = strcspn(text, "\n");
	return xstrndup(text, len);
}

static int
host_postconf(struct host *h, const char *prog, struct err *e)
{
	struct sbuf out;
	char *dir = host_path(h, "/etc/postfix"), *line;
	char *argv[] = { (char *)prog, "-c", dir, "-h", "-x", "myhostname",
	    "mydomain", "mydestination", "alias_maps", "alias_database",
	    "transport_maps", "local_recipient_maps", "virtual_mailbox_domains",
	    "virtual_mailbox_maps", "default_privs", NULL };

	sbuf_init(&out, HOST_OUTPUT_MAX);
	if (host_run(argv, &out, e) < 0) {
		sbuf_free(&out);
		free(dir);
		return -1;
	}
	h->myhostname = host_line(out.data, 0);
	h->mydomain = host_line(out.data, 1);
	host_list_split(&h->mydestination, line = host_line(out.data, 2));
	free(line);
	host_list_split(&h->alias_maps, line = host_line(out.data, 3));
	free(line);
	host_list_split(&h->alias_database, line = host_line(out.data, 4));
	free(line);
	host_list_split(&h->transport_maps, line = host_line(out.data, 5));
	free(line);
	host_list_split(&h->local_recipient_maps, line = host_line(out.data, 6));
	free(line);
	host_list_split(&h->virtual_mailbox_domains,
	    line = host_line(out.data, 7));
	free(line);
	host_list_split(&h->virtual_mailbox_maps, line = host_line(out.data, 8));
	free(line);
	h->default_privs = host_line(out.data, 9);
	h->used_postconf = 1;
	sbuf_free(&out);
	free(dir);
	return 0;
}

void
host_settings_free(struct host *h)
{
	free(h->myhostname);
	free(h->mydomain);
	h->myhostname = h->mydomain = NULL;
	host_list_free(&h->mydestination);
	host_list_free(&h->alias_maps);
	host_list_free(&h->alias_database);
	host_list_free(&h->transport_maps);
	host_list_free(&h->local_recipient_maps);
	host_list_free(&h->virtual_mailbox_domains);
	host_list_free(&h->virtual_mailbox_maps);
	free(h->default_privs);
	h->default_privs = NULL;
}

/* Forget what a failed postconf run left. */
static void
host_reset(struct host *h)
{
	host_settings_free(h);
	h->used_postconf = 0;
}

/* ROOT/etc/hostname under --root, else the machine's name. */
static void
host_hostname(const struct host *h, char *buf, size_t len)
{
	struct err e;
	char *p, *text;

	buf[0] = '\0';
	if (h->root[0] != '\0') {
		p = host_path(h, "/etc/hostname");
		if ((text = fileio_read(p, 4096, NULL, &e)) != NULL) {
			snprintf(buf, len, "%.*s", (int)strcspn(text, " \t\r\n"),
			    text);
			free(text);
		}
		free(p);
	} else if (gethostname(buf, len) != 0)
		buf[0] = '\0';
	buf[len - 1] = '\0';
	if (buf[0] == '\0')
		snprintf(buf, len, "localhost");
}

/* postconf unless missing; main.cf by hand otherwise. */
static int
host_settings(struct host *h, const char *postconf, struct err *e)
{
	char name[256], *p, *text;
	struct stat st;

	h->postfix = host_exists(h, "/etc/postfix/main.cf");
	if (postconf == NULL)
		postconf = "postconf";
	if (h->postfix && (strchr(postconf, '/') == NULL ||
	    stat(postconf, &st) == 0)) {
		if (host_postconf(h, postconf, e) == 0)
			return 0;
		/* Not installed, or refuses main.cf: read it here, and say so. */
		h->postconf_error = xstrdup(e->msg);
		host_reset(h);
	}
	host_hostname(h, name, sizeof(name));
	text = NULL;
	if (h->postfix) {
		p = host_path(h, "/etc/postfix/main.cf");
		text = fileio_read(p, FILEIO_DEFAULT_MAX, NULL, e);
		free(p);
		if (text == NULL)
			return -1;
	}
	host_parse_main_cf(h, text != NULL ? text : "", name);
	free(text);
	return 0;
}

struct host *
host_new(const char *root, const char *postconf, struct err *e)
{
	struct host *h = xcalloc(1, sizeof(*h));
	struct stat st;
	size_t n;

	if (root == NULL)
		root = "/";
	if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
		err_set(e, ERR_INPUT, "%s: not a directory", root);
		host_free(h);
		return NULL;
	}
	h->root = xstrdup(root);
	for (n = strlen(h->root); n > 0 && h->root[n - 1] == '/'; n--)
		h->root[n - 1] = '\0';
	/* Debian's cron guard and sd_booted() test exactly this. */
	h->systemd = host_exists(h, "/run/systemd/system");
	if (host_settings(h, postconf, e) < 0) {
		host_free(h);
		return NULL;
	}
	return h;
}

void
host_free(struct host *h)
{
	if (h == NULL)
		return;
	free(h->root);
	free(h->postconf_error);
	host_settings_free(h);
	free(h);
}
