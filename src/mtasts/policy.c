/*
 * policy - parse an MTA-STS policy and match MX hosts (see policy.h).
 */
#include "mtasts/policy.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xalloc.h"

#define WSP(c) ((c) == ' ' || (c) == '\t')

const char *
mtasts_mode_name(enum mtasts_mode m)
{
	switch (m) {
	case MTASTS_MODE_ENFORCE:
		return "enforce";
	case MTASTS_MODE_TESTING:
		return "testing";
	default:
		return "none";
	}
}

void
mtasts_policy_free(struct mtasts_policy *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nmx; i++)
		free(p->mx[i]);
	free(p->mx);
	free(p);
}

/*
 * ["*."] Domain, Domain = sub-domain *("." sub-domain) (RFC 5321): labels
 * of letters, digits and inner hyphens, 1-63 octets, 253 in all.
 */
static int
policy_mx_valid(const char *v, size_t len)
{
	size_t i, label = 0;

	if (len >= 2 && v[0] == '*' && v[1] == '.') {
		v += 2;
		len -= 2;
	}
	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i < len; i++) {
		if (v[i] == '.') {
			if (label == 0 || v[i - 1] == '-')
				return 0;
			label = 0;
		} else if (isalnum((unsigned char)v[i]) ||
		    (v[i] == '-' && label > 0)) {
			if (++label > 63)
				return 0;
		} else
			return 0;
	}
	return label > 0 && v[len - 1] != '-';
}

/* A policy value: sts-policy-vchar *(*WSP sts-policy-vchar). */
static int
policy_value_valid(const char *v, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (((unsigned char)v[i] < 0x20 && v[i] != '\t') ||
		    v[i] == 0x7f)
			return 0;
	return 1;
}

struct policy_seen {
	int version, mode, max_age;
};

/* One "key: value" (value trimmed); -1 with e naming line n. */
static int
policy_field(struct mtasts_policy *p, struct policy_seen *seen, size_t n,
	const char *k, size_t klen, const char *v, size_t vlen, struct err *e)
{
	char *end;
	size_t i;

#define KEY(s) (klen == sizeof(s) - 1 && memcmp(k, s, klen) == 0)
#define ONCE(f) do { \
		if (seen->f) \
			return err_set(e, ERR_INPUT, "policy line %zu: %.*s " \
			    "given twice", n, (int)klen, k); \
		seen->f = 1; \
	} while (0)
	if (KEY("version")) {
		ONCE(version);
		if (vlen != 5 || memcmp(v, "STSv1", 5) != 0)
			return err_set(e, ERR_INPUT, "policy line %zu: version "
			    "\"%.*s\": want STSv1", n, (int)(vlen > 40 ? 40 :
			    vlen), v);
	} else if (KEY("mode")) {
		ONCE(mode);
		if (vlen == 7 && memcmp(v, "enforce", 7) == 0)
			p->mode = MTASTS_MODE_ENFORCE;
		else if (vlen == 7 && memcmp(v, "testing", 7) == 0)
			p->mode = MTASTS_MODE_TESTING;
		else if (vlen == 4 && memcmp(v, "none", 4) == 0)
			p->mode = MTASTS_MODE_NONE;
		else
			return err_set(e, ERR_INPUT, "policy line %zu: mode "
			    "\"%.*s\": want enforce, testing or none", n,
			    (int)(vlen > 40 ? 40 : vlen), v);
	} else if (KEY("max_age")) {
		ONCE(max_age);
		for (i = 0; i < vlen; i++)
			if (!isdigit((unsigned char)v[i]))
				break;
		if (vlen == 0 || vlen > 10 || i < vlen ||
		    (p->max_age = strtol(v, &end, 10)) > MTASTS_MAX_AGE_MAX)
			return err_set(e, ERR_INPUT, "policy line %zu: max_age "
			    "\"%.*s\": want seconds from 0 to %ld", n,
			    (int)(vlen > 40 ? 40 : vlen), v,
			    MTASTS_MAX_AGE_MAX);
	} else if (KEY("mx")) {
		if (!policy_mx_valid(v, vlen))
			return err_set(e, ERR_INPUT, "policy line %zu: mx "
			    "\"%.*s\" is not a host name or *.domain", n,
			    (int)(vlen > 80 ? 80 : vlen), v);
		p->mx = xreallocarray(p->mx, p->nmx + 1, sizeof(*p->mx));
		p->mx[p->nmx] = xstrndup(v, vlen);
		for (i = 0; i < vlen; i++)
			p->mx[p->nmx][i] = (char)tolower((unsigned char)v[i]);
		p->nmx++;
	} else
		p->nunknown++;
