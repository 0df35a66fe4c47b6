/*
 * tlsrpt - the TLS report of RFC 8460 section 4: model and JSON parser.
 */
#include "report/tlsrpt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/sbuf.h"
#include "util/xalloc.h"

/* IANA "STARTTLS Validation Result Types" (RFC 8460 section 6.6). */
static const char *const tlsrpt_result_types[] = {
	"starttls-not-supported", "certificate-host-mismatch",
	"certificate-expired", "tlsa-invalid", "dnssec-invalid",
	"dane-required", "certificate-not-trusted", "sts-policy-invalid",
	"sts-webpki-invalid", "validation-failure", "sts-policy-fetch-error",
	NULL,
};

int
tlsrpt_result_type_known(const char *type)
{
	size_t i;

	for (i = 0; tlsrpt_result_types[i] != NULL; i++)
		if (strcmp(type, tlsrpt_result_types[i]) == 0)
			return 1;
	return 0;
}

/* n digits at *p as a number; advances *p.  -1 when they are not there. */
static int
tlsrpt_digits(const char **p, int n)
{
	int v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (*(*p)++ - '0');
	}
	return v;
}

/* The zone offset after the time: "Z", "+HH:MM" or "-HH:MM", in seconds. */
static int
tlsrpt_offset(const char *p, long *off)
{
	int sign, hh, mm;

	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		*off = 0;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if ((hh = tlsrpt_digits(&p, 2)) < 0 || *p++ != ':' ||
	    (mm = tlsrpt_digits(&p, 2)) < 0 || *p != '\0' || hh > 23 || mm > 59)
		return -1;
	*off = sign * (hh * 3600L + mm * 60L);
	return 0;
}

int
tlsrpt_time_parse(const char *s, time_t *t)
{
	struct tm tm;
	const char *p = s;
	long off = 0;
	int v[6] = { 0, 0, 0, 0, 0, 0 };

	if ((v[0] = tlsrpt_digits(&p, 4)) < 0 || *p++ != '-' ||
	    (v[1] = tlsrpt_digits(&p, 2)) < 0 || *p++ != '-' ||
	    (v[2] = tlsrpt_digits(&p, 2)) < 0)
		return -1;
	if (*p != '\0') {
		if (*p != 'T' && *p != 't' && *p != ' ')
			return -1;
		p++;
		if ((v[3] = tlsrpt_digits(&p, 2)) < 0 || *p++ != ':' ||
		    (v[4] = tlsrpt_digits(&p, 2)) < 0 || *p++ != ':' ||
		    (v[5] = tlsrpt_digits(&p, 2)) < 0)
			return -1;
		if (*p == '.')  /* fractions of a second are dropped */
			for (p++; isdigit((unsigned char)*p); p++)
				;
		if (tlsrpt_offset(p, &off) < 0)
			return -1;
	}
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 ||
	    v[4] > 59 || v[5] > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	*t = timegm(&tm) - off;
	return 0;
}

/*
 * A string member: required (missing is an error) or optional (missing,
 * null or "" gives NULL: real senders write "" for what they do not know,
 * e.g. "receiving-mx-hostname": "").  Present with another type is an
 * error either way: it means the report is not what it claims to be.
 */
static int
tlsrpt_str(json_t *obj, const char *key, int required, const char *where,
	char **out, struct err *e)
{
	json_t *v = json_object_get(obj, key);
	const char *s;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return err_set(e, ERR_INPUT, "%s: no \"%s\"", where, key);
		return 0;
	}
	if (!json_is_string(v))
		return err_set(e, ERR_INPUT, "%s.%s: not a string", where, key);
	if (json_string_length(v) > TLSRPT_MAX_STR)
		return err_set(e, ERR_INPUT, "%s.%s: longer than %d bytes",
		    where, key, TLSRPT_MAX_STR);
	s = json_string_value(v);
	if (*s == '\0')
		return required ? err_set(e, ERR_INPUT, "%s.%s: empty", where,
		    key) : 0;
	*out = xstrdup(s);
	return 0;
}

/* A required non-negative integer member. */
static int
tlsrpt_count(json_t *obj, const char *key, const char *where, int64_t *out,
	struct err *e)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return err_set(e, ERR_INPUT, "%s: no \"%s\"", where, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return err_set(e, ERR_INPUT, "%s.%s: not a non-negative integer",
		    where, key);
	if (json_integer_value(v) > TLSRPT_MAX_COUNT)
		return err_set(e, ERR_INPUT, "%s.%s: more than %lld sessions",
		    where, key, (long long)TLSRPT_MAX_COUNT);
	*out = (int64_t)json_integer_value(v);
	return 0;
}

/*
 * A string or an array of strings (policy-string, mx-host-pattern); empty
 * strings say nothing and are left out.
 */
