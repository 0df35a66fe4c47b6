/*
 * fuzz_survey_list - fuzz the survey's domain-list reader: the same
 * survey engine, reading a file through its line reader (lines, comments,
 * over-long lines, NUL bytes, the size cap) and sharding, but with
 * parse_only: each name becomes an item instead of a check.  The first
 * byte picks the shard (0: none, else 1 of 1 + byte % 4).
 *
 * Besides not crashing, leaking or looping: the survey ends; every name
 * it hands out is a normalised domain name (lower case, no final dot,
 * printable, no blanks); the counts add up.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "dns/dns_answer.h"
#include "fuzz.h"
#include "fuzz_tmp.h"
#include "survey/survey.h"

struct fuzz_run {
	size_t names, errors;
	int ended;
};

static void
fuzz_item(void *arg, const struct survey_item *it)
{
	struct fuzz_run *r = arg;
	const char *p;
	size_t n;

	if (it->error != NULL) {
		if (strchr(it->error, '\n') != NULL)
			abort();
		r->errors++;
		return;
	}
	n = strlen(it->input);
	if (getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "name: %s\n", it->input);
	if (it->res != NULL || n == 0 || n >= DNS_NAME_MAX ||
	    it->input[n - 1] == '.')
		abort();
	for (p = it->input; *p != '\0'; p++)
		if (!isgraph((unsigned char)*p) || isupper((unsigned char)*p))
			abort();
	r->names++;
}

static void
fuzz_end(void *arg)
{
	((struct fuzz_run *)arg)->ended = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct survey_opts o;
	struct survey_stats st;
	struct check_env env;
	struct fuzz_run r;
	struct survey *s;
	const char *paths[2];
	char path[4096];
	struct err e;

	if (size < 1 || size > 256 * 1024)
		return 0;
	snprintf(path, sizeof(path), "%s", fuzz_tmp_write("domains",
	    data + 1, size - 1));
	paths[0] = path;
	paths[1] = NULL;
	memset(&o, 0, sizeof(o));
	o.parse_only = 1;
	if (data[0] != 0) {
		o.nshards = 1 + data[0] % 4;
		o.shard = 1;
	}
	memset(&env, 0, sizeof(env));
	memset(&r, 0, sizeof(r));
	if ((env.base = event_base_new()) == NULL)
		abort();
	if ((s = survey_new(&env, &o, paths, fuzz_item, fuzz_end, &r,
	    &e)) == NULL)
		abort();
	survey_begin(s);
	event_base_dispatch(env.base);
	survey_get_stats(s, &st);
	if (!r.ended || st.done != r.names || st.errors != r.errors ||
	    st.inflight != 0 || r.names + st.skipped > st.lines)
		abort();
	survey_free(s);
	event_base_free(env.base);
	return 0;
}
