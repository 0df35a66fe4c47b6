/*
 * prov_rfc2136 - TLSA records through RFC 2136 dynamic updates signed with
 * TSIG (RFC 8945), with ldns: Knot, BIND, PowerDNS and anything else that
 * speaks UPDATE.
 *
 * One UPDATE message per change: add is "update add" of the one RR; delete
 * removes exactly that RR (class NONE, RFC 2136 §2.5.4), so the other
 * records at the owner are never touched and both are idempotent by the
 * protocol itself.  list asks the configured server directly (no
 * recursion, TSIG-signed, answer must be authoritative), because that is
 * the copy updates change.
 *
 * Packets are signed and verified here rather than through an ldns
 * resolver so that a rejected key (a TSIG error in an unsigned answer) can
 * be told apart from a forged or broken answer, and so every retry gets a
 * fresh ID and signing time.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>
#include <openssl/evp.h>

#include "provider/provider_impl.h"
#include "util/xalloc.h"

#define RFC2136_TRY_MS 10000    /* one exchange at most */
#define RFC2136_FUDGE 300

struct rfc2136 {
	struct sockaddr_storage ss;
	socklen_t sslen;
	char *server;           /* as configured, for messages */
	char *keyname;          /* absolute */
	const char *alg;        /* "hmac-sha256." or "hmac-sha512." */
	char *secret;           /* base64 */
	int udp;
};

static const char *const rfc2136_keys[] = {
	"server", "tsig_key_file", "tsig_name", "tsig_algorithm", "transport",
	NULL,
};

/* Outcome of one exchange. */
enum { RFC_OK = 0, RFC_PERM = -1, RFC_TEMP = 1 };

static int
rfc2136_server(struct rfc2136 *st, const char *text, struct err *e)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&st->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&st->ss;
	char addr[INET6_ADDRSTRLEN + 1];
	const char *at = strrchr(text, '@');
	unsigned long port = 53;
	size_t len = at != NULL ? (size_t)(at - text) : strlen(text);
	char *end;

	if (at != NULL) {
		port = strtoul(at + 1, &end, 10);
		if (!isdigit((unsigned char)at[1]) || *end != '\0' || port == 0 ||
		    port > 65535)
			goto bad;
	}
	if (len == 0 || len >= sizeof(addr))
		goto bad;
	memcpy(addr, text, len);
	addr[len] = '\0';
	memset(&st->ss, 0, sizeof(st->ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		st->sslen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		st->sslen = sizeof(*sin6);
	} else
		goto bad;
	st->server = xstrdup(text);
	return 0;
bad:
	return err_set(e, ERR_USAGE, "rfc2136 provider: server = \"%s\": want "
	    "an IP address, optionally with @PORT (no host names: the server "
	    "is asked directly)", text);
}

/*
 * The next token of a BIND key statement: a quoted string, one of "{};",
 * or a word.  Comments (#, //, C style) are skipped.  Returns its length
 * (0 at the end) and sets *tok.
 */
static size_t
rfc2136_token(const char **sp, const char **tok)
{
	const char *s = *sp, *t;

	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '#' || (s[0] == '/' && s[1] == '/'))
			s += strcspn(s, "\n");
		else if (s[0] == '/' && s[1] == '*')
			s = (t = strstr(s + 2, "*/")) != NULL ? t + 2 : s + strlen(s);
		else
			break;
	}
	*tok = s;
	if (*s == '"') {
		t = strchr(s + 1, '"');
		t = t != NULL ? t + 1 : s + strlen(s);
	} else if (*s != '\0' && strchr("{};", *s) != NULL)
		t = s + 1;
	else
		for (t = s; *t != '\0' && !isspace((unsigned char)*t) &&
		    strchr("{};\"", *t) == NULL; t++)
			;
	*sp = t;
	return (size_t)(t - s);
}

static char *
rfc2136_unquote(const char *tok, size_t len)
{
	if (len >= 2 && tok[0] == '"' && tok[len - 1] == '"')
		return xstrndup(tok + 1, len - 2);
	return xstrndup(tok, len);
}

/*
 * key "NAME" { algorithm ALG; secret "B64"; };  The first statement
 * wins.  Returns 0 and new strings, or -1 when text is not one.
 */
