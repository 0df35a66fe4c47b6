/*
 * fuzz_aliases - fuzz the aliases(5) parser and the resolver over what it
 * parsed (doctor/aliases.c).
 *
 * The input is an aliases file; every entry's name is then resolved, with
 * users "root" and "alice", local domain "example.org", and :include:
 * files that all contain the input again (so includes nest and loop).
 * Besides not crashing: the caps hold, entries are sorted without
 * duplicates, and every leaf has a chain and a name.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doctor/aliases.h"
#include "fuzz.h"
#include "util/xalloc.h"

struct fuzz_in {
	const uint8_t *data;
	size_t size;
};

static int
fuzz_user(void *arg, const char *name)
{
	(void)arg;
	return strcmp(name, "root") == 0 || strcmp(name, "alice") == 0;
}

static int
fuzz_local(void *arg, const char *domain)
{
	(void)arg;
	return strcasecmp(domain, "example.org") == 0;
}

static char *
fuzz_include(void *arg, const char *path, size_t *len, struct err *e)
{
	const struct fuzz_in *in = arg;

	if (path[0] != '/') {
		err_set(e, ERR_INPUT, "cannot be read");
		return NULL;
	}
	*len = in->size;
	/* xmemdup of 0 bytes: one byte, never read past *len. */
	return xmemdup(in->size > 0 ? (const void *)in->data : "", in->size > 0 ?
	    in->size : 1);
}

static void
fuzz_check(const struct aliases *a)
{
	size_t i;

	if (a->n > ALIASES_MAX_ENTRIES || a->nbad > ALIASES_MAX_BAD ||
	    a->ndup > ALIASES_MAX_BAD)
		abort();
	for (i = 0; i < a->n; i++) {
		if (a->v[i].nvalues > ALIASES_MAX_VALUES)
			abort();
		if (i > 0 && strcmp(a->v[i - 1].name, a->v[i].name) >= 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	const struct aliases *maps[1];
	struct alias_env env = {
		.maps = maps, .nmaps = 1, .is_user = fuzz_user,
		.is_local_domain = fuzz_local, .include = fuzz_include,
		.arg = &in,
	};
	struct alias_resolution r;
	struct aliases *a;
	size_t i, k;

	a = aliases_parse("fuzz", (const char *)data, size);
	fuzz_check(a);
	maps[0] = a;
	for (i = 0; i < a->n && i < 16; i++) {
		aliases_resolve(&env, a->v[i].name, &r);
		if (r.nleaves > ALIASES_MAX_LEAVES)
			abort();
		for (k = 0; k < r.nleaves; k++)
			if (r.leaves[k].via == NULL || r.leaves[k].what == NULL)
				abort();
		alias_resolution_free(&r);
	}
	aliases_free(a);
	return 0;
}
