/*
 * dns_answer - one validated DNS answer, parsed from the wire with ldns.
 */
#include "dns/dns_answer.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <ldns/ldns.h>

#include "util/xalloc.h"

static void
dns_answer_set_why(struct dns_answer *a, const char *why)
{
	free(a->why);
	a->why = why != NULL ? xstrdup(why) : NULL;
}

struct dns_answer *
dns_answer_new_status(const char *qname, uint16_t qtype,
	enum dns_status status, const char *why)
{
	struct dns_answer *a = xcalloc(1, sizeof(*a));

	a->qname = xstrdup(qname);
	a->canon = xstrdup(qname);
	a->qtype = qtype;
	a->status = status;
	a->sec = DNS_SEC_INSECURE;
	a->rcode = -1;
	dns_answer_set_why(a, why);
	return a;
}

void
dns_answer_free(struct dns_answer *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nrr; i++) {
		free(a->rr[i].name);
		free(a->rr[i].addr);
		tlsa_rec_free(a->rr[i].tlsa);
		free(a->rr[i].txt);
	}
	free(a->rr);
	dns_sig_clear(&a->sig);
	free(a->qname);
	free(a->canon);
	free(a->why);
	free(a);
}

int
dns_name_normalize(const char *in, char *out, size_t outlen, struct err *e)
{
	size_t n, i, label = 0;

	n = strlen(in);
	if (n > 1 && in[n - 1] == '.')
		n--;
	if (n == 1 && in[0] == '.') {
		if (outlen < 2)
			return err_set(e, ERR_USAGE, "name too long");
		memcpy(out, ".", 2);
		return 0;
	}
	if (n == 0 || n > 253 || n >= outlen)
		return err_set(e, ERR_USAGE, "'%.64s': not a valid domain name",
		    in);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '.') {
			if (label == 0)
				return err_set(e, ERR_USAGE,
				    "'%.64s': empty label", in);
			label = 0;
		} else if (c <= ' ' || c >= 127 || c == '\\' || ++label > 63) {
			return err_set(e, ERR_USAGE,
			    "'%.64s': not a valid domain name", in);
		}
		out[i] = (char)tolower(c);
	}
	/* "a.b.." ends in an empty label too (found by fuzz_survey_list). */
	if (label == 0)
		return err_set(e, ERR_USAGE, "'%.64s': empty label", in);
	out[n] = '\0';
	return 0;
}

