/*
 * notifier - decide, with the history, whether a result is worth a mail,
 * and deliver it (sendmail, or a file per message in a directory).
 *
 * Delivery through sendmail is synchronous (report/alert.c's alert_send,
 * bounded by its timeout): failures are a small share of a survey, and a
 * local sendmail takes a message in milliseconds.
 *
 * Runs sharing a history send one message per failing domain: the read,
 * the decision and the record of it (last_notified, the claim) are one
 * BEGIN IMMEDIATE transaction, and the message goes out after it commits;
 * a run deciding later sees the claim and holds back.  A delivery that
 * fails gives the claim back.  So a crash between commit and delivery
 * loses that message until the next interval, rather than ever sending
 * it twice.  Message files are created never over an existing one
 * (fileio_write_new) and their names carry the pid.
 */
#include "survey/notify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/alert.h"
#include "survey/survey.h"
#include "util/fileio.h"
#include "util/xalloc.h"

struct notifier {
	struct notify_opts o;
	struct history *h;
	struct notifier_stats st;
	unsigned long seq;
};

struct notifier *
notifier_new(const struct notify_opts *o, struct err *e)
{
	struct notifier *nt;
	struct stat sb;

	if (o->dir != NULL && (stat(o->dir, &sb) < 0 || !S_ISDIR(sb.st_mode))) {
		err_set(e, ERR_INPUT, "%s: not a directory", o->dir);
		return NULL;
	}
	if (o->dir != NULL) {
		char *probe = xasprintf("%s/.", o->dir);
		int bad = fileio_check_dir(probe, e);

		free(probe);
		if (bad)
			return NULL;
	}
	if ((o->to != NULL && !alert_address_ok(o->to)) ||
	    (o->cc != NULL && !alert_address_ok(o->cc)) ||
	    (o->from != NULL && !alert_address_ok(o->from))) {
		err_set(e, ERR_USAGE, "unusable mail address");
		return NULL;
	}
	nt = xcalloc(1, sizeof(*nt));
	nt->o = *o;
	if (nt->o.sendmail == NULL)
		nt->o.sendmail = NOTIFY_SENDMAIL;
	if (nt->o.interval == 0)
		nt->o.interval = NOTIFY_INTERVAL;
	if (o->history != NULL && (nt->h = history_open(o->history, e)) ==
	    NULL) {
		free(nt);
		return NULL;
	}
	return nt;
}

void
notifier_free(struct notifier *nt)
{
	if (nt == NULL)
		return;
	history_close(nt->h);
	free(nt);
}

void
notifier_get_stats(const struct notifier *nt, struct notifier_stats *st)
{
	*st = nt->st;
}

static int
notify_deliver(struct notifier *nt, const char *domain, const char *msg,
	time_t now, struct err *e)
{
	char stamp[32], *path;
	struct tm tm;
	int rc = 1, tries;

	if (nt->o.dir == NULL)
		return alert_send(nt->o.sendmail, NULL, NULL, msg, strlen(msg),
		    ALERT_TIMEOUT, e);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	/* Never over an earlier message (of this run or another). */
	for (tries = 0; rc == 1 && tries < 1000; tries++) {
		path = xasprintf("%s/%s-%s-%ld-%lu.eml", nt->o.dir, domain,
		    stamp, (long)getpid(), ++nt->seq);
		rc = fileio_write_new(path, msg, strlen(msg), 0644, e);
		free(path);
	}
	if (rc == 1)
		return err_set(e, ERR_SYSTEM, "%s: no free message name",
		    nt->o.dir);
	return rc;
}

/* The history's next state for this result; *due: send a message. */
static void
notify_next(const struct notifier *nt, const struct check_result *res,
	struct history_entry *he, int known, time_t now, int *due,
	struct notify_facts *f)
{
	int failing = res->verdict == CHECK_FAIL;
	int was_failing = strcmp(he->verdict, "fail") == 0;
	int changed = known && strcmp(he->verdict,
	    check_verdict_name(res->verdict)) != 0;

	memset(f, 0, sizeof(*f));
	if (failing) {
		if (!was_failing) {
			he->first_seen = now;
			if (he->fixed_at != 0)
				he->recurrences++;
		}
		he->times_failed++;
	} else if (was_failing) {
		he->fixed_at = now;
		he->first_seen = 0;
	}
	if (nt->o.on_change)
		*due = changed || (!known && failing);
	else
		*due = failing && (!was_failing || he->last_notified == 0 ||
		    nt->o.interval < 0 ||
		    now - he->last_notified >= nt->o.interval);
	f->first_seen = he->first_seen;
	f->times_failed = he->times_failed;
	f->recurring = failing && he->recurrences > 0;
	f->fixed_at = he->fixed_at;
	snprintf(he->verdict, sizeof(he->verdict), "%s",
	    check_verdict_name(res->verdict));
	snprintf(he->reason, sizeof(he->reason), "%s",
	    survey_reason_name(survey_reason_of(res)));
	he->last_seen = now;
}

/* A delivery failed: give back the claim, unless another run moved on. */
static void
notify_unclaim(struct notifier *nt, const char *domain, time_t claim,
	time_t before)
{
	struct history_entry he;
	struct err e;

	if (history_begin(nt->h, &e) == -1)
		return;
	if (history_get(nt->h, domain, &he, &e) == 0 &&
	    he.last_notified == claim) {
		he.last_notified = before;
		if (history_put(nt->h, domain, &he, &e) == -1) {
			history_rollback(nt->h);
			return;
		}
	}
	(void)history_commit(nt->h, &e);
}

int
notifier_result(struct notifier *nt, const struct check_result *res,
	struct err *e)
{
	struct history_entry he;
	struct notify_facts f;
	time_t now = time(NULL), before;
	int known = 0, due, send, rc;
	char *msg;

	memset(&he, 0, sizeof(he));
	if (nt->h != NULL) {
		if (history_begin(nt->h, e) == -1)
			return -1;
		if ((known = history_get(nt->h, res->domain, &he, e)) < 0) {
			history_rollback(nt->h);
			return -1;
		}
		known = known == 0;
	}
	before = he.last_notified;
	notify_next(nt, res, &he, known, now, &due, &f);
	send = due && !nt->o.no_send;
	if (send)
		he.last_notified = now;         /* the claim */
	if (nt->h != NULL && (history_put(nt->h, res->domain, &he, e) == -1 ||
	    history_commit(nt->h, e) == -1)) {
		history_rollback(nt->h);
		return -1;
	}
	if (!send) {
		if (res->verdict == CHECK_FAIL && !nt->o.no_send)
			nt->st.suppressed++;
		return 0;
	}
	msg = notify_compose(res, &nt->o, &f, now);
	rc = notify_deliver(nt, res->domain, msg, now, e);
	free(msg);
	if (rc == 0) {
		nt->st.sent++;
		return 0;
	}
	nt->st.failed++;
	if (nt->h != NULL)
		notify_unclaim(nt, res->domain, now, before);
	return -1;
}
