/*
 * mtasts - look up a domain's MTA-STS and TLSRPT records and fetch its
 * policy on the caller's loop (see mtasts.h); judge.c judges.
 *
 * The fetch blocks in libcurl, so it runs on a thread: the thread owns
 * only the request and the response until it writes one byte to a pipe
 * that the loop watches; the loop then joins it.  Cancelling sets the
 * flag libcurl's progress callback polls and joins at once.
 */
#include "mtasts/mtasts.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <fcntl.h>

#include "mtasts/fetch.h"
#include "provider/provider_impl.h"
#include "util/plugin.h"
#include "util/xalloc.h"

/*
 * Programs that link the http plugin's code in (unit tests) define its
 * entry point; daneops does not, and loads the plugin (provider.c does
 * the same).
 */
extern const struct prov_http_module *daneops_http_plugin_v1(void)
	__attribute__((weak, visibility("hidden")));

enum { Q_STS, Q_RPT, Q_A, Q_AAAA, Q_N };

struct mtasts_q {
	struct mtasts_job *j;
	int k;
};

struct mtasts_job {
	struct event_base *base;
	struct resolver *r;
	struct mtasts_opts o;
	struct mtasts_result *res;
	struct dns_query *q[Q_N];
	struct mtasts_q qarg[Q_N];
	size_t pending;
	char *host;                     /* mta-sts.DOMAIN */
	char *addrs[2 * DNS_MAX_RRS];
	size_t naddrs;
	char *addr_error;
	mtasts_fetch_fn fetch;
	/* the fetch thread */
	int running;
	pthread_t tid;
	int fds[2];
	struct event *ev;
	int cancel;                     /* atomic: the thread polls it */
	struct mtasts_fetch_req req;
	struct mtasts_fetch_resp resp;
	struct err ferr;
	int frc;
	mtasts_done_cb done;
	void *arg;
};

static void
txtset_clear(struct mtasts_txtset *t)
{
	size_t i;

	free(t->name);
	free(t->error);
	free(t->sel_error);
	for (i = 0; i < t->ntxt; i++)
		free(t->txt[i]);
}

void
mtasts_result_free(struct mtasts_result *res)
{
	size_t i, j;

	if (res == NULL)
		return;
	txtset_clear(&res->sts);
	txtset_clear(&res->rpt);
	mtasts_tlsrpt_clear(&res->tlsrpt);
	free(res->url);
	free(res->content_type);
	free(res->policy_text);
	free(res->policy_error);
	mtasts_policy_free(res->policy);
	free(res->summary);
	for (i = 0; i < res->nhosts; i++) {
		for (j = 0; j < res->hosts[i].naddrs; j++) {
			free(res->hosts[i].addrs[j].address);
			free(res->hosts[i].addrs[j].why);
		}
		free(res->hosts[i].addrs);
		free(res->hosts[i].name);
		free(res->hosts[i].pattern);
		free(res->hosts[i].why);
	}
	free(res->hosts);
	for (i = 0; i < res->nwarnings; i++) {
		free(res->warnings[i].code);
		free(res->warnings[i].host);
		free(res->warnings[i].address);
		free(res->warnings[i].message);
	}
	free(res->warnings);
	free(res->domain);
	free(res);
}

/* A TXT answer into t; a failure (or a bogus answer) sets t->error. */
static void
take_txt(struct mtasts_txtset *t, const struct dns_answer *a)
{
	size_t i;

	t->status = a->status;
	t->sec = a->sec;
	if (a->sec == DNS_SEC_BOGUS)
		t->error = xasprintf("%s TXT: bogus (%s)", t->name,
		    a->why != NULL ? a->why : "DNSSEC validation failed");
	else if (a->status == DNS_OK)
		for (i = 0; i < a->nrr && t->ntxt < MTASTS_MAX_TXT; i++) {
			if (a->rr[i].txt != NULL)
				t->txt[t->ntxt++] = xstrdup(a->rr[i].txt);
		}
	else if (a->status != DNS_NODATA && a->status != DNS_NXDOMAIN)
		t->error = xasprintf("%s TXT: %s%s%s", t->name,
		    dns_status_name(a->status), a->why != NULL ? ": " : "",
		    a->why != NULL ? a->why : "");
}

static void
take_addrs(struct mtasts_job *j, const struct dns_answer *a)
{
	size_t i;

	if (a->sec == DNS_SEC_BOGUS) {
		free(j->addr_error);
		j->addr_error = xasprintf("%s: bogus address records (%s)",
		    j->host, a->why != NULL ? a->why : "DNSSEC");
		return;
	}
	if (a->status != DNS_OK && a->status != DNS_NODATA &&
	    a->status != DNS_NXDOMAIN && j->addr_error == NULL)
		j->addr_error = xasprintf("%s %s: %s", j->host,
		    dns_type_name(a->qtype), dns_status_name(a->status));
	for (i = 0; i < a->nrr && j->naddrs < 2 * DNS_MAX_RRS; i++)
		if (a->rr[i].addr != NULL)
			j->addrs[j->naddrs++] = xstrdup(a->rr[i].addr);
}

