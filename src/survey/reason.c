/*
 * reason - one failure reason per failed or unchecked domain, so a survey
 * summary can say what breaks how often.  The first failing host (in MX
 * preference order) and its first failing address decide.
 */
#include "survey/survey.h"

const char *
survey_reason_name(enum survey_reason r)
{
	static const char *names[SR_MAX] = {
		"none", "dns-timeout", "nxdomain", "dns-error", "dnssec-bogus",
		"no-hosts", "no-address", "connect", "timeout", "starttls",
		"tls-handshake", "tlsa-mismatch", "tlsa-unusable", "other",
	};

	return (unsigned)r < SR_MAX ? names[r] : "other";
}

static enum survey_reason
survey_reason_addr(const struct check_addr *a)
{
	const struct probe_result *pr = a->probe;

	if (pr == NULL)
		return a->timed_out ? SR_TIMEOUT : SR_CONNECT;
	switch (pr->status) {
	case PROBE_CONNECT:
		return SR_CONNECT;
	case PROBE_TIMEOUT:
		return SR_TIMEOUT;
	case PROBE_PROTOCOL:
		return SR_STARTTLS;
	case PROBE_TLS:
		return SR_HANDSHAKE;
	case PROBE_OK:
		break;
	}
	return pr->dane_usable == 0 ? SR_UNUSABLE : SR_MISMATCH;
}

static enum survey_reason
survey_reason_host(const struct check_host *ch, enum check_verdict v)
{
	size_t i;

	switch (ch->mx->dane) {
	case MX_DANE_BOGUS:
		return SR_BOGUS;
	case MX_DANE_NOADDR:
		return SR_NO_ADDRESS;
	case MX_DANE_ERROR:
	case MX_DANE_PENDING:
		return SR_DNS_ERROR;
	default:
		break;
	}
	for (i = 0; i < ch->naddrs; i++)
		if (ch->addrs[i].verdict == v)
			return survey_reason_addr(&ch->addrs[i]);
	return SR_OTHER;
}

enum survey_reason
survey_reason_of(const struct check_result *res)
{
	const struct mx_result *mx = res->mx;
	size_t i;

	if (res->verdict != CHECK_FAIL && res->verdict != CHECK_UNKNOWN)
		return SR_NONE;
	if (mx == NULL)
		return SR_DNS_TIMEOUT;
	if (mx->mx_sec == DNS_SEC_BOGUS)
		return SR_BOGUS;
	if (!mx->single && mx->mx_status == DNS_NXDOMAIN)
		return SR_NXDOMAIN;
	if (!mx->single && mx->mx_status != DNS_OK &&
	    mx->mx_status != DNS_NODATA)
		return mx->mx_status == DNS_TIMEOUT ? SR_DNS_TIMEOUT :
		    SR_DNS_ERROR;
	if (res->nhosts == 0)
		return SR_NO_HOSTS;
	for (i = 0; i < res->nhosts; i++)
		if (res->hosts[i].verdict == res->verdict)
			return survey_reason_host(&res->hosts[i], res->verdict);
	/* A domain fails when no host passes and some have no usable record. */
	for (i = 0; i < res->nhosts; i++)
		if (res->hosts[i].verdict == CHECK_UNAUTH)
			return SR_UNUSABLE;
	return SR_OTHER;
}
