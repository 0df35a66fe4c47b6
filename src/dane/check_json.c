/*
 * check_json - the JSON model of one check.
 *
 * Every key is always present (null when unknown), so consumers need no
 * existence tests; see docs/check-json.md.
 */
#include "dane/check_json.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>

#include "util/hex.h"
#include "util/xalloc.h"

static json_t *
jstr(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
jtime(time_t t)
{
	struct tm tm;
	char buf[32];

	if (t == 0 || gmtime_r(&t, &tm) == NULL)
		return json_null();
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

/* Milliseconds to 0.1 ms: more digits are noise. */
static json_t *
jms(double ms)
{
	return json_real((double)(long long)(ms * 10 + 0.5) / 10);
}

static json_t *
jrec_text(const struct tlsa_rec *r)
{
	char *s;
	json_t *j;

	if (r == NULL)
		return json_null();
	s = tlsa_rec_format(r);
	j = json_string(s);
	free(s);
	return j;
}

static json_t *
jname(const X509_NAME *n)
{
	char buf[256];

	if (n == NULL)
		return json_null();
	X509_NAME_oneline(n, buf, sizeof(buf));
	return json_string(buf);
}

static const char *
probe_status_name(enum probe_status s)
{
	static const char *names[] = { "ok", "connect", "timeout", "protocol",
	    "tls" };

	return (unsigned)s < 5 ? names[s] : "error";
}

static json_t *
check_json_cert(const struct check_addr *a)
{
	const struct probe_result *pr = a->probe;
	X509 *leaf;

	if (pr == NULL || pr->chain == NULL || sk_X509_num(pr->chain) == 0)
		return json_null();
	leaf = sk_X509_value(pr->chain, 0);
	return json_pack("{s:o, s:o, s:o, s:i, s:i}",
	    "subject", jname(X509_get_subject_name(leaf)),
	    "issuer", jname(X509_get_issuer_name(leaf)),
	    "not_after", jtime(pr->leaf_not_after),
	    "days_left", a->days_left,
	    "chain_length", sk_X509_num(pr->chain));
}

static json_t *
check_json_probe(const struct check_addr *a)
{
	const struct probe_result *pr = a->probe;

	if (pr == NULL)
		return json_pack("{s:s, s:o}", "status", a->timed_out ?
		    "timeout" : "error", "detail", jstr(a->timed_out ?
		    "no result before the run's timeout" : a->probe_error));
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}",
	    "status", probe_status_name(pr->status),
	    "detail", jstr(pr->detail),
	    "banner", jstr(pr->banner),
	    "tls_version", jstr(pr->tls_version),
	    "cipher", jstr(pr->cipher),
	    "elapsed_ms", jms(pr->elapsed_ms));
}

static json_t *
check_json_addr(const struct check_addr *a)
{
	const struct probe_result *pr = a->probe;
	json_t *dane;

	if (pr != NULL && pr->status == PROBE_OK)
		dane = json_pack("{s:b, s:i, s:o, s:o, s:o}",
		    "authenticated", pr->dane_ok,
		    "usable_records", pr->dane_usable,
		    "matched_record", jrec_text(pr->matched),
		    "match_depth", pr->match_depth >= 0 ?
		    json_integer(pr->match_depth) : json_null(),
		    "verify_error", pr->verify_error != 0 ?
		    jstr(pr->verify_error_str) : json_null());
	else
		dane = json_null();
	return json_pack("{s:s, s:i, s:s, s:o, s:o, s:o, s:o}",
	    "address", a->address,
	    "family", a->family,
	    "verdict", check_verdict_name(a->verdict),
	    "reason", jstr(a->why),
	    "probe", check_json_probe(a),
	    "dane", dane,
	    "certificate", check_json_cert(a));
}

static json_t *
check_json_record(const struct check_rec *cr)
{
	char *hex = hex_encode(cr->rec->data, cr->rec->len);
	const char *status;
	json_t *j;

	status = !cr->usable ? "unusable" : cr->nmatched > 0 ? "current" :
	    "unmatched";
	j = json_pack("{s:i, s:i, s:i, s:s, s:o, s:b, s:o, s:s, s:i, s:o}",
	    "usage", cr->rec->usage,
	    "selector", cr->rec->selector,
	    "mtype", cr->rec->mtype,
	    "data", hex,
	    "text", jrec_text(cr->rec),
	    "usable", cr->usable,
	    "unusable_reason", jstr(cr->unusable_why),
	    "status", status,
	    "matched_addresses", (int)cr->nmatched,
	    "match_depth", cr->depth >= 0 ? json_integer(cr->depth) :
	    json_null());
	free(hex);
	return j;
}

