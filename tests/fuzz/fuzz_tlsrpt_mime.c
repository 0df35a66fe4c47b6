/*
 * fuzz_tlsrpt_mime - fuzz the extraction of a TLS report from a mail
 * message (mime_extract: GMime's parser, part selection, transfer
 * decoding, gunzip), then the JSON parser on what comes out.
 *
 * Besides not crashing: a success yields NUL-terminated JSON no larger
 * than the cap; a refusal is ERR_INPUT with a message.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "report/mime.h"
#include "report/tlsrpt.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsrpt_report *r;
	struct mime_report m;
	struct err e;
	size_t i;

	if (size > 1024 * 1024)
		return 0;
	if (mime_extract((const char *)data, size, &m, &e) < 0) {
		if (e.kind != ERR_INPUT || e.msg[0] == '\0' || m.nparts != 0)
			abort();
		return 0;
	}
	if (m.nparts == 0 || m.nparts > MIME_MAX_REPORTS)
		abort();
	for (i = 0; i < m.nparts; i++) {
		if (m.part[i].json == NULL || m.part[i].len > TLSRPT_MAX_JSON ||
		    m.part[i].json[m.part[i].len] != '\0')
			abort();
		r = tlsrpt_parse(m.part[i].json, m.part[i].len, &e);
		tlsrpt_report_free(r);
	}
	mime_report_clear(&m);
	return 0;
}
