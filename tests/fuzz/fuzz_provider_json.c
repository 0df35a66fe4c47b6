/*
 * fuzz_provider_json - fuzz the parsers of the DNS providers' API answers
 * (Cloudflare record pages and errors, deSEC RRsets, PowerDNS zones) and
 * the Retry-After parser: all of it is text a remote server chooses.
 *
 * Besides not crashing or leaking: every record a parser returns is one
 * tlsa_rec_format/tlsa_rec_parse round-trips, and a failure always has a
 * message.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "provider/provider_impl.h"
#include "util/xalloc.h"

static void
fuzz_check_recs(struct tlsa_rec **recs, size_t n)
{
	struct tlsa_rec *again;
	struct err e;
	size_t i;
	char *s;

	for (i = 0; i < n; i++) {
		s = tlsa_rec_format(recs[i]);
		again = tlsa_rec_parse(s, &e);
		if (again == NULL || !tlsa_rec_equal(again, recs[i]))
			abort();
		tlsa_rec_free(again);
		free(s);
	}
}

static void
fuzz_cloudflare(json_t *j)
{
	struct prov_idrec *v = NULL;
	unsigned pages = 0;
	size_t i, n = 0;
	struct err e;
	char msg[64];

	if (cf_parse_records(j, "_25._tcp.mx.example.org", &v, &n, &pages,
	    &e) < 0 && e.msg[0] == '\0')
		abort();
	for (i = 0; i < n; i++)
		fuzz_check_recs(&v[i].rec, 1);
	prov_idrecs_free(v, n);
	(void)cf_parse_error(j, msg, sizeof(msg));
}

static void
fuzz_desec_pdns(json_t *j)
{
	struct tlsa_rec **on = NULL, **off = NULL;
	size_t non = 0, noff = 0;
	uint32_t ttl;
	struct err e;

	if (desec_parse_rrset(j, &on, &non, &ttl, &e) < 0 && e.msg[0] == '\0')
		abort();
	fuzz_check_recs(on, non);
	provider_recs_free(on, non);
	on = NULL;
	non = 0;
	if (pdns_parse_zone(j, "_25._tcp.mx.example.org.", &on, &non, &off,
	    &noff, &ttl, &e) < 0 && e.msg[0] == '\0')
		abort();
	fuzz_check_recs(on, non);
	fuzz_check_recs(off, noff);
	provider_recs_free(on, non);
	provider_recs_free(off, noff);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j;
	char *text;

	if (size > 256 * 1024)
		return 0;
	text = xstrndup((const char *)data, size);
	if (provider_retry_after_ms(text, 1767225600) < -1)
		abort();
	free(text);
	j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL)
		return 0;
	fuzz_cloudflare(j);
	fuzz_desec_pdns(j);
	json_decref(j);
	return 0;
}
