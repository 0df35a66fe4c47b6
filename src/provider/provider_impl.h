/*
 * provider_impl - what provider.c shares with the provider files: the ops
 * table each provider fills in, parameter access, secrets, the retry clock
 * and record-list helpers.  Not for callers of provider.h.
 *
 * Ownership: struct provider owns copies of its parameters (freed with it)
 * and the provider's private state in impl, which the provider's fini
 * releases.  Secrets returned by provider_secret are the caller's; release
 * them with provider_secret_free, which wipes them first.
 */
#ifndef DANEOPS_PROVIDER_IMPL_H
#define DANEOPS_PROVIDER_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "provider/provider.h"

/* Largest secret file read (a token, a TSIG key, a BIND key statement). */
#define PROVIDER_SECRET_MAX 4096

struct provider_ops {
	const char *name;
	const char *const *keys;        /* accepted keys besides the common ones */
	int (*init)(struct provider *, struct err *);
	void (*fini)(struct provider *);
	int (*list)(struct provider *, const char *owner,
	    struct tlsa_rec ***, size_t *, struct err *);
	int (*add)(struct provider *, const char *owner, uint32_t ttl,
	    const struct tlsa_rec *, struct err *);
	int (*del)(struct provider *, const char *owner,
	    const struct tlsa_rec *, struct err *);
};

struct provider {
	const struct provider_ops *ops;
	struct provider_param *params;  /* copies, in configuration order */
	size_t nparams;
	char *zone;                     /* absolute, lower case; or NULL */
	unsigned retries;               /* retries after the first attempt */
	unsigned timeout_ms;            /* per call, retries included */
	unsigned backoff_ms;            /* first retry delay; doubles */
	void *impl;
};

extern const struct provider_ops prov_rfc2136_ops;
extern const struct provider_ops prov_cloudflare_ops;
extern const struct provider_ops prov_desec_ops;
extern const struct provider_ops prov_powerdns_ops;
extern const struct provider_ops prov_exec_ops;

/*
 * The daneops-http plugin (cloudflare, desec and powerdns; libcurl): its
 * one exported symbol, DANEOPS_HTTP_PLUGIN_ENTRY, returns this table.
 * Built from the same tree as daneops, so the ABI is this header; bump
 * PROV_HTTP_MODULE_ABI when struct provider, provider_ops or this table
 * change, so that a stale installed plugin is refused rather than called.
 */
#include "mtasts/fetch.h"
#include "util/plugin.h"

#define PROV_HTTP_MODULE_ABI 2
#define DANEOPS_HTTP_PLUGIN_ENTRY "daneops_http_plugin_v1"

struct prov_http_module {
	struct plugin_head head;        /* PROV_HTTP_MODULE_ABI, sizeof */
	const struct provider_ops *const *ops;  /* NULL-terminated */
	mtasts_fetch_fn mtasts_fetch;   /* MTA-STS policies (mtasts/fetch.h) */
};

const struct prov_http_module *daneops_http_plugin_v1(void);

/* The value of key, or NULL when it was not given. */
const char *provider_param(const struct provider *p, const char *key);

/* As provider_param, but a missing key is ERR_USAGE naming it. */
const char *provider_param_req(const struct provider *p, const char *key,
	struct err *e);

/*
 * The secret in the file that parameter key names, read with
 * fileio_read_secret and with trailing white space removed.  A missing
 * parameter, an unsafe or unreadable file or an empty secret is ERR_INPUT
 * (ERR_USAGE when the parameter is missing) naming the key and the file.
 */
char *provider_secret(const struct provider *p, const char *key,
	struct err *e);
void provider_secret_free(char *secret);

/*
 * The retry clock of one provider call: a deadline timeout_ms from now and
 * a count of retries left.  provider_retry_wait sleeps before the next
 * attempt: hint_ms (a server's Retry-After) when >= 0, else exponential
 * backoff with jitter.  It returns 0 when another attempt may start, or -1
 * when retries or time are exhausted; then why says which.
 */
struct provider_retry {
	uint64_t deadline_ms;           /* CLOCK_MONOTONIC */
	unsigned left;
	unsigned next_ms;
	const char *why;
};

void provider_retry_start(struct provider_retry *rt, const struct provider *p);
int provider_retry_wait(struct provider_retry *rt, long hint_ms);
/* Milliseconds left before the deadline (0 when passed). */
long provider_retry_left_ms(const struct provider_retry *rt);
uint64_t provider_now_ms(void);

/*
 * Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, relative
 * to now (seconds since the epoch).  Returns the wait in milliseconds (a
 * date in the past is 0), or -1 when the value is neither.
 */
long provider_retry_after_ms(const char *value, long now);

/* Append a copy of r to *recs unless an equal record is there already. */
void provider_recs_push(struct tlsa_rec ***recs, size_t *n,
	const struct tlsa_rec *r);
/* Index of r in recs, or -1. */
long provider_recs_find(struct tlsa_rec *const *recs, size_t n,
	const struct tlsa_rec *r);

/*
 * owner relative to the provider's zone, without the trailing dot ("" for
 * the apex): "_25._tcp.mx" for "_25._tcp.mx.example.org." in
 * "example.org.".  An owner that is not absolute or not in the zone is
 * ERR_USAGE.  Caller frees.
 */
char *provider_subname(const struct provider *p, const char *owner,
	struct err *e);

/* Parse one record of a provider's list; the text is "U S M HEX" with any
 * white space (tabs, as Cloudflare's content has).  NULL and ERR_NETWORK
 * naming what when it is not a record. */
struct tlsa_rec *provider_rec_parse(const char *text, const char *what,
	struct err *e);

/*
 * The API answers' parsers, apart so unit tests and the fuzz target can
 * reach them.  Each takes the decoded JSON of a 2xx answer and returns 0,
 * or -1 with ERR_NETWORK saying what is wrong with it.
 */
#include <jansson.h>

struct prov_idrec {
	char *id;
	struct tlsa_rec *rec;
};

void prov_idrecs_free(struct prov_idrec *v, size_t n);

/* Cloudflare: one page of GET /zones/ID/dns_records; TLSA records named
 * name (no trailing dot) are appended to *v; *pages gets
 * result_info.total_pages (1 when absent). */
int cf_parse_records(json_t *j, const char *name, struct prov_idrec **v,
	size_t *n, unsigned *pages, struct err *e);
/* Cloudflare: the first error's code (0 when none) and message. */
long cf_parse_error(json_t *j, char *msg, size_t msglen);

/* deSEC: one RRset object (GET .../rrsets/SUB/TLSA/). */
int desec_parse_rrset(json_t *j, struct tlsa_rec ***recs, size_t *n,
	uint32_t *ttl, struct err *e);

/* PowerDNS: the TLSA RRset at owner in a zone object (GET zones/ZONE);
 * records that are disabled go to *off. */
int pdns_parse_zone(json_t *j, const char *owner, struct tlsa_rec ***on,
	size_t *non, struct tlsa_rec ***off, size_t *noff, uint32_t *ttl,
	struct err *e);

/*
 * rfc2136: an answer's wire bytes through what a call does with them
 * (parse, ID and TSIG checks, TLSA records of the list answer), for the
 * fuzz target; the TSIG check runs but its verdict does not stop the
 * record extraction.  Returns the number of records found, or -1.
 */
int rfc2136_fuzz_reply(const uint8_t *wire, size_t len);

#endif
