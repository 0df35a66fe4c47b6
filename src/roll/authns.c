/*
 * authns - ask every authoritative server directly (ldns, synchronous).
 */
#include "roll/authns.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "tlsa/tlsa.h"
#include "util/xalloc.h"

#define AUTHNS_MAX_ADDRS        32
#define AUTHNS_TIMEOUT_S        3

/* An ldns resolver for one "IP[@PORT]", recursive or not. */
static ldns_resolver *
authns_resolver(const char *spec, int recursive)
{
	ldns_resolver *r = NULL;
	ldns_rdf *ns;
	char ip[INET6_ADDRSTRLEN + 1];
	const char *at;
	struct in6_addr a6;
	uint16_t port = 53;
	size_t len;

	if (spec == NULL) {
		if (ldns_resolver_new_frm_file(&r, NULL) != LDNS_STATUS_OK)
			return NULL;
	} else {
		at = strchr(spec, '@');
		len = at != NULL ? (size_t)(at - spec) : strlen(spec);
		if (len >= sizeof(ip))
			return NULL;
		memcpy(ip, spec, len);
		ip[len] = '\0';
		if (at != NULL)
			port = (uint16_t)atoi(at + 1);
		ns = ldns_rdf_new_frm_str(inet_pton(AF_INET6, ip, &a6) == 1 ?
		    LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A, ip);
		if (ns == NULL || (r = ldns_resolver_new()) == NULL) {
			ldns_rdf_deep_free(ns);
			return NULL;
		}
		ldns_resolver_push_nameserver(r, ns);
		ldns_rdf_deep_free(ns);
		ldns_resolver_set_port(r, port);
	}
	ldns_resolver_set_recursive(r, recursive);
	ldns_resolver_set_dnssec(r, 0);
	ldns_resolver_set_timeout(r, (struct timeval){ AUTHNS_TIMEOUT_S, 0 });
	ldns_resolver_set_retry(r, 2);
	return r;
}

static ldns_pkt *
authns_ask(ldns_resolver *r, const char *name, ldns_rr_type type)
{
	ldns_rdf *dname = ldns_dname_new_frm_str(name);
	ldns_pkt *pkt = NULL;

	if (dname == NULL)
		return NULL;
	if (ldns_resolver_send(&pkt, r, dname, type, LDNS_RR_CLASS_IN,
	    ldns_resolver_recursive(r) ? LDNS_RD : 0) != LDNS_STATUS_OK)
		pkt = NULL;
	ldns_rdf_deep_free(dname);
	return pkt;
}

static char *
authns_rdf_str(const ldns_rdf *rdf)
{
	char *s = ldns_rdf2str(rdf), *copy;
	size_t i;

	if (s == NULL)
		return NULL;
	for (i = 0; s[i] != '\0'; i++)
		s[i] = (char)tolower((unsigned char)s[i]);
	copy = xstrdup(s);
	free(s);
	return copy;
}

/* Append the addresses of name (A and AAAA) to a. */
static void
authns_addresses(struct authns *a, ldns_resolver *rec, const char *name)
{
	static const ldns_rr_type types[] = { LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA };
	ldns_rr_list *rrs;
	ldns_pkt *pkt;
	size_t t, i;

	for (t = 0; t < 2; t++) {
		if ((pkt = authns_ask(rec, name, types[t])) == NULL)
			continue;
		rrs = ldns_pkt_rr_list_by_type(pkt, types[t], LDNS_SECTION_ANSWER);
		for (i = 0; rrs != NULL && i < ldns_rr_list_rr_count(rrs) &&
		    a->naddrs < AUTHNS_MAX_ADDRS; i++) {
			a->addrs = xreallocarray(a->addrs, a->naddrs + 1,
			    sizeof(*a->addrs));
			memset(&a->addrs[a->naddrs], 0, sizeof(*a->addrs));
			a->addrs[a->naddrs].ns = xstrdup(name);
			a->addrs[a->naddrs++].addr = authns_rdf_str(
			    ldns_rr_rdf(ldns_rr_list_rr(rrs, i), 0));
		}
		ldns_rr_list_deep_free(rrs);
		ldns_pkt_free(pkt);
	}
}

