/*
 * deploy - the files services read, which daneops alone writes.
 *
 * Each file is replaced atomically (temporary file, fsync, rename), the
 * key and the combined key+chain file mode 0600, the chain 0644.  The
 * combined file is written first and the separate key last, so that a
 * service that reads key and chain apart sees a mismatched pair only in
 * the moment between two renames, never across a crash: a run killed in
 * between redoes the deployment (the state says which key it deploys).
 */
#ifndef DANEOPS_ROLL_DEPLOY_H
#define DANEOPS_ROLL_DEPLOY_H

#include "roll/conf.h"
#include "roll/keys.h"
#include "util/err.h"

/* Install k's key and chain as the lineage's deployed files. */
int deploy_install(const struct conf_lineage *l, const struct keyset *k,
	struct err *e);

/* 1 when every deployed file holds exactly k's bytes, else 0. */
int deploy_matches(const struct conf_lineage *l, const struct keyset *k);

#endif
