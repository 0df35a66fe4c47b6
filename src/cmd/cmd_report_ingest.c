/*
 * cmd_report_ingest - "daneops report ingest": store the TLS reports of
 * mail messages.
 *
 * The exit status is what an MTA needs from a pipe (Postfix's pipe(8)
 * transport daneops-tlsrpt, contrib/postfix/):
 *   0   the message was stored, was a duplicate of a stored report, or
 *       holds nothing usable and was kept in the quarantine directory
 *       (a bounce would go to a sender who may be forged);
 *   75  a temporary problem (database locked past the busy timeout, disk
 *       full, quarantine not writable): the MTA keeps the message and
 *       tries again.
 * So a message is always stored, quarantined, or still with the MTA.
 * With --file and --maildir nothing is quarantined (the files stay where
 * they are): unusable files make the exit status 3 after all are read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/cmd_report.h"
#include "report/mime.h"
#include "report/quarantine.h"
#include "report/store.h"
#include "report/summary.h"
#include "report/tlsrpt.h"
#include "report/tlsrpt_json.h"
#include "util/fileio.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

/* Larger than any report mail; Postfix's default size limit is 10 MB. */
#define INGEST_MAX (32 * 1024 * 1024)
/* Report text quoted in output and mail. */
#define INGEST_SHOW 200

enum ingest_res { INGEST_STORED, INGEST_DUPLICATE, INGEST_UNUSABLE,
	INGEST_TEMP };

struct ingest {
	struct report_args *a;
	struct store *store;            /* opened when first needed */
	int unusable;                   /* files that held no report */
	int refused;                    /* the database was refused (input) */
};

