/*
 * fuzz_dns_answer - fuzz what daneops does with a DNS answer: the wire
 * packet libunbound hands over (dns_answer_parse, through ldns) and the
 * RFC 7672 decisions taken on it (mx_result_hosts, mx_host_addrs,
 * mx_host_tlsa).
 *
 * Input: one selector byte, then the packet for the query "a.test".
 * Selector bits 4-5: the query type (MX, A, AAAA, TLSA), bit 6 TXT
 * instead; bits 0-1: the
 * validator's verdict (0 insecure, 1 bogus, 2 secure, 3 read as 2); bit 3:
 * libunbound reports a failure with no packet.
 *
 * Besides not crashing: the caps hold, a secure answer is never a failure,
 * every record carries the field its type needs.
 */
#include <stdlib.h>
#include <string.h>

#include "dns/mx.h"
#include "fuzz.h"

static const uint16_t qtypes[] = { DNS_TYPE_MX, DNS_TYPE_A, DNS_TYPE_AAAA,
    DNS_TYPE_TLSA };

static void
fuzz_check_answer(const struct dns_answer *a)
{
	size_t i;

	if (a->nrr > DNS_MAX_RRS || a->ncnames > DNS_MAX_CNAMES ||
	    a->canon == NULL || a->qname == NULL)
		abort();
	if (a->sec == DNS_SEC_SECURE && (a->status == DNS_SERVFAIL ||
	    a->status == DNS_ERROR || a->status == DNS_TIMEOUT))
		abort();
	if (a->sec == DNS_SEC_BOGUS && a->why == NULL)
		abort();
	for (i = 0; i < a->nrr; i++) {
		if (a->qtype == DNS_TYPE_MX && a->rr[i].name == NULL)
			abort();
		if ((a->qtype == DNS_TYPE_A || a->qtype == DNS_TYPE_AAAA) &&
		    a->rr[i].addr == NULL)
			abort();
		if (a->qtype == DNS_TYPE_TLSA && a->rr[i].tlsa == NULL)
			abort();
		if (a->qtype == DNS_TYPE_TXT && (a->rr[i].txt == NULL ||
		    strlen(a->rr[i].txt) > DNS_TXT_MAX))
			abort();
	}
}

/* Feed the answer to the decisions that consume its type. */
static void
fuzz_decide(const struct dns_answer *a)
{
	struct mx_result res;
	struct mx_host h;
	size_t i;

	memset(&res, 0, sizeof(res));
	if (a->qtype == DNS_TYPE_MX) {
		mx_result_hosts(&res, a);
		if (res.nhosts > MX_MAX_HOSTS || (res.null_mx && res.nhosts))
			abort();
		for (i = 0; i < res.nhosts; i++)
			mx_host_clear(&res.hosts[i]);
		free(res.hosts);
		return;
	}
	memset(&h, 0, sizeof(h));
	h.name = strdup("a.test");
	if (a->qtype == DNS_TYPE_TLSA) {
		h.canon = strdup("a.test");
		h.tlsa_name = strdup("_25._tcp.a.test");
		h.tried_original = 1;
		if (mx_host_tlsa(&h, 25, a) != 0 || h.dane == MX_DANE_PENDING ||
		    h.nusable > h.ntlsa)
			abort();
	} else if (mx_host_addrs(&h, 25, a->qtype == DNS_TYPE_A ? a : NULL,
	    a->qtype == DNS_TYPE_AAAA ? a : NULL) == 0 &&
	    h.dane == MX_DANE_PENDING) {
		abort();
	}
	if (h.naddrs > MX_MAX_ADDRS)
		abort();
	mx_host_clear(&h);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_answer *a;
	uint8_t sel;
	int sec;

	if (size < 1 || size > 65536)
		return 0;
	sel = data[0];
	sec = sel & 3;
	if (sec == 3)
		sec = DNS_SEC_SECURE;
	a = dns_answer_parse("a.test", (sel & 0x40) ? DNS_TYPE_TXT :
	    qtypes[(sel >> 4) & 3],
	    (sel & 8) ? 2 : 0, (sel & 8) ? NULL : data + 1, size - 1, sec,
	    (sel & 4) ? "fuzzed reason" : NULL);
	fuzz_check_answer(a);
	if (a->qtype != DNS_TYPE_TXT)
		fuzz_decide(a);
	dns_answer_free(a);
	return 0;
}
