/*
 * verdict - what a check's DNS answers and probes mean (RFC 7672).
 *
 * Pure functions over a struct check_result, so the rules can be tested
 * with hand-made results.  Order: every published record against every
 * presented chain, then each address, each host, the warnings, and last
 * the domain.
 */
#include "dane/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tlsa/tlsa_gen.h"
#include "util/xalloc.h"

static void
check_warn(struct check_result *res, const char *code, const char *host,
	const char *addr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void
check_warn(struct check_result *res, const char *code, const char *host,
	const char *addr, const char *fmt, ...)
{
	struct check_warning *w;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		return;
	res->warnings = xreallocarray(res->warnings, res->nwarnings + 1,
	    sizeof(*res->warnings));
	w = &res->warnings[res->nwarnings++];
	memset(w, 0, sizeof(*w));
	w->code = xstrdup(code);
	w->host = host != NULL ? xstrdup(host) : NULL;
	w->address = addr != NULL ? xstrdup(addr) : NULL;
	w->message = msg;
}

static void
check_set_why(char **why, char *text)
{
	free(*why);
	*why = text;
}

/*
 * Does r match what this address presented?  DANE-EE only the leaf,
 * DANE-TA any certificate; and whatever OpenSSL itself reported matched
 * (a bare DANE-TA key that signed the top certificate is not in the chain).
 */
static int
check_rec_depth(const struct tlsa_rec *r, const struct probe_result *pr)
{
	int d = -1;

	if (pr == NULL || pr->chain == NULL)
		return -1;
	if (r->selector <= TLSA_SEL_SPKI && r->mtype <= TLSA_MATCH_SHA512)
		d = tlsa_rec_match_chain(r, pr->chain);
	if (r->usage == TLSA_USAGE_DANE_EE || r->usage == TLSA_USAGE_PKIX_EE) {
		if (d != 0)
			d = -1;
	}
	if (d < 0 && pr->matched != NULL && tlsa_rec_equal(r, pr->matched))
		d = pr->match_depth;
	return d;
}

static void
check_eval_records(struct check_host *ch)
{
	struct mx_host *h = ch->mx;
	size_t i, j;
	int d;

	free(ch->recs);
	ch->recs = xcalloc(h->ntlsa + 1, sizeof(*ch->recs));
	ch->nrecs = h->ntlsa;
	for (i = 0; i < h->ntlsa; i++) {
		struct check_rec *cr = &ch->recs[i];

		cr->rec = h->tlsa[i];
		cr->usable = tlsa_rec_usable_smtp(cr->rec, &cr->unusable_why);
		cr->depth = -1;
		for (j = 0; j < ch->naddrs; j++) {
			d = check_rec_depth(cr->rec, ch->addrs[j].probe);
			if (d < 0)
				continue;
			cr->nmatched++;
			if (cr->depth < 0 || d < cr->depth)
				cr->depth = d;
		}
	}
}

/*
 * What senders do with a secure TLSA set that has no usable record (RFC
 * 7672 §2.2, Postfix): at level dane TLS is required but authenticates
 * nothing (posttls-finger: "all TLSA records unusable, fallback to
 * unauthenticated TLS"); at dane-only the mail is deferred.
 */
static const char *
check_unusable_effect(enum check_level level)
{
	return level == CHECK_LEVEL_DANE_ONLY ? "senders at level dane-only "
	    "defer the mail" : "senders at level dane (Postfix's default) "
	    "use TLS without authentication and deliver the mail";
}

static void
check_eval_addr(struct check_host *ch, struct check_addr *a,
	enum check_level level)
{
	const struct probe_result *pr = a->probe;
	enum mx_dane dane = ch->mx->dane;
	char *m;

	if (pr == NULL) {
		a->verdict = dane == MX_DANE_NONE ? CHECK_NONE : CHECK_FAIL;
		check_set_why(&a->why, xstrdup(a->timed_out ? "no result "
		    "before the run's timeout" : a->probe_error != NULL ?
		    a->probe_error : "not probed"));
		return;
	}
	if (pr->status != PROBE_OK) {
		a->verdict = dane == MX_DANE_NONE ? CHECK_NONE : CHECK_FAIL;
		/* Senders move on; the address still fails the check. */
		check_set_why(&a->why, xasprintf("%s%s%s",
		    dane == MX_DANE_NONE ? "no TLS: " : "",
		    pr->detail != NULL ? pr->detail : "probe failed",
		    pr->status == PROBE_CONNECT && ch->naddrs > 1 ?
		    " (senders try the host's next address)" : ""));
		return;
	}
	if (dane == MX_DANE_NONE) {
		a->verdict = CHECK_NONE;
		check_set_why(&a->why, xstrdup("TLS, but DANE does not apply"));
	} else if (dane == MX_DANE_UNUSABLE || pr->dane_usable == 0) {
		a->verdict = CHECK_UNAUTH;
		check_set_why(&a->why, xasprintf("no usable TLSA record: %s",
		    check_unusable_effect(level)));
	} else if (pr->dane_ok) {
		a->verdict = CHECK_PASS;
		m = pr->matched != NULL ? tlsa_rec_format(pr->matched) : NULL;
		check_set_why(&a->why, xasprintf("matched %.20s%s at depth %d",
		    m != NULL ? m : "a record", m != NULL && strlen(m) > 20 ?
		    "..." : "", pr->match_depth));
		free(m);
	} else {
		a->verdict = CHECK_FAIL;
		check_set_why(&a->why, xasprintf("no TLSA record matched: %s",
		    pr->verify_error_str != NULL ? pr->verify_error_str :
		    "verification failed"));
	}
}

static void
check_eval_expiry(struct check_result *res, struct check_host *ch,
	struct check_addr *a, time_t now)
{
	long secs;

	if (a->probe == NULL || a->probe->leaf_not_after == 0)
		return;
	secs = (long)(a->probe->leaf_not_after - now);
	a->days_left = (int)(secs >= 0 ? secs / 86400 : -((-secs + 86399) /
	    86400));
	if (secs < 0)
		check_warn(res, "expired", ch->mx->name, a->address,
		    "the certificate of %s [%s] expired %d day(s) ago",
		    ch->mx->name, a->address, -a->days_left);
	else if (a->days_left < res->warn_days)
		check_warn(res, "expiring", ch->mx->name, a->address,
		    "the certificate of %s [%s] expires in %d day(s)",
		    ch->mx->name, a->address, a->days_left);
}

/* Worst of the addresses: fail, unknown, unauthenticated, pass. */
static enum check_verdict
check_host_from_addrs(const struct check_host *ch)
{
	enum check_verdict v = CHECK_PASS;
	size_t i;

	for (i = 0; i < ch->naddrs; i++) {
		enum check_verdict av = ch->addrs[i].verdict;

		if (av == CHECK_FAIL)
			return CHECK_FAIL;
		if (av == CHECK_UNKNOWN || (av == CHECK_UNAUTH &&
		    v == CHECK_PASS))
			v = av;
	}
	return v;
}

/*
 * Rollover safety with more than one record: some usable record must
 * survive a new server key - a record matching nothing presented now (a
 * next key published ahead) or a DANE-TA record (a new leaf from the same
 * CA).  All records DANE-EE and all current means the next key has none.
 */
static int
check_no_next_key(const struct check_host *ch)
{
	size_t i, presented = 0;

	for (i = 0; i < ch->naddrs; i++)
		if (ch->addrs[i].probe != NULL &&
		    ch->addrs[i].probe->chain != NULL)
			presented++;
	if (presented == 0 || ch->mx->nusable < 2)
		return 0;
	for (i = 0; i < ch->nrecs; i++) {
		if (!ch->recs[i].usable)
			continue;
		if (ch->recs[i].nmatched == 0 ||
		    ch->recs[i].rec->usage == TLSA_USAGE_DANE_TA)
			return 0;
	}
	return 1;
}

/* The certificate at depth d that some address presented, or NULL. */
static X509 *
check_presented(const struct check_host *ch, int d)
{
	size_t i;

	for (i = 0; i < ch->naddrs; i++) {
		const struct probe_result *pr = ch->addrs[i].probe;

		if (pr != NULL && pr->chain != NULL && d >= 0 &&
		    d < sk_X509_num(pr->chain))
			return sk_X509_value(pr->chain, d);
	}
	return NULL;
}

/*
 * A DANE-TA record that matched an intermediate, with no DANE-EE record
 * matching the leaf: the pin holds only while the CA keeps issuing from
 * that intermediate (Let's Encrypt rotates among several).  Suggest a
 * 3 1 1 record for the current key as well.  A matched root (self-signed)
 * does not rotate with the intermediates.
 */
static void
check_warn_ta_pinned(struct check_result *res, const struct check_host *ch)
{
	const struct check_rec *ta = NULL;
	struct tlsa_rec *ee;
	X509 *x;
	char *text;
	size_t i;
	struct err e;

	for (i = 0; i < ch->nrecs; i++) {
		const struct check_rec *cr = &ch->recs[i];

		if (!cr->usable || cr->nmatched == 0)
			continue;
		if (cr->rec->usage == TLSA_USAGE_DANE_EE)
			return;
		if (cr->rec->usage != TLSA_USAGE_DANE_TA || cr->depth < 1)
			continue;
		x = check_presented(ch, cr->depth);
		if (x != NULL && (X509_get_extension_flags(x) & EXFLAG_SS))
			continue;
		ta = cr;
	}
	if (ta == NULL || (x = check_presented(ch, 0)) == NULL)
		return;
	ee = tlsa_rec_for_cert(x, TLSA_USAGE_DANE_EE, TLSA_SEL_SPKI,
	    TLSA_MATCH_SHA256, &e);
	text = ee != NULL ? tlsa_rec_format(ee) : NULL;
	check_warn(res, "ta-pinned-issuer", ch->mx->name, NULL, "%s: only "
	    "DANE-TA records matching the issuing intermediate (depth %d) "
	    "authenticate the server: they break when the CA switches "
	    "intermediates; publish %s %s for the current key as well (or "
	    "records for every intermediate the CA may use)", ch->mx->tlsa_name,
	    ta->depth, ch->mx->tlsa_name, text != NULL ? text : "3 1 1 ...");
	free(text);
	tlsa_rec_free(ee);
}

/*
 * Digest agility (RFC 7671 9, OpenSSL's and Postfix's default): where a
 * usable SHA-512 record exists, senders ignore the SHA-256 records of the
 * same usage and selector.  A SHA-256 record that matched is then no help.
 */
static void
check_warn_agility(struct check_result *res, const struct check_host *ch)
{
	size_t i, j;

	for (i = 0; i < ch->nrecs; i++) {
		const struct tlsa_rec *r = ch->recs[i].rec;

		if (!ch->recs[i].usable || r->mtype != TLSA_MATCH_SHA256 ||
		    ch->recs[i].nmatched == 0)
			continue;
		for (j = 0; j < ch->nrecs; j++)
			if (ch->recs[j].usable &&
			    ch->recs[j].rec->usage == r->usage &&
			    ch->recs[j].rec->selector == r->selector &&
			    ch->recs[j].rec->mtype == TLSA_MATCH_SHA512)
				break;
		if (j == ch->nrecs)
			continue;
		check_warn(res, "digest-agility", ch->mx->name, NULL, "%s has "
		    "%u %u 2 (SHA-512) records: senders ignore its %u %u 1 "
		    "(SHA-256) records, the matching one included (RFC 7671 "
		    "section 9); publish the current key's %u %u 2 record",
		    ch->mx->tlsa_name, r->usage, r->selector, r->usage,
		    r->selector, r->usage, r->selector);
		return;
	}
}

static void
check_eval_host_warnings(struct check_result *res, struct check_host *ch)
{
	struct mx_host *h = ch->mx;
	size_t i;

	if (h->dane != MX_DANE_APPLIES && h->dane != MX_DANE_UNUSABLE)
		return;
	if (h->nusable == 1)
		check_warn(res, "single-record", h->name, NULL, "%s has only "
		    "one usable TLSA record: no rollover safety (publish the "
		    "next key's record too)", h->tlsa_name);
	if (check_no_next_key(ch))
		check_warn(res, "no-next-key", h->name, NULL, "every usable "
		    "TLSA record at %s matches the current key: none is "
		    "published for the next one", h->tlsa_name);
	if (h->ntlsa > CHECK_MAX_SANE_RECORDS)
		check_warn(res, "too-many-records", h->name, NULL, "%s has %zu "
		    "TLSA records; some senders use only the first %d",
		    h->tlsa_name, h->ntlsa, CHECK_MAX_SANE_RECORDS);
	if (h->dane == MX_DANE_APPLIES) {
		check_warn_ta_pinned(res, ch);
		check_warn_agility(res, ch);
	}
	if (h->dane == MX_DANE_UNUSABLE)
		check_warn(res, "unusable-records", h->name, NULL, "no usable "
		    "TLSA record at %s: the records authenticate nothing; %s",
		    h->tlsa_name, check_unusable_effect(res->level));
	for (i = 0; i < ch->nrecs; i++) {
		const struct tlsa_rec *r = ch->recs[i].rec;

		if (ch->recs[i].usable)
			continue;
		check_warn(res, "unusable-record", h->name, NULL, "unusable "
		    "TLSA record %u %u %u at %s (%zu bytes of data): %s",
		    r->usage, r->selector, r->mtype, h->tlsa_name, r->len,
		    ch->recs[i].unusable_why);
	}
}

/*
 * RFC 7672 2.2: a TLSA lookup that fails (bogus, SERVFAIL, timeout) under
 * a secure host name makes the host unusable - no downgrade to
 * unauthenticated TLS, at any level (Postfix: "TLSA lookup error").
 */
static char *
check_why_tlsa_failed(const struct mx_host *h)
{
	if (h->tlsa_failed || (h->dane == MX_DANE_BOGUS &&
	    h->tlsa_sec == DNS_SEC_BOGUS))
		return xasprintf("%s; DANE senders defer mail to this host "
		    "(no fallback to unauthenticated TLS)", h->why);
	return xstrdup(h->why);
}

static void
check_eval_host(struct check_result *res, struct check_host *ch, time_t now)
{
	struct mx_host *h = ch->mx;
	size_t i;

	check_eval_records(ch);
	for (i = 0; i < ch->naddrs; i++) {
		check_eval_addr(ch, &ch->addrs[i], res->level);
		check_eval_expiry(res, ch, &ch->addrs[i], now);
	}
	switch (h->dane) {
	case MX_DANE_BOGUS:
	case MX_DANE_NOADDR:
		ch->verdict = CHECK_FAIL;
		check_set_why(&ch->why, check_why_tlsa_failed(h));
		break;
	case MX_DANE_ERROR:
	case MX_DANE_PENDING:
		if (h->tlsa_failed) {
			ch->verdict = CHECK_FAIL;
			check_set_why(&ch->why, check_why_tlsa_failed(h));
			break;
		}
		ch->verdict = CHECK_UNKNOWN;
		check_set_why(&ch->why, xstrdup(h->why != NULL ? h->why :
		    "lookup did not finish"));
		break;
	case MX_DANE_NONE:
		ch->verdict = CHECK_NONE;
		check_set_why(&ch->why, xstrdup(h->why));
		break;
	default:
		ch->verdict = check_host_from_addrs(ch);
		for (i = 0; i < ch->naddrs; i++)
			if (ch->addrs[i].verdict == ch->verdict)
				break;
		if (ch->verdict != CHECK_PASS && i < ch->naddrs)
			check_set_why(&ch->why, xasprintf("[%s]: %s",
			    ch->addrs[i].address, ch->addrs[i].why));
		else
			check_set_why(&ch->why, xasprintf("%zu TLSA "
			    "record(s) at %s, %zu usable", h->ntlsa,
			    h->tlsa_name, h->nusable));
		break;
	}
	check_eval_host_warnings(res, ch);
}

/* The domain's verdict when DNS decided it before any host. */
static int
check_eval_dns(struct check_result *res)
{
	struct mx_result *mx = res->mx;

	if (mx == NULL) {
		res->verdict = CHECK_UNKNOWN;
		res->summary = xasprintf("%s: DNS lookups did not finish "
		    "before the run's timeout", res->domain);
	} else if (mx->mx_sec == DNS_SEC_BOGUS) {
		res->verdict = CHECK_FAIL;
		res->summary = xasprintf("%s: MX lookup is bogus: %s",
		    res->domain, mx->mx_why);
	} else if (mx->mx_status == DNS_NXDOMAIN && !mx->single) {
		res->verdict = CHECK_UNKNOWN;
		res->summary = xasprintf("%s: the domain does not exist",
		    res->domain);
	} else if (mx->mx_status != DNS_OK && mx->mx_status != DNS_NODATA &&
	    !mx->single) {
		res->verdict = CHECK_UNKNOWN;
		res->summary = xasprintf("%s: MX lookup failed: %s",
		    res->domain, mx->mx_why != NULL ? mx->mx_why : "?");
	} else if (mx->null_mx) {
		res->verdict = CHECK_NONE;
		res->summary = xasprintf("%s: null MX (RFC 7505): the domain "
		    "accepts no mail", res->domain);
	} else
		return 0;
	return 1;
}

/* Hosts that senders skip at level dane-only, said once per host. */
static void
check_warn_no_dane(struct check_result *res)
{
	size_t i;

	for (i = 0; i < res->nhosts; i++) {
		const struct check_host *ch = &res->hosts[i];

		if (ch->verdict != CHECK_NONE)
			continue;
		check_warn(res, "no-dane-host", ch->mx->name, NULL, "%s is not "
		    "protected by DANE: %s%s", ch->mx->name, ch->why,
		    res->level == CHECK_LEVEL_DANE_ONLY ? "; senders at level "
		    "dane-only defer mail to it" : "");
	}
}

/*
 * Some host is unauthenticated and none passed: the records authenticate
 * nothing, whatever senders do about it (deliver or defer), so the domain
 * fails.
 */
static void
check_eval_unauth_domain(struct check_result *res, size_t nunauth)
{
	size_t i;

	for (i = 0; i < res->nhosts; i++)
		if (res->hosts[i].verdict == CHECK_UNAUTH)
			break;
	res->verdict = CHECK_FAIL;
	res->summary = xasprintf("DANE authenticates none of %zu host(s): "
	    "no usable TLSA record at %s%s, the records authenticate "
	    "nothing; %s", res->nhosts, res->hosts[i].mx->name,
	    nunauth > 1 ? " and other hosts" : "",
	    check_unusable_effect(res->level));
}

static void
check_eval_domain(struct check_result *res)
{
	size_t i, n[CHECK_UNKNOWN + 1] = { 0 };
	const char *why = NULL;

	for (i = 0; i < res->nhosts; i++) {
		n[res->hosts[i].verdict]++;
		if (why == NULL && res->hosts[i].verdict == CHECK_UNKNOWN)
			why = res->hosts[i].why;
	}
	if (n[CHECK_FAIL] > 0) {
		res->verdict = CHECK_FAIL;
		for (i = 0; i < res->nhosts; i++)
			if (res->hosts[i].verdict == CHECK_FAIL)
				break;
		res->summary = xasprintf("DANE fails for %zu of %zu host(s): "
		    "%s: %s", n[CHECK_FAIL], res->nhosts,
		    res->hosts[i].mx->name, res->hosts[i].why);
	} else if (n[CHECK_UNKNOWN] > 0) {
		res->verdict = CHECK_UNKNOWN;
		res->summary = xasprintf("could not check: %s", why);
	} else if (n[CHECK_NONE] == res->nhosts) {
		res->verdict = CHECK_NONE;
		res->summary = xasprintf("DANE does not apply: %s%s",
		    res->nhosts > 0 ? res->hosts[0].why : "no hosts",
		    res->level == CHECK_LEVEL_DANE_ONLY ? "; senders at level "
		    "dane-only defer all mail" : "");
	} else if (n[CHECK_PASS] == 0) {
		check_warn_no_dane(res);
		check_eval_unauth_domain(res, n[CHECK_UNAUTH]);
	} else {
		check_warn_no_dane(res);
		res->verdict = res->nwarnings > 0 ? CHECK_WARN : CHECK_PASS;
		if (n[CHECK_UNAUTH] > 0)
			res->summary = xasprintf("DANE authenticated for %zu "
			    "of %zu host(s), no usable TLSA record at %zu%s",
			    n[CHECK_PASS], res->nhosts, n[CHECK_UNAUTH],
			    res->nwarnings > 0 ? ", with warnings" : "");
		else
			res->summary = xasprintf("DANE authenticated for %zu "
			    "of %zu host(s)%s", n[CHECK_PASS], res->nhosts,
			    res->nwarnings > 0 ? ", with warnings" : "");
	}
}

static int
check_rrsig_cmp(const void *a, const void *b)
{
	const struct check_rrsig *x = a, *y = b;

	if (x->expires != y->expires)
		return x->expires < y->expires ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* "3 day(s)" or "5 hour(s)": days are too coarse for the last one. */
static void
check_span(char *buf, size_t len, long secs)
{
	if (secs >= 86400)
		snprintf(buf, len, "%ld day(s)", secs / 86400);
	else
		snprintf(buf, len, "%ld hour(s)", secs / 3600);
}

/*
 * One warning per signing zone whose earliest RRSIG (over the RRsets the
 * verdict used) expires within sig_warn_days or has expired (validators
 * accept an expired one only within their clock-skew allowance, at most a
 * day with unbound's defaults), naming the zone and the record.
 */
static void
check_eval_rrsigs(struct check_result *res, time_t now)
{
	size_t i, j, more, nw;
	long secs;
	char span[32], date[32];
	struct tm tm;

	if (res->nrrsigs > 1)
		qsort(res->rrsigs, res->nrrsigs, sizeof(*res->rrsigs),
		    check_rrsig_cmp);
	for (i = 0; i < res->nrrsigs; i++) {
		const struct check_rrsig *r = &res->rrsigs[i];

		for (j = 0; j < i; j++)
			if (dns_name_equal(res->rrsigs[j].zone, r->zone))
				break;
		secs = (long)(r->expires - now);
		if (j < i || secs >= (long)res->sig_warn_days * 86400)
			continue;
		for (j = i + 1, more = 0; j < res->nrrsigs; j++)
			if (dns_name_equal(res->rrsigs[j].zone, r->zone) &&
			    res->rrsigs[j].expires - now <
			    (long)res->sig_warn_days * 86400)
				more++;
		check_span(span, sizeof(span), secs < 0 ? -secs : secs);
		if (gmtime_r(&r->expires, &tm) == NULL)
			tm = (struct tm){ 0 };
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", &tm);
		nw = res->nwarnings;
		if (secs < 0)
			check_warn(res, "rrsig-expired", NULL, NULL, "the RRSIG "
			    "on %s %s (zone %s) expired %s ago (%s): validators "
			    "accept it only within their clock-skew allowance, "
			    "then every DANE sender defers all mail; re-sign "
			    "zone %s now", r->name, dns_type_name(r->type),
			    r->zone, span, date, r->zone);
		else
			check_warn(res, "rrsig-expiring", NULL, NULL, "the RRSIG "
			    "on %s %s (zone %s%s) expires in %s (%s): then "
			    "the records are bogus and every DANE sender defers "
			    "all mail; check that zone %s is re-signed", r->name,
			    dns_type_name(r->type), r->zone, more > 0 ?
			    ", and other RRsets of it" : "", span, date, r->zone);
		if (res->nwarnings == nw)
			continue;
		res->warnings[res->nwarnings - 1].zone = xstrdup(r->zone);
		res->warnings[res->nwarnings - 1].rrset = xasprintf("%s %s",
		    r->name, dns_type_name(r->type));
	}
}

void
check_evaluate(struct check_result *res, time_t now)
{
	size_t i;

	free(res->summary);
	res->summary = NULL;
	check_eval_rrsigs(res, now);
	if (check_eval_dns(res))
		return;
	if (res->mx->mx_sec == DNS_SEC_INSECURE && !res->mx->single &&
	    !res->mx->implicit_mx) {
		for (i = 0; i < res->nhosts; i++)
			if (res->hosts[i].mx->dane == MX_DANE_APPLIES)
				break;
		if (i < res->nhosts)
			check_warn(res, "mx-insecure", NULL, NULL, "the MX "
			    "records of %s are not DNSSEC-signed: DANE "
			    "protects the listed hosts, but not the choice of "
			    "hosts", res->domain);
	}
	for (i = 0; i < res->nhosts; i++)
		check_eval_host(res, &res->hosts[i], now);
	if (res->nhosts == 0) {
		res->verdict = CHECK_UNKNOWN;
		res->summary = xasprintf("%s: no hosts to check", res->domain);
		return;
	}
	check_eval_domain(res);
}
