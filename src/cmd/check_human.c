/*
 * check_human - "daneops check" for people: a verdict for the domain, each
 * host and each address, the records and which matched, on one screen.
 */
#include "cmd/check_out.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/exitcode.h"

#define C_RESET  "\033[0m"
#define C_RED    "\033[31m"
#define C_GREEN  "\033[32m"
#define C_YELLOW "\033[33m"
#define C_BOLD   "\033[1m"

static const char *
verdict_colour(enum check_verdict v)
{
	switch (v) {
	case CHECK_PASS:
		return C_GREEN;
	case CHECK_FAIL:
	case CHECK_UNKNOWN:
		return C_RED;
	default:
		return C_YELLOW;
	}
}

static void
print_verdict(FILE *fp, enum check_verdict v, int colour, int upper)
{
	const char *s = check_verdict_name(v);
	char buf[32];
	size_t i;

	for (i = 0; s[i] != '\0' && i < sizeof(buf) - 1; i++)
		buf[i] = upper ? (char)(s[i] >= 'a' && s[i] <= 'z' ?
		    s[i] - 32 : s[i]) : s[i];
	buf[i] = '\0';
	if (colour)
		fprintf(fp, "%s%s%s", verdict_colour(v), buf, C_RESET);
	else
		fputs(buf, fp);
}

/* "3 1 1 0123456789ab..." - enough of the data to recognise a record. */
static void
print_record(FILE *fp, const struct tlsa_rec *r)
{
	size_t i, n = r->len < 8 ? r->len : 8;

	fprintf(fp, "%u %u %u ", r->usage, r->selector, r->mtype);
	for (i = 0; i < n; i++)
		fprintf(fp, "%02x", r->data[i]);
	if (r->len > n)
		fputs("...", fp);
}

static void
print_records(FILE *fp, const struct check_host *ch)
{
	size_t i;

	for (i = 0; i < ch->nrecs; i++) {
		const struct check_rec *cr = &ch->recs[i];

		fputs("      ", fp);
		print_record(fp, cr->rec);
		if (!cr->usable)
			fprintf(fp, "  unusable: %s\n", cr->unusable_why);
		else if (cr->nmatched > 0)
			fprintf(fp, "  current: matched by %zu address(es) at "
			    "depth %d\n", cr->nmatched, cr->depth);
		else
			fputs("  unmatched: stale, or a next key published "
			    "ahead\n", fp);
	}
}

static void
print_addr(FILE *fp, const struct check_addr *a, int colour)
{
	const struct probe_result *pr = a->probe;

	fprintf(fp, "    %-15s ", a->address);
	print_verdict(fp, a->verdict, colour, 0);
	fprintf(fp, "  %s", a->why != NULL ? a->why : "");
	if (pr != NULL && pr->status == PROBE_OK) {
		fprintf(fp, "; %s", pr->tls_version != NULL ?
		    pr->tls_version : "TLS");
		if (pr->leaf_not_after != 0)
			fprintf(fp, "; certificate %s %d day(s)",
			    a->days_left < 0 ? "expired" : "expires in",
			    abs(a->days_left));
	}
	fputc('\n', fp);
}

static void
print_host(FILE *fp, const struct check_host *ch, int single, int colour)
{
	const struct mx_host *h = ch->mx;
	size_t i;

	if (single)
		fprintf(fp, "  host %s  ", h->name);
	else
		fprintf(fp, "  MX %u %s  ", h->pref, h->name);
	print_verdict(fp, ch->verdict, colour, 0);
	fprintf(fp, "  %s\n", ch->why != NULL ? ch->why : "");
	if (h->canon != NULL && strcmp(h->canon, h->name) != 0)
		fprintf(fp, "    CNAME -> %s; TLSA base domain %s%s\n", h->canon,
		    h->base != NULL ? h->base : "(none)", h->cname_asked &&
		    h->cname_sec == DNS_SEC_SECURE ? " (a secure CNAME into "
		    "unsigned DNS: the original name, RFC 7672 2.2.2)" : "");
	print_records(fp, ch);
	for (i = 0; i < ch->naddrs; i++)
		print_addr(fp, &ch->addrs[i], colour);
}

/* The first DNSSEC signature to expire, over every RRset used. */
static void
print_rrsigs(FILE *fp, const struct check_result *res)
{
	const struct check_rrsig *r;
	struct tm tm;
	char date[32];

	if (res->nrrsigs == 0)
		return;
	r = &res->rrsigs[0];
	if (gmtime_r(&r->expires, &tm) == NULL)
		return;
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", &tm);
	fprintf(fp, "  DNSSEC signatures: %zu signed RRset(s), the first to "
	    "expire %s %s on %s (zone %s)%s\n", res->nrrsigs, r->name,
	    dns_type_name(r->type), date, r->zone, res->rrsigs_incomplete ?
	    "; chain not fully walked" : "");
}

void
check_print_human(FILE *fp, const struct check_result *res, int colour)
{
	size_t i;

	fprintf(fp, "%s%s%s", colour ? C_BOLD : "", res->domain,
	    colour ? C_RESET : "");
	if (res->single || res->port != 25)
		fprintf(fp, " port %u (%s)", res->port,
		    starttls_name(res->starttls));
	fputs(": ", fp);
	print_verdict(fp, res->verdict, colour, 1);
	fprintf(fp, " - %s\n", res->summary != NULL ? res->summary : "");
	fprintf(fp, "  sender level: %s\n", check_level_name(res->level));
	if (res->mx != NULL && !res->mx->single && res->mx->mx_status == DNS_OK)
		fprintf(fp, "  MX records: %s%s\n",
		    dns_sec_name(res->mx->mx_sec),
		    res->mx->implicit_mx ? " (none: the domain itself)" : "");
	else if (res->mx != NULL && res->mx->implicit_mx)
		fprintf(fp, "  no MX records (%s): the domain itself is the "
		    "host\n", dns_sec_name(res->mx->mx_sec));
	for (i = 0; i < res->nhosts; i++)
		print_host(fp, &res->hosts[i], res->single, colour);
	print_rrsigs(fp, res);
	for (i = 0; i < res->nwarnings; i++)
		fprintf(fp, "  %swarning%s: %s\n", colour ? C_YELLOW : "",
		    colour ? C_RESET : "", res->warnings[i].message);
}

int
check_exit_status(const struct check_result *res)
{
	switch (res->verdict) {
	case CHECK_PASS:
	case CHECK_WARN:
		return EXIT_PASS;
	case CHECK_UNKNOWN:
		return EXIT_UNCHECKED;
	default:
		return EXIT_FAILED;
	}
}
