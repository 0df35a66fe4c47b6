/*
 * cmd_report - the parts of "daneops report" shared by its front-end files
 * (cmd_report.c: options, summary, digest; cmd_report_ingest.c: ingest).
 */
#ifndef DANEOPS_CMD_REPORT_H
#define DANEOPS_CMD_REPORT_H

#include <time.h>

#include "util/err.h"

/* Owned by the daneops user, who runs the Postfix pipe (docs/report.md). */
#define REPORT_DIR "/var/lib/daneops/tlsrpt"
#define REPORT_DB REPORT_DIR "/tlsrpt.sqlite"
#define REPORT_QUARANTINE REPORT_DIR "/quarantine"
#define REPORT_MAX_FILES 1024           /* --file given more often */

struct report_args {
	const char *db;
	const char *quarantine;
	long long quarantine_size;      /* --quarantine-size, in bytes */
	time_t quarantine_age;          /* --quarantine-days, in seconds */
	const char *alert_to;
	const char *alert_from;
	const char *sendmail;
	const char *files[REPORT_MAX_FILES];
	size_t nfiles;
	const char *maildir;
	const char *domain;             /* --domain, trailing dot removed */
	time_t since;                   /* --since, 0 when not given */
	int json;
	const char *by;                 /* summary --by, or NULL */
	const char *out;                /* html --out, or NULL: stdout */
};

/* cmd_report_html.c: "report summary --by", "report html", "report metrics". */
int report_series(const struct report_args *a);
int report_html(const struct report_args *a);
int report_metrics(const struct report_args *a);
/* The digest's HTML part (the "report html" page), or NULL: send text. */
char *report_digest_html(const struct report_args *a);
/* As report_mail, with html as the alternative to text. */
int report_mail_alt(const struct report_args *a, const char *subject,
	const char *text, const char *html, struct err *e);

/* "daneops report ingest"; returns the exit status. */
int report_ingest(struct report_args *a);

/*
 * Log one line to stderr and syslog (the pipe's only witness: an MTA
 * discards the output of a pipe that exits 0).
 */
void report_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Copy s for printing, with control characters replaced by '?'. */
char *report_clean(const char *s, size_t max);

/* Mail text (subject, body) to --alert-to; 0 or -1 with e set. */
int report_mail(const struct report_args *a, const char *subject,
	const char *body, struct err *e);

#endif
