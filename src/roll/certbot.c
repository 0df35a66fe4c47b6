/*
 * certbot - source paths, reuse_key, and the rollover hand-off.
 */
#include "roll/certbot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fileio.h"
#include "util/sbuf.h"
#include "util/spawn.h"
#include "util/xalloc.h"

void
certbot_source(const struct conf *c, const struct conf_lineage *l,
	char **key, char **chain)
{
	if (l->certbot != NULL) {
		*key = xasprintf("%s/live/%s/privkey.pem", c->certbot_dir,
		    l->certbot);
		*chain = xasprintf("%s/live/%s/fullchain.pem", c->certbot_dir,
		    l->certbot);
	} else {
		*key = xstrdup(l->source_key);
		*chain = xstrdup(l->source_chain);
	}
}

/* Is line "reuse_key = ..." (any spacing)? */
static int
certbot_is_reuse(const char *line, size_t len)
{
	static const char k[] = "reuse_key";

	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	if (len < sizeof(k) - 1 || strncmp(line, k, sizeof(k) - 1) != 0)
		return 0;
	line += sizeof(k) - 1;
	len -= sizeof(k) - 1;
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	return len > 0 && *line == '=';
}

/* The renewal file with reuse_key = True under [renewalparams]. */
static char *
certbot_edit(const char *text, const char *path, struct err *e)
{
	const char *p = text, *nl;
	struct sbuf b;
	int in_params = 0, done = 0;
	size_t len;

	sbuf_init(&b, FILEIO_DEFAULT_MAX);
	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) + 1 : strlen(p);
		if (*p == '[') {
			if (in_params && !done) {
				sbuf_adds(&b, "reuse_key = True\n");
				done = 1;
			}
			in_params = strncmp(p, "[renewalparams]", 15) == 0;
		}
		if (in_params && certbot_is_reuse(p, len)) {
			if (!done)
				sbuf_adds(&b, "reuse_key = True\n");
			done = 1;
		} else
			sbuf_add(&b, p, len);
		p += len;
	}
	if (!done && in_params) {
		if (b.len > 0 && b.data[b.len - 1] != '\n')
			sbuf_adds(&b, "\n");
		sbuf_adds(&b, "reuse_key = True\n");
		done = 1;
	}
	if (!done) {
		sbuf_free(&b);
		err_set(e, ERR_INPUT, "%s: no [renewalparams] section: is this a "
		    "certbot renewal file?", path);
		return NULL;
	}
	return sbuf_steal(&b, NULL);
}

int
certbot_reuse_key(const char *certbot_dir, const char *name, struct err *e)
{
	char *path = xasprintf("%s/renewal/%s.conf", certbot_dir, name);
	char *text, *out = NULL;
	struct stat st;
	int rc = -1;

	if ((text = fileio_read(path, FILEIO_DEFAULT_MAX, NULL, e)) == NULL)
		goto done;
	if ((out = certbot_edit(text, path, e)) == NULL)
		goto done;
	if (strcmp(out, text) == 0) {
		rc = 0;         /* already set: leave the file alone */
		goto done;
	}
	if (stat(path, &st) < 0) {
		err_set_errno(e, ERR_SYSTEM, errno, "%s", path);
		goto done;
	}
	rc = fileio_write_atomic(path, out, strlen(out), st.st_mode & 07777, e);
done:
	free(text);
	free(out);
	free(path);
	return rc;
}

int
certbot_renew(const struct conf *c, const struct conf_lineage *l,
	struct err *e)
{
	/*
	 * Without a terminal certbot renew sleeps up to 8 minutes first to
	 * spread load on the CA; one forced renewal under our lock must not.
	 */
	char *argv[16] = { c->certbot_command, "renew", "--force-renewal",
	    "--reuse-key", "--non-interactive", "--no-random-sleep-on-renew",
	    "--cert-name", l->certbot, "--config-dir", c->certbot_dir, NULL };
	struct spawn_opts so;
	struct spawn_result sr;
	char how[ERR_MSG_MAX];
	int n = 10, rc = 0;

	if (c->certbot_work_dir != NULL) {
		argv[n++] = "--work-dir";
		argv[n++] = c->certbot_work_dir;
	}
	if (c->certbot_logs_dir != NULL) {
		argv[n++] = "--logs-dir";
		argv[n++] = c->certbot_logs_dir;
	}
	memset(&so, 0, sizeof(so));
	so.argv = argv;
	so.search = strchr(c->certbot_command, '/') == NULL;
	so.echo_err = 1;
	so.timeout_ms = l->certbot_timeout * 1000L;
	if (spawn_run(&so, &sr, e) < 0) {
		snprintf(how, sizeof(how), "%s", e->msg);
		rc = err_set(e, ERR_INPUT, "[lineage %s] %s", l->name, how);
	} else if (!spawn_ok(&sr))
		rc = err_set(e, ERR_TEMP, "[lineage %s] '%s renew "
		    "--force-renewal --reuse-key --cert-name %s' failed (%s)",
		    l->name, c->certbot_command, l->certbot,
		    spawn_describe(&so, &sr, 200, how, sizeof(how)));
	spawn_result_free(&sr);
	return rc;
}
