/*
 * fuzz_trust_anchor - fuzz the trust anchor reader (resolver_ta_parse:
 * --trust-anchor files and daneops.conf's trust_anchor), ldns's zone-file
 * parser included.
 *
 * Besides not crashing, leaking or looping: the text is accepted with at
 * least one record, each a DS or DNSKEY line without a newline, or refused
 * with one line naming "fuzz.ds".
 */
#include <stdlib.h>
#include <string.h>

#include "dns/resolver.h"
#include "fuzz.h"

static int
fuzz_add(void *arg, const char *rr)
{
	size_t *n = arg;

	if (strchr(rr, '\n') != NULL || (strstr(rr, "\tDS\t") == NULL &&
	    strstr(rr, "\tDNSKEY\t") == NULL))
		abort();
	(*n)++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	size_t n = 0;
	int rc;

	if (size > RESOLVER_TA_MAX)
		return 0;
	err_clear(&e);
	rc = resolver_ta_parse("fuzz.ds", (const char *)data, size, fuzz_add,
	    &n, &e);
	if (rc < 0 && (strncmp(e.msg, "fuzz.ds", 7) != 0 ||
	    strchr(e.msg, '\n') != NULL))
		abort();
	if (rc >= 0 && ((size_t)rc != n || n == 0))
		abort();
	return 0;
}
