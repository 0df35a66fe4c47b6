/*
 * check_nagios - "daneops check --nagios": the Monitoring Plugins format.
 *
 * One line, "DANE STATE: text | perfdata", exit 0 OK, 1 WARNING,
 * 2 CRITICAL, 3 UNKNOWN.  Over several domains the worst state wins
 * (CRITICAL, UNKNOWN, WARNING, OK).  DANE not applicable is CRITICAL: the
 * plugin watches a domain that is meant to have DANE.
 */
#include "cmd/check_out.h"

#include <limits.h>
#include <string.h>
#include <time.h>

enum { NAG_OK = 0, NAG_WARNING = 1, NAG_CRITICAL = 2, NAG_UNKNOWN = 3 };

static int
nagios_state(enum check_verdict v)
{
	switch (v) {
	case CHECK_PASS:
		return NAG_OK;
	case CHECK_WARN:
		return NAG_WARNING;
	case CHECK_UNKNOWN:
		return NAG_UNKNOWN;
	default:
		return NAG_CRITICAL;
	}
}

/* Rank for "worst": CRITICAL > UNKNOWN > WARNING > OK. */
static int
nagios_rank(int state)
{
	static const int rank[] = { 0, 1, 3, 2 };

	return rank[state];
}

/* Perfdata for one result; prefix labels when there are several. */
static void
nagios_perf(FILE *fp, const struct check_result *res, int prefix)
{
	size_t i, j, matched = 0, records = 0, ok = 0, addrs = 0;
	int days = INT_MAX;

	for (i = 0; i < res->nhosts; i++) {
		const struct check_host *ch = &res->hosts[i];

		records += ch->nrecs;
		for (j = 0; j < ch->nrecs; j++)
			if (ch->recs[j].nmatched > 0)
				matched++;
		for (j = 0; j < ch->naddrs; j++) {
			addrs++;
			if (ch->addrs[j].verdict == CHECK_PASS)
				ok++;
			if (ch->addrs[j].probe != NULL &&
			    ch->addrs[j].probe->leaf_not_after != 0 &&
			    ch->addrs[j].days_left < days)
				days = ch->addrs[j].days_left;
		}
	}
	if (days != INT_MAX)
		fprintf(fp, " '%s%sdays_left'=%d;%d;0",
		    prefix ? res->domain : "", prefix ? " " : "", days,
		    res->warn_days);
	/* rrsigs are sorted by expiry once evaluated. */
	if (res->nrrsigs > 0)
		fprintf(fp, " '%s%srrsig_days_left'=%ld;%d;0",
		    prefix ? res->domain : "", prefix ? " " : "",
		    (long)(res->rrsigs[0].expires - time(NULL)) / 86400,
		    res->sig_warn_days);
	fprintf(fp, " '%s%srecords_matched'=%zu;;;0;%zu", prefix ?
	    res->domain : "", prefix ? " " : "", matched, records);
	fprintf(fp, " '%s%saddresses_ok'=%zu;;;0;%zu", prefix ? res->domain :
	    "", prefix ? " " : "", ok, addrs);
}

int
check_print_nagios(FILE *fp, struct check_result *const *res, size_t n)
{
	static const char *names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	int state = NAG_OK, s;
	size_t i;

	for (i = 0; i < n; i++) {
		s = nagios_state(res[i]->verdict);
		if (nagios_rank(s) > nagios_rank(state))
			state = s;
	}
	fprintf(fp, "DANE %s: ", names[state]);
	for (i = 0; i < n; i++)
		fprintf(fp, "%s%s: %s", i > 0 ? "; " : "", res[i]->domain,
		    res[i]->summary != NULL ? res[i]->summary : "?");
	/* One level per run: every domain is checked at the same. */
	fprintf(fp, " (sender level %s) |",
	    n > 0 ? check_level_name(res[0]->level) : "dane");
	for (i = 0; i < n; i++)
		nagios_perf(fp, res[i], n > 1);
	fputc('\n', fp);
	return state;
}
