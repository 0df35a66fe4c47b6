/*
 * notify - tell the operator of a failing domain what is wrong and how to
 * fix it, by mail, at most once per interval.
 *
 * notify_compose writes an RFC 5322 message (To: postmaster@DOMAIN, or the
 * given recipient; Cc: the copy address) saying which host and address
 * failed and why, which TLSA records are published and whether each
 * matches what the server presents, the records that WOULD match the
 * presented chain (3 1 1 of the leaf key, 2 1 1 of the issuer's key), and
 * how to fix it.  A notifier delivers messages through the local sendmail
 * interface ("sendmail -oi -t", fork and execv, the message on its stdin)
 * or writes them as files into a directory, and keeps a history (SQLite,
 * history.h) that suppresses a repeat within the interval and says when a
 * failure keeps coming back.
 *
 * Ownership: notifier_new/notifier_free; strings in the options are
 * borrowed and must outlive the notifier.  notify_compose returns a new
 * string.
 */
#ifndef DANEOPS_NOTIFY_H
#define DANEOPS_NOTIFY_H

#include <stddef.h>
#include <time.h>

#include "dane/check.h"
#include "survey/history.h"
#include "util/err.h"

#define NOTIFY_SENDMAIL         "/usr/sbin/sendmail"
#define NOTIFY_INTERVAL         (7 * 86400)
#define NOTIFY_FROM             "daneops"       /* local part: sendmail qualifies */

struct notify_opts {
	const char *sendmail;   /* NULL: NOTIFY_SENDMAIL */
	const char *dir;        /* write files here instead of sending */
	const char *to;         /* NULL: postmaster@DOMAIN */
	const char *cc;         /* or NULL */
	const char *from;       /* NULL: NOTIFY_FROM */
	const char *history;    /* SQLite path; NULL: no rate limiting */
	long interval;          /* seconds between mails per domain; 0: 7 days,
				   negative: every run */
	int on_change;          /* watch: mail when a verdict changes, incl.
				   recovery; not per interval */
	int no_send;            /* keep the history only */
};

struct notify_facts {           /* from the history, for the message */
	time_t first_seen;      /* first failure in this series; 0: new */
	long times_failed;
	int recurring;          /* failed before, was fixed, fails again */
	time_t fixed_at;        /* when it was last seen fixed */
};

struct notifier_stats {
	size_t sent, suppressed, failed;
};

/* The message for one result; from/to/cc as in o (NULL: defaults). */
char *notify_compose(const struct check_result *res,
	const struct notify_opts *o, const struct notify_facts *f,
	time_t now);

/* Would-match records for a chain: "3 1 1 hex" etc., one per line. */
char *notify_would_match(STACK_OF(X509) *chain);

struct notifier;

struct notifier *notifier_new(const struct notify_opts *o, struct err *e);
void notifier_free(struct notifier *nt);

/*
 * Record a result in the history and, when it fails (or, with on_change,
 * when its verdict changed) and it is due, send or write the message.
 * -1 only when the delivery or the history failed.
 */
int notifier_result(struct notifier *nt, const struct check_result *res,
	struct err *e);

void notifier_get_stats(const struct notifier *nt, struct notifier_stats *st);

/* Deliver a message through sendmail (path) with "-oi -t". */
int notify_sendmail(const char *path, const char *msg, struct err *e);

#endif
