/*
 * schedules - find every scheduled renewal and report the extra ones.
 */
#include "doctor/schedules.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fileio.h"
#include "util/xalloc.h"

#define SCHED_FILE_MAX  (1024 * 1024)
#define SCHED_MAX       64      /* renewers kept */
#define SCHED_MAX_DIR   1000    /* files looked at in one directory */

enum sched_rank {
	RANK_PACKAGE_TIMER = 0, /* the installed package's own timer */
	RANK_TIMER,
	RANK_DEBIAN_CRON,       /* /etc/cron.d/certbot */
	RANK_CRON,
	RANK_DANEOPS,           /* daneops should check, not renew */
};

struct renewer {
	char *where;            /* "certbot.timer", "/etc/cron.d/x:3" */
	char *how;              /* "crontab -e -u root", ... for the fix */
	const char *tool;
	enum sched_rank rank;
};

struct sched {
	const struct host *h;
	struct renewer r[SCHED_MAX];
	size_t n;
	size_t inactive_timers; /* enabled, but systemd does not run */
};

static const char *const sched_unit_dirs[] = {
	"/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system",
};

/* The basename of a word: "/snap/bin/certbot" -> "certbot". */
static const char *
sched_base(const char *w)
{
	const char *s = strrchr(w, '/');

	return s != NULL ? s + 1 : w;
}

const char *
schedules_renew_tool(const char *cmd)
{
	char buf[2048], *w, *save;
	const char *tool = NULL, *base;

	snprintf(buf, sizeof(buf), "%s", cmd);
	for (w = buf; *w != '\0'; w++)
		if (strchr(";&|()'\"`<>", *w) != NULL)
			*w = ' ';
	for (w = strtok_r(buf, " \t", &save); w != NULL;
	    w = strtok_r(NULL, " \t", &save)) {
		base = sched_base(w);
		if (strcmp(base, "certbot") == 0 ||
		    strcmp(base, "certbot-auto") == 0 ||
		    strcmp(base, "letsencrypt") == 0)
			tool = "certbot";
		else if (strcmp(base, "acme.sh") == 0)
			tool = "acme.sh";
		else if (strcmp(base, "dehydrated") == 0)
			tool = "dehydrated";
		else if (tool != NULL && ((strcmp(tool, "certbot") == 0 &&
		    strcmp(w, "renew") == 0) || (strcmp(tool, "acme.sh") == 0 &&
		    strcmp(w, "--cron") == 0) ||
		    (strcmp(tool, "dehydrated") == 0 && (strcmp(w, "-c") == 0 ||
		    strcmp(w, "--cron") == 0))))
			return tool;
	}
	return NULL;
}

int
schedules_systemd_guard(const char *cmd)
{
	char buf[2048];
	size_t i, j;

	/* "\! -d" in the crontab, "! -d" once cron has run it through sh. */
	for (i = j = 0; cmd[i] != '\0' && j < sizeof(buf) - 1; i++)
		if (cmd[i] != '\\')
			buf[j++] = cmd[i];
	buf[j] = '\0';
	return strstr(buf, "! -d /run/systemd/system") != NULL;
}

static void
sched_add(struct sched *s, const char *where, const char *how,
	const char *tool, enum sched_rank rank)
{
	if (s->n >= SCHED_MAX)
		return;
	s->r[s->n].where = xstrdup(where);
	s->r[s->n].how = xstrdup(how);
	s->r[s->n].tool = tool;
	s->r[s->n].rank = rank;
	s->n++;
}

/* cron and run-parts ignore names with anything but [A-Za-z0-9_-]. */
static int
sched_cron_name(const char *name)
{
	if (name[0] == '\0')
		return 0;
	for (; *name != '\0'; name++)
		if (!isalnum((unsigned char)*name) && *name != '_' &&
		    *name != '-')
			return 0;
	return 1;
}

