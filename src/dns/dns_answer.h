/*
 * dns_answer - one validated DNS answer, parsed from the wire.
 *
 * libunbound's event API hands back the raw reply packet plus the
 * validator's verdict (secure, insecure, bogus and why).  dns_answer_parse
 * turns that into the few things RFC 7672 resolution needs: the status
 * (data, NODATA, NXDOMAIN, failure), the CNAME chain followed from the
 * query name, and the records of the queried type at the end of that
 * chain (MX, A, AAAA, TLSA, TXT for TLSRPT records, and CNAME itself when
 * asked for).  The packet is
 * untrusted input and is parsed with ldns; every count and length is
 * capped.
 *
 * Ownership: dns_answer_parse and dns_answer_new_status return an answer
 * the caller frees with dns_answer_free (NULL is a no-op); the answer owns
 * all its strings and records.
 */
#ifndef DANEOPS_DNS_ANSWER_H
#define DANEOPS_DNS_ANSWER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tlsa/tlsa.h"
#include "util/err.h"

/* RR types used here (IANA numbers, so no resolver header is needed). */
enum {
	DNS_TYPE_A = 1,
	DNS_TYPE_CNAME = 5,
	DNS_TYPE_MX = 15,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_DS = 43,
	DNS_TYPE_DNSKEY = 48,
	DNS_TYPE_TLSA = 52,
};

/* The validator's verdict, numbered as libunbound's event callback. */
enum dns_sec {
	DNS_SEC_INSECURE = 0,
	DNS_SEC_BOGUS = 1,
	DNS_SEC_SECURE = 2,
};

enum dns_status {
	DNS_OK = 0,             /* records of the queried type */
	DNS_NODATA,             /* the name exists, no records of the type */
	DNS_NXDOMAIN,           /* the name does not exist */
	DNS_SERVFAIL,           /* no answer (server failure, refused, ...) */
	DNS_TIMEOUT,            /* our per-query timeout passed */
	DNS_ERROR,              /* unparsable answer or resolver error */
};

/* Caps: an answer beyond them is truncated, never grown without bound. */
#define DNS_MAX_RRS     64      /* records kept per answer */
#define DNS_MAX_CNAMES  8       /* CNAME hops followed (RFC 1034 chains) */
#define DNS_NAME_MAX    256     /* presentation form, with NUL */
#define DNS_TXT_MAX     4096    /* one TXT record's strings joined */

struct dns_rr {
	uint32_t ttl;
	uint16_t pref;                  /* MX preference */
	char *name;                     /* MX exchange or CNAME target,
					 * normalised */
	char *addr;                     /* A/AAAA in numeric form */
	struct tlsa_rec *tlsa;          /* TLSA */
	char *txt;                      /* TXT: its character-strings joined
					 * (RFC 7208 3.3), NUL bytes as '?',
					 * at most DNS_TXT_MAX bytes */
};

/*
 * The earliest-expiring RRSIG of an answer: over the answer section, and
 * the authority section too for a denial (NSEC/NSEC3, SOA).  RRSIG times
 * are 32-bit serial numbers (RFC 4034 3.1.5), read relative to the time
 * of parsing.  expires is 0 when the answer carried no RRSIG.
 */
struct dns_sig {
	time_t expires;
	uint16_t type;                  /* type covered */
	char *owner;                    /* owner of the covered RRset */
	char *signer;                   /* the signing zone's apex */
};

struct dns_answer {
	char *qname;                    /* as asked, normalised */
	uint16_t qtype;
	enum dns_status status;
	enum dns_sec sec;
	int rcode;                      /* from the packet; -1 when none */
	char *why;                      /* validator reason when bogus, or
					 * the failure; NULL otherwise */
	char *canon;                    /* end of the CNAME chain (== qname
					 * when there was none) */
	size_t ncnames;                 /* CNAME hops followed */
	size_t ntruncated;              /* records dropped by DNS_MAX_RRS */
	size_t nrr;
	struct dns_rr *rr;
	struct dns_sig sig;
};

/*
 * Parse a reply to (qname, qtype).  sec and why_bogus are libunbound's;
 * packet may be NULL when rcode (libunbound's) is non-zero.  Never fails:
 * a malformed packet yields status DNS_ERROR with why set.
 */
struct dns_answer *dns_answer_parse(const char *qname, uint16_t qtype,
	int rcode, const uint8_t *packet, size_t len, int sec,
	const char *why_bogus);

/* An answer carrying only a status and reason (timeouts, errors). */
struct dns_answer *dns_answer_new_status(const char *qname, uint16_t qtype,
	enum dns_status status, const char *why);

void dns_answer_free(struct dns_answer *a);

/* Copy a's earliest RRSIG into to (cleared first); nothing when none. */
void dns_sig_copy(struct dns_sig *to, const struct dns_sig *from);
void dns_sig_clear(struct dns_sig *s);

const char *dns_status_name(enum dns_status s);     /* "ok", "nxdomain" */
const char *dns_sec_name(enum dns_sec s);           /* "secure" */
const char *dns_type_name(uint16_t type);           /* "TLSA" */

/*
 * Normalise a domain name from the command line or the wire: lower case,
 * no trailing dot (the root stays "."), labels of 1-63 octets, at most 253
 * in all, printable ASCII only.  Writes into out[outlen]; returns 0, or -1
 * with ERR_USAGE naming the input.
 */
int dns_name_normalize(const char *in, char *out, size_t outlen,
	struct err *e);

/* 1 when a and b are the same normalised name (case-insensitive). */
int dns_name_equal(const char *a, const char *b);

#endif
