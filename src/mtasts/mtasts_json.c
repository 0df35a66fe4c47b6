/*
 * mtasts_json - the "mta_sts" object of "daneops check --json"
 * (docs/check-json.md).  Every key is always present, null when unknown.
 */
#include "mtasts/mtasts.h"

static json_t *
jstr(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
json_txtset(const struct mtasts_txtset *t)
{
	json_t *o = json_object(), *a = json_array();
	size_t i;

	for (i = 0; i < t->ntxt; i++)
		json_array_append_new(a, json_string(t->txt[i]));
	json_object_set_new(o, "name", json_string(t->name));
	json_object_set_new(o, "status", json_string(dns_status_name(
	    t->status)));
	json_object_set_new(o, "dnssec", json_string(dns_sec_name(t->sec)));
	json_object_set_new(o, "records", a);
	json_object_set_new(o, "error", jstr(t->error != NULL ? t->error :
	    t->sel_error));
	return o;
}

static json_t *
json_policy(const struct mtasts_result *m)
{
	json_t *o = json_object(), *mx = json_array();
	const struct mtasts_policy *p = m->policy;
	size_t i;

	json_object_set_new(o, "url", jstr(m->url));
	json_object_set_new(o, "fetched", json_boolean(m->fetched));
	json_object_set_new(o, "http_status", m->fetched && m->http_status >
	    0 ? json_integer(m->http_status) : json_null());
	json_object_set_new(o, "content_type", jstr(m->content_type));
	json_object_set_new(o, "error", jstr(m->policy_error));
	json_object_set_new(o, "mode", p != NULL ?
	    json_string(mtasts_mode_name(p->mode)) : json_null());
	json_object_set_new(o, "max_age", p != NULL ?
	    json_integer(p->max_age) : json_null());
	for (i = 0; p != NULL && i < p->nmx; i++)
		json_array_append_new(mx, json_string(p->mx[i]));
	json_object_set_new(o, "mx", p != NULL ? mx : json_null());
	if (p == NULL)
		json_decref(mx);
	json_object_set_new(o, "text", jstr(p != NULL ? m->policy_text :
	    NULL));
	return o;
}

static json_t *
json_hosts(const struct mtasts_result *m)
{
	json_t *hs = json_array(), *h, *as, *a;
	size_t i, j;

	for (i = 0; i < m->nhosts; i++) {
		const struct mtasts_host *mh = &m->hosts[i];

		h = json_object();
		as = json_array();
		json_object_set_new(h, "name", json_string(mh->name));
		json_object_set_new(h, "pattern", jstr(mh->pattern));
		json_object_set_new(h, "verdict", json_string(
		    check_verdict_name(mh->verdict)));
		json_object_set_new(h, "why", jstr(mh->why));
		for (j = 0; j < mh->naddrs; j++) {
			a = json_object();
			json_object_set_new(a, "address",
			    json_string(mh->addrs[j].address));
			json_object_set_new(a, "verdict", json_string(
			    check_verdict_name(mh->addrs[j].verdict)));
			json_object_set_new(a, "why", jstr(mh->addrs[j].why));
			json_object_set_new(a, "dane_ok",
			    json_boolean(mh->addrs[j].dane_ok));
			json_array_append_new(as, a);
		}
		json_object_set_new(h, "addresses", as);
		json_array_append_new(hs, h);
	}
	return hs;
}

json_t *
mtasts_json(const struct mtasts_result *m)
{
	json_t *o = json_object(), *rpt, *rua = json_array(), *ws;
	size_t i;

	json_object_set_new(o, "verdict", json_string(m->judged ?
	    check_verdict_name(m->verdict) : "unknown"));
	json_object_set_new(o, "summary", jstr(m->summary));
	json_object_set_new(o, "record", json_txtset(&m->sts));
	json_object_set_new(json_object_get(o, "record"), "id",
	    m->sts.sel == MTASTS_SEL_ONE ? json_string(m->rec.id) :
	    json_null());
	json_object_set_new(o, "policy", json_policy(m));
	json_object_set_new(o, "hosts", json_hosts(m));
	rpt = json_txtset(&m->rpt);
	for (i = 0; m->rpt.sel == MTASTS_SEL_ONE && i < m->tlsrpt.nrua; i++)
		json_array_append_new(rua, json_string(m->tlsrpt.rua[i]));
	json_object_set_new(rpt, "rua", rua);
	json_object_set_new(o, "tlsrpt", rpt);
	ws = json_array();
	for (i = 0; i < m->nwarnings; i++) {
		json_t *w = json_object();

		json_object_set_new(w, "code", json_string(m->warnings[i].code));
		json_object_set_new(w, "host", jstr(m->warnings[i].host));
		json_object_set_new(w, "address", jstr(m->warnings[i].address));
		json_object_set_new(w, "message",
		    json_string(m->warnings[i].message));
		json_array_append_new(ws, w);
	}
	json_object_set_new(o, "warnings", ws);
	return o;
}
