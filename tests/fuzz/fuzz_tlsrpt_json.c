/*
 * fuzz_tlsrpt_json - fuzz the TLS report JSON parser (tlsrpt_parse), the
 * summary built from a parsed report, and gunzip (an input starting with
 * the gzip magic is inflated first, as mime does).
 *
 * Besides not crashing: a report that parses respects the caps and has
 * non-negative counts; a refusal is ERR_INPUT with a message.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "report/gunzip.h"
#include "report/summary.h"
#include "report/tlsrpt.h"

static void
fuzz_check(const struct tlsrpt_report *r)
{
	size_t i;

	if (r->npolicies > TLSRPT_MAX_POLICIES || r->organization == NULL ||
	    r->report_id == NULL)
		abort();
	for (i = 0; i < r->npolicies; i++)
		if (r->policies[i].successful < 0 || r->policies[i].failed < 0 ||
		    r->policies[i].nfailures > TLSRPT_MAX_FAILURES ||
		    r->policies[i].policy_domain == NULL)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsrpt_report *r;
	struct summary *s;
	char *json = NULL, *text;
	size_t len = size;
	struct err e;

	if (gunzip_is_gzip(data, size)) {
		json = gunzip_buf(data, size, 1024 * 1024, &len, &e);
		if (json == NULL && (e.kind != ERR_INPUT || e.msg[0] == '\0'))
			abort();
		if (json == NULL)
			return 0;
		data = (const uint8_t *)json;
	}
	r = tlsrpt_parse((const char *)data, len, &e);
	if (r == NULL && (e.kind != ERR_INPUT || e.msg[0] == '\0'))
		abort();
	if (r != NULL) {
		fuzz_check(r);
		s = summary_new();
		summary_add_report(s, r);
		text = summary_text(s);
		free(text);
		text = summary_json(s);
		free(text);
		summary_free(s);
	}
	tlsrpt_report_free(r);
	free(json);
	return 0;
}
