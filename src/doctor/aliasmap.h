/*
 * aliasmap - the alias maps of the inspected host, checked: which files
 * Postfix reads (alias_maps), whether the compiled maps newaliases builds
 * (alias_database) are older than their sources, and whether the role
 * addresses of RFC 2142 and root reach somebody.
 *
 * Only file-based maps are followed (hash, btree, lmdb, cdb, dbm, sdbm,
 * texthash, optionally behind proxy:); a network map (ldap, mysql, nis,
 * ...) is named in an info finding and skipped, so a name it would have
 * answered may show as a dead end.
 *
 * Findings: alias-map-missing, alias-db-missing, alias-db-stale,
 * alias-syntax, alias-duplicate, alias-map-skipped, alias-dead-end,
 * alias-loop, alias-too-deep, alias-pipe-missing, root-mailbox,
 * postconf-failed (postconf would not run: main.cf was read here).
 *
 * Ownership: aliasmap_load returns a map set freed with aliasmap_free
 * (NULL is a no-op); it borrows the host, which must outlive it.
 */
#ifndef DANEOPS_DOCTOR_ALIASMAP_H
#define DANEOPS_DOCTOR_ALIASMAP_H

#include <stddef.h>

#include "doctor/aliases.h"
#include "doctor/findings.h"
#include "doctor/host.h"

#define ALIASMAP_MAX_MAPS       HOST_MAX_LIST
#define ALIASMAP_MAX_USERS      65536
#define ALIASMAP_FILE_MAX       (4 * 1024 * 1024)

struct aliasmap {
	const struct host *h;
	struct aliases *maps[ALIASMAP_MAX_MAPS];
	size_t nmaps;
	char *main_path;        /* the first source file, for fixes */
	char **users;           /* ROOT/etc/passwd, sorted */
	size_t nusers;
	struct alias_env env;
};

/* Read the maps and the users; adds map findings to f. */
struct aliasmap *aliasmap_load(const struct host *h, struct findings *f);
void aliasmap_free(struct aliasmap *m);

/* Follow postmaster, abuse, hostmaster, webmaster and root. */
void aliasmap_check_roles(struct aliasmap *m, struct findings *f);

/*
 * Findings for the problem leaves of one resolution; subject names what
 * was followed, what_for says why it matters ("mail to abuse@ is lost").
 * Returns the number of leaves that reach a destination.
 */
size_t aliasmap_report(struct aliasmap *m, struct findings *f,
	const char *subject, const struct alias_resolution *r,
	const char *what_for);

#endif
