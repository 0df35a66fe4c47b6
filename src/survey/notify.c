/*
 * notify - the message to a failing domain's postmaster, and its delivery.
 *
 * The body is plain ASCII: every name in it went through the DNS name
 * rules, and what servers said went through the probe's printable filter.
 */
#include "survey/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "report/alert.h"
#include "survey/survey.h"
#include "tlsa/tlsa_gen.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

#define NOTIFY_MAX      (256 * 1024)    /* one message, at most */

char *
notify_would_match(STACK_OF(X509) *chain)
{
	struct tlsa_rec *r;
	struct sbuf b;
	struct err e;
	char *t;
	int i;

	sbuf_init(&b, NOTIFY_MAX);
	for (i = 0; chain != NULL && i < sk_X509_num(chain) && i < 2; i++) {
		r = tlsa_rec_for_cert(sk_X509_value(chain, i),
		    i == 0 ? TLSA_USAGE_DANE_EE : TLSA_USAGE_DANE_TA,
		    TLSA_SEL_SPKI, TLSA_MATCH_SHA256, &e);
		if (r == NULL)
			continue;
		t = tlsa_rec_format(r);
		sbuf_printf(&b, "      %s   (%s)\n", t, i == 0 ?
		    "DANE-EE: the server's own key" :
		    "DANE-TA: the key of the CA that issued it");
		free(t);
		tlsa_rec_free(r);
	}
	return sbuf_steal(&b, NULL);
}

static const char *
notify_advice(enum survey_reason r)
{
	switch (r) {
	case SR_MISMATCH:
		return "The published TLSA records do not match the certificate "
		    "the server\npresents: a key or certificate was replaced "
		    "without updating TLSA.\nPublish a record that would match "
		    "(above) next to the current ones,\nwait twice the TTL, "
		    "then remove the stale ones.  Before each future\nrenewal, "
		    "publish the next key's record ahead of time (daneops roll "
		    "does\nthis).";
	case SR_UNUSABLE:
		return "Every DANE record is unusable (an unknown selector or "
		    "matching type,\nor a digest of the wrong length).  Replace "
		    "them with a record that\nwould match (above).";
	case SR_STARTTLS:
		return "The server does not offer STARTTLS, or the dialogue "
		    "fails.  With DANE\nsenders require TLS: enable STARTTLS "
		    "with a certificate whose key the\nTLSA records name "
		    "(Postfix: smtpd_tls_security_level = may).";
	case SR_HANDSHAKE:
		return "The TLS handshake fails.  Check the server's certificate "
		    "and key\nconfiguration and that it offers TLS 1.2 or 1.3.";
	case SR_CONNECT:
	case SR_TIMEOUT:
		return "The server could not be reached on the SMTP port in "
		    "time.  If the host\nno longer receives mail, remove its MX "
		    "record and its TLSA records.";
	case SR_BOGUS:
		return "DNSSEC validation fails (bogus) for a record senders "
		    "need: check the\nDS records at the parent and that the "
		    "zone's signatures are fresh.";
	case SR_NO_ADDRESS:
		return "An MX host has no address records: publish A/AAAA "
		    "records or remove\nthe MX record.";
	default:
		return "The DNS lookups did not complete: check that the "
		    "domain's\nauthoritative servers answer, over UDP and TCP.";
	}
}

static void
notify_records(struct sbuf *b, const struct check_host *ch)
{
	size_t i;
	char *t;

	if (ch->nrecs == 0)
		return;
	sbuf_printf(b, "    published at %s:\n", ch->mx->tlsa_name);
	for (i = 0; i < ch->nrecs; i++) {
		const struct check_rec *cr = &ch->recs[i];

		t = tlsa_rec_format(cr->rec);
		sbuf_printf(b, "      %.90s%s   %s\n", t, strlen(t) > 90 ?
		    "..." : "", !cr->usable ? "UNUSABLE" : cr->nmatched > 0 ?
		    "current: matches" : "STALE: matches nothing presented");
		free(t);
	}
}