/* The command of a crontab line, or NULL (comment, variable, short). */
static const char *
sched_cron_command(const char *line, int system)
{
	const char *p = line + strspn(line, " \t");
	size_t fields, i, n;

	if (*p == '#' || *p == '\0')
		return NULL;
	n = strcspn(p, " \t=");
	if (p[n + strspn(p + n, " \t")] == '=' && isalpha((unsigned char)*p))
		return NULL;    /* NAME=value */
	fields = (*p == '@' ? 1 : 5) + (system ? 1 : 0);
	for (i = 0; i < fields; i++) {
		p += strcspn(p, " \t");
		p += strspn(p, " \t");
		if (*p == '\0')
			return NULL;
	}
	return p;
}

/*
 * One crontab: every line that renews.  system: /etc/crontab format (a
 * user field); user: the owner of a spool crontab.  script: a cron.daily
 * style script, every line a command.
 */
static void
sched_scan_file(struct sched *s, const char *path, int system,
	const char *user, int script)
{
	char *p = host_path(s->h, path), *text, *line, *save, where[600];
	char how[700];
	const char *cmd, *tool;
	struct err e;
	int lineno = 0, debian;

	text = fileio_read(p, SCHED_FILE_MAX, NULL, &e);
	free(p);
	if (text == NULL)
		return;
	for (line = text; line != NULL; line = save) {
		save = strchr(line, '\n');
		if (save != NULL)
			*save++ = '\0';
		lineno++;
		cmd = script ? line + strspn(line, " \t") :
		    sched_cron_command(line, system);
		if (cmd == NULL || *cmd == '#' ||
		    (tool = schedules_renew_tool(cmd)) == NULL)
			continue;
		/* Debian's guarded line runs only where systemd does not. */
		if (schedules_systemd_guard(cmd) && s->h->systemd)
			continue;
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		if (user != NULL)
			snprintf(how, sizeof(how), "delete line %d with "
			    "\"crontab -e -u %s\"", lineno, user);
		else
			snprintf(how, sizeof(how), "delete line %d of %s",
			    lineno, path);
		debian = strcmp(path, "/etc/cron.d/certbot") == 0;
		sched_add(s, where, how, tool, debian ? RANK_DEBIAN_CRON :
		    RANK_CRON);
	}
	free(text);
}

/* Every cron-named file of dir (sorted), scanned as a crontab or script. */
static void
sched_scan_dir(struct sched *s, const char *dir, int kind)
{
	struct dirent **names;
	char *p = host_path(s->h, dir), path[600];
	int i, n;

	n = scandir(p, &names, NULL, alphasort);
	free(p);
	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		if (i < SCHED_MAX_DIR && sched_cron_name(names[i]->d_name)) {
			snprintf(path, sizeof(path), "%s/%s", dir,
			    names[i]->d_name);
			/* kind 0: cron.d, 1: user crontabs, 2: scripts */
			sched_scan_file(s, path, kind == 0,
			    kind == 1 ? names[i]->d_name : NULL, kind == 2);
		}
		free(names[i]);
	}
	free(names);
}

/* The unit file of name in the first directory that has it, or NULL. */
static char *
sched_unit(const struct sched *s, const char *name)
{
	char abs[600];
	size_t i;

	for (i = 0; i < sizeof(sched_unit_dirs) / sizeof(sched_unit_dirs[0]);
	    i++) {
		snprintf(abs, sizeof(abs), "%s/%s", sched_unit_dirs[i], name);
		if (host_exists(s->h, abs))
			return xstrdup(abs);
	}
	return NULL;
}

/*
 * Read a unit file: the value of its Unit= line (timers) into unit_out,
 * and the tool that any Exec*= line runs (services), or NULL.
 */