static void
job_free(struct mtasts_job *j)
{
	size_t i;

	for (i = 0; i < j->naddrs; i++)
		free(j->addrs[i]);
	free(j->addr_error);
	free(j->host);
	if (j->ev != NULL)
		event_free(j->ev);
	if (j->fds[0] >= 0)
		close(j->fds[0]);
	if (j->fds[1] >= 0)
		close(j->fds[1]);
	mtasts_fetch_resp_clear(&j->resp);
	free(j);
}

static void
job_finish(struct mtasts_job *j)
{
	struct mtasts_result *res = j->res;
	mtasts_done_cb done = j->done;
	void *arg = j->arg;

	j->res = NULL;
	job_free(j);
	done(arg, res);
}

/* Is this media type text/plain (parameters ignored, §3.2)? */
static int
media_plain(const char *ct)
{
	size_t n;

	if (ct == NULL)
		return 0;
	ct += strspn(ct, " \t");
	n = strcspn(ct, "; \t");
	return n == 10 && strncasecmp(ct, "text/plain", 10) == 0;
}

void
mtasts_take_policy(struct mtasts_result *res, long status,
	const char *content_type, const char *body, size_t len)
{
	struct err e;

	res->fetched = 1;
	res->http_status = status;
	free(res->content_type);
	res->content_type = content_type != NULL ? xstrdup(content_type) :
	    NULL;
	if (body != NULL)
		res->policy_text = xstrndup(body, len);
	if (status >= 300 && status < 400)
		res->policy_error = xasprintf("%s: redirected (HTTP %ld); "
		    "senders do not follow redirects", res->url, status);
	else if (status != 200)
		res->policy_error = xasprintf("%s: HTTP %ld, not 200",
		    res->url, status);
	else if (!media_plain(content_type))
		res->policy_error = xasprintf("%s: media type \"%s\", not "
		    "text/plain", res->url, content_type != NULL ?
		    content_type : "(none)");
	else if ((res->policy = mtasts_policy_parse(body, len, &e)) == NULL)
		res->policy_error = xasprintf("%s: %s", res->url, e.msg);
}

static void
fetch_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mtasts_job *j = arg;
	struct mtasts_result *res = j->res;
	char b;

	(void)what;
	while (read(fd, &b, 1) < 0 && errno == EINTR)
		;
	pthread_join(j->tid, NULL);
	j->running = 0;
	if (j->frc == 0)
		mtasts_take_policy(res, j->resp.status, j->resp.content_type,
		    j->resp.body, j->resp.len);
	else {
		res->fetched = 1;
		res->http_status = j->resp.status;
		res->policy_error = xstrdup(j->ferr.msg);
		/* Timeouts may pass; TLS, size and refusals will not. */
		res->policy_temp = strstr(j->ferr.msg, "imed out") != NULL;
	}
	job_finish(j);
}

