/*
 * tlsrpt_json - a parsed TLS report written back as JSON.
 */
#include "report/tlsrpt_json.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "util/xalloc.h"

static void
tj_set_str(json_t *o, const char *key, const char *v)
{
	if (v != NULL)
		json_object_set_new(o, key, json_string(v));
}

static json_t *
tj_time(time_t t)
{
	char buf[32];
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return json_string("1970-01-01T00:00:00Z");
	return json_string(buf);
}

static json_t *
tj_strings(char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *
tj_failure(const struct tlsrpt_failure *f)
{
	json_t *o = json_object();

	tj_set_str(o, "result-type", f->result_type);
	tj_set_str(o, "sending-mta-ip", f->sending_mta_ip);
	tj_set_str(o, "receiving-mx-hostname", f->receiving_mx_hostname);
	tj_set_str(o, "receiving-mx-helo", f->receiving_mx_helo);
	tj_set_str(o, "receiving-ip", f->receiving_ip);
	json_object_set_new(o, "failed-session-count",
	    json_integer((json_int_t)f->failed_sessions));
	tj_set_str(o, "additional-information", f->additional_information);
	tj_set_str(o, "failure-reason-code", f->failure_reason_code);
	return o;
}

static json_t *
tj_policy(const struct tlsrpt_policy *p)
{
	json_t *o = json_object(), *pol = json_object(), *sum = json_object();
	json_t *fd;
	size_t i;

	tj_set_str(pol, "policy-type", p->policy_type);
	if (p->npolicy_strings > 0)
		json_object_set_new(pol, "policy-string",
		    tj_strings(p->policy_strings, p->npolicy_strings));
	tj_set_str(pol, "policy-domain", p->policy_domain);
	if (p->nmx_hosts > 0)
		json_object_set_new(pol, "mx-host",
		    tj_strings(p->mx_hosts, p->nmx_hosts));
	json_object_set_new(sum, "total-successful-session-count",
	    json_integer((json_int_t)p->successful));
	json_object_set_new(sum, "total-failure-session-count",
	    json_integer((json_int_t)p->failed));
	json_object_set_new(o, "policy", pol);
	json_object_set_new(o, "summary", sum);
	if (p->nfailures > 0) {
		fd = json_array();
		for (i = 0; i < p->nfailures; i++)
			json_array_append_new(fd, tj_failure(&p->failures[i]));
		json_object_set_new(o, "failure-details", fd);
	}
	return o;
}

char *
tlsrpt_json(const struct tlsrpt_report *r, size_t max, size_t *len)
{
	json_t *o = json_object(), *dr = json_object(), *pols = json_array();
	char *text, *out = NULL;
	size_t i, n;

	tj_set_str(o, "organization-name", r->organization);
	json_object_set_new(dr, "start-datetime", tj_time(r->start));
	json_object_set_new(dr, "end-datetime", tj_time(r->end));
	json_object_set_new(o, "date-range", dr);
	tj_set_str(o, "contact-info", r->contact_info);
	tj_set_str(o, "report-id", r->report_id);
	for (i = 0; i < r->npolicies; i++)
		json_array_append_new(pols, tj_policy(&r->policies[i]));
	json_object_set_new(o, "policies", pols);
	/* Compact and in this order: the text is for the store, not people. */
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (text == NULL)
		return NULL;
	n = strlen(text);
	if (n <= max) {
		out = xstrndup(text, n);
		*len = n;
	}
	free(text);
	return out;
}
