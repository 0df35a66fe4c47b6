/*
 * tlsa_match - does one TLSA record match the inputs of "daneops tlsa
 * --match", and the one line that says so.
 *
 * Every certificate of every chain and every key is compared with the
 * record (tlsa_gen); a hit decides the verdict only where the record's
 * usage names what was hit (certsrc_depth_fits): DANE-EE and PKIX-EE the
 * leaf or a key, DANE-TA and PKIX-TA an issuer.  Other hits are reported
 * so that a record published with the wrong usage is easy to spot.  The
 * verdict line is built here so that the front end only prints it.
 *
 * Ownership: tlsa_match_run returns a report the caller frees with
 * tlsa_match_free (NULL is a no-op).  The record and the sources are
 * borrowed.
 */
#ifndef DANEOPS_TLSA_MATCH_H
#define DANEOPS_TLSA_MATCH_H

#include <stddef.h>

#include "tlsa/certsrc.h"
#include "tlsa/tlsa.h"

struct tlsa_match_hit {
	size_t src;             /* index into the sources */
	int depth;              /* certificate depth; -1 for a key */
	int fits;               /* the record's usage names this depth */
};

struct tlsa_match {
	struct tlsa_match_hit *hits;
	size_t nhits;
	size_t nfits;           /* hits that fit the usage: 0 is "no match" */
	char *line;             /* "match: ..." or "no match: ...", no \n */
};

struct tlsa_match *tlsa_match_run(const struct tlsa_rec *r,
	struct certsrc *const *srcs, size_t nsrcs);
void tlsa_match_free(struct tlsa_match *m);

#endif