static void
notify_host(struct sbuf *b, const struct check_host *ch)
{
	const struct check_addr *a;
	char *would;
	size_t i;

	sbuf_printf(b, "MX %u %s: %s\n    %s\n", ch->mx->pref, ch->mx->name,
	    check_verdict_name(ch->verdict), ch->why != NULL ? ch->why : "");
	notify_records(b, ch);
	for (i = 0; i < ch->naddrs; i++) {
		a = &ch->addrs[i];
		sbuf_printf(b, "    address %s: %s - %s\n", a->address,
		    check_verdict_name(a->verdict), a->why != NULL ? a->why :
		    "");
		if (a->probe == NULL || a->probe->chain == NULL ||
		    a->verdict != CHECK_FAIL)
			continue;
		would = notify_would_match(a->probe->chain);
		if (*would != '\0')
			sbuf_printf(b, "    records that would match what %s "
			    "presents now:\n%s", a->address, would);
		free(would);
	}
	sbuf_adds(b, "\n");
}

static void
notify_headers(struct sbuf *b, const struct check_result *res,
	const struct notify_opts *o, time_t now)
{
	char date[64];
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	sbuf_printf(b, "From: %s\n", o->from != NULL ? o->from : NOTIFY_FROM);
	if (o->to != NULL)
		sbuf_printf(b, "To: %s\n", o->to);
	else
		sbuf_printf(b, "To: postmaster@%s\n", res->domain);
	if (o->cc != NULL)
		sbuf_printf(b, "Cc: %s\n", o->cc);
	sbuf_printf(b, "Subject: DANE %s for %s\nDate: %s\n"
	    "Auto-Submitted: auto-generated\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=us-ascii\n\n",
	    res->verdict == CHECK_FAIL ? "failure" :
	    check_verdict_name(res->verdict), res->domain, date);
}

static void
notify_history(struct sbuf *b, const struct notify_facts *f)
{
	char when[32];
	struct tm tm;

	if (f == NULL || f->first_seen == 0)
		return;
	gmtime_r(&f->first_seen, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	sbuf_printf(b, "First seen failing %s; failed %ld check(s) so far.\n",
	    when, f->times_failed);
	if (f->recurring && f->fixed_at != 0) {
		gmtime_r(&f->fixed_at, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
		sbuf_printf(b, "This failure keeps coming back: it was fixed "
		    "by %s and fails again.\n", when);
	}
	sbuf_adds(b, "\n");
}

char *
notify_compose(const struct check_result *res, const struct notify_opts *o,
	const struct notify_facts *f, time_t now)
{
	struct sbuf b;
	size_t i;

	sbuf_init(&b, NOTIFY_MAX);
	notify_headers(&b, res, o, now);
	sbuf_printf(&b, "Hello,\n\nA DANE check (RFC 7672) of mail to %s "
	    "gives: %s.\n  %s\n\n", res->domain,
	    check_verdict_name(res->verdict), res->summary != NULL ?
	    res->summary : "");
	if (res->verdict == CHECK_FAIL)
		sbuf_printf(&b, "DANE-aware senders (Postfix, Exim and "
		    "others) defer mail to %s while\nthis lasts.\n\n",
		    res->domain);
	notify_history(&b, f);
	for (i = 0; i < res->nhosts; i++)
		notify_host(&b, &res->hosts[i]);
	if (res->verdict == CHECK_FAIL || res->verdict == CHECK_UNKNOWN)
		sbuf_printf(&b, "How to fix it:\n%s\n\n",
		    notify_advice(survey_reason_of(res)));
	sbuf_printf(&b, "Check again with: daneops check %s\n\n-- \n"
	    "daneops, a DANE checker; this mail was sent automatically.\n",
	    res->domain);
	return sbuf_steal(&b, NULL);
}