static int
rfc2136_key_bind(const char *text, char **name, char **alg, char **secret)
{
	const char *s = text, *tok;
	char **slot;
	size_t n;

	*name = *alg = *secret = NULL;
	if ((n = rfc2136_token(&s, &tok)) != 3 || strncmp(tok, "key", 3) != 0)
		return -1;
	if ((n = rfc2136_token(&s, &tok)) == 0 || tok[0] == '{')
		return -1;
	*name = rfc2136_unquote(tok, n);
	if (rfc2136_token(&s, &tok) != 1 || tok[0] != '{')
		goto bad;
	while ((n = rfc2136_token(&s, &tok)) != 0 && tok[0] != '}') {
		if (n == 9 && strncmp(tok, "algorithm", 9) == 0)
			slot = alg;
		else if (n == 6 && strncmp(tok, "secret", 6) == 0)
			slot = secret;
		else
			goto bad;
		if ((n = rfc2136_token(&s, &tok)) == 0 || *slot != NULL)
			goto bad;
		*slot = rfc2136_unquote(tok, n);
		if (rfc2136_token(&s, &tok) != 1 || tok[0] != ';')
			goto bad;
	}
	if (n == 0 || *secret == NULL)
		goto bad;
	return 0;
bad:
	free(*name);
	free(*alg);
	if (*secret != NULL)
		provider_secret_free(*secret);
	*name = *alg = *secret = NULL;
	return -1;
}

/* "hmac-sha256" in any case, with or without the dot. */
static int
rfc2136_alg(struct rfc2136 *st, const char *alg, struct err *e)
{
	size_t len = strlen(alg);

	if (len > 0 && alg[len - 1] == '.')
		len--;
	if (len == 11 && strncasecmp(alg, "hmac-sha256", len) == 0)
		st->alg = "hmac-sha256.";
	else if (len == 11 && strncasecmp(alg, "hmac-sha512", len) == 0)
		st->alg = "hmac-sha512.";
	else if (len == 11 && strncasecmp(alg, "hmac-sha384", len) == 0)
		return err_set(e, ERR_USAGE, "rfc2136 provider: tsig_algorithm "
		    "hmac-sha384 is not supported: ldns 1.8.3 cannot compute it "
		    "(a typo in its algorithm table); make a hmac-sha256 or "
		    "hmac-sha512 key");
	else
		return err_set(e, ERR_USAGE, "rfc2136 provider: tsig_algorithm "
		    "\"%s\": want hmac-sha256 or hmac-sha512", alg);
	return 0;
}

/* Check the key's parts and store them. */
static int
rfc2136_key_set(struct provider *p, struct rfc2136 *st, const char *name,
	const char *alg, char *secret, struct err *e)
{
	const char *path = provider_param(p, "tsig_key_file");
	size_t len;
	uint8_t *bin;
	int n;

	st->secret = secret;
	if (name == NULL)
		return err_set(e, ERR_USAGE, "rfc2136 provider: missing "
		    "parameter \"tsig_name\" (%s holds only the secret)", path);
	len = strlen(name);
	st->keyname = len > 0 && name[len - 1] == '.' ? xstrdup(name) :
	    xasprintf("%s.", name);
	if (rfc2136_alg(st, alg != NULL ? alg : "hmac-sha256", e) < 0)
		return -1;
	len = strlen(secret);
	bin = xmalloc(len / 4 * 3 + 3);
	n = len % 4 == 0 ? EVP_DecodeBlock(bin, (const unsigned char *)secret,
	    (int)len) : -1;
	explicit_bzero(bin, len / 4 * 3 + 3);
	free(bin);
	if (n <= 0)
		return err_set(e, ERR_INPUT, "rfc2136 provider: tsig_key_file: "
		    "%s: the secret is not base64", path);
	return 0;
}

/* Equal domain names, ignoring case and a trailing dot. */
static int
rfc2136_same_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* A printable domain name of sane length (what a key name must be). */
static int
rfc2136_name_ok(const char *name)
{
	ldns_rdf *d;
	const char *p;

	if (*name == '\0' || strlen(name) > 253)
		return 0;
	for (p = name; *p != '\0'; p++)
		if (!isgraph((unsigned char)*p))
			return 0;
	if ((d = ldns_dname_new_frm_str(name)) == NULL)
		return 0;
	ldns_rdf_deep_free(d);
	return 1;
}