static json_t *
check_json_tlsa(const struct check_host *ch)
{
	const struct mx_host *h = ch->mx;
	json_t *recs;
	size_t i;

	if (h->tlsa_name == NULL)
		return json_null();
	recs = json_array();
	for (i = 0; i < ch->nrecs; i++)
		json_array_append_new(recs, check_json_record(&ch->recs[i]));
	return json_pack("{s:s, s:s, s:s, s:o, s:i, s:i, s:o}",
	    "name", h->tlsa_name,
	    "status", dns_status_name(h->tlsa_status),
	    "security", dns_sec_name(h->tlsa_sec),
	    "rrsig_expires", jtime(h->tlsa_sig.expires),
	    "usable", (int)h->nusable,
	    "ttl", (int)h->tlsa_ttl,
	    "records", recs);
}

static json_t *
check_json_host(const struct check_host *ch)
{
	const struct mx_host *h = ch->mx;
	json_t *addrs = json_array();
	size_t i;

	for (i = 0; i < ch->naddrs; i++)
		json_array_append_new(addrs, check_json_addr(&ch->addrs[i]));
	return json_pack("{s:s, s:i, s:o, s:o, s:o, s:s, s:o, s:s, s:s, s:o, "
	    "s:o, s:o}",
	    "name", h->name,
	    "preference", h->pref,
	    "cname_target", h->canon != NULL && strcmp(h->canon, h->name) != 0 ?
	    json_string(h->canon) : json_null(),
	    "cname_security", h->cname_asked ? json_string(dns_sec_name(
	    h->cname_sec)) : json_null(),
	    "tlsa_base", jstr(h->base),
	    "address_security", dns_sec_name(h->addr_sec),
	    "address_rrsig_expires", jtime(h->addr_sig.expires),
	    "dane", mx_dane_name(h->dane),
	    "verdict", check_verdict_name(ch->verdict),
	    "reason", jstr(ch->why),
	    "tlsa", check_json_tlsa(ch),
	    "addresses", addrs);
}

static json_t *
check_json_mx(const struct check_result *res)
{
	const struct mx_result *mx = res->mx;

	if (mx == NULL || mx->single)
		return json_null();
	return json_pack("{s:s, s:s, s:o, s:o, s:b, s:b}",
	    "status", dns_status_name(mx->mx_status),
	    "security", dns_sec_name(mx->mx_sec),
	    "rrsig_expires", jtime(mx->mx_sig.expires),
	    "why", jstr(mx->mx_sec == DNS_SEC_BOGUS ||
	    mx->mx_status != DNS_OK ? mx->mx_why : NULL),
	    "null_mx", mx->null_mx,
	    "implicit", mx->implicit_mx);
}

/* Every signed RRset the verdict used, earliest RRSIG expiry first. */
static json_t *
check_json_rrsets(const struct check_result *res)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < res->nrrsigs; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:o}",
		    "name", res->rrsigs[i].name,
		    "type", dns_type_name(res->rrsigs[i].type),
		    "zone", res->rrsigs[i].zone,
		    "rrsig_expires", jtime(res->rrsigs[i].expires)));
	return json_pack("{s:o, s:b, s:o}",
	    "rrsig_expires", res->nrrsigs > 0 ?
	    jtime(res->rrsigs[0].expires) : json_null(),
	    "complete", !res->rrsigs_incomplete,
	    "rrsets", a);
}

json_t *
check_json(const struct check_result *res)
{
	json_t *hosts = json_array(), *warns = json_array();
	size_t i;

	for (i = 0; i < res->nhosts; i++)
		json_array_append_new(hosts, check_json_host(&res->hosts[i]));
	for (i = 0; i < res->nwarnings; i++)
		json_array_append_new(warns, json_pack("{s:s, s:o, s:o, s:o, "
		    "s:o, s:s}",
		    "code", res->warnings[i].code,
		    "host", jstr(res->warnings[i].host),
		    "address", jstr(res->warnings[i].address),
		    "zone", jstr(res->warnings[i].zone),
		    "rrset", jstr(res->warnings[i].rrset),
		    "message", res->warnings[i].message));
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:o, s:o, s:s, s:o, "
	    "s:i, s:i, s:o, s:o, s:o, s:o}",
	    "schema", CHECK_JSON_SCHEMA,
	    "domain", res->domain,
	    "mode", res->single ? "host" : "mx",
	    "port", res->port,
	    "starttls", starttls_name(res->starttls),
	    "level", check_level_name(res->level),
	    "checked_at", jtime(res->started),
	    "elapsed_ms", jms(res->elapsed_ms),
	    "verdict", check_verdict_name(res->verdict),
	    "summary", jstr(res->summary),
	    "warn_days", res->warn_days,
	    "sig_warn_days", res->sig_warn_days,
	    "dnssec", check_json_rrsets(res),
	    "mx", check_json_mx(res),
	    "warnings", warns,
	    "hosts", hosts);
}