static const char *
sched_unit_read(const struct sched *s, const char *path, char **unit_out)
{
	char *p = host_path(s->h, path), *text, *line, *save;
	const char *tool = NULL;
	struct err e;

	text = fileio_read(p, SCHED_FILE_MAX, NULL, &e);
	free(p);
	if (text == NULL)
		return NULL;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		if (unit_out != NULL && *unit_out == NULL &&
		    strncmp(line, "Unit=", 5) == 0)
			*unit_out = xstrdup(line + 5 + strspn(line + 5, " \t"));
		else if (tool == NULL && strncmp(line, "Exec", 4) == 0 &&
		    strchr(line, '=') != NULL)
			tool = schedules_renew_tool(strchr(line, '=') + 1);
	}
	free(text);
	return tool;
}

/* "systemctl mask" links the unit in /etc to /dev/null. */
static int
sched_masked(const struct sched *s, const char *name)
{
	char abs[600], *p, target[64];
	ssize_t n;

	snprintf(abs, sizeof(abs), "/etc/systemd/system/%s", name);
	p = host_path(s->h, abs);
	n = readlink(p, target, sizeof(target) - 1);
	free(p);
	if (n < 0)
		return 0;
	target[n] = '\0';
	return strcmp(target, "/dev/null") == 0;
}

/* One enabled timer: a renewer when its service renews. */
static void
sched_timer(struct sched *s, const char *name)
{
	char *timer, *unit = NULL, *svc, how[600];
	const char *tool = NULL;
	enum sched_rank rank = RANK_TIMER;
	size_t n = strlen(name);

	if ((timer = sched_unit(s, name)) != NULL)
		(void)sched_unit_read(s, timer, &unit);
	if (unit == NULL)
		unit = xasprintf("%.*s.service", (int)(n - 6), name);
	if ((svc = sched_unit(s, unit)) != NULL)
		tool = sched_unit_read(s, svc, NULL);
	/* The packages' own timers, even when their units are elsewhere. */
	if (strcmp(name, "certbot.timer") == 0) {
		tool = "certbot";
		if (host_exists(s->h, "/usr/bin/certbot"))
			rank = RANK_PACKAGE_TIMER;
	} else if (strncmp(name, "snap.certbot.", 13) == 0) {
		tool = "certbot";
		if (host_exists(s->h, "/snap/bin/certbot"))
			rank = RANK_PACKAGE_TIMER;
	} else if (strncmp(name, "daneops", 7) == 0)
		rank = RANK_DANEOPS;
	free(timer);
	free(unit);
	free(svc);
	if (tool == NULL || sched_masked(s, name))
		return;
	if (!s->h->systemd) {
		s->inactive_timers++;
		return;
	}
	snprintf(how, sizeof(how), "systemctl disable --now %s", name);
	if (rank == RANK_DANEOPS)
		snprintf(how, sizeof(how), "remove the renewal from the "
		    "service of %s (daneops needs only a deploy hook)", name);
	sched_add(s, name, how, tool, rank);
}

static void
sched_scan_timers(struct sched *s)
{
	struct dirent **names;
	char *p;
	size_t len;
	int i, n;

	p = host_path(s->h, "/etc/systemd/system/timers.target.wants");
	n = scandir(p, &names, NULL, alphasort);
	free(p);
	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		len = strlen(names[i]->d_name);
		if (i < SCHED_MAX_DIR && len > 6 &&
		    strcmp(names[i]->d_name + len - 6, ".timer") == 0)
			sched_timer(s, names[i]->d_name);
		free(names[i]);
	}
	free(names);
}

/* The renewers of one tool: keep the best ranked, report the others. */
static void
sched_report_tool(const struct sched *s, const char *tool,
	struct findings *f)
{
	const struct renewer *keep = NULL;
	char list[2048], fix[1024];
	size_t i, n = 0, len = 0;

