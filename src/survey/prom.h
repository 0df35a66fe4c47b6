/*
 * prom - results as a Prometheus textfile (the node exporter's textfile
 * collector format), for daneops watch.
 *
 * Families (gauges): daneops_domain_verdict{domain,verdict} (1 for the
 * verdict seen, 0 for the others), daneops_domain_ok{domain},
 * daneops_host_ok{domain,host}, daneops_address_ok{domain,host,address},
 * daneops_cert_days_left{domain,host,address},
 * daneops_tlsa_records{domain,host,status}, daneops_check_seconds{domain},
 * and for the run daneops_watch_last_run_timestamp_seconds and
 * daneops_watch_domains.  Lines of one family stay together, as the
 * format requires, whatever the order the results come in.
 *
 * Ownership: prom_new/prom_free; prom_finish returns a new string.
 */
#ifndef DANEOPS_PROM_H
#define DANEOPS_PROM_H

#include <time.h>

#include "dane/check.h"

struct prom;

struct prom *prom_new(void);
void prom_free(struct prom *p);
void prom_add(struct prom *p, const struct check_result *res);
/* The whole file: every family, then the run's own gauges. */
char *prom_finish(struct prom *p, time_t now, double run_seconds);

#endif