/* Subject text: printable ASCII only, whatever the report says. */
static char *
ingest_ascii(const char *s)
{
	char *out = xstrndup(s, 60);
	char *p;

	for (p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	return out;
}

/* Mail the failures of report r to --alert-to; a failure is logged only. */
static void
ingest_alert(struct ingest *in, const struct tlsrpt_report *r)
{
	struct summary *s = summary_new();
	char *org = report_clean(r->organization, INGEST_SHOW);
	char *id = report_clean(r->report_id, INGEST_SHOW);
	char *contact = report_clean(r->contact_info, INGEST_SHOW);
	char *ascii = ingest_ascii(r->organization);
	char *text, *body, *subject;
	struct err e;

	err_clear(&e);
	summary_add_report(s, r);
	text = summary_text(s);
	subject = xasprintf("daneops: %lld failed TLS sessions reported by %s",
	    (long long)tlsrpt_report_failed(r), ascii);
	body = xasprintf("A TLS report (RFC 8460) shows sessions to your mail "
	    "servers that failed.\n\norganization: %s\nreport-id:    %s\n"
	    "contact:      %s\n\n%s\nAll reports: daneops report summary\n",
	    org, id, contact, text);
	if (report_mail(in->a, subject, body, &e) < 0)
		report_log(LOG_ERR, "alert to %s not sent (the report is "
		    "stored): %s", in->a->alert_to, e.msg);
	free(body);
	free(subject);
	free(text);
	free(ascii);
	free(contact);
	free(id);
	free(org);
	summary_free(s);
}

/* Store r; the result, with e set for INGEST_TEMP. */
static enum ingest_res
ingest_store(struct ingest *in, const struct tlsrpt_report *r,
	const char *json, struct err *e)
{
	int rc;

	/*
	 * Any database trouble is temporary for an MTA: it keeps the mail
	 * until an administrator fixes it.  A database refused as unusable
	 * (a symlink, a directory of another user) ends --file runs with 3.
	 */
	if (in->store == NULL &&
	    (in->store = store_open(in->a->db, e)) == NULL) {
		in->refused = e->kind == ERR_INPUT;
		return INGEST_TEMP;
	}
	if ((rc = store_add(in->store, r, json, time(NULL), e)) < 0)
		return INGEST_TEMP;
	return rc > 0 ? INGEST_STORED : INGEST_DUPLICATE;
}

/* Print and log one report that was stored or a duplicate. */
static void
ingest_said(const char *name, const struct tlsrpt_report *r,
	enum ingest_res res)
{
	char *org = report_clean(r->organization, INGEST_SHOW);
	char *id = report_clean(r->report_id, INGEST_SHOW);

	printf("%s: %s %s %s: %zu policies, %lld failed sessions\n", name,
	    res == INGEST_STORED ? "stored" : "duplicate of", org, id,
	    r->npolicies, (long long)tlsrpt_report_failed(r));
	syslog(LOG_INFO, "%s report %s from %s", res == INGEST_STORED ?
	    "stored" : "duplicate", id, org);
	free(org);
	free(id);
}

/*
 * Parse and re-serialise every report of m into r[] and json[]: all or
 * nothing, so that a mail with one unreadable part is quarantined whole.
 */
static int
ingest_parse(const char *name, const struct mime_report *m,
	struct tlsrpt_report **r, char **json, struct err *e)
{
	struct err sub;
	size_t i, n;
	char part[64];

	for (i = 0; i < m->nparts; i++) {
		part[0] = '\0';
		if (m->nparts > 1)
			snprintf(part, sizeof(part), "report part %zu of %zu: ",
			    i + 1, m->nparts);
		r[i] = tlsrpt_parse(m->part[i].json, m->part[i].len, &sub);
		if (r[i] == NULL)
			return err_set(e, ERR_INPUT, "%s: %s%s: report: %s",
			    name, part, m->part[i].how, sub.msg);
		/* Only what was understood is kept (docs/report.md). */
		json[i] = tlsrpt_json(r[i], TLSRPT_JSON_MAX, &n);
		if (json[i] == NULL)
			return err_set(e, ERR_INPUT, "%s: %s%s: the report is "
			    "larger than %d bytes", name, part, m->part[i].how,
			    TLSRPT_JSON_MAX);
	}
	return 0;
}

/* One message or report file; e is set unless stored or duplicate. */
static enum ingest_res
ingest_one(struct ingest *in, const char *name, const char *data,
	size_t len, struct err *e)
{
	struct tlsrpt_report *r[MIME_MAX_REPORTS] = { NULL };
	char *json[MIME_MAX_REPORTS] = { NULL };
	enum ingest_res res = INGEST_DUPLICATE, one;
	struct mime_report m;
	struct err sub;
	size_t i;

	if (mime_plugin_extract(data, len, &m, &sub) < 0) {
		/* No daneops-mime plugin: the MTA keeps the message. */
		if (sub.kind != ERR_INPUT) {
			err_set(e, sub.kind, "%s", sub.msg);
			return INGEST_TEMP;
		}
		err_set(e, ERR_INPUT, "%s: %s", name, sub.msg);
		return INGEST_UNUSABLE;
	}
	if (ingest_parse(name, &m, r, json, e) < 0)
		res = INGEST_UNUSABLE;
	/* Each report in its own transaction: a retry finds duplicates. */
	for (i = 0; i < m.nparts && res != INGEST_UNUSABLE; i++) {
		if ((one = ingest_store(in, r[i], json[i], e)) == INGEST_TEMP) {
			res = INGEST_TEMP;
			break;
		}
		ingest_said(name, r[i], one);
		if (one == INGEST_STORED)
			res = INGEST_STORED;
		if (one == INGEST_STORED && tlsrpt_report_failed(r[i]) > 0 &&
		    in->a->alert_to != NULL)
			ingest_alert(in, r[i]);
	}
	for (i = 0; i < m.nparts; i++) {
		tlsrpt_report_free(r[i]);
		free(json[i]);
	}
	mime_report_clear(&m);
	return res;
}

/*
 * Read standard input into b up to INGEST_MAX; *more is set when there is
 * more (left unread, for the quarantine to copy).  -1 on a read error.
 */
static int
ingest_read_stdin(struct sbuf *b, int *more, struct err *e)
{
	char chunk[65536];
	size_t want;
	ssize_t n;

	*more = 0;
	for (;;) {
		want = b->max - b->len < sizeof(chunk) ? b->max - b->len :
		    sizeof(chunk);
		if (want == 0) {
			*more = 1;
			return 0;
		}
		n = read(STDIN_FILENO, chunk, want);
		if (n == 0)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set_errno(e, ERR_TEMP, errno, "standard input");
		sbuf_add(b, chunk, (size_t)n);
	}
}

/* The MTA's pipe: one message on standard input. */
static int
ingest_stdin(struct ingest *in)
{
	enum ingest_res res = INGEST_UNUSABLE;
	struct sbuf b;
	struct err e;
	char *path;
	int more;

	err_clear(&e);
	sbuf_init(&b, INGEST_MAX);
	if (ingest_read_stdin(&b, &more, &e) < 0) {
		sbuf_free(&b);
		report_log(LOG_ERR, "%s (exit 75: try again)", e.msg);
		return EXIT_TEMPFAIL;
	}
	if (more)
		err_set(&e, ERR_INPUT, "message larger than %d bytes",
		    INGEST_MAX);
	else
		res = ingest_one(in, "stdin", b.data != NULL ? b.data : "",
		    b.len, &e);
	if (res == INGEST_UNUSABLE) {
		struct err qe;

		struct quarantine_opts qo = { in->a->quarantine,
			in->a->quarantine_size, in->a->quarantine_age, 0 };

		path = quarantine_save(&qo, b.data, b.len,
		    more ? STDIN_FILENO : -1, &qe);
		if (path == NULL) {
			report_log(LOG_ERR, "%s; %s (exit 75: try again)",
			    e.msg, qe.msg);
			res = INGEST_TEMP;
		} else
			report_log(LOG_WARNING, "%s; kept in %s", e.msg, path);
		free(path);
	} else if (res == INGEST_TEMP)
		report_log(LOG_ERR, "%s (exit 75: try again)", e.msg);
	sbuf_free(&b);
	return res == INGEST_TEMP ? EXIT_TEMPFAIL : EXIT_PASS;
}

/* One file of --file or --maildir; -1 to stop (temporary failure). */
static int
ingest_file(struct ingest *in, const char *path)
{
	enum ingest_res res;
	struct err e;
	size_t len;
	char *data;

	err_clear(&e);
	if ((data = fileio_read(path, INGEST_MAX, &len, &e)) == NULL) {
		cmd_error("report", "%s", e.msg);
		in->unusable++;
		return 0;
	}
	res = ingest_one(in, path, data, len, &e);
	free(data);
	if (res == INGEST_UNUSABLE) {
		cmd_error("report", "%s", e.msg);
		in->unusable++;
	} else if (res == INGEST_TEMP && in->refused) {
		cmd_error("report", "%s", e.msg);
		return -1;
	} else if (res == INGEST_TEMP) {
		cmd_error("report", "%s (exit 75: try again)", e.msg);
		return -1;
	}
	return 0;
}

static int
ingest_select(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Every message of one maildir subdirectory, in name order. */
static int
ingest_maildir_sub(struct ingest *in, const char *dir, const char *sub,
	int *seen)
{
	struct dirent **names;
	char *path;
	int i, n, rc = 0;

	path = xasprintf("%s/%s", dir, sub);
	n = scandir(path, &names, ingest_select, alphasort);
	free(path);
	if (n < 0)
		return 0;
	(*seen)++;
	for (i = 0; i < n; i++) {
		path = xasprintf("%s/%s/%s", dir, sub, names[i]->d_name);
		if (rc == 0)
			rc = ingest_file(in, path);
		free(path);
		free(names[i]);
	}
	free(names);
	return rc;
}

static int
ingest_batch(struct ingest *in)
{
	size_t i;
	int seen = 0;

	for (i = 0; i < in->a->nfiles; i++)
		if (ingest_file(in, in->a->files[i]) < 0)
			return in->refused ? EXIT_UNCHECKED : EXIT_TEMPFAIL;
	if (in->a->maildir != NULL) {
		if (ingest_maildir_sub(in, in->a->maildir, "new", &seen) < 0 ||
		    ingest_maildir_sub(in, in->a->maildir, "cur", &seen) < 0)
			return in->refused ? EXIT_UNCHECKED : EXIT_TEMPFAIL;
		if (seen == 0) {
			cmd_error("report", "%s: not a maildir (no readable new/ "
			    "or cur/)", in->a->maildir);
			return EXIT_UNCHECKED;
		}
	}
	return in->unusable > 0 ? EXIT_UNCHECKED : EXIT_PASS;
}

int
report_ingest(struct report_args *a)
{
	struct ingest in = { a, NULL, 0, 0 };
	int rc;

	if (a->json || a->since != 0 || a->domain != NULL) {
		cmd_error("report", "ingest does not take --json, --since or "
		    "--domain");
		return EXIT_USAGE;
	}
	openlog("daneops", LOG_PID, LOG_MAIL);
	if (a->nfiles > 0 || a->maildir != NULL)
		rc = ingest_batch(&in);
	else
		rc = ingest_stdin(&in);
	store_free(in.store);
	closelog();
	return rc;
}
