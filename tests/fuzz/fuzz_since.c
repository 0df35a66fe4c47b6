/*
 * fuzz_since - fuzz the date parser behind "report --since" and the
 * reports' date ranges (tlsrpt_time_parse: RFC 3339 or a date).
 *
 * Besides not crashing: an accepted time in years 1970-9999, printed as
 * RFC 3339 and parsed again, is the same time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz.h"
#include "report/tlsrpt.h"
#include "util/xalloc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, buf[64];
	struct tm tm;
	time_t t, again;

	if (size > 256)
		return 0;
	s = xstrndup((const char *)data, size);
	if (tlsrpt_time_parse(s, &t) == 0 && t >= 0 && t <= 253402300799 &&
	    gmtime_r(&t, &tm) != NULL) {
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (tlsrpt_time_parse(buf, &again) != 0 || again != t)
			abort();
	}
	free(s);
	return 0;
}
