/*
 * mx - RFC 7672 resolution: from a mail domain (or one service host) to the
 * hosts, addresses and TLSA records a DANE-aware sending MTA would use.
 *
 *   MX        null MX (RFC 7505) -> no mail; NODATA -> the domain itself
 *             (implicit MX); bogus -> failure; insecure MX still leads to
 *             DANE for MX hosts whose own records are secure (as Postfix's
 *             default smtp_tls_dane_insecure_mx_policy = dane).
 *   A, AAAA   asked together; bogus -> failure; insecure -> DANE does not
 *             apply to the host (§2.2.2), unless the name is a CNAME whose
 *             own record is secure (the chain leaves signed DNS): then the
 *             original name is the only TLSA candidate, as in Postfix
 *             (tls_dane.c) and §2.2.2.  The CNAME chain, when there is
 *             one, gives the expanded name.
 *   TLSA      at _PORT._tcp.NAME (§2.2.3): with a secure CNAME expansion
 *             first at the expanded name, then, when that has no secure
 *             records, at the original name.  The name where the records
 *             are found is the TLSA base domain (SNI and DANE-TA reference
 *             identifier).  Secure records, some usable -> DANE applies;
 *             none usable -> TLS required, unauthenticated; insecure or
 *             secure denial -> not applicable; bogus -> failure.
 *
 * Ownership: mx_lookup_start returns a handle valid until the callback has
 * run or mx_lookup_cancel was called; the callback owns the mx_result and
 * frees it with mx_result_free.
 */
#ifndef DANEOPS_MX_H
#define DANEOPS_MX_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dns_answer.h"
#include "dns/resolver.h"
#include "tlsa/tlsa.h"
#include "util/err.h"

#define MX_MAX_HOSTS    16      /* MX hosts followed per domain */
#define MX_MAX_ADDRS    16      /* addresses probed per host */

enum mx_dane {
	MX_DANE_PENDING = 0,
	MX_DANE_APPLIES,        /* secure TLSA set with a usable record */
	MX_DANE_UNUSABLE,       /* secure set, none usable: TLS required */
	MX_DANE_NONE,           /* not applicable (insecure, no TLSA) */
	MX_DANE_BOGUS,          /* a bogus answer: the host fails */
	MX_DANE_ERROR,          /* a lookup failed: could not check */
	MX_DANE_NOADDR,         /* the host has no addresses */
};

struct mx_addr {
	char *addr;             /* numeric */
	int family;             /* 4 or 6 */
};

struct mx_lookup;

struct mx_host {
	char *name;             /* MX exchange, or the domain/host itself */
	uint16_t pref;
	char *canon;            /* CNAME-expanded name (== name when none) */
	char *base;             /* TLSA base domain, when TLSA was found */
	char *tlsa_name;        /* last TLSA owner asked */
	int mx_secure;          /* an MX host from a secure MX answer */
	enum dns_sec addr_sec;
	enum dns_sec cname_sec;         /* the name's own CNAME, when asked */
	int cname_asked;                /* insecure addresses via a CNAME */
	enum dns_sec tlsa_sec;
	enum dns_status tlsa_status;
	int tlsa_failed;        /* TLSA lookup SERVFAIL or timeout (ERROR) */
	enum mx_dane dane;
	char *why;              /* reason for NONE/BOGUS/ERROR/NOADDR */
	struct mx_addr *addrs;
	size_t naddrs;
	struct tlsa_rec **tlsa;
	size_t ntlsa;
	size_t nusable;
	uint32_t tlsa_ttl;
	/* Earliest RRSIG expirations of the secure answers used. */
	struct dns_sig addr_sig;        /* A and AAAA (and their CNAMEs) */
	struct dns_sig cname_sig;       /* the name's own CNAME, when asked */
	struct dns_sig tlsa_sig;        /* the TLSA answer that decided */
	/* lookup state */
	struct mx_lookup *lk;
	struct dns_query *q4, *q6;
	struct dns_query *qo, *qx;      /* TLSA at the original/expanded name */
	struct dns_query *qc;           /* the name's CNAME */
	struct dns_answer *a4, *a6, *ao, *ax, *ac;
	int addrs_done;
	int tried_original;
};

struct mx_result {
	char *domain;           /* normalised */
	uint16_t port;
	int single;             /* --host: no MX lookup */
	enum dns_status mx_status;
	enum dns_sec mx_sec;
	char *mx_why;
	int null_mx;
	int implicit_mx;
	struct dns_sig mx_sig;          /* of a secure MX answer */
	size_t nhosts_truncated;
	struct mx_host *hosts;
	size_t nhosts;
};

/*
 * Optional progress for one host (res->hosts[index]), from the loop, before
 * the lookup's done callback: with decided 0 when its addresses are known
 * and secure and TLSA is being asked (a prober may connect meanwhile); with
 * decided 1 when the host is decided (dane set).  Hosts decided without a
 * lookup (an unaskable name) get no call.  The host is borrowed: it lives
 * in the mx_result the done callback receives.
 */
typedef void (*mx_host_cb)(void *arg, struct mx_host *h, size_t index,
	int decided);

struct mx_opts {
	uint16_t port;          /* 0: 25 */
	int single;             /* domain is a host: skip the MX lookup */
	int no_ipv4, no_ipv6;
	mx_host_cb host_cb;     /* or NULL; gets mx_lookup_start's arg */
};

typedef void (*mx_done_cb)(void *arg, struct mx_result *res);

struct mx_lookup *mx_lookup_start(struct resolver *r, const char *domain,
	const struct mx_opts *opts, mx_done_cb done, void *arg, struct err *e);
void mx_lookup_cancel(struct mx_lookup *lk);
void mx_result_free(struct mx_result *res);

const char *mx_dane_name(enum mx_dane d);   /* "applies", "none", ... */

/*
 * The decisions, separated from the I/O so they can be tested with
 * hand-made answers.  mx_host_addrs takes the A and AAAA answers (either
 * may be NULL when not asked) and returns 1 when TLSA should be looked up
 * at h->tlsa_name, 0 when the host is decided, MX_ASK_CNAME when the
 * addresses are insecure behind a CNAME and the name's own CNAME record
 * must be asked; mx_host_cname takes that answer and returns 1 (TLSA at
 * h->tlsa_name, the original name) or 0 (decided).  mx_host_tlsa takes a TLSA
 * answer and returns 1 when TLSA should be asked again at h->tlsa_name
 * (the original name after the expanded one), 0 when decided.  Neither
 * takes ownership of the answers.
 */
int mx_host_addrs(struct mx_host *h, uint16_t port,
	const struct dns_answer *a4, const struct dns_answer *a6);
int mx_host_tlsa(struct mx_host *h, uint16_t port,
	const struct dns_answer *t);
#define MX_ASK_CNAME    2
int mx_host_cname(struct mx_host *h, uint16_t port,
	const struct dns_answer *c);
/* Hosts from an MX answer (sorted by preference, de-duplicated). */
void mx_result_hosts(struct mx_result *res, const struct dns_answer *mx);
void mx_host_clear(struct mx_host *h);

#endif