static void *
fetch_thread(void *arg)
{
	struct mtasts_job *j = arg;
	char b = 1;

	j->frc = j->fetch(&j->req, &j->resp, &j->ferr);
	while (write(j->fds[1], &b, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

/*
 * The fetch from the daneops-http plugin, loaded only now: a domain
 * without MTA-STS costs no libcurl (util/plugin.h), so "daneops check"
 * from monitoring stays light.  Here, on the loop's thread.
 */
static mtasts_fetch_fn
job_fetch_fn(struct err *e)
{
	const struct prov_http_module *m;

	if (daneops_http_plugin_v1 != NULL)
		m = daneops_http_plugin_v1();
	else
		m = plugin_entry("http", DANEOPS_HTTP_PLUGIN_ENTRY,
		    PROV_HTTP_MODULE_ABI, sizeof(*m), e);
	return m != NULL ? m->mtasts_fetch : NULL;
}

/* DNS is done: fetch when a policy is announced, else finish. */
static void
job_dns_done(struct mtasts_job *j)
{
	struct mtasts_result *res = j->res;
	struct err e;

	if (res->sts.error != NULL || res->sts.sel == MTASTS_SEL_NONE) {
		job_finish(j);
		return;
	}
	if (j->addr_error != NULL || j->naddrs == 0) {
		res->fetched = 1;
		res->policy_error = j->addr_error != NULL ?
		    xstrdup(j->addr_error) : xasprintf("%s has no address: "
		    "the policy cannot be fetched", j->host);
		job_finish(j);
		return;
	}
	if ((j->fetch = job_fetch_fn(&e)) == NULL) {
		res->fetched = 1;
		res->policy_error = xstrdup(e.msg);
		res->policy_temp = 1;   /* ours, not the domain's: unknown */
		job_finish(j);
		return;
	}
	j->req.host = j->host;
	j->req.path = MTASTS_PATH;
	j->req.addrs = (const char *const *)j->addrs;
	j->req.naddrs = j->naddrs;
	j->req.ca_file = j->o.ca_file;
	j->req.timeout_ms = j->o.timeout_ms > 0 ? j->o.timeout_ms : 60000;
	j->req.max = MTASTS_POLICY_MAX;
	j->req.cancel = &j->cancel;
	if (pipe2(j->fds, O_CLOEXEC) < 0 ||
	    (j->ev = event_new(j->base, j->fds[0], EV_READ, fetch_done_cb,
	    j)) == NULL || event_add(j->ev, NULL) != 0 ||
	    pthread_create(&j->tid, NULL, fetch_thread, j) != 0) {
		res->fetched = 1;
		res->policy_error = xasprintf("%s: cannot start the fetch",
		    res->url);
		res->policy_temp = 1;
		job_finish(j);
		return;
	}
	j->running = 1;
}

static void
dns_cb(void *arg, struct dns_answer *a)
{
	struct mtasts_q *q = arg;
	struct mtasts_job *j = q->j;
	struct mtasts_result *res = j->res;
	struct err e;
	int k = q->k;

	j->q[k] = NULL;
	if (k == Q_STS) {
		take_txt(&res->sts, a);
		res->sts.sel = mtasts_txt_select((const char *const *)
		    res->sts.txt, res->sts.ntxt, &res->rec, &e);
		if (res->sts.sel == MTASTS_SEL_MANY ||
		    res->sts.sel == MTASTS_SEL_INVALID)
			res->sts.sel_error = xstrdup(e.msg);
	} else if (k == Q_RPT) {
		take_txt(&res->rpt, a);
		res->rpt.sel = mtasts_tlsrpt_select((const char *const *)
		    res->rpt.txt, res->rpt.ntxt, &res->tlsrpt, &e);
		if (res->rpt.sel == MTASTS_SEL_MANY ||
		    res->rpt.sel == MTASTS_SEL_INVALID)
			res->rpt.sel_error = xstrdup(e.msg);
	} else
		take_addrs(j, a);
	dns_answer_free(a);
	if (--j->pending == 0)
		job_dns_done(j);
}

struct mtasts_job *
mtasts_start(struct event_base *base, struct resolver *r, const char *domain,
	const struct mtasts_opts *o, mtasts_done_cb done, void *arg,
	struct err *e)
{
	struct mtasts_job *j;
	char name[DNS_NAME_MAX];
	int k;

	if (dns_name_normalize(domain, name, sizeof(name), e) < 0)
		return NULL;
	j = xcalloc(1, sizeof(*j));
	j->base = base;
	j->r = r;
	j->o = *o;
	j->fds[0] = j->fds[1] = -1;
	j->done = done;
	j->arg = arg;
	j->res = xcalloc(1, sizeof(*j->res));
	j->res->domain = xstrdup(name);
	j->res->sts.name = xasprintf("_mta-sts.%s", name);
	j->res->rpt.name = xasprintf("_smtp._tls.%s", name);
	j->host = xasprintf("mta-sts.%s", name);
	j->res->url = xasprintf("https://%s%s", j->host, MTASTS_PATH);
	for (k = 0; k < Q_N; k++) {
		if ((k == Q_A && o->no_ipv4) || (k == Q_AAAA && o->no_ipv6))
			continue;
		j->qarg[k].j = j;
		j->qarg[k].k = k;
		j->q[k] = resolver_query(r, k == Q_STS ? j->res->sts.name :
		    k == Q_RPT ? j->res->rpt.name : j->host, k < Q_A ?
		    DNS_TYPE_TXT : k == Q_A ? DNS_TYPE_A : DNS_TYPE_AAAA,
		    dns_cb, &j->qarg[k], e);
		if (j->q[k] == NULL) {
			mtasts_cancel(j);
			return NULL;
		}
		j->pending++;
	}
	return j;
}

void
mtasts_cancel(struct mtasts_job *j)
{
	int k;

	if (j == NULL)
		return;
	for (k = 0; k < Q_N; k++)
		if (j->q[k] != NULL)
			resolver_cancel(j->q[k]);
	if (j->running) {
		__atomic_store_n(&j->cancel, 1, __ATOMIC_RELAXED);
		pthread_join(j->tid, NULL);
	}
	mtasts_result_free(j->res);
	job_free(j);
}
