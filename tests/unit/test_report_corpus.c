/*
 * Real senders' TLS reports (tests/data/tlsrpt/real, sources in its
 * README): each is parsed (from the mail when it is one), summed up, and
 * compared with the totals jq computed from the JSON (expected, made by
 * expected.sh).  Both summary paths are checked: one report as it arrives
 * (summary_add_report, the alert) and the stored reports (summary_load,
 * "report summary").  What real reports get wrong is pinned: "" names are
 * no names, failure details that do not add up to the summary are shown
 * as reported with a note, and failure-reason-code is shown by its type.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/mime.h"
#include "report/store.h"
#include "report/summary.h"
#include "report/tlsrpt.h"
#include "util/fileio.h"
#include "util/xalloc.h"

#define DIR "data/tlsrpt/real/"

struct expect {
	char file[128], org[128], hosts[512];
	long long policies, ok, failed, detailed, ndetails;
};

static int
read_expect(FILE *f, struct expect *x)
{
	char line[1024];

	if (fgets(line, sizeof(line), f) == NULL)
		return 0;
	assert_int_equal(sscanf(line, "%127[^\t]\t%127[^\t]\t%lld\t%lld\t%lld\t"
	    "%lld\t%lld\t%511[^\t\n]", x->file, x->org, &x->policies, &x->ok,
	    &x->failed, &x->detailed, &x->ndetails, x->hosts), 8);
	return 1;
}

static struct tlsrpt_report *
load(const char *file, char **json, size_t *len)
{
	char path[256];
	struct mime_report m = { 0 };
	struct tlsrpt_report *r;
	struct err e;
	char *raw;

	snprintf(path, sizeof(path), DIR "%s", file);
	err_clear(&e);
	raw = fileio_read(path, TLSRPT_MAX_JSON, len, &e);
	assert_non_null(raw);
	if (strstr(file, ".eml") != NULL) {
		/* Google's real mail: folded Content-Type/-Disposition lines */
		if (mime_extract(raw, *len, &m, &e) < 0)
			fail_msg("%s: %s", file, e.msg);
		assert_int_equal(m.nparts, 1);
		free(raw);
		raw = m.part[0].json;
		*len = m.part[0].len;
		m.part[0].json = NULL;
		mime_report_clear(&m);
	}
	r = tlsrpt_parse(raw, *len, &e);
	if (r == NULL)
		fail_msg("%s: %s", file, e.msg);
	*json = raw;
	return r;
}

/* The distinct hosts of a summary, sorted and joined like expected.sh. */
static void
hosts_of(const struct summary *s, char *out, size_t len)
{
	const char *v[64];
	size_t n = 0, i, j;
	const char *t;

	for (i = 0; i < s->nrows; i++)
		for (j = 0; j < s->rows[i].nhosts && n < 64; j++)
			v[n++] = s->rows[i].hosts[j];
	for (i = 1; i < n; i++)         /* few: insertion sort */
		for (j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t;
		}
	out[0] = '\0';
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
			snprintf(out + strlen(out), len - strlen(out), "%s%s",
			    out[0] != '\0' ? "," : "", v[i]);
	if (out[0] == '\0')
		snprintf(out, len, "-");
}

/* One summary against the expected totals and the real-world rules. */
static void
check_summary(const struct expect *x, const struct tlsrpt_report *r,
	const struct summary *s)
{
	int64_t ok = 0, detailed = 0, with = 0;
	char hosts[512], *text, *json, code[256];
	size_t i, j, k;

	for (i = 0; i < s->nrows; i++) {
		ok += s->rows[i].successful;
		detailed += s->rows[i].detailed;
		with += s->rows[i].failed_with_details;
		for (j = 0; j < s->rows[i].nhosts; j++)
			assert_string_not_equal(s->rows[i].hosts[j], "");
	}
	assert_int_equal(ok, x->ok);
	assert_int_equal(summary_failed(s), x->failed);
	assert_int_equal(detailed, x->detailed);
	hosts_of(s, hosts, sizeof(hosts));
	assert_string_equal(hosts, x->hosts);
	text = summary_text(s);
	json = summary_json(s);
	/* an MX named "" is never listed */
	assert_null(strstr(text, "failed MX:    \n"));
	assert_null(strstr(text, ", \n"));
	assert_null(strstr(json, "\"failed-mx-hosts\": [\n        \"\""));
	/* a mismatch is noted, with both numbers; otherwise no note */
	if (x->ndetails > 0 && with != detailed) {
		assert_non_null(strstr(text, "note:"));
		snprintf(code, sizeof(code), "add up to %lld failed sessions, "
		    "their reports' summaries to %lld", (long long)detailed,
		    (long long)with);
		assert_non_null(strstr(text, code));
		assert_non_null(strstr(json, "\"details-mismatch\": {"));
	} else {
		assert_null(strstr(text, "note:"));
		assert_null(strstr(json, "\"details-mismatch\": {"));
	}
	/* each failure-reason-code is shown next to its result type */
	for (i = 0; i < r->npolicies; i++)
		for (k = 0; k < r->policies[i].nfailures; k++) {
			const struct tlsrpt_failure *f = &r->policies[i].failures[k];

			if (f->failure_reason_code == NULL)
				continue;
			snprintf(code, sizeof(code), "%s [%s] ", f->result_type,
			    f->failure_reason_code);
			assert_non_null(strstr(text, code));
		}
	free(text);
	free(json);
}

