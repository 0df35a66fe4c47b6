/*
 * check_mtasts - MTA-STS in "daneops check"'s human and Nagios output
 * (see check_mtasts.h).
 */
#include "cmd/check_mtasts.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/check_out.h"
#include "cmd/exitcode.h"
#include "mtasts/pkix.h"
#include "util/xalloc.h"

#define C_RESET  "\033[0m"
#define C_RED    "\033[31m"
#define C_GREEN  "\033[32m"
#define C_YELLOW "\033[33m"

static void
check_mtasts_done(void *arg, struct mtasts_result *m)
{
	struct mtasts_result **slot = arg;

	*slot = m;
}

int
check_mtasts_start(struct check_mtasts *mt, const struct check_env *env,
	const char *const *names, size_t n, struct err *e)
{
	size_t i;

	/* A --ca-file is loaded now, so that a bad one is a usage-time
	 * error; the system store (the whole bundle, ~15 ms of parsing) only
	 * when a domain has a policy to judge (check_mtasts_end). */
	if (mt->o.ca_file != NULL &&
	    (mt->store = mtasts_store_new(mt->o.ca_file, e)) == NULL)
		return -1;
	mt->jobs = xcalloc(n, sizeof(*mt->jobs));
	for (i = 0; i < n; i++)
		if ((mt->jobs[i] = mtasts_start(env->base, env->resolver,
		    names[i], &mt->o, check_mtasts_done, &mt->res[i],
		    e)) == NULL)
			return -1;
	return 0;
}

void
check_mtasts_end(struct check_mtasts *mt, struct check_result *const *dane,
	size_t n)
{
	size_t i;

	struct err e;

	for (i = 0; mt->jobs != NULL && i < n; i++) {
		if (mt->res[i] == NULL) {
			mtasts_cancel(mt->jobs[i]);
			continue;
		}
		err_clear(&e);
		if (mt->res[i]->policy != NULL && mt->store == NULL &&
		    (mt->store = mtasts_store_new(NULL, &e)) == NULL) {
			mt->res[i]->judged = 1;
			mt->res[i]->verdict = CHECK_UNKNOWN;
			mt->res[i]->summary = xstrdup(e.msg);
			continue;
		}
		mtasts_judge(mt->res[i], dane[i], mt->store, time(NULL));
	}
	free(mt->jobs);
	mt->jobs = NULL;
	X509_STORE_free(mt->store);
	mt->store = NULL;
}

static void
verdict(FILE *fp, enum check_verdict v, int colour, int upper)
{
	const char *s = check_verdict_name(v);
	size_t i;

	if (colour)
		fputs(v == CHECK_PASS ? C_GREEN : v == CHECK_FAIL ||
		    v == CHECK_UNKNOWN ? C_RED : C_YELLOW, fp);
	for (i = 0; s[i] != '\0'; i++)
		fputc(upper && s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i],
		    fp);
	if (colour)
		fputs(C_RESET, fp);
}

static void
print_txtset(FILE *fp, const char *label, const struct mtasts_txtset *t)
{
	size_t i;

	if (t->error != NULL) {
		fprintf(fp, "    %s %s: %s\n", label, t->name, t->error);
		return;
	}
	if (t->ntxt == 0)
		fprintf(fp, "    %s %s: none (%s)\n", label, t->name,
		    dns_status_name(t->status));
	for (i = 0; i < t->ntxt; i++)
		fprintf(fp, "    %s %s: \"%s\" (%s)\n", label, t->name, t->txt[i],
		    dns_sec_name(t->sec));
	if (t->sel_error != NULL)
		fprintf(fp, "      unusable: %s\n", t->sel_error);
}

static void
print_policy(FILE *fp, const struct mtasts_result *m)
{
	const struct mtasts_policy *p = m->policy;
	size_t i;

	if (!m->fetched)
		return;
	fprintf(fp, "    policy %s: ", m->url);
	if (m->http_status > 0)
		fprintf(fp, "HTTP %ld %s; ", m->http_status,
		    m->content_type != NULL ? m->content_type : "(no type)");
	if (p == NULL) {
		fprintf(fp, "%s\n", m->policy_error != NULL ? m->policy_error :
		    "not fetched");
		return;
	}
	fprintf(fp, "mode %s, max_age %ld", mtasts_mode_name(p->mode),
	    p->max_age);
	for (i = 0; i < p->nmx; i++)
		fprintf(fp, "%s%s", i == 0 ? ", mx " : " ", p->mx[i]);
	fputc('\n', fp);
}

