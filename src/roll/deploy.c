/*
 * deploy - atomic installation of key, chain and combined files.
 */
#include "roll/deploy.h"

#include <stdlib.h>
#include <string.h>

#include "util/fileio.h"
#include "util/xalloc.h"

static char *
deploy_combined_text(const struct keyset *k)
{
	const char *sep = "";
	size_t n = strlen(k->key_pem);

	/* PEM blocks must start on a line of their own. */
	if (n > 0 && k->key_pem[n - 1] != '\n')
		sep = "\n";
	return xasprintf("%s%s%s", k->key_pem, sep, k->chain_pem);
}

int
deploy_install(const struct conf_lineage *l, const struct keyset *k,
	struct err *e)
{
	char *both;
	int rc = 0;

	if (k->chain_pem == NULL)
		return err_set(e, ERR_INTERNAL, "deploy without a chain");
	if (l->deploy_combined != NULL) {
		both = deploy_combined_text(k);
		rc = fileio_write_atomic(l->deploy_combined, both, strlen(both),
		    0600, e);
		free(both);
	}
	if (rc == 0)
		rc = fileio_write_atomic(l->deploy_chain, k->chain_pem,
		    strlen(k->chain_pem), 0644, e);
	if (rc == 0)
		rc = fileio_write_atomic(l->deploy_key, k->key_pem,
		    strlen(k->key_pem), 0600, e);
	return rc;
}

static int
deploy_same(const char *path, const char *want)
{
	struct err e;
	char *have;
	int same;

	err_clear(&e);
	if ((have = fileio_read(path, FILEIO_DEFAULT_MAX, NULL, &e)) == NULL)
		return 0;
	same = strcmp(have, want) == 0;
	free(have);
	return same;
}

int
deploy_matches(const struct conf_lineage *l, const struct keyset *k)
{
	char *both;
	int same;

	if (k->chain_pem == NULL || !deploy_same(l->deploy_key, k->key_pem) ||
	    !deploy_same(l->deploy_chain, k->chain_pem))
		return 0;
	if (l->deploy_combined == NULL)
		return 1;
	both = deploy_combined_text(k);
	same = deploy_same(l->deploy_combined, both);
	free(both);
	return same;
}