static int
tlsrpt_strings(json_t *v, const char *where, char ***out, size_t *n,
	struct err *e)
{
	json_t *item;
	size_t i;

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		if (json_string_length(v) > TLSRPT_MAX_STR)
			return err_set(e, ERR_INPUT, "%s: too long", where);
		*out = xcalloc(1, sizeof(**out));
		if (json_string_length(v) > 0)
			(*out)[(*n)++] = xstrdup(json_string_value(v));
		return 0;
	}
	if (!json_is_array(v))
		return err_set(e, ERR_INPUT, "%s: not a string or array", where);
	if (json_array_size(v) > TLSRPT_MAX_STRINGS)
		return err_set(e, ERR_INPUT, "%s: more than %d entries", where,
		    TLSRPT_MAX_STRINGS);
	*out = xcalloc(json_array_size(v) + 1, sizeof(**out));
	json_array_foreach(v, i, item) {
		if (!json_is_string(item) ||
		    json_string_length(item) > TLSRPT_MAX_STR)
			return err_set(e, ERR_INPUT, "%s[%zu]: not a string of at "
			    "most %d bytes", where, i, TLSRPT_MAX_STR);
		if (json_string_length(item) > 0)
			(*out)[(*n)++] = xstrdup(json_string_value(item));
	}
	return 0;
}

static int
tlsrpt_failure_parse(json_t *o, const char *where, struct tlsrpt_failure *f,
	struct err *e)
{
	if (!json_is_object(o))
		return err_set(e, ERR_INPUT, "%s: not an object", where);
	if (tlsrpt_str(o, "result-type", 1, where, &f->result_type, e) < 0 ||
	    tlsrpt_count(o, "failed-session-count", where,
	    &f->failed_sessions, e) < 0 ||
	    tlsrpt_str(o, "sending-mta-ip", 0, where, &f->sending_mta_ip,
	    e) < 0 ||
	    tlsrpt_str(o, "receiving-mx-hostname", 0, where,
	    &f->receiving_mx_hostname, e) < 0 ||
	    tlsrpt_str(o, "receiving-mx-helo", 0, where, &f->receiving_mx_helo,
	    e) < 0 ||
	    tlsrpt_str(o, "receiving-ip", 0, where, &f->receiving_ip, e) < 0 ||
	    tlsrpt_str(o, "additional-information", 0, where,
	    &f->additional_information, e) < 0 ||
	    tlsrpt_str(o, "failure-reason-code", 0, where,
	    &f->failure_reason_code, e) < 0)
		return -1;
	return 0;
}

/* The "policy" object inside one entry of "policies". */
static int
tlsrpt_policy_head(json_t *pol, const char *where, struct tlsrpt_policy *p,
	struct err *e)
{
	char sub[192];
	json_t *mx;

	if (!json_is_object(pol))
		return err_set(e, ERR_INPUT, "%s: no \"policy\" object", where);
	if (tlsrpt_str(pol, "policy-type", 1, where, &p->policy_type, e) < 0 ||
	    tlsrpt_str(pol, "policy-domain", 1, where, &p->policy_domain,
	    e) < 0)
		return -1;
	snprintf(sub, sizeof(sub), "%s.policy-string", where);
	if (tlsrpt_strings(json_object_get(pol, "policy-string"), sub,
	    &p->policy_strings, &p->npolicy_strings, e) < 0)
		return -1;
	/* RFC 8460 names it mx-host-pattern in 4.3, mx-host in its example. */
	if ((mx = json_object_get(pol, "mx-host-pattern")) == NULL)
		mx = json_object_get(pol, "mx-host");
	snprintf(sub, sizeof(sub), "%s.mx-host", where);
	return tlsrpt_strings(mx, sub, &p->mx_hosts, &p->nmx_hosts, e);
}

static int
tlsrpt_policy_parse(json_t *o, size_t idx, struct tlsrpt_policy *p,
	struct err *e)
{
	char where[40], sub[128];
	json_t *sum, *fd, *item;
	size_t i;

	snprintf(where, sizeof(where), "policies[%zu]", idx);
	if (!json_is_object(o))
		return err_set(e, ERR_INPUT, "%s: not an object", where);
	snprintf(sub, sizeof(sub), "%s.policy", where);
	if (tlsrpt_policy_head(json_object_get(o, "policy"), sub, p, e) < 0)
		return -1;
	snprintf(sub, sizeof(sub), "%s.summary", where);
	if (!json_is_object(sum = json_object_get(o, "summary")))
		return err_set(e, ERR_INPUT, "%s: no \"summary\" object", where);
	if (tlsrpt_count(sum, "total-successful-session-count", sub,
	    &p->successful, e) < 0 ||
	    tlsrpt_count(sum, "total-failure-session-count", sub, &p->failed,
	    e) < 0)
		return -1;
	fd = json_object_get(o, "failure-details");
	if (fd == NULL || json_is_null(fd))
		return 0;
	if (!json_is_array(fd))
		return err_set(e, ERR_INPUT, "%s.failure-details: not an array",
		    where);
	if (json_array_size(fd) > TLSRPT_MAX_FAILURES)
		return err_set(e, ERR_INPUT, "%s.failure-details: more than %d "
		    "entries", where, TLSRPT_MAX_FAILURES);
	p->failures = xcalloc(json_array_size(fd) + 1, sizeof(*p->failures));
	json_array_foreach(fd, i, item) {
		snprintf(sub, sizeof(sub), "%s.failure-details[%zu]", where, i);
		p->nfailures++;         /* counted first: freed if half parsed */
		if (tlsrpt_failure_parse(item, sub, &p->failures[i], e) < 0)
			return -1;
	}
	return 0;
}

