/*
 * fuzz_roll_conf - fuzz the roll configuration parser (conf_parse: the
 * line scan, inih, the handler and the whole-file checks).
 *
 * Besides not crashing or leaking: a text that fails has a message naming
 * "fuzz.conf"; one that parses has every lineage complete (provider
 * resolved, at least one owner and record kind).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "roll/conf.h"
#include "util/xalloc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf *c;
	struct err e;
	char *text;
	size_t i;

	if (size > 64 * 1024)
		return 0;
	text = xstrndup((const char *)data, size);
	err_clear(&e);
	c = conf_parse("fuzz.conf", text, &e);
	if (c == NULL && strncmp(e.msg, "fuzz.conf", 9) != 0)
		abort();
	for (i = 0; c != NULL && i < c->nlineages; i++)
		if (c->lineages[i].prov == NULL || c->lineages[i].nowners == 0 ||
		    c->lineages[i].nparams == 0)
			abort();
	conf_free(c);
	free(text);
	return 0;
}
