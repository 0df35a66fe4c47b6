/*
 * verify - what the configured endpoints of a lineage present, checked as
 * a DANE-aware sender would (the check engine, src/dane/check.h).
 *
 * Used twice by a run: after a reload, to decide that the deployed key is
 * live everywhere (only then may old records go); and before retiring
 * records, to protect every record that matches a key an endpoint still
 * presents.
 *
 * Ownership: verify_endpoints returns a result the caller frees with
 * verify_free (NULL is a no-op).
 */
#ifndef DANEOPS_ROLL_VERIFY_H
#define DANEOPS_ROLL_VERIFY_H

#include <stddef.h>

#include "roll/conf.h"
#include "roll/keys.h"
#include "util/err.h"

struct verify_seen {
	char *where;            /* "host:port address" */
	struct keyset *key;     /* the key presented, or NULL */
	int dane_ok;            /* DANE authenticated the peer */
	char *why;              /* when not: one line */
};

struct verify {
	struct verify_seen *seen;
	size_t nseen;
};

struct verify *verify_endpoints(const struct conf *c,
	const struct conf_lineage *l, struct err *e);
void verify_free(struct verify *v);

/*
 * 0 when every address of every endpoint presented key_id and passed DANE;
 * else -1 with e naming the first that did not.
 */
int verify_all_present(const struct verify *v, const char *key_id,
	struct err *e);

#endif
