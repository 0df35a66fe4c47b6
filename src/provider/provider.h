/*
 * provider - publish and retire TLSA records through a DNS provider.
 *
 * One small interface, one file per provider (prov_rfc2136.c,
 * prov_cloudflare.c, prov_desec.c, prov_powerdns.c, prov_exec.c).  The
 * rollover engine only ever adds records next to the current ones and later
 * deletes stale ones, so even per-record APIs are safe; a provider that can
 * replace a whole RRset atomically still exposes add and delete.
 *
 * Contract for every provider:
 *  - Owners are absolute names with a trailing dot ("_25._tcp.mx.example.org.").
 *  - provider_add of a record that already exists is success (Cloudflare's
 *    81057/81058 included); provider_delete of a record that is gone is
 *    success.  Both leave every other record of the set untouched.
 *  - Temporary failures (HTTP 429 with Retry-After, 5xx, timeouts, SERVFAIL)
 *    are retried with backoff inside the call, bounded by the "retries" and
 *    "timeout" parameters; when they persist the call fails with ERR_TEMP.
 *    Permanent failures (authentication, permission, REFUSED, NOTAUTH, a zone
 *    that is not there) fail at once with ERR_INPUT and a message that says
 *    what to fix.  Nothing is retried after a permanent failure.
 *  - Secrets (tokens, TSIG keys) are read with fileio_read_secret from the
 *    file a parameter names; they never appear in argv, logs or messages.
 *
 * Ownership: provider_new returns a provider the caller frees with
 * provider_free (NULL is a no-op).  params are borrowed during provider_new
 * only.  provider_list returns an array of records the caller frees with
 * provider_recs_free.
 */
#ifndef DANEOPS_PROVIDER_H
#define DANEOPS_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "tlsa/tlsa.h"
#include "util/err.h"

/* A configuration key and value, as read from a lineage's provider section. */
struct provider_param {
	const char *key;
	const char *value;
};

struct provider;

/*
 * type: "rfc2136", "cloudflare", "desec", "powerdns" or "exec".  Common
 * parameters: "zone" (the zone the owners live in), "retries" (default 5),
 * "timeout" (seconds per call including retries, default 60).  Each
 * provider documents its own (man/daneops.conf.5).  An unknown type, a
 * missing or unknown parameter, or an unreadable secret is ERR_USAGE or
 * ERR_INPUT naming it.
 */
struct provider *provider_new(const char *type,
	const struct provider_param *params, size_t nparams, struct err *e);
void provider_free(struct provider *p);

/* The provider's type name, for messages. */
const char *provider_type(const struct provider *p);

/* The TLSA records at owner as the provider has them now (may be none). */
int provider_list(struct provider *p, const char *owner,
	struct tlsa_rec ***recs, size_t *nrecs, struct err *e);
void provider_recs_free(struct tlsa_rec **recs, size_t nrecs);

/* Add one record with the given TTL; idempotent. */
int provider_add(struct provider *p, const char *owner, uint32_t ttl,
	const struct tlsa_rec *r, struct err *e);

/* Delete one record; idempotent. */
int provider_delete(struct provider *p, const char *owner,
	const struct tlsa_rec *r, struct err *e);

#endif
