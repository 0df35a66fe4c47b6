/*
 * summary - what the TLS reports say, per policy domain and MX host.
 *
 * One row per (policy domain, mx-host of the policy): successful and failed
 * sessions, failed sessions per result type and failure-reason-code, the
 * receiving MX hosts named in failure details (empty names are no names),
 * the organisations that reported, and the first and last time covered.
 * When failure details do not add up to their summaries, the row says so.  Rows come from the store (summary_load, for
 * "report summary" and the digest) or from one report just received
 * (summary_add_report, for the alert); both give the same rows.
 *
 * Every list is capped (SUMMARY_MAX_*): a database filled by many senders
 * cannot make a summary, or the alert mail built from it, unbounded.  What
 * the caps leave out is counted in "omitted".
 *
 * Text and JSON renderings replace control characters coming from reports
 * (they are written by anybody who can send mail) with '?'.
 *
 * Ownership: summary_new/summary_free (NULL is a no-op); the renderers
 * return new strings the caller frees.
 */
#ifndef DANEOPS_SUMMARY_H
#define DANEOPS_SUMMARY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "report/store.h"
#include "report/tlsrpt.h"
#include "util/err.h"

#define SUMMARY_MAX_ROWS 10000
#define SUMMARY_MAX_LIST 50     /* types, organisations, hosts per row */

/* Failed sessions of one result type and failure-reason-code. */
struct summary_type {
	char *result_type;
	char *reason;           /* failure-reason-code; NULL: none given */
	int64_t sessions;
};

struct summary_row {
	char *domain;
	char *mx;               /* mx-host patterns joined by ",", "" none */
	int64_t successful;
	int64_t failed;         /* as the policies' summaries say */
	/*
	 * Of the policies that list failure details: the failed sessions
	 * their summaries give, and what the details add up to.  Real
	 * senders differ (a summary of 1 over 2 detailed sessions); both
	 * are shown, never mixed.
	 */
	int64_t failed_with_details, detailed;
	struct summary_type *types;
	size_t ntypes;
	char **orgs;
	size_t norgs;
	char **hosts;           /* receiving-mx-hostname of failures */
	size_t nhosts;
	time_t first, last;
};

struct summary {
	struct summary_row *rows;
	size_t nrows;
	long nreports;
	time_t since;           /* 0: all time */
	size_t omitted;         /* entries left out by the caps */
};

struct summary *summary_new(void);
void summary_free(struct summary *s);

/* Add one report. */
void summary_add_report(struct summary *s, const struct tlsrpt_report *r);

/*
 * Add the stored reports whose date range ends at or after since (0: all),
 * only for policy domain domain when not NULL.
 */
int summary_load(struct summary *s, struct store *st, time_t since,
	const char *domain, struct err *e);

/* Failed sessions over every row. */
int64_t summary_failed(const struct summary *s);

/* Human-readable text, one block per row. */
char *summary_text(const struct summary *s);

/* JSON (docs/report.md), with a final newline. */
char *summary_json(const struct summary *s);

#endif
