/*
 * fuzz_dane_chain - fuzz what daneops does with a certificate chain a
 * peer presented: the chain (DER certificates back to back, as many as
 * parse, at most 8) goes through DANE matching (tlsa_rec_match_chain, as
 * the check's verdict does for every published record), the "records that
 * would match" of a notification, and the subject printer.
 *
 * Besides not crashing or leaking: a record made from the certificate at
 * depth d matches the chain at a depth of at most d; a record of the
 * trailing bytes (what a zone might publish) matches at -1 or a valid
 * depth.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "fuzz.h"
#include "survey/notify.h"
#include "tlsa/certsrc.h"
#include "tlsa/tlsa.h"
#include "tlsa/tlsa_gen.h"

#define FUZZ_CHAIN_MAX 8

static void
fuzz_own_records(STACK_OF(X509) *chain)
{
	struct tlsa_rec *r;
	struct err e;
	unsigned sel, mt;
	int d, got;

	for (d = 0; d < sk_X509_num(chain); d++)
		for (sel = 0; sel < 2; sel++)
			for (mt = 0; mt < 3; mt++) {
				r = tlsa_rec_for_cert(sk_X509_value(chain, d),
				    2, sel, mt, &e);
				if (r == NULL)
					continue;
				got = tlsa_rec_match_chain(r, chain);
				if (got < 0 || got > d)
					abort();
				tlsa_rec_free(r);
			}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *p = data, *end = data + size;
	STACK_OF(X509) *chain = sk_X509_new_null();
	struct tlsa_rec *r;
	X509 *x;
	char *s;
	int d;

	if (size > 64 * 1024)
		return 0;
	while (p < end && sk_X509_num(chain) < FUZZ_CHAIN_MAX &&
	    (x = d2i_X509(NULL, &p, (long)(end - p))) != NULL)
		sk_X509_push(chain, x);
	if (sk_X509_num(chain) > 0) {
		fuzz_own_records(chain);
		s = notify_would_match(chain);
		free(s);
		s = certsrc_subject(sk_X509_value(chain, 0));
		free(s);
	}
	if (end - p >= 3) {
		r = tlsa_rec_new(p[0] % 4, p[1] % 3, p[2] % 4, p + 3,
		    (size_t)(end - p - 3));
		d = tlsa_rec_match_chain(r, chain);
		if (d < -1 || d >= sk_X509_num(chain))
			abort();
		tlsa_rec_free(r);
	}
	sk_X509_pop_free(chain, X509_free);
	return 0;
}
