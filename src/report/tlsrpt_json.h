/*
 * tlsrpt_json - a parsed TLS report (tlsrpt.h) written back as RFC 8460
 * JSON, holding only what the parser understood.
 *
 * The store keeps this text, not the report as received: a sender cannot
 * make the database grow with members daneops does not read (a 97.5 KB
 * mail once stored a 9.88 MB blob of them).  Times are written as RFC 3339
 * UTC; mx-host patterns as "mx-host" arrays; absent optional fields are
 * left out.
 *
 * Ownership: tlsrpt_json returns a new NUL-terminated string the caller
 * frees, or NULL when it would be longer than max bytes.
 */
#ifndef DANEOPS_TLSRPT_JSON_H
#define DANEOPS_TLSRPT_JSON_H

#include <stddef.h>

#include "report/tlsrpt.h"

/* The largest report the store keeps; real ones are a few KiB. */
#define TLSRPT_JSON_MAX (1024 * 1024)

char *tlsrpt_json(const struct tlsrpt_report *r, size_t max, size_t *len);

#endif