/* The key from tsig_key_file: a bare base64 secret or a BIND statement. */
static int
rfc2136_key(struct provider *p, struct rfc2136 *st, struct err *e)
{
	const char *pname = provider_param(p, "tsig_name");
	const char *palg = provider_param(p, "tsig_algorithm");
	const char *path = provider_param(p, "tsig_key_file");
	char *text, *name, *alg, *secret;
	int rc;

	if ((text = provider_secret(p, "tsig_key_file", e)) == NULL)
		return -1;
	if (rfc2136_key_bind(text, &name, &alg, &secret) < 0) {
		/* Base64 has no blanks or braces: this was meant as a key
		 * statement and is broken. */
		if (strpbrk(text, " \t\r\n{;\"") != NULL) {
			provider_secret_free(text);
			return err_set(e, ERR_INPUT, "rfc2136 provider: "
			    "tsig_key_file: %s: neither a base64 secret nor a "
			    "key \"NAME\" { algorithm ...; secret \"...\"; }; "
			    "statement", path);
		}
		return rfc2136_key_set(p, st, pname, palg, text, e);
	}
	provider_secret_free(text);
	rc = 0;
	/* The name is echoed in messages: only a domain name gets there
	 * (fuzz_tsig_key found a newline in one). */
	if (!rfc2136_name_ok(name))
		rc = err_set(e, ERR_INPUT, "rfc2136 provider: tsig_key_file: "
		    "%s: the key's name is not a domain name", path);
	else if (pname != NULL && !rfc2136_same_name(pname, name))
		rc = err_set(e, ERR_USAGE, "rfc2136 provider: tsig_name \"%s\" "
		    "differs from the key \"%s\" in %s", pname, name, path);
	else if (palg != NULL && alg != NULL && strncasecmp(palg, alg,
	    strlen("hmac-sha256")) != 0)
		rc = err_set(e, ERR_USAGE, "rfc2136 provider: tsig_algorithm "
		    "\"%s\" differs from \"%s\" in %s", palg, alg, path);
	if (rc == 0)
		rc = rfc2136_key_set(p, st, name, alg != NULL ? alg : palg,
		    secret, e);
	else
		provider_secret_free(secret);
	free(name);
	free(alg);
	return rc;
}

static int
rfc2136_init(struct provider *p, struct err *e)
{
	struct rfc2136 *st = xcalloc(1, sizeof(*st));
	const char *server, *transport;

	p->impl = st;
	if (p->zone == NULL)
		return err_set(e, ERR_USAGE, "rfc2136 provider: missing "
		    "parameter \"zone\"");
	if ((server = provider_param_req(p, "server", e)) == NULL ||
	    rfc2136_server(st, server, e) < 0)
		return -1;
	transport = provider_param(p, "transport");
	if (transport != NULL && strcmp(transport, "udp") == 0)
		st->udp = 1;
	else if (transport != NULL && strcmp(transport, "tcp") != 0)
		return err_set(e, ERR_USAGE, "rfc2136 provider: transport = "
		    "\"%s\": want tcp or udp", transport);
	return rfc2136_key(p, st, e);
}

static void
rfc2136_fini(struct provider *p)
{
	struct rfc2136 *st = p->impl;

	if (st == NULL)
		return;
	free(st->server);
	free(st->keyname);
	provider_secret_free(st->secret);
	free(st);
}

static const char *
rfc2136_rcode(ldns_pkt_rcode rcode)
{
	ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, (int)rcode);

	return lt != NULL ? lt->name : "unknown rcode";
}

/* A TSIG error in the answer: the server did not accept our signature. */
static int
rfc2136_tsig_error(const struct rfc2136 *st, uint16_t error, struct err *e)
{
	switch (error) {
	case 16:
		return err_set(e, ERR_INPUT, "rfc2136 provider: server %s "
		    "rejected the TSIG signature of key %s (BADSIG): check the "
		    "secret and tsig_algorithm", st->server, st->keyname);
	case 17:
		return err_set(e, ERR_INPUT, "rfc2136 provider: server %s does "
		    "not know TSIG key %s (BADKEY): check tsig_name and "
		    "tsig_algorithm", st->server, st->keyname);
	case 18:
		return err_set(e, ERR_INPUT, "rfc2136 provider: server %s "
		    "rejected the TSIG time (BADTIME): the clocks differ by "
		    "more than %d s", st->server, RFC2136_FUDGE);
	default:
		return err_set(e, ERR_INPUT, "rfc2136 provider: server %s "
		    "returned TSIG error %u for key %s", st->server, error,
		    st->keyname);
	}
}

