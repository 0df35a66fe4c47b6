/*
 * judge - MTA-STS verdicts from the records, the policy and the DANE
 * check's probes (see mtasts.h for the rules).
 */
#include "mtasts/mtasts.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtasts/pkix.h"
#include "util/xalloc.h"

/* A week: a shorter max_age leaves senders unprotected between visits. */
#define MTASTS_MAX_AGE_SHORT 604800L

static void
warn_add(struct mtasts_result *m, const char *code, const char *host,
	const char *addr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void
warn_add(struct mtasts_result *m, const char *code, const char *host,
	const char *addr, const char *fmt, ...)
{
	struct check_warning *w;
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	m->warnings = xreallocarray(m->warnings, m->nwarnings + 1,
	    sizeof(*m->warnings));
	w = &m->warnings[m->nwarnings++];
	w->code = xstrdup(code);
	w->host = host != NULL ? xstrdup(host) : NULL;
	w->address = addr != NULL ? xstrdup(addr) : NULL;
	w->message = xstrdup(buf);
}

/* The worse of two verdicts for a domain or host: fail > unknown > warn. */
static enum check_verdict
worse(enum check_verdict a, enum check_verdict b)
{
	static const int rank[] = {
		[CHECK_PASS] = 0, [CHECK_WARN] = 1, [CHECK_UNAUTH] = 2,
		[CHECK_NONE] = 2, [CHECK_UNKNOWN] = 3, [CHECK_FAIL] = 4,
	};

	return rank[b] > rank[a] ? b : a;
}

static void
judge_addr(struct mtasts_addr *ma, const struct check_addr *a,
	const char *host, X509_STORE *store, time_t now)
{
	const struct probe_result *pr = a->probe;
	char why[300];

	ma->address = xstrdup(a->address);
	ma->dane_ok = pr != NULL && pr->dane_ok;
	if (pr == NULL) {
		ma->verdict = a->timed_out ? CHECK_UNKNOWN : CHECK_FAIL;
		ma->why = xstrdup(a->timed_out ? "not probed before the "
		    "deadline" : a->probe_error != NULL ? a->probe_error :
		    "not probed");
		return;
	}
	if (pr->status != PROBE_OK) {
		ma->verdict = pr->status == PROBE_TIMEOUT ? CHECK_UNKNOWN :
		    CHECK_FAIL;
		ma->why = xasprintf("no TLS: %s", pr->detail != NULL ?
		    pr->detail : "the probe failed");
		return;
	}
	if (mtasts_pkix_verify(store, pr->chain, host, now, why,
	    sizeof(why)) < 0) {
		ma->verdict = CHECK_FAIL;
		ma->why = xstrdup(why);
		return;
	}
	ma->verdict = CHECK_PASS;
	ma->why = xasprintf("PKIX-valid for %s", host);
}

static void
judge_host(struct mtasts_result *m, struct mtasts_host *mh,
	const struct check_host *ch, X509_STORE *store, time_t now)
{
	const char *pat;
	size_t i;

	mh->name = xstrdup(ch->mx->name);
	pat = mtasts_policy_match(m->policy, mh->name);
	mh->pattern = pat != NULL ? xstrdup(pat) : NULL;
	mh->addrs = xcalloc(ch->naddrs + 1, sizeof(*mh->addrs));
	mh->naddrs = ch->naddrs;
	mh->verdict = CHECK_PASS;
	for (i = 0; i < ch->naddrs; i++) {
		struct mtasts_addr *ma = &mh->addrs[i];

		judge_addr(ma, &ch->addrs[i], mh->name, store, now);
		mh->verdict = worse(mh->verdict, ma->verdict);
		if (ma->dane_ok && ma->verdict == CHECK_FAIL)
			warn_add(m, "dane-sts-conflict", mh->name, ma->address,
			    "%s [%s] passes DANE but fails MTA-STS (%s): "
			    "senders that use MTA-STS and not DANE will %s",
			    mh->name, ma->address, ma->why,
			    m->policy->mode == MTASTS_MODE_ENFORCE ?
			    "not deliver there" : "report failures");
	}
	if (pat == NULL) {
		mh->verdict = CHECK_FAIL;
		mh->why = xasprintf("no mx pattern of the policy matches %s",
		    mh->name);
	} else if (ch->naddrs == 0) {
		mh->verdict = ch->mx->dane == MX_DANE_NOADDR ? CHECK_FAIL :
		    CHECK_UNKNOWN;
		mh->why = xasprintf("matches %s; not probed: %s", pat,
		    ch->mx->why != NULL ? ch->mx->why : "no addresses");
	} else if (mh->verdict == CHECK_PASS)
		mh->why = xasprintf("matches %s; every address PKIX-valid", pat);
	else
		mh->why = xasprintf("matches %s; %s", pat, mh->verdict ==
		    CHECK_FAIL ? "an address fails" : "an address could not be "
		    "checked");
}

/* The record and the policy: 1 when the hosts are to be judged. */
static int
judge_policy(struct mtasts_result *m)
{
	if (m->sts.error != NULL) {
		m->verdict = CHECK_UNKNOWN;
		m->summary = xstrdup(m->sts.error);
	} else if (m->sts.sel == MTASTS_SEL_NONE) {
		m->verdict = CHECK_NONE;
		m->summary = xasprintf("no MTA-STS (no v=STSv1 TXT record at "
		    "%s)", m->sts.name);
	} else if (m->sts.sel != MTASTS_SEL_ONE) {
		m->verdict = CHECK_FAIL;
		m->summary = xasprintf("%s: senders take the domain to have no "
		    "MTA-STS", m->sts.sel_error);
	} else if (m->policy_error != NULL) {
		m->verdict = m->policy_temp ? CHECK_UNKNOWN : CHECK_FAIL;
		m->summary = xasprintf("the TXT record announces a policy, but "
		    "%s", m->policy_error);
	} else if (m->policy == NULL) {
		m->verdict = CHECK_UNKNOWN;
		m->summary = xstrdup("the policy was not fetched");
	} else if (m->policy->mode == MTASTS_MODE_NONE) {
		m->verdict = CHECK_NONE;
		m->summary = xstrdup("policy mode none: MTA-STS is withdrawn");
	} else
		return 1;
	return 0;
}

static void
judge_warnings(struct mtasts_result *m)
{
	if (m->policy->max_age < MTASTS_MAX_AGE_SHORT)
		warn_add(m, "short-max-age", NULL, NULL, "max_age %ld is under "
		    "a week: senders forget the policy between visits",
		    m->policy->max_age);
	if (m->rpt.error != NULL)
		warn_add(m, "tlsrpt-error", NULL, NULL, "%s", m->rpt.error);
	else if (m->rpt.sel == MTASTS_SEL_NONE)
		warn_add(m, "no-tlsrpt", NULL, NULL, "no TLSRPT record at %s: "
		    "senders cannot report failures", m->rpt.name);
	else if (m->rpt.sel != MTASTS_SEL_ONE)
		warn_add(m, "tlsrpt-invalid", NULL, NULL, "%s",
		    m->rpt.sel_error);
}

void
mtasts_judge(struct mtasts_result *m, const struct check_result *dane,
	X509_STORE *store, time_t now)
{
	size_t i, hosts_ok = 0, addrs = 0, addrs_ok = 0;
	enum check_verdict v = CHECK_PASS;

	m->judged = 1;
	if (!judge_policy(m))
		return;
	if (dane == NULL || dane->mx == NULL) {
		m->verdict = CHECK_UNKNOWN;
		m->summary = xstrdup("the MX hosts are not known (DNS did not "
		    "answer in time)");
		return;
	}
	if (dane->mx->null_mx || dane->nhosts == 0) {
		m->verdict = CHECK_FAIL;
		m->summary = xasprintf("an MTA-STS policy, but %s",
		    dane->mx->null_mx ? "a null MX: the domain takes no mail" :
		    "no MX host could be found");
		return;
	}
	m->hosts = xcalloc(dane->nhosts, sizeof(*m->hosts));
	m->nhosts = dane->nhosts;
	for (i = 0; i < dane->nhosts; i++) {
		judge_host(m, &m->hosts[i], &dane->hosts[i], store, now);
		v = worse(v, m->hosts[i].verdict);
		hosts_ok += m->hosts[i].verdict == CHECK_PASS;
		addrs += m->hosts[i].naddrs;
		for (size_t j = 0; j < m->hosts[i].naddrs; j++)
			addrs_ok += m->hosts[i].addrs[j].verdict == CHECK_PASS;
	}
	judge_warnings(m);
	if (v == CHECK_PASS && (m->policy->mode == MTASTS_MODE_TESTING ||
	    m->nwarnings > 0))
		v = CHECK_WARN;
	m->verdict = v;
	m->summary = xasprintf("mode %s: %zu of %zu MX host(s) matched and "
	    "valid, %zu of %zu address(es) PKIX-valid%s",
	    mtasts_mode_name(m->policy->mode), hosts_ok, m->nhosts, addrs_ok,
	    addrs, m->policy->mode == MTASTS_MODE_TESTING && v != CHECK_PASS ?
	    " (testing: senders deliver anyway and report)" : "");
}
