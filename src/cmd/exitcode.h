/*
 * exitcode - the exit statuses every daneops command shares (documented in
 * daneops(1), EXIT STATUS).
 */
#ifndef DANEOPS_EXITCODE_H
#define DANEOPS_EXITCODE_H

#include "util/err.h"

enum {
	EXIT_PASS = 0,          /* success; for checks: everything passed */
	EXIT_FAILED = 1,        /* a check failed / a record did not match */
	EXIT_USAGE = 2,         /* bad command line */
	EXIT_UNCHECKED = 3,     /* an input could not be read or used; could not check */
	EXIT_TEMPFAIL = 75,     /* try again later (EX_TEMPFAIL): lock held, ... */
};

/* The exit status for an engine error. */
static inline int
exitcode_for(enum err_kind kind)
{
	switch (kind) {
	case ERR_USAGE:
		return EXIT_USAGE;
	case ERR_TEMP:
		return EXIT_TEMPFAIL;
	default:
		return EXIT_UNCHECKED;
	}
}

#endif