/* The TLSA records of one answer as "OWNER U S M HEX". */
static void
authns_tlsa(struct authns *a, struct authns_addr *ad, const char *owner,
	ldns_pkt *pkt)
{
	ldns_rr_list *rrs;
	struct tlsa_rec *t;
	ldns_rr *rr;
	ldns_rdf *data;
	char *text;
	size_t i;

	rrs = ldns_pkt_rr_list_by_type(pkt, LDNS_RR_TYPE_TLSA,
	    LDNS_SECTION_ANSWER);
	for (i = 0; rrs != NULL && i < ldns_rr_list_rr_count(rrs); i++) {
		rr = ldns_rr_list_rr(rrs, i);
		if (ldns_rr_rd_count(rr) != 4)
			continue;
		data = ldns_rr_rdf(rr, 3);
		t = tlsa_rec_new(ldns_rdf2native_int8(ldns_rr_rdf(rr, 0)),
		    ldns_rdf2native_int8(ldns_rr_rdf(rr, 1)),
		    ldns_rdf2native_int8(ldns_rr_rdf(rr, 2)),
		    ldns_rdf_data(data), ldns_rdf_size(data));
		text = tlsa_rec_format(t);
		tlsa_rec_free(t);
		ad->recs = xreallocarray(ad->recs, ad->nrecs + 1,
		    sizeof(*ad->recs));
		ad->recs[ad->nrecs++] = xasprintf("%s %s", owner, text);
		free(text);
		if (ldns_rr_ttl(rr) > a->tlsa_ttl)
			a->tlsa_ttl = ldns_rr_ttl(rr);
	}
	ldns_rr_list_deep_free(rrs);
}

/* NULL if pkt is an authoritative answer (NOERROR or NXDOMAIN). */
static const char *
authns_bad(ldns_pkt *pkt)
{
	if (pkt == NULL)
		return "no answer";
	if (ldns_pkt_get_rcode(pkt) != LDNS_RCODE_NOERROR &&
	    ldns_pkt_get_rcode(pkt) != LDNS_RCODE_NXDOMAIN)
		return "error response";
	if (!ldns_pkt_aa(pkt))
		return "answer without the AA bit (not authoritative)";
	return NULL;
}

static void
authns_soa(struct authns *a, struct authns_addr *ad, ldns_pkt *pkt)
{
	ldns_rr_list *rrs;
	ldns_rr *soa;
	uint32_t ttl, min;

	rrs = ldns_pkt_rr_list_by_type(pkt, LDNS_RR_TYPE_SOA,
	    LDNS_SECTION_ANSWER);
	if (rrs == NULL || ldns_rr_list_rr_count(rrs) < 1 ||
	    ldns_rr_rd_count(soa = ldns_rr_list_rr(rrs, 0)) != 7) {
		ad->error = xasprintf("%s (%s): no SOA for %s", ad->ns, ad->addr,
		    a->zone);
		ldns_rr_list_deep_free(rrs);
		return;
	}
	ttl = ldns_rr_ttl(soa);
	min = ldns_rdf2native_int32(ldns_rr_rdf(soa, 6));
	if ((ttl < min ? ttl : min) > a->neg_ttl || a->soa_min == 0) {
		a->neg_ttl = ttl < min ? ttl : min;
		a->soa_ttl = ttl;       /* where it comes from, for messages */
		a->soa_min = min;
	}
	ldns_rr_list_deep_free(rrs);
}

