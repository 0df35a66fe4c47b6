/*
 * sigchain - DNSKEY and DS RRsets up to the root, with RRSIG expirations.
 */
#include "dns/sigchain.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct sigchain_q {
	struct sigchain *sc;
	struct dns_query *q;
};

struct sigchain {
	struct resolver *r;
	char *zones[SIGCHAIN_MAX_ZONES];
	size_t nzones;
	/* Two queries per zone at most: DNSKEY, DS. */
	struct sigchain_q qs[2 * SIGCHAIN_MAX_ZONES];
	size_t nqs;
	size_t pending;
	struct sigchain_result *res;
	sigchain_done_cb done;
	void *arg;
};

void
sigchain_result_free(struct sigchain_result *res)
{
	size_t i;

	if (res == NULL)
		return;
	for (i = 0; i < res->nsets; i++) {
		free(res->sets[i].name);
		free(res->sets[i].zone);
	}
	free(res->sets);
	free(res);
}

static void
sigchain_free(struct sigchain *sc)
{
	size_t i;

	for (i = 0; i < sc->nqs; i++)
		resolver_cancel(sc->qs[i].q);
	for (i = 0; i < sc->nzones; i++)
		free(sc->zones[i]);
	sigchain_result_free(sc->res);
	free(sc);
}

void
sigchain_cancel(struct sigchain *sc)
{
	if (sc != NULL)
		sigchain_free(sc);
}

static void sigchain_cb(void *arg, struct dns_answer *ans);

static void
sigchain_ask(struct sigchain *sc, const char *zone, uint16_t type)
{
	struct sigchain_q *sq;
	struct err e;

	if (sc->nqs == sizeof(sc->qs) / sizeof(sc->qs[0]))
		return;
	sq = &sc->qs[sc->nqs];
	sq->sc = sc;
	sq->q = resolver_query(sc->r, zone, type, sigchain_cb, sq, &e);
	if (sq->q == NULL)
		return;
	sc->nqs++;
	sc->pending++;
}

/* Follow zone (once): its DNSKEY, and its DS unless it is the root. */
static void
sigchain_add_zone(struct sigchain *sc, const char *zone)
{
	size_t i;

	for (i = 0; i < sc->nzones; i++)
		if (dns_name_equal(sc->zones[i], zone))
			return;
	if (sc->nzones == SIGCHAIN_MAX_ZONES) {
		sc->res->truncated = 1;
		return;
	}
	sc->zones[sc->nzones++] = xstrdup(zone);
	sigchain_ask(sc, zone, DNS_TYPE_DNSKEY);
	if (strcmp(zone, ".") != 0)
		sigchain_ask(sc, zone, DNS_TYPE_DS);
}

static void
sigchain_take(struct sigchain *sc, const struct dns_answer *ans)
{
	struct sigchain_result *res = sc->res;
	struct sigchain_rrset *s;

	if (ans->sec != DNS_SEC_SECURE || ans->status != DNS_OK ||
	    ans->sig.expires == 0)
		return;
	res->sets = xreallocarray(res->sets, res->nsets + 1,
	    sizeof(*res->sets));
	s = &res->sets[res->nsets++];
	s->name = xstrdup(ans->qname);
	s->type = ans->qtype;
	s->zone = xstrdup(ans->sig.signer);
	s->expires = ans->sig.expires;
	/* A DS is signed by the parent: its chain is next. */
	if (ans->qtype == DNS_TYPE_DS)
		sigchain_add_zone(sc, ans->sig.signer);
}

static void
sigchain_cb(void *arg, struct dns_answer *ans)
{
	struct sigchain_q *sq = arg;
	struct sigchain *sc = sq->sc;
	struct sigchain_result *res;

	sq->q = NULL;
	sigchain_take(sc, ans);
	dns_answer_free(ans);
	if (--sc->pending > 0)
		return;
	res = sc->res;
	sc->res = NULL;
	sc->done(sc->arg, res);
	sigchain_free(sc);
}

struct sigchain *
sigchain_start(struct resolver *r, const char *const *zones, size_t n,
	sigchain_done_cb done, void *arg, struct err *e)
{
	struct sigchain *sc;
	size_t i;

	if (n == 0) {
		err_set(e, ERR_INTERNAL, "sigchain: no zones");
		return NULL;
	}
	sc = xcalloc(1, sizeof(*sc));
	sc->r = r;
	sc->done = done;
	sc->arg = arg;
	sc->res = xcalloc(1, sizeof(*sc->res));
	for (i = 0; i < n; i++)
		sigchain_add_zone(sc, zones[i]);
	if (sc->pending == 0) {
		err_set(e, ERR_USAGE, "sigchain: cannot ask for %s", zones[0]);
		sigchain_free(sc);
		return NULL;
	}
	return sc;
}