int
dns_name_equal(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

/* A wire name in normalised form; ldns escapes what is not printable. */
static char *
dns_rdf_name(const ldns_rdf *rdf)
{
	char buf[DNS_NAME_MAX], *s;
	size_t n;

	s = ldns_rdf2str(rdf);
	if (s == NULL)
		return xstrdup("?");
	if (dns_name_normalize(s, buf, sizeof(buf), NULL) == 0) {
		free(s);
		return xstrdup(buf);
	}
	/* Keep ldns's escaped form: still a valid name to query. */
	n = strlen(s);
	if (n > 1 && s[n - 1] == '.')
		s[n - 1] = '\0';
	return s;
}

/* A TXT record's character-strings (a length byte, then text) joined. */
static char *
dns_txt_join(const ldns_rr *rr)
{
	char *out = xmalloc(DNS_TXT_MAX + 1);
	const ldns_rdf *f;
	const uint8_t *d;
	size_t k, i, len, n = 0;

	for (k = 0; k < ldns_rr_rd_count(rr); k++) {
		f = ldns_rr_rdf(rr, k);
		d = ldns_rdf_data(f);
		if (ldns_rdf_size(f) == 0)
			continue;
		len = d[0] < ldns_rdf_size(f) - 1 ? d[0] : ldns_rdf_size(f) - 1;
		for (i = 0; i < len && n < DNS_TXT_MAX; i++)
			out[n++] = d[1 + i] != '\0' ? (char)d[1 + i] : '?';
	}
	out[n] = '\0';
	return xrealloc(out, n + 1);
}

/* Fill one dns_rr from an RR of the queried type; 0 on success. */
static int
dns_rr_fill(struct dns_rr *out, const ldns_rr *rr, uint16_t qtype)
{
	const ldns_rdf *f;
	char buf[INET6_ADDRSTRLEN];

	out->ttl = ldns_rr_ttl(rr);
	switch (qtype) {
	case DNS_TYPE_CNAME:
		if (ldns_rr_rd_count(rr) != 1)
			return -1;
		out->name = dns_rdf_name(ldns_rr_rdf(rr, 0));
		return 0;
	case DNS_TYPE_MX:
		if (ldns_rr_rd_count(rr) != 2)
			return -1;
		out->pref = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
		out->name = dns_rdf_name(ldns_rr_rdf(rr, 1));
		return 0;
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA:
		f = ldns_rr_rdf(rr, 0);
		if (f == NULL || ldns_rdf_size(f) !=
		    (qtype == DNS_TYPE_A ? 4u : 16u))
			return -1;
		if (inet_ntop(qtype == DNS_TYPE_A ? AF_INET : AF_INET6,
		    ldns_rdf_data(f), buf, sizeof(buf)) == NULL)
			return -1;
		out->addr = xstrdup(buf);
		return 0;
	case DNS_TYPE_TLSA:
		if (ldns_rr_rd_count(rr) < 3)
			return -1;
		f = ldns_rr_rd_count(rr) > 3 ? ldns_rr_rdf(rr, 3) : NULL;
		out->tlsa = tlsa_rec_new(
		    ldns_rdf2native_int8(ldns_rr_rdf(rr, 0)),
		    ldns_rdf2native_int8(ldns_rr_rdf(rr, 1)),
		    ldns_rdf2native_int8(ldns_rr_rdf(rr, 2)),
		    f != NULL ? ldns_rdf_data(f) : NULL,
		    f != NULL ? ldns_rdf_size(f) : 0);
		return 0;
	case DNS_TYPE_TXT:
		out->txt = dns_txt_join(rr);
		return 0;
	case DNS_TYPE_DS:
	case DNS_TYPE_DNSKEY:
		/* Only their presence and signatures are used. */
		return 0;
	default:
		return -1;
	}
}

/* Records of qtype owned by owner; 1 if any were found. */
static int
dns_collect(struct dns_answer *a, const ldns_rr_list *list,
	const ldns_rdf *owner)
{
	size_t i, n = ldns_rr_list_rr_count(list);
	int found = 0;

	for (i = 0; i < n; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(list, i);

		if (ldns_rr_get_type(rr) != a->qtype ||
		    ldns_dname_compare(ldns_rr_owner(rr), owner) != 0)
			continue;
		found = 1;
		if (a->nrr >= DNS_MAX_RRS) {
			a->ntruncated++;
			continue;
		}
		if (a->rr == NULL)
			a->rr = xcalloc(DNS_MAX_RRS, sizeof(*a->rr));
		if (dns_rr_fill(&a->rr[a->nrr], ldns_rr_list_rr(list, i),
		    a->qtype) == 0)
			a->nrr++;
		else
			memset(&a->rr[a->nrr], 0, sizeof(a->rr[0]));
	}
	return found;
}

/* The CNAME target for owner in list, or NULL. */
static const ldns_rdf *
dns_cname_of(const ldns_rr_list *list, const ldns_rdf *owner)
{
	size_t i, n = ldns_rr_list_rr_count(list);

	for (i = 0; i < n; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(list, i);

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
		    ldns_rr_rd_count(rr) == 1 &&
		    ldns_dname_compare(ldns_rr_owner(rr), owner) == 0)
			return ldns_rr_rdf(rr, 0);
	}
	return NULL;
}

/* Follow the CNAME chain from qname and collect the answer records. */
static void
dns_answer_walk(struct dns_answer *a, const ldns_pkt *pkt)
{
	const ldns_rr_list *ans = ldns_pkt_answer(pkt);
	const ldns_rdf *cur, *next;
	ldns_rdf *qrdf;

	qrdf = ldns_dname_new_frm_str(a->qname);
	if (qrdf == NULL) {
		a->status = DNS_ERROR;
		dns_answer_set_why(a, "query name not representable");
		return;
	}
	cur = qrdf;
	while (!dns_collect(a, ans, cur)) {
		next = dns_cname_of(ans, cur);
		if (next == NULL || a->ncnames >= DNS_MAX_CNAMES)
			break;
		a->ncnames++;
		cur = next;
	}
	free(a->canon);
	a->canon = dns_rdf_name(cur);
	ldns_rdf_deep_free(qrdf);
	if (a->status == DNS_OK && a->nrr == 0 && a->ntruncated == 0)
		a->status = DNS_NODATA;
}

void
dns_sig_clear(struct dns_sig *s)
{
	free(s->owner);
	free(s->signer);
	memset(s, 0, sizeof(*s));
}

void
dns_sig_copy(struct dns_sig *to, const struct dns_sig *from)
{
	dns_sig_clear(to);
	if (from->expires == 0)
		return;
	to->expires = from->expires;
	to->type = from->type;
	to->owner = xstrdup(from->owner);
	to->signer = xstrdup(from->signer);
}

/* An RRSIG's expiration, a serial number, as a time near now. */
static time_t
dns_sig_time(const ldns_rr *rr, time_t now)
{
	const ldns_rdf *f = ldns_rr_rrsig_expiration(rr);
	uint32_t t;

	if (f == NULL || ldns_rdf_size(f) != 4)
		return 0;
	t = ldns_rdf2native_int32(f);
	return now + (int32_t)(t - (uint32_t)now);
}