static void
authns_ask_addr(struct authns *a, struct authns_addr *ad, char *const *owners,
	size_t nowners)
{
	ldns_resolver *r = authns_resolver(ad->addr, 0);
	const char *why;
	ldns_pkt *pkt;
	size_t i;

	if (r == NULL) {
		ad->error = xasprintf("%s (%s): bad address", ad->ns, ad->addr);
		return;
	}
	pkt = authns_ask(r, a->zone, LDNS_RR_TYPE_SOA);
	if ((why = authns_bad(pkt)) != NULL)
		ad->error = xasprintf("%s (%s): SOA %s: %s", ad->ns, ad->addr,
		    a->zone, why);
	else
		authns_soa(a, ad, pkt);
	ldns_pkt_free(pkt);
	for (i = 0; ad->error == NULL && i < nowners; i++) {
		pkt = authns_ask(r, owners[i], LDNS_RR_TYPE_TLSA);
		if ((why = authns_bad(pkt)) != NULL)
			ad->error = xasprintf("%s (%s): TLSA %s: %s", ad->ns,
			    ad->addr, owners[i], why);
		else
			authns_tlsa(a, ad, owners[i], pkt);
		ldns_pkt_free(pkt);
	}
	ldns_resolver_deep_free(r);
}

struct authns *
authns_query(const char *zone, char *const *owners, size_t nowners,
	const char *resolver, struct err *e)
{
	struct authns *a = xcalloc(1, sizeof(*a));
	ldns_resolver *rec = authns_resolver(resolver, 1);
	ldns_rr_list *ns = NULL;
	ldns_pkt *pkt = NULL;
	char *name;
	size_t i;

	a->zone = xstrdup(zone);
	if (rec == NULL) {
		err_set(e, ERR_INPUT, "resolver %s: cannot use it",
		    resolver != NULL ? resolver : "from /etc/resolv.conf");
		goto fail;
	}
	if ((pkt = authns_ask(rec, zone, LDNS_RR_TYPE_NS)) == NULL ||
	    (ns = ldns_pkt_rr_list_by_type(pkt, LDNS_RR_TYPE_NS,
	    LDNS_SECTION_ANSWER)) == NULL) {
		err_set(e, ERR_NETWORK, "%s: cannot find its NS set", zone);
		goto fail;
	}
	for (i = 0; i < ldns_rr_list_rr_count(ns); i++) {
		name = authns_rdf_str(ldns_rr_rdf(ldns_rr_list_rr(ns, i), 0));
		if (name != NULL)
			authns_addresses(a, rec, name);
		free(name);
	}
	if (a->naddrs == 0) {
		err_set(e, ERR_NETWORK, "%s: no address for any of its name "
		    "servers", zone);
		goto fail;
	}
	for (i = 0; i < a->naddrs; i++)
		authns_ask_addr(a, &a->addrs[i], owners, nowners);
	ldns_rr_list_deep_free(ns);
	ldns_pkt_free(pkt);
	ldns_resolver_deep_free(rec);
	return a;
fail:
	ldns_rr_list_deep_free(ns);
	ldns_pkt_free(pkt);
	if (rec != NULL)
		ldns_resolver_deep_free(rec);
	authns_free(a);
	return NULL;
}

int
authns_served(const struct authns *a, const char *const *recs, size_t n)
{
	size_t i, j, k;

	if (a == NULL || a->naddrs == 0)
		return 0;
	for (i = 0; i < a->naddrs; i++) {
		if (a->addrs[i].error != NULL)
			return 0;
		for (j = 0; j < n; j++) {
			for (k = 0; k < a->addrs[i].nrecs; k++)
				if (strcmp(a->addrs[i].recs[k], recs[j]) == 0)
					break;
			if (k == a->addrs[i].nrecs)
				return 0;
		}
	}
	return 1;
}

void
authns_free(struct authns *a)
{
	size_t i, j;

	if (a == NULL)
		return;
	for (i = 0; i < a->naddrs; i++) {
		free(a->addrs[i].ns);
		free(a->addrs[i].addr);
		free(a->addrs[i].error);
		for (j = 0; j < a->addrs[i].nrecs; j++)
			free(a->addrs[i].recs[j]);
		free(a->addrs[i].recs);
	}
	free(a->addrs);
	free(a->zone);
	free(a);
}
