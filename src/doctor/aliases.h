/*
 * aliases - the aliases(5) file format, and where a local name ends up.
 *
 * Format (as Postfix's postalias(1) reads it): a logical line starts in
 * the first column and continues on lines that start with white space;
 * lines whose first non-blank is "#" and blank lines are ignored.  Each
 * logical line is "name: value, value, ...": the name is case-insensitive
 * and may be quoted; values are separated by commas outside double
 * quotes, and one value is one of
 *   |command          a pipe (often quoted: "|/usr/bin/prog arg")
 *   /path             a file the message is appended to
 *   :include:/path    more values from a file
 *   \name             name's own mailbox, not expanded again
 *   user@domain       an address (local again when domain is local)
 *   name              another alias, or a local user's mailbox
 * A line without ":" is skipped and remembered (postalias warns about it
 * too); of two entries for one name the first wins, as in postalias.
 *
 * aliases_resolve follows a name through any number of maps to its
 * destinations ("leaves"), depth-first, and reports loops and dead ends
 * with the chain of names that led there.  The environment answers the
 * questions about the host (is this a user, is this domain local, what is
 * in this include file), so the parser and the resolver can be tested and
 * fuzzed without a file system.
 *
 * Limits: ALIASES_MAX_ENTRIES entries, ALIASES_MAX_VALUES values an entry,
 * ALIASES_MAX_LINE bytes a logical line; resolution stops at
 * ALIASES_MAX_DEPTH names deep and ALIASES_MAX_LEAVES leaves (and after a
 * bounded number of steps and :include: files, see aliases.c).
 *
 * Ownership: aliases_parse returns a table freed with aliases_free;
 * aliases_resolve fills a caller's struct alias_resolution, released with
 * alias_resolution_free (both NULL-safe).
 */
#ifndef DANEOPS_DOCTOR_ALIASES_H
#define DANEOPS_DOCTOR_ALIASES_H

#include <stddef.h>

#include "util/err.h"

#define ALIASES_MAX_ENTRIES     20000
#define ALIASES_MAX_VALUES      1000
#define ALIASES_MAX_LINE        (64 * 1024)
#define ALIASES_MAX_BAD         100
#define ALIASES_MAX_DEPTH       32
#define ALIASES_MAX_LEAVES      256

struct alias {
	char *name;             /* lower case */
	char **values;
	size_t nvalues;
	int line;
};

struct aliases {
	char *path;
	struct alias *v;        /* sorted by name */
	size_t n;
	int bad[ALIASES_MAX_BAD];       /* lines without "name:" */
	size_t nbad;
	int dup[ALIASES_MAX_BAD];       /* lines of later duplicates */
	size_t ndup;
	size_t dropped;                 /* beyond ALIASES_MAX_ENTRIES */
};

/* Parse text (len bytes, NUL not needed); path names it in messages. */
struct aliases *aliases_parse(const char *path, const char *text,
	size_t len);
void aliases_free(struct aliases *a);

/* The entry for name (case-insensitive), or NULL. */
const struct alias *aliases_find(const struct aliases *a, const char *name);

/* Split a value list ("a, \"|b c\"\n d") into new strings (caller frees). */
size_t aliases_split(const char *text, size_t len, char ***out, size_t max);

enum alias_kind {
	ALIAS_MAILBOX,          /* a local user's mailbox */
	ALIAS_FILE,
	ALIAS_PIPE,
	ALIAS_REMOTE,           /* an address in a domain that is not local */
	ALIAS_UNKNOWN,          /* dead end: neither alias nor user */
	ALIAS_LOOP,             /* a name reached again from itself */
	ALIAS_BAD_INCLUDE,      /* dead end: :include: file unreadable */
	ALIAS_TOO_DEEP,         /* ALIASES_MAX_DEPTH reached */
};

struct alias_leaf {
	enum alias_kind kind;
	char *what;             /* user, path, command, address, name */
	char *via;              /* "abuse -> root -> alice" */
	char *why;              /* for dead ends; else NULL */
};

struct alias_resolution {
	struct alias_leaf *leaves;
	size_t nleaves;
	size_t dropped;         /* beyond ALIASES_MAX_LEAVES */
};

struct alias_env {
	const struct aliases *const *maps;      /* searched in order */
	size_t nmaps;
	int (*is_user)(void *arg, const char *name);
	int (*is_local_domain)(void *arg, const char *domain);
	/* The text of an :include: file (caller frees) or NULL with e set. */
	char *(*include)(void *arg, const char *path, size_t *len,
	    struct err *e);
	void *arg;
};

/* Follow name to its leaves. */
void aliases_resolve(const struct alias_env *env, const char *name,
	struct alias_resolution *r);
void alias_resolution_free(struct alias_resolution *r);

/* 1 for a dead end, loop or depth limit. */
int alias_kind_is_problem(enum alias_kind k);
const char *alias_kind_name(enum alias_kind k);

#endif
