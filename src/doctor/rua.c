/*
 * rua - the TLSRPT record's report addresses, followed locally.
 */
#include "doctor/rua.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>

#include "dns/dns_answer.h"
#include "doctor/ingest.h"
#include "util/xalloc.h"

static void
rua_answer_cb(void *arg, struct dns_answer *ans)
{
	struct dns_answer **slot = arg;

	*slot = ans;
}

/* The records of a usable answer into t (secure, and each TXT). */
static int
rua_take(const struct dns_answer *a, const char *name, int timeout,
	struct rua_txt *t, struct err *e)
{
	size_t i;

	if (a->sec == DNS_SEC_BOGUS)
		return err_set(e, ERR_NETWORK, "%s TXT: bogus (%s)", name,
		    a->why);
	switch (a->status) {
	case DNS_OK:
		for (i = 0; i < a->nrr && t->n < RUA_MAX_TXT; i++)
			if (a->rr[i].txt != NULL)
				t->v[t->n++] = xstrdup(a->rr[i].txt);
		break;
	case DNS_NODATA:
	case DNS_NXDOMAIN:
		break;
	case DNS_TIMEOUT:
		return err_set(e, ERR_NETWORK, "%s TXT: no answer within %d s",
		    name, timeout);
	default:
		return err_set(e, ERR_NETWORK, "%s TXT: %s", name,
		    a->why != NULL ? a->why : dns_status_name(a->status));
	}
	t->secure = a->sec == DNS_SEC_SECURE;
	return 0;
}

int
rua_lookup(const char *domain, const struct resolver_opts *ro, int timeout,
	struct rua_txt *t, struct err *e)
{
	struct resolver_opts o = *ro;
	struct dns_answer *ans = NULL;
	struct event_base *base;
	struct resolver *r = NULL;
	char *name = xasprintf("_smtp._tls.%s", domain);
	int rc = -1;

	memset(t, 0, sizeof(*t));
	o.query_ms = timeout * 1000;
	if ((base = event_base_new()) == NULL) {
		err_set(e, ERR_SYSTEM, "cannot create an event loop");
		goto out;
	}
	if ((r = resolver_new(base, &o, e)) == NULL ||
	    resolver_query(r, name, DNS_TYPE_TXT, rua_answer_cb, &ans,
	    e) == NULL)
		goto out;
	event_base_dispatch(base);
	if (ans == NULL)
		err_set(e, ERR_INTERNAL, "%s TXT: the loop ended unanswered",
		    name);
	else
		rc = rua_take(ans, name, timeout, t, e);
out:
	dns_answer_free(ans);
	resolver_free(r);
	if (base != NULL)
		event_base_free(base);
	free(name);
	return rc;
}

void
rua_txt_free(struct rua_txt *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	t->n = 0;
}

/* "%40" and friends in a mailto: URI. */
static char *
rua_unescape(const char *s, size_t len)
{
	char *out = xmalloc(len + 1), hex[3] = { 0 };
	size_t i, j = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len &&
		    isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			hex[0] = s[i + 1];
			hex[1] = s[i + 2];
			out[j++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else
			out[j++] = s[i];
	}
	out[j] = '\0';
	return out;
}

int
rua_parse(const char *txt, char **addrs, size_t max)
{
	const char *p, *uri;
	size_t n = 0, len;

	p = txt + strspn(txt, " \t");
	if (strncmp(p, "v=TLSRPTv1", 10) != 0 ||
	    (p[10] != ';' && p[10] != ' ' && p[10] != '\t' && p[10] != '\0'))
		return -1;
	while ((p = strchr(p, ';')) != NULL) {
		p++;
		p += strspn(p, " \t");
		if (strncmp(p, "rua=", 4) != 0)
			continue;
		for (uri = p + 4; *uri != '\0' && *uri != ';' && n < max;) {
			uri += strspn(uri, " \t,");
			len = strcspn(uri, ",; \t");
			if (len > 7 && strncasecmp(uri, "mailto:", 7) == 0)
				addrs[n++] = rua_unescape(uri + 7,
				    strcspn(uri + 7, ",;? \t"));
			if (len == 0)
				break;
			uri += len;
		}
	}
	return (int)n;
}

static void
rua_follow(struct aliasmap *am, const char *domain, const char *addr,
	struct findings *f)
{
	struct alias_resolution r;
	const char *at = strrchr(addr, '@');
	size_t i, good = 0;
	char *fix;

	if (at == NULL || (!host_is_local_domain(am->h, at + 1) &&
	    strcasecmp(at + 1, "localhost") != 0)) {
		findings_add(f, FINDING_INFO, "rua-remote", addr,
		    "make sure that mailbox is read, or point rua at a "
		    "local address", "the TLS reports of %s go to %s, not a "
		    "domain of this host (mydestination): not followed",
		    domain, addr);
		return;
	}
	/* The pipe(8) transport of docs/report.md; ingest.c checks it. */
	if (ingest_routed(am->h, addr))
		return;
	aliases_resolve(&am->env, addr, &r);
	aliasmap_report(am, f, addr, &r, "TLS reports are lost");
	for (i = 0; i < r.nleaves; i++) {
		switch (r.leaves[i].kind) {
		case ALIAS_PIPE:
			if (ingest_is_cmd(r.leaves[i].what))
				good++;
			else
				findings_add(f, FINDING_INFO, "rua-pipe", addr,
				    "pipe it to \"daneops report ingest\" to keep "
				    "and summarise the reports",
				    "TLS reports go to \"|%s\", not daneops report "
				    "ingest", r.leaves[i].what);
			break;
		case ALIAS_MAILBOX:
		case ALIAS_FILE:
		case ALIAS_REMOTE:
			good++;
			break;
		default:
			break;
		}
	}
	if (good == 0) {
		fix = ingest_setup(am->h, addr);
		findings_add(f, FINDING_ERROR, "rua-unreachable", addr, fix,
		    "%s (the rua of _smtp._tls.%s) reaches no mailbox and no "
		    "daneops report ingest pipe", addr, domain);
		free(fix);
	}
	alias_resolution_free(&r);
}

void
rua_check(struct aliasmap *am, const char *domain, const struct rua_txt *t,
	struct findings *f)
{
	char *addrs[RUA_MAX_ADDRS], fix[600], subj[300];
	size_t i, k, records = 0;
	int n;

	snprintf(subj, sizeof(subj), "_smtp._tls.%s", domain);
	for (i = 0; i < t->n; i++) {
		if ((n = rua_parse(t->v[i], addrs, RUA_MAX_ADDRS)) < 0)
			continue;
		records++;
		for (k = 0; k < (size_t)n; k++) {
			rua_follow(am, domain, addrs[k], f);
			free(addrs[k]);
		}
	}
	if (records == 0) {
		snprintf(fix, sizeof(fix), "publish %s TXT \"v=TLSRPTv1; "
		    "rua=mailto:tls-reports@%s\" and route that address to "
		    "daneops report ingest (docs/report.md)", subj, domain);
		findings_add(f, FINDING_INFO, "tlsrpt-missing", subj, fix,
		    "no TLSRPT record: senders send %s no TLS reports", domain);
	} else if (!t->secure)
		findings_add(f, FINDING_INFO, "tlsrpt-insecure", subj,
		    "sign the zone (DNSSEC)", "the TLSRPT record is not "
		    "DNSSEC-signed");
}
