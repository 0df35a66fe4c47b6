/*
 * series - the stored TLS reports as series: sessions per day, per policy
 * type (tlsa, sts, no-policy-found), per policy mx-host, and failed
 * sessions per result type and per receiving MX host.  "report summary
 * --by" prints one; "report html" draws them all (html.c).
 *
 * Sessions count under the day their report's date range starts (UTC);
 * filters are summary_load's (reports ending at or after since, one
 * policy domain).  Keys come from reports, written by anybody who can
 * send mail: renderers clean them.  At most SERIES_MAX_ROWS rows per
 * series; what is left out is counted.
 *
 * Ownership: series_load fills a caller's struct series_set, released with
 * series_set_clear (safe on a zeroed one); renderers return new strings.
 */
#ifndef DANEOPS_SERIES_H
#define DANEOPS_SERIES_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "report/store.h"
#include "util/err.h"

#define SERIES_MAX_ROWS 1000

enum series_by {
	SERIES_DAY = 0,
	SERIES_POLICY,          /* policy-type */
	SERIES_MX,              /* the policy's mx-host */
	SERIES_RESULT,          /* failures: result-type */
	SERIES_RMX,             /* failures: receiving-mx-hostname */
	SERIES_N,
};

struct series_row {
	char *key;
	int64_t successful;     /* 0 for the failure series */
	int64_t failed;
};

struct series {
	enum series_by by;
	struct series_row *rows;
	size_t nrows;
	size_t omitted;
	int64_t successful, failed;     /* totals over every row */
};

struct series_set {
	struct series s[SERIES_N];
	long nreports;
	time_t since;
	const char *domain;             /* borrowed, or NULL */
};

/* "day", "policy", "mx", "result", "receiving-mx"; -1 when unknown. */
int series_by_parse(const char *s, enum series_by *by);
const char *series_by_name(enum series_by by);

int series_load(struct series_set *set, struct store *st, time_t since,
	const char *domain, struct err *e);
void series_set_clear(struct series_set *set);

/* One series as a text table, or as JSON (docs/report.md), newline-ended. */
char *series_text(const struct series_set *set, enum series_by by);
char *series_json(const struct series_set *set, enum series_by by);

/* A copy of s with control characters as '?', at most max bytes. */
char *series_clean(const char *s, size_t max);

#endif
