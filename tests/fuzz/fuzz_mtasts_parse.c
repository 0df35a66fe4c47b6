/*
 * fuzz_mtasts_parse - fuzz what a domain publishes for MTA-STS: the
 * _mta-sts and _smtp._tls TXT records (mtasts_txt_parse,
 * mtasts_tlsrpt_parse) and the policy body (mtasts_policy_parse), all
 * three on every input.
 *
 * Besides not crashing: a record that parses has an id of 1-32 letters
 * and digits, or at least one rua URI with a scheme and no separator; a policy that parses has a known
 * mode, max_age in range, mx patterns unless mode none, and matches each
 * of its own exact patterns; a refusal is ERR_INPUT with a message.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mtasts/policy.h"
#include "mtasts/record.h"
#include "util/xalloc.h"

static void
check_refusal(const struct err *e)
{
	if (e->kind != ERR_INPUT || e->msg[0] == '\0')
		abort();
}

static void
fuzz_records(const char *text)
{
	struct mtasts_tlsrpt r;
	struct mtasts_txt t;
	struct err e;
	size_t i, n;

	if (mtasts_txt_parse(text, &t, &e) == 0) {
		n = strlen(t.id);
		if (n == 0 || n > MTASTS_ID_MAX || !mtasts_txt_is_sts(text))
			abort();
		for (i = 0; i < n; i++)
			if (!isalnum((unsigned char)t.id[i]))
				abort();
	} else
		check_refusal(&e);
	if (mtasts_tlsrpt_parse(text, &r, &e) == 0) {
		if (r.nrua == 0 || r.nrua > MTASTS_RUA_MAX)
			abort();
		for (i = 0; i < r.nrua; i++)
			if (strchr(r.rua[i], ':') == NULL ||
			    strpbrk(r.rua[i], ",; \t") != NULL)
				abort();
		mtasts_tlsrpt_clear(&r);
	} else {
		check_refusal(&e);
		if (r.nrua != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mtasts_policy *p;
	struct err e;
	char *text;
	size_t i;

	if (size > MTASTS_POLICY_MAX)
		return 0;
	text = xstrndup((const char *)data, size);
	fuzz_records(text);
	free(text);
	p = mtasts_policy_parse((const char *)data, size, &e);
	if (p == NULL) {
		check_refusal(&e);
		return 0;
	}
	if (p->max_age < 0 || p->max_age > MTASTS_MAX_AGE_MAX ||
	    (p->nmx == 0 && p->mode != MTASTS_MODE_NONE) ||
	    (p->mode != MTASTS_MODE_ENFORCE && p->mode != MTASTS_MODE_TESTING &&
	    p->mode != MTASTS_MODE_NONE))
		abort();
	for (i = 0; i < p->nmx; i++)
		if (p->mx[i][0] != '*' &&
		    mtasts_policy_match(p, p->mx[i]) == NULL)
			abort();
	mtasts_policy_free(p);
	return 0;
}