/*
 * Check an answer to query (whose MAC is mac): its ID, and its TSIG, which
 * must be there and verify unless the server reports a TSIG error.
 */
static int
rfc2136_verify(const struct rfc2136 *st, const ldns_pkt *query,
	const ldns_rdf *mac, ldns_pkt *reply, const uint8_t *wire, size_t len,
	struct err *e)
{
	ldns_rr *tsig = ldns_pkt_tsig(reply);
	uint16_t error;
	bool ok;

	if (ldns_pkt_id(reply) != ldns_pkt_id(query) || !ldns_pkt_qr(reply)) {
		err_set(e, ERR_NETWORK, "rfc2136 provider: server %s: answer "
		    "does not match the query", st->server);
		return RFC_TEMP;
	}
	if (tsig != NULL && ldns_rr_rd_count(tsig) >= 6) {
		error = ldns_rdf2native_int16(ldns_rr_rdf(tsig, 5));
		if (error != 0)
			return rfc2136_tsig_error(st, error, e);
	}
	if (tsig == NULL) {
		if (ldns_pkt_get_rcode(reply) == LDNS_RCODE_NOTAUTH)
			return err_set(e, ERR_INPUT, "rfc2136 provider: server "
			    "%s answered NOTAUTH without TSIG: it does not "
			    "accept key %s (check tsig_name, tsig_algorithm "
			    "and the secret)", st->server, st->keyname);
		err_set(e, ERR_NETWORK, "rfc2136 provider: server %s: answer "
		    "is not signed with TSIG key %s (%s)", st->server,
		    st->keyname, rfc2136_rcode(ldns_pkt_get_rcode(reply)));
		return RFC_PERM;
	}
	ok = ldns_pkt_tsig_verify(reply, wire, len, st->keyname, st->secret,
	    mac);
	/* ldns 1.8.3 takes the TSIG off the packet to verify and, when it
	 * cannot compute a MAC (an algorithm it does not know), returns
	 * without putting it back: it would leak (found by fuzzing). */
	if (ldns_pkt_tsig(reply) == NULL)
		ldns_rr_free(tsig);
	if (!ok)
		return err_set(e, ERR_INPUT, "rfc2136 provider: server %s: the "
		    "answer's TSIG does not verify with key %s (wrong secret, "
		    "or a forged answer)", st->server, st->keyname);
	return RFC_OK;
}

/* Send one signed copy of tmpl and read the answer into *reply. */
static int
rfc2136_exchange(const struct rfc2136 *st, const ldns_pkt *tmpl, long ms,
	ldns_pkt **reply, struct err *e)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	ldns_pkt *q = ldns_pkt_clone(tmpl);
	ldns_buffer *qbin = ldns_buffer_new(LDNS_MAX_PACKETLEN);
	uint8_t *wire = NULL;
	size_t len = 0;
	ldns_status s;
	int rc = RFC_TEMP, udp = st->udp;

	*reply = NULL;
	ldns_pkt_set_random_id(q);
	s = ldns_pkt_tsig_sign(q, st->keyname, st->secret, RFC2136_FUDGE,
	    st->alg, NULL);
	if (s == LDNS_STATUS_OK)
		s = ldns_pkt2buffer_wire(qbin, q);
	if (s != LDNS_STATUS_OK) {
		rc = err_set(e, ERR_INPUT, "rfc2136 provider: cannot sign with "
		    "key %s: %s", st->keyname, ldns_get_errorstr_by_id(s));
		goto out;
	}