/* The earliest RRSIG expiration in list into a->sig. */
static void
dns_sig_scan(struct dns_answer *a, const ldns_rr_list *list, time_t now)
{
	size_t i, n = ldns_rr_list_rr_count(list);
	time_t t;

	for (i = 0; i < n; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(list, i);

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG ||
		    ldns_rr_rrsig_signame(rr) == NULL ||
		    ldns_rr_rrsig_typecovered(rr) == NULL)
			continue;
		t = dns_sig_time(rr, now);
		if (t == 0 || (a->sig.expires != 0 && t >= a->sig.expires))
			continue;
		dns_sig_clear(&a->sig);
		a->sig.expires = t;
		a->sig.type = ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr));
		a->sig.owner = dns_rdf_name(ldns_rr_owner(rr));
		a->sig.signer = dns_rdf_name(ldns_rr_rrsig_signame(rr));
	}
}

/* Status from the packet's rcode before looking at the records. */
static enum dns_status
dns_status_from_rcode(int rcode)
{
	switch (rcode) {
	case LDNS_RCODE_NOERROR:
		return DNS_OK;
	case LDNS_RCODE_NXDOMAIN:
		return DNS_NXDOMAIN;
	default:
		return DNS_SERVFAIL;
	}
}

struct dns_answer *
dns_answer_parse(const char *qname, uint16_t qtype, int rcode,
	const uint8_t *packet, size_t len, int sec, const char *why_bogus)
{
	struct dns_answer *a;
	ldns_pkt *pkt = NULL;
	char why[64];

	a = dns_answer_new_status(qname, qtype, DNS_OK, NULL);
	if (rcode != 0 || packet == NULL || len == 0) {
		a->status = DNS_SERVFAIL;
		a->rcode = rcode;
		snprintf(why, sizeof(why), "no answer (%s)",
		    ldns_lookup_by_id(ldns_rcodes, rcode) != NULL ?
		    ldns_lookup_by_id(ldns_rcodes, rcode)->name : "error");
		dns_answer_set_why(a, why);
		return a;
	}
	if (ldns_wire2pkt(&pkt, packet, len) != LDNS_STATUS_OK) {
		a->status = DNS_ERROR;
		dns_answer_set_why(a, "malformed DNS answer");
		return a;
	}
	a->rcode = ldns_pkt_get_rcode(pkt);
	a->status = dns_status_from_rcode(a->rcode);
	if (a->status == DNS_SERVFAIL) {
		snprintf(why, sizeof(why), "server answered rcode %d",
		    a->rcode);
		dns_answer_set_why(a, why);
	} else {
		dns_answer_walk(a, pkt);
		dns_sig_scan(a, ldns_pkt_answer(pkt), time(NULL));
		if (a->status != DNS_OK)
			dns_sig_scan(a, ldns_pkt_authority(pkt), time(NULL));
	}
	ldns_pkt_free(pkt);
	if (sec == DNS_SEC_BOGUS) {
		a->sec = DNS_SEC_BOGUS;
		dns_answer_set_why(a, why_bogus != NULL && *why_bogus ?
		    why_bogus : "validation failed (no reason given)");
	} else if (sec == DNS_SEC_SECURE && a->status != DNS_SERVFAIL &&
	    a->status != DNS_ERROR)
		a->sec = DNS_SEC_SECURE;
	return a;
}

const char *
dns_status_name(enum dns_status s)
{
	switch (s) {
	case DNS_OK:
		return "ok";
	case DNS_NODATA:
		return "nodata";
	case DNS_NXDOMAIN:
		return "nxdomain";
	case DNS_SERVFAIL:
		return "servfail";
	case DNS_TIMEOUT:
		return "timeout";
	default:
		return "error";
	}
}

const char *
dns_sec_name(enum dns_sec s)
{
	switch (s) {
	case DNS_SEC_SECURE:
		return "secure";
	case DNS_SEC_BOGUS:
		return "bogus";
	default:
		return "insecure";
	}
}

const char *
dns_type_name(uint16_t type)
{
	switch (type) {
	case DNS_TYPE_A:
		return "A";
	case DNS_TYPE_CNAME:
		return "CNAME";
	case DNS_TYPE_MX:
		return "MX";
	case DNS_TYPE_AAAA:
		return "AAAA";
	case DNS_TYPE_TLSA:
		return "TLSA";
	case DNS_TYPE_TXT:
		return "TXT";
	case DNS_TYPE_DS:
		return "DS";
	case DNS_TYPE_DNSKEY:
		return "DNSKEY";
	case 6:
		return "SOA";
	case 47:
		return "NSEC";
	case 50:
		return "NSEC3";
	default:
		return "?";
	}
}
