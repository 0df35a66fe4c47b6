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
#include <ldns/ldns.h>
#include <unbound-event.h>
#include <unbound.h>

#include "dns/dns_answer.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

#define RUA_TYPE_TXT    16
#define RUA_TXT_MAX     4096    /* one record's strings joined */

struct rua_answer {
	struct event_base *base;
	int done;
	int rcode, sec;
	uint8_t *pkt;
	size_t len;
	char why[256];
};

static void
rua_cb(void *arg, int rcode, void *packet, int len, int sec, char *why,
	int ratelimited)
{
	struct rua_answer *a = arg;

	(void)ratelimited;
	a->done = 1;
	a->rcode = rcode;
	a->sec = sec;
	if (packet != NULL && len > 0)
		a->pkt = xmemdup(packet, (size_t)len);
	a->len = len > 0 ? (size_t)len : 0;
	snprintf(a->why, sizeof(a->why), "%s", why != NULL ? why : "");
	/* libunbound keeps events of its own: the loop never runs dry. */
	if (a->base != NULL)
		event_base_loopbreak(a->base);
}

/* "IP[@PORT]" with the port libunbound wants spelled out. */
static char *
rua_addr(const char *s)
{
	return strchr(s, '@') != NULL ? xstrdup(s) : xasprintf("%s@53", s);
}

static int
rua_transparent(struct ub_ctx *ctx, const char *zone)
{
	size_t n = strlen(zone);
	char *v = xasprintf("%s%s transparent", zone,
	    n > 0 && zone[n - 1] == '.' ? "" : ".");
	int rc = ub_ctx_set_option(ctx, "local-zone:", v);

	free(v);
	return rc;
}

/* The same settings dns/resolver applies (see resolver.h). */
static int
rua_configure(struct ub_ctx *ctx, const struct resolver_opts *o,
	struct err *e)
{
	char zone[DNS_NAME_MAX], *addr;
	const char *eq;
	size_t i;
	int rc = 0;

	if (o->conf_file != NULL && ub_ctx_config(ctx, o->conf_file) != 0)
		return err_set(e, ERR_INPUT, "%s: unusable", o->conf_file);
	if (o->ntrust_anchors == 0)
		rc = ub_ctx_add_ta_file(ctx, RESOLVER_ROOT_ANCHOR);
	for (i = 0; rc == 0 && i < o->ntrust_anchors; i++)
		if ((rc = ub_ctx_add_ta_file(ctx, o->trust_anchors[i])) != 0)
			return err_set(e, ERR_INPUT, "%s: %s",
			    o->trust_anchors[i], ub_strerror(rc));
	if (rc == 0 && o->ntrust_anchors > 0)
		rc = rua_transparent(ctx, "test");
	for (i = 0; rc == 0 && i < o->nstubs; i++) {
		if ((eq = strchr(o->stubs[i], '=')) == NULL ||
		    (size_t)(eq - o->stubs[i]) >= sizeof(zone))
			return err_set(e, ERR_USAGE, "stub '%.80s': want "
			    "ZONE=IP[@PORT]", o->stubs[i]);
		snprintf(zone, sizeof(zone), "%.*s", (int)(eq - o->stubs[i]),
		    o->stubs[i]);
		addr = rua_addr(eq + 1);
		rc = ub_ctx_set_stub(ctx, zone, addr, 0);
		free(addr);
		if (rc == 0)
			rc = rua_transparent(ctx, zone);
	}
	if (rc == 0 && o->forwarder != NULL) {
		addr = rua_addr(o->forwarder);
		rc = ub_ctx_set_fwd(ctx, addr);
		free(addr);
	}
	if (rc != 0)
		return err_set(e, ERR_USAGE, "resolver options: %s",
		    ub_strerror(rc));
	return 0;
}

/* The TXT records of name in the answer, each one's strings joined. */
static void
rua_txts(const struct rua_answer *a, const char *name, struct rua_txt *t)
{
	ldns_pkt *pkt = NULL;
	ldns_rr_list *list;
	ldns_rdf *owner = ldns_dname_new_frm_str(name);
	const ldns_rr *rr;
	const ldns_rdf *f;
	struct sbuf b;
	size_t i, k;

	if (owner == NULL || ldns_wire2pkt(&pkt, a->pkt, a->len) !=
	    LDNS_STATUS_OK) {
		ldns_rdf_deep_free(owner);
		return;
	}
	list = ldns_pkt_answer(pkt);
	for (i = 0; i < ldns_rr_list_rr_count(list) && t->n < RUA_MAX_TXT;
	    i++) {
		rr = ldns_rr_list_rr(list, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT ||
		    ldns_dname_compare(ldns_rr_owner(rr), owner) != 0)
			continue;
		sbuf_init(&b, RUA_TXT_MAX);
		for (k = 0; k < ldns_rr_rd_count(rr); k++) {
			f = ldns_rr_rdf(rr, k);
			/* A character-string: a length byte, then the text. */
			if (ldns_rdf_size(f) > 0)
				(void)sbuf_add(&b, ldns_rdf_data(f) + 1,
				    ldns_rdf_size(f) - 1);
		}
		t->v[t->n++] = sbuf_steal(&b, NULL);
	}
	ldns_pkt_free(pkt);
	ldns_rdf_deep_free(owner);
}