again:
	s = udp ? ldns_udp_send(&wire, qbin, &st->ss, st->sslen, tv, &len) :
	    ldns_tcp_send(&wire, qbin, &st->ss, st->sslen, tv, &len);
	if (s != LDNS_STATUS_OK || wire == NULL) {
		err_set(e, ERR_TEMP, "rfc2136 provider: server %s: no answer "
		    "over %s (refused, unreachable or timed out)", st->server,
		    udp ? "udp" : "tcp");
		goto out;
	}
	if (ldns_wire2pkt(reply, wire, len) != LDNS_STATUS_OK) {
		err_set(e, ERR_NETWORK, "rfc2136 provider: server %s: "
		    "malformed answer", st->server);
		goto out;
	}
	if (udp && ldns_pkt_tc(*reply)) {
		/* Too big for UDP: the same signed message over TCP. */
		ldns_pkt_free(*reply);
		*reply = NULL;
		free(wire);
		wire = NULL;
		udp = 0;
		goto again;
	}
	rc = rfc2136_verify(st, q, ldns_rr_rdf(ldns_pkt_tsig(q), 3), *reply,
	    wire, len, e);
out:
	if (rc != RFC_OK) {
		ldns_pkt_free(*reply);
		*reply = NULL;
	}
	free(wire);
	ldns_buffer_free(qbin);
	ldns_pkt_free(q);
	return rc;
}

/*
 * Exchange tmpl with retries: network failures and SERVFAIL are retried
 * until the call's retries or time run out (then ERR_TEMP); everything
 * else is returned at once.
 */
static int
rfc2136_call(struct provider *p, const ldns_pkt *tmpl, ldns_pkt **reply,
	struct err *e)
{
	struct rfc2136 *st = p->impl;
	struct provider_retry rt;
	long ms;
	int rc;

	provider_retry_start(&rt, p);
	for (;;) {
		ms = provider_retry_left_ms(&rt);
		if (ms > RFC2136_TRY_MS)
			ms = RFC2136_TRY_MS;
		if (ms < 1)
			ms = 1;
		rc = rfc2136_exchange(st, tmpl, ms, reply, e);
		if (rc == RFC_OK &&
		    ldns_pkt_get_rcode(*reply) == LDNS_RCODE_SERVFAIL) {
			err_set(e, ERR_TEMP, "rfc2136 provider: server %s "
			    "answered SERVFAIL", st->server);
			ldns_pkt_free(*reply);
			*reply = NULL;
			rc = RFC_TEMP;
		}
		if (rc != RFC_TEMP)
			return rc == RFC_OK ? 0 : -1;
		if (provider_retry_wait(&rt, -1) < 0) {
			/* e holds the last failure; say it persisted. */
			size_t n = strlen(e->msg);

			snprintf(e->msg + n, sizeof(e->msg) - n, " (%s)",
			    rt.why);
			e->kind = ERR_TEMP;
			return -1;
		}
	}
}

/* An RR of owner: class IN with ttl to add, class NONE TTL 0 to delete. */
static ldns_rr *
rfc2136_rr(ldns_rdf *owner, ldns_rr_class cls, uint32_t ttl,
	const struct tlsa_rec *r)
{
	ldns_rr *rr = ldns_rr_new();

	ldns_rr_set_owner(rr, ldns_rdf_clone(owner));
	ldns_rr_set_type(rr, LDNS_RR_TYPE_TLSA);
	ldns_rr_set_class(rr, cls);
	ldns_rr_set_ttl(rr, ttl);
	ldns_rr_push_rdf(rr, ldns_native2rdf_int8(LDNS_RDF_TYPE_INT8,
	    r->usage));
	ldns_rr_push_rdf(rr, ldns_native2rdf_int8(LDNS_RDF_TYPE_INT8,
	    r->selector));
	ldns_rr_push_rdf(rr, ldns_native2rdf_int8(LDNS_RDF_TYPE_INT8,
	    r->mtype));
	ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_HEX, r->len,
	    r->data));
	return rr;
}

static ldns_rdf *
rfc2136_dname(struct provider *p, const char *name, struct err *e)
{
	ldns_rdf *d = ldns_dname_new_frm_str(name);

	if (d == NULL)
		err_set(e, ERR_USAGE, "rfc2136 provider: \"%s\" is not a domain "
		    "name", name);
	(void)p;
	return d;
}

