/*
 * metrics - the stored TLS reports as Prometheus counters, in the text
 * format the node exporter's textfile collector reads (as "daneops watch"
 * writes its own, src/survey/prom.h), for "daneops report metrics".
 *
 * Families (counters over every stored report; the store only grows):
 *   daneops_tlsrpt_sessions_total{domain,policy_type,mx,result}
 *       sessions per policy domain, policy type (tlsa, sts,
 *       no-policy-found), the policy's mx-host and result (successful,
 *       failed);
 *   daneops_tlsrpt_failed_sessions_total{domain,result_type,receiving_mx}
 *       failed sessions per result type and receiving MX host;
 *   daneops_tlsrpt_reports_total, and the gauge
 *   daneops_tlsrpt_last_report_timestamp_seconds (end of the newest
 *   report's period; absent when there is none).
 * Label values come from reports: escaped, control characters as '?'.
 * At most METRICS_MAX_SERIES series per family (their sessions are then
 * summed under mx / receiving_mx "(other)").
 *
 * Ownership: metrics_text returns a new string.
 */
#ifndef DANEOPS_REPORT_METRICS_H
#define DANEOPS_REPORT_METRICS_H

#include "report/store.h"
#include "util/err.h"

#define METRICS_MAX_SERIES 2000

char *metrics_text(struct store *st, struct err *e);

#endif