	list[0] = '\0';
	for (i = 0; i < s->n; i++) {
		if (strcmp(s->r[i].tool, tool) != 0)
			continue;
		n++;
		if (keep == NULL || s->r[i].rank < keep->rank)
			keep = &s->r[i];
		if (len < sizeof(list))
			len += (size_t)snprintf(list + len, sizeof(list) - len,
			    "%s%s", len > 0 ? ", " : "", s->r[i].where);
	}
	if (n < 2)
		return;
	for (i = 0; i < s->n; i++) {
		if (strcmp(s->r[i].tool, tool) != 0 || &s->r[i] == keep)
			continue;
		snprintf(fix, sizeof(fix), "%s; keep %s", s->r[i].how,
		    keep->where);
		findings_add(f, FINDING_WARNING, "renew-duplicate",
		    s->r[i].where, fix, "%s renewals are scheduled %zu times "
		    "(%s): this one is extra", tool, n, list);
	}
}

/* Certificates certbot manages: the *.conf files of ROOT/etc/letsencrypt/renewal. */
static size_t
sched_certbot_lineages(const struct sched *s)
{
	struct dirent **names;
	char *p = host_path(s->h, "/etc/letsencrypt/renewal");
	size_t len, count = 0;
	int i, n;

	n = scandir(p, &names, NULL, alphasort);
	free(p);
	if (n < 0)
		return 0;
	for (i = 0; i < n; i++) {
		len = strlen(names[i]->d_name);
		if (len > 5 && strcmp(names[i]->d_name + len - 5, ".conf") == 0)
			count++;
		free(names[i]);
	}
	free(names);
	return count;
}

static void
sched_report(const struct sched *s, struct findings *f)
{
	static const char *const tools[] = { "certbot", "acme.sh",
	    "dehydrated" };
	size_t i, certbots = 0, lineages;

	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		sched_report_tool(s, tools[i], f);
	if (host_exists(s->h, "/usr/bin/certbot") &&
	    host_exists(s->h, "/snap/bin/certbot"))
		findings_add(f, FINDING_ERROR, "certbot-twice", "certbot",
		    "remove one: \"apt remove certbot\" or \"snap remove "
		    "certbot\"", "certbot is installed twice (/usr/bin/certbot "
		    "and /snap/bin/certbot); each has its own timer");
	for (i = 0; i < s->n; i++)
		if (strcmp(s->r[i].tool, "certbot") == 0)
			certbots++;
	lineages = sched_certbot_lineages(s);
	if (certbots == 0 && lineages > 0 && s->inactive_timers == 0)
		findings_add(f, FINDING_ERROR, "renew-none", "certbot",
		    s->h->systemd ? "systemctl enable --now certbot.timer" :
		    "add \"0 */12 * * * root certbot -q renew\" to "
		    "/etc/cron.d/certbot", "certbot manages %zu certificate%s "
		    "(/etc/letsencrypt/renewal) but nothing renews them",
		    lineages, lineages == 1 ? "" : "s");
	if (s->inactive_timers > 0)
		findings_add(f, FINDING_INFO, "timers-inactive",
		    "/run/systemd/system", s->h->root[0] != '\0' ?
		    "if the copied system runs systemd, create "
		    "ROOT/run/systemd/system and run doctor again" :
		    "boot with systemd, or rely on cron",
		    "%zu enabled renewal timer%s counted as inactive: systemd "
		    "does not run (no /run/systemd/system)", s->inactive_timers,
		    s->inactive_timers == 1 ? "" : "s");
}

void
schedules_check(const struct host *h, struct findings *f)
{
	static const char *const scripts[] = { "/etc/cron.hourly",
	    "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly" };
	struct sched s;
	size_t i;

	memset(&s, 0, sizeof(s));
	s.h = h;
	sched_scan_timers(&s);
	sched_scan_file(&s, "/etc/crontab", 1, NULL, 0);
	sched_scan_dir(&s, "/etc/cron.d", 0);
	sched_scan_dir(&s, "/var/spool/cron/crontabs", 1);
	for (i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++)
		sched_scan_dir(&s, scripts[i], 2);
	sched_report(&s, f);
	for (i = 0; i < s.n; i++) {
		free(s.r[i].where);
		free(s.r[i].how);
	}
}