/* owner as a name, checked to be in the zone the server is asked about. */
static ldns_rdf *
rfc2136_owner(struct provider *p, const char *owner, struct err *e)
{
	ldns_rdf *zone, *name;
	int in;

	if ((name = rfc2136_dname(p, owner, e)) == NULL)
		return NULL;
	if ((zone = rfc2136_dname(p, p->zone, e)) == NULL) {
		ldns_rdf_deep_free(name);
		return NULL;
	}
	in = ldns_dname_is_subdomain(name, zone) ||
	    ldns_dname_compare(name, zone) == 0;
	ldns_rdf_deep_free(zone);
	if (!in) {
		ldns_rdf_deep_free(name);
		err_set(e, ERR_USAGE, "rfc2136 provider: owner %s is not in "
		    "zone %s", owner, p->zone);
		return NULL;
	}
	return name;
}

static int
rfc2136_update_rcode(struct provider *p, const char *owner,
	ldns_pkt_rcode rcode, struct err *e)
{
	struct rfc2136 *st = p->impl;

	switch (rcode) {
	case LDNS_RCODE_NOERROR:
		return 0;
	case LDNS_RCODE_REFUSED:
		return err_set(e, ERR_INPUT, "rfc2136 provider: server %s "
		    "REFUSED the update of %s TLSA in zone %s: allow key %s "
		    "to update it (acl / update-policy)", st->server, owner,
		    p->zone, st->keyname);
	case LDNS_RCODE_NOTAUTH:
		return err_set(e, ERR_INPUT, "rfc2136 provider: server %s is not "
		    "authoritative for zone %s (NOTAUTH): check server and zone",
		    st->server, p->zone);
	case LDNS_RCODE_NOTZONE:
		return err_set(e, ERR_INPUT, "rfc2136 provider: server %s: %s is "
		    "not in zone %s (NOTZONE): check zone", st->server, owner,
		    p->zone);
	default:
		return err_set(e, ERR_INPUT, "rfc2136 provider: server %s "
		    "answered %s to the update of %s TLSA", st->server,
		    rfc2136_rcode(rcode), owner);
	}
}

static int
rfc2136_update(struct provider *p, const char *owner, ldns_rr_class cls,
	uint32_t ttl, const struct tlsa_rec *r, struct err *e)
{
	ldns_rdf *zone, *name;
	ldns_rr_list *up;
	ldns_pkt *tmpl, *reply = NULL;
	int rc;

	if ((name = rfc2136_owner(p, owner, e)) == NULL)
		return -1;
	if ((zone = rfc2136_dname(p, p->zone, e)) == NULL) {
		ldns_rdf_deep_free(name);
		return -1;
	}
	up = ldns_rr_list_new();
	ldns_rr_list_push_rr(up, rfc2136_rr(name, cls, ttl, r));
	ldns_rdf_deep_free(name);
	/* ldns_update_pkt_new takes zone; the list stays ours. */
	tmpl = ldns_update_pkt_new(zone, LDNS_RR_CLASS_IN, NULL, up, NULL);
	ldns_rr_list_deep_free(up);
	rc = rfc2136_call(p, tmpl, &reply, e);
	if (rc == 0)
		rc = rfc2136_update_rcode(p, owner, ldns_pkt_get_rcode(reply), e);
	ldns_pkt_free(reply);
	ldns_pkt_free(tmpl);
	return rc;
}

static int
rfc2136_add(struct provider *p, const char *owner, uint32_t ttl,
	const struct tlsa_rec *r, struct err *e)
{
	return rfc2136_update(p, owner, LDNS_RR_CLASS_IN, ttl, r, e);
}

static int
rfc2136_del(struct provider *p, const char *owner, const struct tlsa_rec *r,
	struct err *e)
{
	return rfc2136_update(p, owner, LDNS_RR_CLASS_NONE, 0, r, e);
}