int
rua_lookup(const char *domain, const struct resolver_opts *ro, int timeout,
	struct rua_txt *t, struct err *e)
{
	struct rua_answer a;
	struct event_base *base;
	struct ub_ctx *ctx = NULL;
	struct timeval tv = { .tv_sec = timeout, .tv_usec = 0 };
	char *name = xasprintf("_smtp._tls.%s", domain);
	int rc = -1;

	memset(t, 0, sizeof(*t));
	memset(&a, 0, sizeof(a));
	if ((base = event_base_new()) == NULL ||
	    (ctx = ub_ctx_create_event(base)) == NULL) {
		err_set(e, ERR_SYSTEM, "cannot set up DNS");
		goto out;
	}
	if (rua_configure(ctx, ro, e) == -1)
		goto out;
	a.base = base;
	if (ub_resolve_event(ctx, name, RUA_TYPE_TXT, 1, &a, rua_cb,
	    NULL) != 0) {
		err_set(e, ERR_USAGE, "%s: cannot ask", name);
		goto out;
	}
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	if (!a.done)
		err_set(e, ERR_NETWORK, "%s TXT: no answer within %d s", name,
		    timeout);
	else if (a.sec == DNS_SEC_BOGUS)
		err_set(e, ERR_NETWORK, "%s TXT: bogus (%s)", name, a.why);
	else if (a.rcode != 0 && a.rcode != 3)
		err_set(e, ERR_NETWORK, "%s TXT: rcode %d", name, a.rcode);
	else {
		t->secure = a.sec == DNS_SEC_SECURE;
		if (a.rcode == 0 && a.pkt != NULL)
			rua_txts(&a, name, t);
		rc = 0;
	}
out:
	/* Pending callbacks run inside ub_ctx_delete; a is still alive. */
	a.base = NULL;
	if (ctx != NULL)
		ub_ctx_delete(ctx);
	if (base != NULL)
		event_base_free(base);
	free(a.pkt);
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

/* 1 for a pipe into "daneops report ingest" (any path to daneops). */
static int
rua_is_ingest(const char *cmd)
{
	const char *d = strstr(cmd, "daneops");
	const char *r = d != NULL ? strstr(d, " report") : NULL;

	return r != NULL && strstr(r, " ingest") != NULL;
}

static void
rua_follow(struct aliasmap *am, const char *domain, const char *addr,
	struct findings *f)
{
	struct alias_resolution r;
	const char *at = strrchr(addr, '@');
	size_t i, good = 0;
	char fix[1024];

	if (at == NULL || (!host_is_local_domain(am->h, at + 1) &&
	    strcasecmp(at + 1, "localhost") != 0)) {
		findings_add(f, FINDING_INFO, "rua-remote", addr,
		    "make sure that mailbox is read, or point rua at a "
		    "local address", "the TLS reports of %s go to %s, not a "
		    "domain of this host (mydestination): not followed",
		    domain, addr);
		return;
	}
	aliases_resolve(&am->env, addr, &r);
	aliasmap_report(am, f, addr, &r, "TLS reports are lost");
	for (i = 0; i < r.nleaves; i++) {
		switch (r.leaves[i].kind) {
		case ALIAS_PIPE:
			if (rua_is_ingest(r.leaves[i].what))
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
		snprintf(fix, sizeof(fix), "add \"%.*s: \\\"|/usr/bin/daneops "
		    "report ingest\\\"\" to %s, then run newaliases",
		    (int)(at - addr), addr, am->main_path != NULL ?
		    am->main_path : "/etc/aliases");
		findings_add(f, FINDING_ERROR, "rua-unreachable", addr, fix,
		    "%s (the rua of _smtp._tls.%s) reaches no mailbox and no "
		    "daneops report ingest pipe", addr, domain);
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
		    "rua=mailto:tls-reports@%s\" and alias tls-reports to "
		    "\"|/usr/bin/daneops report ingest\"", subj, domain);
		findings_add(f, FINDING_INFO, "tlsrpt-missing", subj, fix,
		    "no TLSRPT record: senders send %s no TLS reports", domain);
	} else if (!t->secure)
		findings_add(f, FINDING_INFO, "tlsrpt-insecure", subj,
		    "sign the zone (DNSSEC)", "the TLSRPT record is not "
		    "DNSSEC-signed");
}
