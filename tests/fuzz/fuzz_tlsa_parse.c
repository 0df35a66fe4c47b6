/*
 * fuzz_tlsa_parse - fuzz the text a user gives "daneops tlsa": records in
 * presentation form (tlsa_rec_parse, --match) and parameters
 * (tlsa_params_parse, -r).
 *
 * Besides not crashing: a record that parses must format to text that
 * parses to the same record, and parameters that parse must be in range.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tlsa/tlsa.h"
#include "tlsa/tlsa_gen.h"
#include "util/xalloc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsa_rec *r, *again;
	unsigned u, s, m;
	struct err e;
	char *text, *out;

	if (size > 256 * 1024)
		return 0;
	text = xstrndup((const char *)data, size);
	r = tlsa_rec_parse(text, &e);
	if (r != NULL) {
		out = tlsa_rec_format(r);
		again = tlsa_rec_parse(out, &e);
		if (again == NULL || !tlsa_rec_equal(r, again))
			abort();
		tlsa_rec_free(again);
		free(out);
	} else if (e.kind != ERR_USAGE || e.msg[0] == '\0') {
		abort();
	}
	tlsa_rec_free(r);
	if (tlsa_params_parse(text, &u, &s, &m, &e) == 0 &&
	    (u > 3 || s > 1 || m > 2))
		abort();
	free(text);
	return 0;
}