static void
test_real_reports(void **st)
{
	char dir[] = "/tmp/daneops-corpus.XXXXXX", db[80], *json;
	struct tlsrpt_report *r;
	struct summary *s;
	struct store *store;
	struct expect x;
	int64_t failed, detailed;
	size_t len, i, n = 0;
	struct err e;
	FILE *f;

	(void)st;
	assert_non_null(mkdtemp(dir));
	f = fopen(DIR "expected", "r");
	assert_non_null(f);
	while (read_expect(f, &x)) {
		print_message("# %s\n", x.file);
		r = load(x.file, &json, &len);
		assert_string_equal(r->organization, x.org);
		assert_int_equal(r->npolicies, x.policies);
		failed = tlsrpt_report_failed(r);
		assert_int_equal(failed, x.failed);
		detailed = 0;
		for (i = 0; i < r->npolicies; i++)
			for (size_t k = 0; k < r->policies[i].nfailures; k++) {
				detailed += r->policies[i].failures[k].failed_sessions;
				/* "" is absent, for every optional field */
				assert_true(r->policies[i].failures[k].sending_mta_ip ==
				    NULL || r->policies[i].failures[k].sending_mta_ip[0]);
				assert_true(r->policies[i].failures[k]
				    .additional_information == NULL || r->policies[i]
				    .failures[k].additional_information[0]);
			}
		assert_int_equal(detailed, x.detailed);
		/* as it arrives */
		s = summary_new();
		summary_add_report(s, r);
		check_summary(&x, r, s);
		summary_free(s);
		/* stored, then summed up from the database */
		snprintf(db, sizeof(db), "%s/%zu.sqlite", dir, n++);
		err_clear(&e);
		assert_non_null(store = store_open(db, &e));
		assert_int_equal(store_add(store, r, json, 1, &e), 1);
		s = summary_new();
		assert_int_equal(summary_load(s, store, 0, NULL, &e), 0);
		check_summary(&x, r, s);
		summary_free(s);
		store_free(store);
		unlink(db);
		strcat(db, "-wal");
		unlink(db);
		strcpy(db + strlen(db) - 3, "shm");
		unlink(db);
		tlsrpt_report_free(r);
		free(json);
	}
	fclose(f);
	assert_true(n >= 8);
	rmdir(dir);
}

/*
 * Folded MIME parameters: a report named only through an RFC 2231
 * continued, folded filename (the part's type says nothing) is found, and
 * a folded Content-Type with its parameter on the next line too.
 */
static void
test_folded_parameters(void **st)
{
	static const char *const forms[] = {
		"Content-Type: application/octet-stream\n"
		"Content-Disposition: attachment;\n"
		"\tfilename*0=\"microsoft.com!xxxxxxxx.xx!1749859200!\";\n"
		"\tfilename*1=\"1749945599.json\"\n",
		"Content-Type: application/octet-stream;\n"
		" name*0*=us-ascii''microsoft.com%21xxxxxxxx.xx;\n"
		" name*1=\"!1749859200!1749945599.json\"\n",
		"Content-Type:\n application/tlsrpt+json;\n charset=\"us-ascii\"\n",
	};
	struct mime_report m;
	struct tlsrpt_report *r;
	struct err e;
	char *json, *msg;
	size_t len, i;

	(void)st;
	json = fileio_read(DIR "microsoft-2025-06-14.json", TLSRPT_MAX_JSON,
	    &len, &e);
	assert_non_null(json);
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		msg = xasprintf("From: tlsrpt-noreply@microsoft.com\n"
		    "MIME-Version: 1.0\n"
		    "Content-Type: multipart/mixed;\n\tboundary=\"b\"\n\n"
		    "--b\nContent-Type: text/plain\n\nreport\n"
		    "--b\n%s\n%s\n--b--\n", forms[i], json);
		memset(&m, 0, sizeof(m));
		err_clear(&e);
		if (mime_extract(msg, strlen(msg), &m, &e) < 0)
			fail_msg("form %zu: %s", i, e.msg);
		assert_int_equal(m.nparts, 1);
		r = tlsrpt_parse(m.part[0].json, m.part[0].len, &e);
		assert_non_null(r);
		assert_string_equal(r->organization, "Microsoft Corporation");
		tlsrpt_report_free(r);
		mime_report_clear(&m);
		free(msg);
	}
	free(json);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_reports),
		cmocka_unit_test(test_folded_parameters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
