/*
 * tlsrpt - the TLS report of RFC 8460 section 4: model and JSON parser.
 *
 * The parser is lenient where real senders differ from the RFC and strict
 * where a wrong value would make the numbers meaningless:
 *   - "mx-host-pattern" or "mx-host" (the RFC's own example uses the
 *     latter), as a string or an array of strings;
 *   - "sending-mta-ip" may be missing (Microsoft omits it), as may
 *     "contact-info" and every other optional field; an optional field
 *     that is "" is absent (NULL), and "" in a list of strings is left out;
 *   - result types and policy types outside the IANA registries are kept
 *     as they are (tlsrpt_result_type_known tells them apart);
 *   - but the required fields must be there with their JSON types:
 *     organization-name, report-id and the date range as strings, the
 *     session counts as non-negative integers, "policies" as an array.
 * Every array and string is capped (TLSRPT_MAX_*), so a hostile report
 * cannot make the store or a summary grow without bound.
 *
 * Ownership: tlsrpt_parse returns a new report, freed with
 * tlsrpt_report_free (NULL is a no-op); every string in it is owned by it.
 */
#ifndef DANEOPS_TLSRPT_H
#define DANEOPS_TLSRPT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/err.h"

#define TLSRPT_MAX_JSON (10 * 1024 * 1024)
#define TLSRPT_MAX_POLICIES 1000
#define TLSRPT_MAX_FAILURES 1000        /* failure-details per policy */
#define TLSRPT_MAX_STRINGS 100          /* policy-string lines, mx hosts */
#define TLSRPT_MAX_STR 1024             /* bytes in any one string */
/* Sessions in one count: a million a second for 30 years; sums stay exact. */
#define TLSRPT_MAX_COUNT 1000000000000000LL

struct tlsrpt_failure {
	char *result_type;
	char *sending_mta_ip;           /* NULL when absent */
	char *receiving_mx_hostname;    /* NULL when absent */
	char *receiving_mx_helo;        /* NULL when absent */
	char *receiving_ip;             /* NULL when absent */
	int64_t failed_sessions;
	char *additional_information;   /* NULL when absent */
	char *failure_reason_code;      /* NULL when absent */
};

struct tlsrpt_policy {
	char *policy_type;              /* tlsa, sts, no-policy-found, ... */
	char *policy_domain;
	char **policy_strings;
	size_t npolicy_strings;
	char **mx_hosts;                /* mx-host-pattern or mx-host */
	size_t nmx_hosts;
	int64_t successful;
	int64_t failed;                 /* as the summary says */
	struct tlsrpt_failure *failures;
	size_t nfailures;
};

struct tlsrpt_report {
	char *organization;
	char *contact_info;             /* NULL when absent */
	char *report_id;
	time_t start, end;
	struct tlsrpt_policy *policies;
	size_t npolicies;
};

/*
 * Parse one report from json[0..len).  Fails with ERR_INPUT naming the
 * first offending field ("policies[2].summary: ...").
 */
struct tlsrpt_report *tlsrpt_parse(const char *json, size_t len,
	struct err *e);

void tlsrpt_report_free(struct tlsrpt_report *r);

/* The mx-host patterns of p joined by "," ("" when none); caller frees. */
char *tlsrpt_policy_mx(const struct tlsrpt_policy *p);

/* Sum of the failed sessions of every policy. */
int64_t tlsrpt_report_failed(const struct tlsrpt_report *r);

/* Is type in the IANA "STARTTLS Validation Result Types" registry? */
int tlsrpt_result_type_known(const char *type);

/*
 * An RFC 3339 date-time ("2026-11-27T00:00:00Z", fractions and offsets
 * allowed) or a date alone ("2026-11-27", midnight UTC) into *t.
 * 0, or -1 when s is neither.
 */
int tlsrpt_time_parse(const char *s, time_t *t);

#endif