void
check_print_mtasts(FILE *fp, const struct mtasts_result *m, int colour)
{
	size_t i, j;

	if (m == NULL)
		return;
	fputs("  MTA-STS: ", fp);
	verdict(fp, m->verdict, colour, 1);
	fprintf(fp, " - %s\n", m->summary != NULL ? m->summary : "");
	print_txtset(fp, "record", &m->sts);
	print_policy(fp, m);
	for (i = 0; i < m->nhosts; i++) {
		const struct mtasts_host *h = &m->hosts[i];

		fprintf(fp, "    MX %s  ", h->name);
		verdict(fp, h->verdict, colour, 0);
		fprintf(fp, "  %s\n", h->why != NULL ? h->why : "");
		for (j = 0; j < h->naddrs; j++) {
			fprintf(fp, "      %-15s ", h->addrs[j].address);
			verdict(fp, h->addrs[j].verdict, colour, 0);
			fprintf(fp, "  %s\n", h->addrs[j].why != NULL ?
			    h->addrs[j].why : "");
		}
	}
	print_txtset(fp, "TLSRPT", &m->rpt);
	for (i = 0; i < m->nwarnings; i++)
		fprintf(fp, "    %swarning%s: %s\n", colour ? C_YELLOW : "",
		    colour ? C_RESET : "", m->warnings[i].message);
}

int
check_mtasts_exit(const struct mtasts_result *m)
{
	if (m == NULL)
		return EXIT_PASS;
	switch (m->verdict) {
	case CHECK_PASS:
	case CHECK_WARN:
		return EXIT_PASS;
	case CHECK_UNKNOWN:
		return EXIT_UNCHECKED;
	default:
		return EXIT_FAILED;     /* fail, or required and absent */
	}
}

enum { NAG_OK = 0, NAG_WARNING = 1, NAG_CRITICAL = 2, NAG_UNKNOWN = 3 };

/*
 * Does the Nagios line mention this domain's MTA-STS?  When it publishes
 * something, or MTA-STS is required; a DANE monitor of a domain without
 * MTA-STS keeps its line as it was.
 */
static int
nag_shown(const struct mtasts_result *m, int require)
{
	return m != NULL && (require || m->sts.sel != MTASTS_SEL_NONE ||
	    m->sts.error != NULL);
}

static int
nag_state(enum check_verdict v)
{
	return v == CHECK_PASS ? NAG_OK : v == CHECK_WARN ? NAG_WARNING :
	    v == CHECK_UNKNOWN ? NAG_UNKNOWN : NAG_CRITICAL;
}

/* CRITICAL > UNKNOWN > WARNING > OK, as check_nagios.c. */
static int
nag_worse(int a, int b)
{
	static const int rank[] = { 0, 1, 3, 2 };

	return rank[b] > rank[a] ? b : a;
}

int
check_print_nagios_mtasts(FILE *fp, struct check_result *const *res,
	struct mtasts_result *const *m, size_t n, int require)
{
	static const char *names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	char *line = NULL, *bar, *colon;
	size_t len = 0, i, ok, addrs, k;
	int state;
	FILE *mem;

	/* DANE's line as check_nagios.c prints it, then MTA-STS into it. */
	if ((mem = open_memstream(&line, &len)) == NULL)
		return check_print_nagios(fp, res, n);
	state = check_print_nagios(mem, res, n);
	fclose(mem);
	line[strcspn(line, "\n")] = '\0';
	bar = strstr(line, " |");
	colon = strchr(line, ':');
	for (i = 0; require && i < n; i++)
		if (m[i] != NULL)
			state = nag_worse(state, nag_state(m[i]->verdict));
	if (require && colon != NULL)
		fprintf(fp, "DANE+MTA-STS %s%.*s", names[state],
		    bar != NULL ? (int)(bar - colon) : (int)strlen(colon), colon);
	else
		fprintf(fp, "%.*s", bar != NULL ? (int)(bar - line) :
		    (int)strlen(line), line);
	for (i = 0; i < n; i++) {
		if (!nag_shown(m[i], require))
			continue;
		fprintf(fp, "; MTA-STS %s: %s", m[i]->domain,
		    check_verdict_name(m[i]->verdict));
		if (m[i]->verdict != CHECK_PASS && m[i]->summary != NULL)
			fprintf(fp, " (%s)", m[i]->summary);
	}
	fputs(bar != NULL ? bar : " |", fp);
	for (i = 0; i < n; i++) {
		if (!nag_shown(m[i], require))
			continue;
		for (ok = addrs = k = 0; k < m[i]->nhosts; k++) {
			addrs += m[i]->hosts[k].naddrs;
			for (size_t j = 0; j < m[i]->hosts[k].naddrs; j++)
				ok += m[i]->hosts[k].addrs[j].verdict ==
				    CHECK_PASS;
		}
		fprintf(fp, " '%s%smta_sts_addresses_ok'=%zu;;;0;%zu",
		    n > 1 ? m[i]->domain : "", n > 1 ? " " : "", ok, addrs);
	}
	fputc('\n', fp);
	free(line);
	return state;
}
