/*
 * sts - MTA-STS against the local configuration (see sts.h).
 */
#include "doctor/sts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "dns/dns_answer.h"
#include "mtasts/mtasts.h"
#include "mtasts/pkix.h"
#include "tlsa/certsrc.h"
#include "util/xalloc.h"

#define STS_CHAIN_MAX (1024 * 1024)

struct sts_live {
	struct mtasts_result *m;
	struct dns_answer *mx;
};

static void
sts_done_cb(void *arg, struct mtasts_result *m)
{
	((struct sts_live *)arg)->m = m;
}

static void
sts_mx_cb(void *arg, struct dns_answer *a)
{
	((struct sts_live *)arg)->mx = a;
}

/* The records, the policy and the MX answer, on a loop of our own. */
static int
sts_lookup(const char *domain, const struct sts_opts *o, struct sts_live *l,
	struct err *e)
{
	struct resolver_opts ro = *o->ro;
	struct mtasts_opts mo = { o->ca_file, o->timeout * 1000, 0, 0 };
	struct event_base *base;
	struct resolver *r = NULL;
	struct mtasts_job *j = NULL;
	int rc = -1;

	ro.query_ms = o->timeout * 1000;
	if ((base = event_base_new()) == NULL)
		return err_set(e, ERR_SYSTEM, "cannot create an event loop");
	if ((r = resolver_new(base, &ro, e)) == NULL ||
	    resolver_query(r, domain, DNS_TYPE_MX, sts_mx_cb, l, e) == NULL ||
	    (j = mtasts_start(base, r, domain, &mo, sts_done_cb, l,
	    e)) == NULL)
		goto out;
	event_base_dispatch(base);
	if (l->m == NULL || l->mx == NULL)
		err_set(e, ERR_INTERNAL, "%s: the loop ended unanswered", domain);
	else
		rc = 0;
out:
	if (l->m == NULL)
		mtasts_cancel(j);
	resolver_free(r);
	event_base_free(base);
	return rc;
}

/* "_25._tcp.mx.example.org." -> "mx.example.org"; NULL when not so. */
static char *
sts_owner_host(const char *owner)
{
	const char *p = owner;
	size_t n;

	if (p[0] != '_' || (p = strchr(p, '.')) == NULL ||
	    strncmp(p, "._tcp.", 6) != 0)
		return NULL;
	p += 6;
	n = strlen(p);
	if (n > 0 && p[n - 1] == '.')
		n--;
	return n > 0 ? xstrndup(p, n) : NULL;
}

static void
sts_match(const struct mtasts_result *m, const char *host, const char *why,
	struct findings *f)
{
	char fix[600];

	if (mtasts_policy_match(m->policy, host) != NULL)
		return;
	snprintf(fix, sizeof(fix), "add \"mx: %s\" to the policy at %s and "
	    "publish a new id in %s", host, m->url, m->sts.name);
	findings_add(f, FINDING_ERROR, "sts-mx-unmatched", host, fix,
	    "%s (%s) matches no mx pattern of %s's MTA-STS policy: senders "
	    "%s", host, why, m->domain, m->policy->mode == MTASTS_MODE_ENFORCE ?
	    "that enforce it will not deliver there" : "report failures");
}

/* Each lineage's deployed chain, for each host of its TLSA owners. */
static void
sts_certs(const struct mtasts_result *m, const struct conf *c,
	X509_STORE *store, struct findings *f)
{
	struct certsrc *cs;
	struct err e;
	char why[300], fix[600], *host;
	size_t i, k;

	for (i = 0; c != NULL && i < c->nlineages; i++) {
		const struct conf_lineage *l = &c->lineages[i];

		if (l->deploy_chain == NULL)
			continue;
		if ((cs = certsrc_load(l->deploy_chain, STS_CHAIN_MAX, &e)) ==
		    NULL || cs->chain == NULL) {
			findings_unchecked(f, "mta-sts", "%s", cs == NULL ? e.msg :
			    "no certificates");
			certsrc_free(cs);
			continue;
		}
		for (k = 0; k < l->nowners; k++) {
			if ((host = sts_owner_host(l->owners[k])) == NULL)
				continue;
			sts_match(m, host, "a TLSA owner of this host", f);
			if (mtasts_pkix_verify(store, cs->chain, host, time(NULL),
			    why, sizeof(why)) < 0) {
				snprintf(fix, sizeof(fix), "deploy a certificate "
				    "from a public CA for %s (DANE-EE records may "
				    "stay as they are)", host);
				findings_add(f, FINDING_ERROR, "sts-cert-invalid",
				    l->deploy_chain, fix, "lineage %s: %s for %s: "
				    "%s; MTA-STS needs it for %s", l->name,
				    l->deploy_chain, host, why, m->domain);
			}
			free(host);
		}
		certsrc_free(cs);
	}
}

/* Findings once the policy is known and usable. */
static void
sts_judge(const struct mtasts_result *m, const struct dns_answer *mx,
	const struct host *h, const struct conf *c, X509_STORE *store,
	struct findings *f)
{
	size_t i;

	if (m->policy->mode == MTASTS_MODE_TESTING)
		findings_add(f, FINDING_INFO, "sts-testing", m->domain,
		    "change mode to enforce once the TLS reports are clean",
		    "%s's MTA-STS policy is in mode testing: senders deliver "
		    "even when it fails", m->domain);
	for (i = 0; mx->status == DNS_OK && i < mx->nrr; i++)
		if (mx->rr[i].name != NULL && strcmp(mx->rr[i].name, ".") != 0)
			sts_match(m, mx->rr[i].name, "an MX record", f);
	if (h->postfix && h->myhostname != NULL &&
	    strchr(h->myhostname, '.') != NULL)
		sts_match(m, h->myhostname, "Postfix's myhostname", f);
	sts_certs(m, c, store, f);
}

int
sts_check(const char *domain, const struct host *h, const struct conf *c,
	const struct sts_opts *o, struct findings *f, struct err *e)
{
	struct sts_live l = { NULL, NULL };
	X509_STORE *store;
	const struct mtasts_result *m;
	int rc;

	if ((store = mtasts_store_new(o->ca_file, e)) == NULL)
		return -1;
	if (sts_lookup(domain, o, &l, e) < 0) {
		X509_STORE_free(store);
		mtasts_result_free(l.m);
		dns_answer_free(l.mx);
		return -1;
	}
	m = l.m;
	if (m->sts.error != NULL)
		err_set(e, ERR_NETWORK, "%s", m->sts.error);
	else if (m->sts.sel == MTASTS_SEL_NONE)
		;       /* MTA-STS is optional: nothing to compare */
	else if (m->sts.sel != MTASTS_SEL_ONE)
		findings_add(f, FINDING_ERROR, "sts-txt-invalid", m->sts.name,
		    "publish exactly one record \"v=STSv1; id=...\" (1-32 letters "
		    "and digits)", "%s", m->sts.sel_error);
	else if (m->policy == NULL)
		findings_add(f, FINDING_ERROR, "sts-policy-unusable", m->url,
		    "serve the policy there over HTTPS with a public CA's "
		    "certificate, as text/plain, without redirects",
		    "%s announces a policy, but %s", m->sts.name,
		    m->policy_error != NULL ? m->policy_error : "none came");
	else if (m->policy->mode != MTASTS_MODE_NONE)
		sts_judge(m, l.mx, h, c, store, f);
	rc = m->sts.error != NULL ? -1 : 0;
	X509_STORE_free(store);
	mtasts_result_free(l.m);
	dns_answer_free(l.mx);
	return rc;
}
