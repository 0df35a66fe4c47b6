/*
 * policy - an MTA-STS policy (RFC 8461 §3.2) and the MX host patterns of
 * §4.1.  Pure functions on text: fetching is fetch.c's.
 *
 * The body is "key: value" lines ended by LF or CRLF.  version (STSv1),
 * mode (enforce, testing, none) and max_age (0 to 31557600 seconds) are
 * required once each; mx is required, once or more, unless mode is none;
 * unknown keys are ignored (counted).  A line that is not "key: value",
 * a bad value of a known key or a known key given twice makes the policy
 * invalid: senders would not agree on what it means.
 *
 * Ownership: mtasts_policy_parse returns a policy freed with
 * mtasts_policy_free (NULL is a no-op); it owns its patterns.
 */
#ifndef DANEOPS_MTASTS_POLICY_H
#define DANEOPS_MTASTS_POLICY_H

#include <stddef.h>

#include "util/err.h"

#define MTASTS_POLICY_MAX       65536   /* bytes fetched at most (§3.3) */
#define MTASTS_MAX_AGE_MAX      31557600L

enum mtasts_mode {
	MTASTS_MODE_ENFORCE = 0,
	MTASTS_MODE_TESTING,
	MTASTS_MODE_NONE,
};

struct mtasts_policy {
	enum mtasts_mode mode;
	long max_age;
	char **mx;              /* patterns, lower case, no trailing dot */
	size_t nmx;
	size_t nunknown;        /* extension lines ignored */
	size_t nblank;          /* empty lines (not in the grammar; tolerated) */
};

/*
 * Parse len bytes of body (NUL bytes make it invalid).  NULL with
 * ERR_INPUT naming the line and what is wrong.
 */
struct mtasts_policy *mtasts_policy_parse(const char *body, size_t len,
	struct err *e);
void mtasts_policy_free(struct mtasts_policy *p);

const char *mtasts_mode_name(enum mtasts_mode m);

/*
 * §4.1: host matches pattern exactly, or pattern is "*.rest" and host is
 * one label followed by ".rest".  Case-insensitive; trailing dots ignored.
 */
int mtasts_mx_match(const char *pattern, const char *host);

/* The first pattern of p that host matches, or NULL. */
const char *mtasts_policy_match(const struct mtasts_policy *p,
	const char *host);

#endif