static int
tlsrpt_dates(json_t *root, struct tlsrpt_report *r, struct err *e)
{
	char *start = NULL, *end = NULL;
	json_t *dr;
	int rc = -1;

	if (!json_is_object(dr = json_object_get(root, "date-range")))
		return err_set(e, ERR_INPUT, "no \"date-range\" object");
	if (tlsrpt_str(dr, "start-datetime", 1, "date-range", &start, e) < 0 ||
	    tlsrpt_str(dr, "end-datetime", 1, "date-range", &end, e) < 0)
		goto out;
	if (tlsrpt_time_parse(start, &r->start) < 0)
		err_set(e, ERR_INPUT, "date-range.start-datetime: \"%s\" is not "
		    "an RFC 3339 date-time", start);
	else if (tlsrpt_time_parse(end, &r->end) < 0)
		err_set(e, ERR_INPUT, "date-range.end-datetime: \"%s\" is not "
		    "an RFC 3339 date-time", end);
	else
		rc = 0;
out:
	free(start);
	free(end);
	return rc;
}

static int
tlsrpt_root(json_t *root, struct tlsrpt_report *r, struct err *e)
{
	json_t *pols, *item;
	size_t i;

	if (!json_is_object(root))
		return err_set(e, ERR_INPUT, "not a JSON object");
	if (tlsrpt_str(root, "organization-name", 1, "report",
	    &r->organization, e) < 0 ||
	    tlsrpt_str(root, "report-id", 1, "report", &r->report_id, e) < 0 ||
	    tlsrpt_str(root, "contact-info", 0, "report", &r->contact_info,
	    e) < 0 ||
	    tlsrpt_dates(root, r, e) < 0)
		return -1;
	if (!json_is_array(pols = json_object_get(root, "policies")))
		return err_set(e, ERR_INPUT, "no \"policies\" array");
	if (json_array_size(pols) > TLSRPT_MAX_POLICIES)
		return err_set(e, ERR_INPUT, "policies: more than %d entries",
		    TLSRPT_MAX_POLICIES);
	r->policies = xcalloc(json_array_size(pols) + 1, sizeof(*r->policies));
	json_array_foreach(pols, i, item) {
		r->npolicies++;         /* counted first: freed if half parsed */
		if (tlsrpt_policy_parse(item, i, &r->policies[i], e) < 0)
			return -1;
	}
	return 0;
}

struct tlsrpt_report *
tlsrpt_parse(const char *json, size_t len, struct err *e)
{
	struct tlsrpt_report *r;
	json_error_t jerr;
	json_t *root;

	if (len > TLSRPT_MAX_JSON) {
		err_set(e, ERR_INPUT, "report larger than %d bytes",
		    TLSRPT_MAX_JSON);
		return NULL;
	}
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		err_set(e, ERR_INPUT, "not JSON: %s (line %d)", jerr.text,
		    jerr.line);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	if (tlsrpt_root(root, r, e) < 0) {
		tlsrpt_report_free(r);
		r = NULL;
	}
	json_decref(root);
	return r;
}

static void
tlsrpt_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
tlsrpt_policy_clear(struct tlsrpt_policy *p)
{
	struct tlsrpt_failure *f;
	size_t i;

	for (i = 0; i < p->nfailures; i++) {
		f = &p->failures[i];
		free(f->result_type);
		free(f->sending_mta_ip);
		free(f->receiving_mx_hostname);
		free(f->receiving_mx_helo);
		free(f->receiving_ip);
		free(f->additional_information);
		free(f->failure_reason_code);
	}
	free(p->failures);
	free(p->policy_type);
	free(p->policy_domain);
	tlsrpt_strv_free(p->policy_strings, p->npolicy_strings);
	tlsrpt_strv_free(p->mx_hosts, p->nmx_hosts);
}

void
tlsrpt_report_free(struct tlsrpt_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->npolicies; i++)
		tlsrpt_policy_clear(&r->policies[i]);
	free(r->policies);
	free(r->organization);
	free(r->contact_info);
	free(r->report_id);
	free(r);
}

int64_t
tlsrpt_report_failed(const struct tlsrpt_report *r)
{
	int64_t n = 0;
	size_t i;

	for (i = 0; i < r->npolicies; i++)
		n = r->policies[i].failed > INT64_MAX - n ? INT64_MAX :
		    n + r->policies[i].failed;
	return n;
}

char *
tlsrpt_policy_mx(const struct tlsrpt_policy *p)
{
	struct sbuf b;
	size_t i, n;

	/* Bounded by the parser's caps: 100 strings of 1024 bytes. */
	sbuf_init(&b, TLSRPT_MAX_STRINGS * (TLSRPT_MAX_STR + 1) + 1);
	sbuf_adds(&b, "");
	for (i = 0; i < p->nmx_hosts; i++)
		sbuf_printf(&b, "%s%s", i > 0 ? "," : "", p->mx_hosts[i]);
	return sbuf_steal(&b, &n);
}
