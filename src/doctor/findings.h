/*
 * findings - what daneops doctor found: each a severity, a code, the thing
 * it is about, one line saying what is wrong and one saying how to fix it.
 *
 * The checks add findings in whatever order they discover them; the front
 * end sorts (most severe first, then by code and subject) so that output
 * is stable and diffable between runs.  A check that could not run at all
 * (an unreadable file, no DNS) is recorded apart, as "unchecked": it is not
 * a problem of the host, but the run cannot call the host clean either.
 *
 * Sizes are bounded: past FINDINGS_MAX findings the rest are counted, not
 * kept (a crontab with thousands of lines must not make doctor grow).
 *
 * Ownership: findings_new/findings_free (NULL is a no-op); every string is
 * copied and belongs to the set.
 */
#ifndef DANEOPS_DOCTOR_FINDINGS_H
#define DANEOPS_DOCTOR_FINDINGS_H

#include <stddef.h>

#define FINDINGS_MAX    500

enum finding_sev {
	FINDING_ERROR = 0,      /* mail or DANE is broken, or will be */
	FINDING_WARNING,        /* works now, breaks on the next change */
	FINDING_INFO,           /* worth knowing; does not fail the run */
};

struct finding {
	enum finding_sev sev;
	char *code;             /* "alias-loop", "renew-duplicate", ... */
	char *subject;          /* "postmaster", "/etc/cron.d/certbot", ... */
	char *message;          /* one line: what is wrong */
	char *fix;              /* one line: what to do */
};

struct unchecked {
	char *check;            /* "aliases", "schedules", "lineage NAME" */
	char *why;
};

struct findings {
	struct finding *v;
	size_t n;
	size_t dropped;         /* beyond FINDINGS_MAX */
	struct unchecked *u;
	size_t nu;
};

struct findings *findings_new(void);
void findings_free(struct findings *f);

/* Add a finding; message is printf-formatted, fix taken as is. */
void findings_add(struct findings *f, enum finding_sev sev,
	const char *code, const char *subject, const char *fix,
	const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Record that check could not run, and why. */
void findings_unchecked(struct findings *f, const char *check,
	const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Most severe first, then code, subject and message. */
void findings_sort(struct findings *f);

size_t findings_count(const struct findings *f, enum finding_sev sev);

/* 1 when some finding has code (for tests and the front end). */
int findings_has(const struct findings *f, const char *code);

const char *finding_sev_name(enum finding_sev sev);      /* "error" */

#endif
