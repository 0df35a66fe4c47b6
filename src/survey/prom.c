/*
 * prom - Prometheus text exposition of check results.
 */
#include "survey/prom.h"

#include <stdlib.h>
#include <string.h>

#include "util/sbuf.h"
#include "util/xalloc.h"

#define PROM_MAX        (64 * 1024 * 1024)

enum {
	PF_VERDICT, PF_OK, PF_HOST, PF_ADDR, PF_DAYS, PF_TLSA, PF_SECS, PF_N
};

static const char *prom_family[PF_N][2] = {
	{ "daneops_domain_verdict", "1 for the verdict of the last check "
	    "(pass, warn, fail, not-applicable, unknown), 0 for the others" },
	{ "daneops_domain_ok", "1 when the domain passes (with or without "
	    "warnings)" },
	{ "daneops_host_ok", "1 when the MX host passes" },
	{ "daneops_address_ok", "1 when the address authenticated with DANE" },
	{ "daneops_cert_days_left", "days until the presented certificate "
	    "expires" },
	{ "daneops_tlsa_records", "TLSA records by status (current, "
	    "unmatched, unusable)" },
	{ "daneops_check_seconds", "wall time of the domain's check" },
};

struct prom {
	struct sbuf f[PF_N];
	size_t ndomains;
};

struct prom *
prom_new(void)
{
	struct prom *p = xcalloc(1, sizeof(*p));
	int i;

	for (i = 0; i < PF_N; i++)
		sbuf_init(&p->f[i], PROM_MAX);
	return p;
}

void
prom_free(struct prom *p)
{
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < PF_N; i++)
		sbuf_free(&p->f[i]);
	free(p);
}

/* A label value: backslash, quote and newline escaped. */
static void
prom_label(struct sbuf *b, const char *name, const char *v, int first)
{
	const char *s;

	sbuf_printf(b, "%s%s=\"", first ? "" : ",", name);
	for (s = v != NULL ? v : ""; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			sbuf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			sbuf_adds(b, "\\n");
		else
			sbuf_add(b, s, 1);
	}
	sbuf_adds(b, "\"");
}

static void
prom_host(struct prom *p, const struct check_result *res,
	const struct check_host *ch)
{
	static const char *st[3] = { "current", "unmatched", "unusable" };
	size_t i, n[3] = { 0, 0, 0 };
	struct sbuf *b;

	b = &p->f[PF_HOST];
	sbuf_printf(b, "daneops_host_ok{");
	prom_label(b, "domain", res->domain, 1);
	prom_label(b, "host", ch->mx->name, 0);
	sbuf_printf(b, "} %d\n", ch->verdict == CHECK_PASS);
	for (i = 0; i < ch->nrecs; i++)
		n[!ch->recs[i].usable ? 2 : ch->recs[i].nmatched > 0 ? 0 : 1]++;
	for (i = 0; i < 3 && ch->nrecs > 0; i++) {
		b = &p->f[PF_TLSA];
		sbuf_printf(b, "daneops_tlsa_records{");
		prom_label(b, "domain", res->domain, 1);
		prom_label(b, "host", ch->mx->name, 0);
		prom_label(b, "status", st[i], 0);
		sbuf_printf(b, "} %zu\n", n[i]);
	}
	for (i = 0; i < ch->naddrs; i++) {
		const struct check_addr *a = &ch->addrs[i];
		int k;

		for (k = PF_ADDR; k <= PF_DAYS; k++) {
			if (k == PF_DAYS && (a->probe == NULL ||
			    a->probe->leaf_not_after == 0))
				continue;
			b = &p->f[k];
			sbuf_printf(b, "%s{", prom_family[k][0]);
			prom_label(b, "domain", res->domain, 1);
			prom_label(b, "host", ch->mx->name, 0);
			prom_label(b, "address", a->address, 0);
			sbuf_printf(b, "} %d\n", k == PF_ADDR ?
			    a->verdict == CHECK_PASS : a->days_left);
		}
	}
}

void
prom_add(struct prom *p, const struct check_result *res)
{
	static const enum check_verdict vs[] = { CHECK_PASS, CHECK_WARN,
	    CHECK_FAIL, CHECK_NONE, CHECK_UNKNOWN };
	struct sbuf *b;
	size_t i;

	p->ndomains++;
	for (i = 0; i < sizeof(vs) / sizeof(vs[0]); i++) {
		b = &p->f[PF_VERDICT];
		sbuf_printf(b, "daneops_domain_verdict{");
		prom_label(b, "domain", res->domain, 1);
		prom_label(b, "verdict", check_verdict_name(vs[i]), 0);
		sbuf_printf(b, "} %d\n", res->verdict == vs[i]);
	}
	b = &p->f[PF_OK];
	sbuf_printf(b, "daneops_domain_ok{");
	prom_label(b, "domain", res->domain, 1);
	sbuf_printf(b, "} %d\n", res->verdict == CHECK_PASS ||
	    res->verdict == CHECK_WARN);
	b = &p->f[PF_SECS];
	sbuf_printf(b, "daneops_check_seconds{");
	prom_label(b, "domain", res->domain, 1);
	sbuf_printf(b, "} %.3f\n", res->elapsed_ms / 1000.0);
	for (i = 0; i < res->nhosts; i++)
		prom_host(p, res, &res->hosts[i]);
}

char *
prom_finish(struct prom *p, time_t now, double run_seconds)
{
	struct sbuf out;
	int i;

	sbuf_init(&out, PROM_MAX);
	for (i = 0; i < PF_N; i++) {
		if (p->f[i].len == 0)
			continue;
		sbuf_printf(&out, "# HELP %s %s\n# TYPE %s gauge\n",
		    prom_family[i][0], prom_family[i][1], prom_family[i][0]);
		sbuf_add(&out, p->f[i].data, p->f[i].len);
	}
	sbuf_printf(&out, "# HELP daneops_watch_last_run_timestamp_seconds "
	    "end of the last watch run\n# TYPE "
	    "daneops_watch_last_run_timestamp_seconds gauge\n"
	    "daneops_watch_last_run_timestamp_seconds %lld\n"
	    "# HELP daneops_watch_duration_seconds wall time of the last "
	    "run\n# TYPE daneops_watch_duration_seconds gauge\n"
	    "daneops_watch_duration_seconds %.3f\n"
	    "# HELP daneops_watch_domains domains checked by the last run\n"
	    "# TYPE daneops_watch_domains gauge\ndaneops_watch_domains %zu\n",
	    (long long)now, run_seconds, p->ndomains);
	return sbuf_steal(&out, NULL);
}
