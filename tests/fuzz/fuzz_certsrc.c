/*
 * fuzz_certsrc - fuzz the inputs of "daneops tlsa": whatever bytes a
 * certificate or key file holds go through certsrc_parse, and whatever it
 * accepts through every record computation, match and message.
 *
 * Besides not crashing: an input is either accepted or refused with an
 * ERR_INPUT message of one line, and every record made from an accepted
 * input matches it back.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tlsa/certsrc.h"
#include "tlsa/tlsa.h"
#include "tlsa/tlsa_gen.h"
#include "tlsa/tlsa_match.h"

/* Certificates of a chain looked at: enough to reach every code path. */
#define FUZZ_DEPTH_MAX 4

static void
fuzz_records(struct certsrc *s, X509 *x, int depth)
{
	struct tlsa_rec *r;
	struct tlsa_match *m;
	struct err e;
	unsigned sel, mt;

	for (sel = 0; sel < 2; sel++) {
		for (mt = 0; mt < 3; mt++) {
			r = x != NULL ? tlsa_rec_for_cert(x, 3, sel, mt, &e) :
			    tlsa_rec_for_pkey(s->pkey, 3, sel, mt, &e);
			if (r == NULL) {
				if (e.msg[0] == '\0')
					abort();
				continue;
			}
			if (x != NULL ? !tlsa_rec_matches_cert(r, x) :
			    !tlsa_rec_matches_pkey(r, s->pkey))
				abort();
			if (x != NULL && (tlsa_rec_match_chain(r, s->chain) < 0 ||
			    tlsa_rec_match_chain(r, s->chain) > depth))
				abort();
			m = tlsa_match_run(r, &s, 1);
			if (m->nhits == 0 || m->line == NULL)
				abort();
			tlsa_match_free(m);
			tlsa_rec_free(r);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct certsrc_pick pick;
	struct certsrc *s;
	struct err e;
	unsigned u;
	char *subject;
	int d;

	err_clear(&e);
	s = certsrc_parse("fuzz", data, size, &e);
	if (s == NULL) {
		if (e.kind != ERR_INPUT || strncmp(e.msg, "fuzz: ", 6) != 0 ||
		    strchr(e.msg, '\n') != NULL)
			abort();
		return 0;
	}
	if (s->kind != CERTSRC_CERTS)
		fuzz_records(s, NULL, -1);
	for (d = 0; d < certsrc_ncerts(s) && d < FUZZ_DEPTH_MAX; d++) {
		subject = certsrc_subject(certsrc_cert(s, d));
		free(subject);
		fuzz_records(s, certsrc_cert(s, d), d);
	}
	for (u = 0; u < 4; u++)
		if (certsrc_pick(s, u, 1, -1, &pick, &e) < 0 &&
		    e.kind != ERR_USAGE)
			abort();
	certsrc_free(s);
	return 0;
}