#undef KEY
#undef ONCE
	return 0;
}

/* Split one line into key and value and check its shape. */
static int
policy_line(struct mtasts_policy *p, struct policy_seen *seen, size_t n,
	const char *l, size_t len, struct err *e)
{
	size_t klen = 0, v;

	while (klen < len && (isalnum((unsigned char)l[klen]) ||
	    (klen > 0 && strchr("_-.", l[klen]) != NULL)))
		klen++;
	if (klen == 0 || klen > 32 || klen == len || l[klen] != ':')
		return err_set(e, ERR_INPUT, "policy line %zu: \"%.*s\" is not "
		    "\"key: value\"", n, (int)(len > 60 ? 60 : len), l);
	v = klen + 1;
	while (v < len && WSP(l[v]))
		v++;
	while (len > v && WSP(l[len - 1]))
		len--;
	if (!policy_value_valid(l + v, len - v))
		return err_set(e, ERR_INPUT, "policy line %zu: %.*s has no value "
		    "or a control character", n, (int)klen, l);
	return policy_field(p, seen, n, l, klen, l + v, len - v, e);
}

struct mtasts_policy *
mtasts_policy_parse(const char *body, size_t len, struct err *e)
{
	struct mtasts_policy *p = xcalloc(1, sizeof(*p));
	struct policy_seen seen = { 0, 0, 0 };
	size_t off = 0, n = 0, l;
	const char *nl;

	if (memchr(body, '\0', len) != NULL) {
		err_set(e, ERR_INPUT, "policy: contains a NUL byte");
		goto bad;
	}
	while (off < len) {
		nl = memchr(body + off, '\n', len - off);
		l = nl != NULL ? (size_t)(nl - (body + off)) : len - off;
		n++;
		if (l > 0 && body[off + l - 1] == '\r')
			l--;
		if (l == 0)
			p->nblank++;
		else if (policy_line(p, &seen, n, body + off, l, e) < 0)
			goto bad;
		off += (nl != NULL ? (size_t)(nl - (body + off)) + 1 : len - off);
	}
	if (!seen.version || !seen.mode || !seen.max_age) {
		err_set(e, ERR_INPUT, "policy: no %s line", !seen.version ?
		    "version" : !seen.mode ? "mode" : "max_age");
		goto bad;
	}
	if (p->nmx == 0 && p->mode != MTASTS_MODE_NONE) {
		err_set(e, ERR_INPUT, "policy: mode %s without an mx line",
		    mtasts_mode_name(p->mode));
		goto bad;
	}
	return p;
bad:
	mtasts_policy_free(p);
	return NULL;
}

/* Length of s without one trailing dot. */
static size_t
mx_len(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && s[n - 1] == '.' ? n - 1 : n;
}

int
mtasts_mx_match(const char *pattern, const char *host)
{
	size_t pl = mx_len(pattern), hl = mx_len(host);
	const char *dot;

	if (pl >= 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* One whole left-most label, then exactly the rest. */
		dot = memchr(host, '.', hl);
		if (dot == NULL || dot == host)
			return 0;
		return (size_t)(host + hl - dot) == pl - 1 &&
		    strncasecmp(dot, pattern + 1, pl - 1) == 0;
	}
	return pl == hl && pl > 0 && strncasecmp(pattern, host, pl) == 0;
}

const char *
mtasts_policy_match(const struct mtasts_policy *p, const char *host)
{
	size_t i;

	for (i = 0; i < p->nmx; i++)
		if (mtasts_mx_match(p->mx[i], host))
			return p->mx[i];
	return NULL;
}