/* The TLSA records at qname in the answer section of reply. */
static int
rfc2136_answer(struct provider *p, const ldns_rdf *qname, ldns_pkt *reply,
	struct tlsa_rec ***recs, size_t *n, struct err *e)
{
	ldns_rr_list *an = ldns_pkt_answer(reply);
	struct tlsa_rec *r;
	ldns_rdf *d;
	ldns_rr *rr;
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(an); i++) {
		rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TLSA ||
		    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
		    ldns_dname_compare(ldns_rr_owner(rr), qname) != 0)
			continue;
		if (ldns_rr_rd_count(rr) != 4)
			return err_set(e, ERR_NETWORK, "rfc2136 provider: server "
			    "%s: malformed TLSA record",
			    ((struct rfc2136 *)p->impl)->server);
		d = ldns_rr_rdf(rr, 3);
		r = tlsa_rec_new(ldns_rdf2native_int8(ldns_rr_rdf(rr, 0)),
		    ldns_rdf2native_int8(ldns_rr_rdf(rr, 1)),
		    ldns_rdf2native_int8(ldns_rr_rdf(rr, 2)),
		    ldns_rdf_data(d), ldns_rdf_size(d));
		provider_recs_push(recs, n, r);
		tlsa_rec_free(r);
	}
	return 0;
}

static int
rfc2136_list(struct provider *p, const char *owner, struct tlsa_rec ***recs,
	size_t *n, struct err *e)
{
	struct rfc2136 *st = p->impl;
	ldns_pkt *tmpl, *reply = NULL;
	ldns_pkt_rcode rcode;
	ldns_rdf *name;
	int rc = -1;

	if ((name = rfc2136_owner(p, owner, e)) == NULL)
		return -1;
	/* No RD flag: the server must answer from its own zone. */
	tmpl = ldns_pkt_query_new(ldns_rdf_clone(name), LDNS_RR_TYPE_TLSA,
	    LDNS_RR_CLASS_IN, 0);
	if (rfc2136_call(p, tmpl, &reply, e) < 0)
		goto out;
	rcode = ldns_pkt_get_rcode(reply);
	if (rcode != LDNS_RCODE_NOERROR && rcode != LDNS_RCODE_NXDOMAIN)
		err_set(e, ERR_INPUT, "rfc2136 provider: server %s answered %s "
		    "for %s TLSA: is it authoritative for zone %s?", st->server,
		    rfc2136_rcode(rcode), owner, p->zone);
	else if (!ldns_pkt_aa(reply))
		err_set(e, ERR_INPUT, "rfc2136 provider: server %s is not "
		    "authoritative for %s: check server and zone", st->server,
		    owner);
	else
		rc = rfc2136_answer(p, name, reply, recs, n, e);
out:
	ldns_pkt_free(reply);
	ldns_pkt_free(tmpl);
	ldns_rdf_deep_free(name);
	return rc;
}

int
rfc2136_fuzz_reply(const uint8_t *wire, size_t len)
{
	struct rfc2136 st;
	struct provider p;
	struct tlsa_rec **recs = NULL;
	ldns_pkt *q, *reply = NULL;
	ldns_rdf *qname;
	struct err e;
	size_t n = 0;
	int rc;

	memset(&st, 0, sizeof(st));
	memset(&p, 0, sizeof(p));
	st.server = (char *)"fuzz";
	st.keyname = (char *)"fuzz.key.";
	st.alg = "hmac-sha256.";
	st.secret = (char *)"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";
	p.impl = &st;
	if (ldns_wire2pkt(&reply, wire, len) != LDNS_STATUS_OK)
		return -1;
	qname = ldns_dname_new_frm_str("_25._tcp.mx.example.org.");
	q = ldns_pkt_query_new(ldns_rdf_clone(qname), LDNS_RR_TYPE_TLSA,
	    LDNS_RR_CLASS_IN, 0);
	ldns_pkt_set_id(q, ldns_pkt_id(reply));
	if (ldns_pkt_tsig_sign(q, st.keyname, st.secret, RFC2136_FUDGE,
	    st.alg, NULL) == LDNS_STATUS_OK)
		(void)rfc2136_verify(&st, q, ldns_rr_rdf(ldns_pkt_tsig(q), 3),
		    reply, wire, len, &e);
	rc = rfc2136_answer(&p, qname, reply, &recs, &n, &e);
	provider_recs_free(recs, n);
	ldns_pkt_free(q);
	ldns_pkt_free(reply);
	ldns_rdf_deep_free(qname);
	return rc < 0 ? -1 : (int)n;
}

const struct provider_ops prov_rfc2136_ops = {
	.name = "rfc2136",
	.keys = rfc2136_keys,
	.init = rfc2136_init,
	.fini = rfc2136_fini,
	.list = rfc2136_list,
	.add = rfc2136_add,
	.del = rfc2136_del,
};
