/*
 * Unit tests for src/provider: parameters, secret files, key files, the
 * retry clock, Retry-After, owner names, and the Cloudflare, deSEC and
 * PowerDNS list parsers.  Network behaviour is tested end to end
 * (tests/e2e/provider*.sh).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "provider/provider.h"
#include "provider/provider_impl.h"

#define HEX64 "0101010101010101010101010101010101010101010101010101010101010101"

static char secret_path[64], open_path[64], bind_path[64], empty_path[64];

static void
write_file(char *path, const char *text, mode_t mode)
{
	int fd;

	strcpy(path, "/tmp/test_provider.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	chmod(path, mode);
}

static int
setup(void **state)
{
	(void)state;
	write_file(secret_path, "c2VjcmV0LXNlY3JldC1zZWNyZXQ=\n", 0600);
	write_file(open_path, "c2VjcmV0LXNlY3JldC1zZWNyZXQ=\n", 0644);
	write_file(bind_path, "# nsupdate key\nkey \"upd.example.\" {\n"
	    "\talgorithm hmac-sha512; // the algorithm\n"
	    "\tsecret \"c2VjcmV0LXNlY3JldC1zZWNyZXQ=\";\n};\n", 0600);
	write_file(empty_path, " \n", 0600);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(secret_path);
	unlink(open_path);
	unlink(bind_path);
	unlink(empty_path);
	return 0;
}

/* provider_new with "k=v" strings; NULL on failure with e set. */
static struct provider *
mk(const char *type, struct err *e, ...)
{
	struct provider_param ps[16];
	char *copies[16];
	const char *kv;
	struct provider *p;
	size_t n = 0, i;
	va_list ap;

	va_start(ap, e);
	while ((kv = va_arg(ap, const char *)) != NULL && n < 16) {
		copies[n] = strdup(kv);
		*strchr(copies[n], '=') = '\0';
		ps[n].key = copies[n];
		ps[n].value = copies[n] + strlen(copies[n]) + 1;
		n++;
	}
	va_end(ap);
	p = provider_new(type, ps, n, e);
	for (i = 0; i < n; i++)
		free(copies[i]);
	return p;
}

static char *
kv(const char *key, const char *value)
{
	static char buf[8][128];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s=%s", key, value);
	return buf[i];
}

static void
test_unknown_type(void **state)
{
	struct err e;

	(void)state;
	assert_null(mk("route53", &e, NULL));
	assert_int_equal(e.kind, ERR_USAGE);
	assert_non_null(strstr(e.msg, "\"route53\""));
}

static void
test_unknown_and_duplicate_params(void **state)
{
	struct err e;

	(void)state;
	assert_null(mk("exec", &e, "command=/bin/true", "tokne_file=x", NULL));
	assert_int_equal(e.kind, ERR_USAGE);
	assert_string_equal(e.msg, "exec provider: unknown parameter "
	    "\"tokne_file\"");
	assert_null(mk("exec", &e, "command=/bin/true", "retries=1",
	    "retries=2", NULL));
	assert_non_null(strstr(e.msg, "\"retries\" given twice"));
}

static void
test_common_numbers(void **state)
{
	struct provider *p;
	struct err e;

	(void)state;
	assert_null(mk("exec", &e, "command=/bin/true", "retries=21", NULL));
	assert_int_equal(e.kind, ERR_USAGE);
	assert_non_null(strstr(e.msg, "retries = \"21\""));
	assert_null(mk("exec", &e, "command=/bin/true", "timeout=0", NULL));
	assert_null(mk("exec", &e, "command=/bin/true", "timeout=5s", NULL));
	assert_null(mk("exec", &e, "command=/bin/true", "retries=-1", NULL));
	p = mk("exec", &e, "command=/bin/true", "retries=0", "timeout=7",
	    "backoff_ms=10", "zone=Example.ORG", NULL);
	assert_non_null(p);
	assert_int_equal(p->retries, 0);
	assert_int_equal(p->timeout_ms, 7000);
	assert_int_equal(p->backoff_ms, 10);
	assert_string_equal(p->zone, "example.org.");
	assert_string_equal(provider_type(p), "exec");
	provider_free(p);
	provider_free(NULL);
}

static void
test_secrets(void **state)
{
	struct err e;

	(void)state;
	assert_null(mk("cloudflare", &e, "zone=example.org", NULL));
	assert_int_equal(e.kind, ERR_USAGE);
	assert_string_equal(e.msg, "cloudflare provider: missing parameter "
	    "\"token_file\"");
	assert_null(mk("cloudflare", &e, "zone=example.org",
	    kv("token_file", open_path), NULL));
	assert_int_equal(e.kind, ERR_INPUT);
	assert_non_null(strstr(e.msg, open_path));
	assert_non_null(strstr(e.msg, "group or others"));
	assert_null(mk("desec", &e, "domain=example.org",
	    kv("token_file", empty_path), NULL));
	assert_int_equal(e.kind, ERR_INPUT);
	assert_non_null(strstr(e.msg, "no usable secret"));
	assert_null(mk("powerdns", &e, "zone=example.org",
	    "api_key_file=/nonexistent/key", NULL));
	assert_int_equal(e.kind, ERR_INPUT);
	assert_non_null(strstr(e.msg, "/nonexistent/key"));
}

static void
test_rfc2136_params(void **state)
{
	struct provider *p;
	struct err e;

	(void)state;
	assert_null(mk("rfc2136", &e, "zone=example.org", "server=ns1.example",
	    kv("tsig_key_file", secret_path), "tsig_name=k", NULL));
	assert_int_equal(e.kind, ERR_USAGE);
	assert_non_null(strstr(e.msg, "IP address"));
	assert_null(mk("rfc2136", &e, "zone=example.org", "server=::1@99999",
	    kv("tsig_key_file", secret_path), "tsig_name=k", NULL));
	assert_null(mk("rfc2136", &e, "server=127.0.0.1",
	    kv("tsig_key_file", secret_path), "tsig_name=k", NULL));
	assert_string_equal(e.msg, "rfc2136 provider: missing parameter \"zone\"");
	assert_null(mk("rfc2136", &e, "zone=example.org", "server=127.0.0.1",
	    kv("tsig_key_file", secret_path), NULL));
	assert_non_null(strstr(e.msg, "\"tsig_name\""));
	assert_null(mk("rfc2136", &e, "zone=example.org", "server=127.0.0.1",
	    kv("tsig_key_file", secret_path), "tsig_name=k",
	    "tsig_algorithm=hmac-sha384", NULL));
	assert_non_null(strstr(e.msg, "ldns 1.8.3"));
	assert_null(mk("rfc2136", &e, "zone=example.org", "server=127.0.0.1",
	    kv("tsig_key_file", secret_path), "tsig_name=k",
	    "tsig_algorithm=hmac-md5", NULL));
	assert_null(mk("rfc2136", &e, "zone=example.org", "server=127.0.0.1",
	    kv("tsig_key_file", secret_path), "tsig_name=k", "transport=quic",
	    NULL));
	p = mk("rfc2136", &e, "zone=example.org", "server=::1@5353",
	    kv("tsig_key_file", secret_path), "tsig_name=k", NULL);
	assert_non_null(p);
	provider_free(p);
}

static void
test_rfc2136_bind_key(void **state)
{
	struct provider *p;
	struct err e;

	(void)state;
	p = mk("rfc2136", &e, "zone=example.org", "server=127.0.0.1",
	    kv("tsig_key_file", bind_path), NULL);
	assert_non_null(p);
	provider_free(p);
	p = mk("rfc2136", &e, "zone=example.org", "server=127.0.0.1",
	    kv("tsig_key_file", bind_path), "tsig_name=upd.example",
	    "tsig_algorithm=hmac-sha512", NULL);
	assert_non_null(p);
	provider_free(p);
	assert_null(mk("rfc2136", &e, "zone=example.org", "server=127.0.0.1",
	    kv("tsig_key_file", bind_path), "tsig_name=other", NULL));
	assert_non_null(strstr(e.msg, "differs"));
	assert_null(mk("rfc2136", &e, "zone=example.org", "server=127.0.0.1",
	    kv("tsig_key_file", bind_path), "tsig_algorithm=hmac-sha256", NULL));
	assert_non_null(strstr(e.msg, "differs"));
}

static void
test_retry_after(void **state)
{
	long now = 1767225600;  /* Thu, 01 Jan 2026 00:00:00 GMT */

	(void)state;
	assert_int_equal(provider_retry_after_ms("120", now), 120000);
	assert_int_equal(provider_retry_after_ms(" 5\r\n", now), 5000);
	assert_int_equal(provider_retry_after_ms("0", now), 0);
	assert_int_equal(provider_retry_after_ms("99999999999", now),
	    86400L * 1000);
	assert_int_equal(provider_retry_after_ms("-1", now), -1);
	assert_int_equal(provider_retry_after_ms("5s", now), -1);
	assert_int_equal(provider_retry_after_ms("", now), -1);
	assert_int_equal(provider_retry_after_ms("soon", now), -1);
	assert_int_equal(provider_retry_after_ms(
	    "Thu, 01 Jan 2026 00:00:30 GMT", now), 30000);
	assert_int_equal(provider_retry_after_ms(
	    "Thursday, 01-Jan-26 00:01:00 GMT", now), 60000);
	assert_int_equal(provider_retry_after_ms(
	    "Thu Jan  1 00:00:10 2026", now), 10000);
	assert_int_equal(provider_retry_after_ms(
	    "Wed, 31 Dec 2025 23:00:00 GMT", now), 0);
	assert_int_equal(provider_retry_after_ms(
	    "Thu, 01 Jan 2026 00:00:30 GMT trailing", now), -1);
}

static void
test_retry_clock(void **state)
{
	struct provider p;
	struct provider_retry rt;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.timeout_ms = 1000;
	p.backoff_ms = 10;
	p.retries = 2;
	provider_retry_start(&rt, &p);
	assert_true(provider_retry_left_ms(&rt) > 900);
	assert_int_equal(provider_retry_wait(&rt, -1), 0);
	assert_int_equal(provider_retry_wait(&rt, 5), 0);
	assert_int_equal(provider_retry_wait(&rt, -1), -1);
	assert_string_equal(rt.why, "retries exhausted");
	provider_retry_start(&rt, &p);
	assert_int_equal(provider_retry_wait(&rt, 5000), -1);
	assert_non_null(strstr(rt.why, "longer than"));
}

static void
test_subname(void **state)
{
	struct provider *p;
	struct err e;
	char *s;

	(void)state;
	p = mk("exec", &e, "command=/bin/true", "zone=example.org", NULL);
	assert_non_null(p);
	s = provider_subname(p, "_25._tcp.MX.Example.org.", &e);
	assert_string_equal(s, "_25._tcp.MX");
	free(s);
	s = provider_subname(p, "example.org.", &e);
	assert_string_equal(s, "");
	free(s);
	assert_null(provider_subname(p, "badexample.org.", &e));
	assert_int_equal(e.kind, ERR_USAGE);
	assert_null(provider_subname(p, "_25._tcp.mx.example.org", &e));
	provider_free(p);
}

static void
test_owner_must_be_absolute(void **state)
{
	struct tlsa_rec **recs;
	struct provider *p;
	struct err e;
	size_t n;

	(void)state;
	p = mk("exec", &e, "command=/bin/true", NULL);
	assert_non_null(p);
	assert_int_equal(provider_list(p, "_25._tcp.mx.example.org", &recs, &n,
	    &e), -1);
	assert_int_equal(e.kind, ERR_USAGE);
	assert_null(recs);
	assert_int_equal(n, 0);
	provider_free(p);
}

static json_t *
js(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);

	assert_non_null(j);
	return j;
}

static void
test_cf_parse(void **state)
{
	struct prov_idrec *v = NULL;
	unsigned pages;
	size_t n = 0;
	struct err e;
	char msg[64];
	json_t *j;

	(void)state;
	j = js("{\"success\":true,\"result\":["
	    "{\"id\":\"a1\",\"type\":\"TLSA\",\"name\":\"_25._tcp.mx.example.org\","
	    "\"data\":{\"usage\":3,\"selector\":1,\"matching_type\":1,"
	    "\"certificate\":\"" HEX64 "\"}},"
	    "{\"id\":\"a2\",\"type\":\"TLSA\",\"name\":\"_25._TCP.mx.example.org\","
	    "\"content\":\"2\\t0\\t1\\t" HEX64 "\"},"
	    "{\"id\":\"a3\",\"type\":\"TXT\",\"name\":\"_25._tcp.mx.example.org\","
	    "\"content\":\"x\"},"
	    "{\"id\":\"a4\",\"type\":\"TLSA\",\"name\":\"other.example.org\","
	    "\"content\":\"3 1 1 00\"}],"
	    "\"result_info\":{\"page\":1,\"total_pages\":3}}");
	assert_int_equal(cf_parse_records(j, "_25._tcp.mx.example.org", &v, &n,
	    &pages, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(pages, 3);
	assert_string_equal(v[0].id, "a1");
	assert_int_equal(v[0].rec->usage, 3);
	assert_int_equal(v[1].rec->usage, 2);
	assert_int_equal(v[1].rec->selector, 0);
	prov_idrecs_free(v, n);
	json_decref(j);

	v = NULL;
	n = 0;
	j = js("{\"result\":{}}");
	assert_int_equal(cf_parse_records(j, "x", &v, &n, &pages, &e), -1);
	assert_int_equal(e.kind, ERR_NETWORK);
	json_decref(j);
	j = js("{\"result\":[{\"type\":\"TLSA\",\"name\":\"x\"}]}");
	assert_int_equal(cf_parse_records(j, "x", &v, &n, &pages, &e), -1);
	json_decref(j);
	j = js("{\"result\":[{\"id\":\"1\",\"type\":\"TLSA\",\"name\":\"x\","
	    "\"content\":\"3 1 1 abc\"}]}");
	assert_int_equal(cf_parse_records(j, "x", &v, &n, &pages, &e), -1);
	prov_idrecs_free(v, n);
	json_decref(j);
	v = NULL;
	n = 0;
	j = js("{\"result\":[],\"result_info\":{\"total_pages\":-2}}");
	assert_int_equal(cf_parse_records(j, "x", &v, &n, &pages, &e), -1);
	json_decref(j);

	j = js("{\"success\":false,\"errors\":[{\"code\":81058,"
	    "\"message\":\"An identical record already exists.\"}]}");
	assert_int_equal(cf_parse_error(j, msg, sizeof(msg)), 81058);
	assert_string_equal(msg, "An identical record already exists.");
	json_decref(j);
	j = js("{}");
	assert_int_equal(cf_parse_error(j, msg, sizeof(msg)), 0);
	json_decref(j);
}

static void
test_desec_parse(void **state)
{
	struct tlsa_rec **recs = NULL;
	size_t n = 0;
	uint32_t ttl;
	struct err e;
	json_t *j;

	(void)state;
	j = js("{\"subname\":\"_25._tcp.mx\",\"type\":\"TLSA\",\"ttl\":3600,"
	    "\"records\":[\"3 1 1 " HEX64 "\",\"3 1 1 " HEX64 "\","
	    "\"2 0 1 " HEX64 "\"]}");
	assert_int_equal(desec_parse_rrset(j, &recs, &n, &ttl, &e), 0);
	assert_int_equal(n, 2);        /* duplicates collapse */
	assert_int_equal(ttl, 3600);
	provider_recs_free(recs, n);
	json_decref(j);
	recs = NULL;
	n = 0;
	j = js("{\"ttl\":3600,\"records\":[3]}");
	assert_int_equal(desec_parse_rrset(j, &recs, &n, &ttl, &e), -1);
	json_decref(j);
	j = js("{\"records\":[]}");
	assert_int_equal(desec_parse_rrset(j, &recs, &n, &ttl, &e), -1);
	assert_int_equal(e.kind, ERR_NETWORK);
	json_decref(j);
	provider_recs_free(recs, n);
}

static void
test_pdns_parse(void **state)
{
	struct tlsa_rec **on = NULL, **off = NULL;
	size_t non = 0, noff = 0;
	uint32_t ttl;
	struct err e;
	json_t *j;

	(void)state;
	j = js("{\"name\":\"example.org.\",\"rrsets\":["
	    "{\"name\":\"_25._tcp.mx.example.org.\",\"type\":\"A\",\"ttl\":1,"
	    "\"records\":[{\"content\":\"192.0.2.1\",\"disabled\":false}]},"
	    "{\"name\":\"_25._tcp.MX.example.org.\",\"type\":\"TLSA\",\"ttl\":300,"
	    "\"records\":[{\"content\":\"3 1 1 " HEX64 "\",\"disabled\":false},"
	    "{\"content\":\"2 0 1 " HEX64 "\",\"disabled\":true}]}]}");
	assert_int_equal(pdns_parse_zone(j, "_25._tcp.mx.example.org.", &on,
	    &non, &off, &noff, &ttl, &e), 0);
	assert_int_equal(non, 1);
	assert_int_equal(noff, 1);
	assert_int_equal(ttl, 300);
	assert_int_equal(off[0]->usage, 2);
	provider_recs_free(on, non);
	provider_recs_free(off, noff);
	json_decref(j);
	on = off = NULL;
	non = noff = 0;
	j = js("{\"rrsets\":[{\"name\":\"x.\",\"type\":\"TLSA\"}]}");
	assert_int_equal(pdns_parse_zone(j, "x.", &on, &non, &off, &noff, &ttl,
	    &e), -1);
	json_decref(j);
	j = js("{\"name\":\"example.org.\"}");
	assert_int_equal(pdns_parse_zone(j, "x.", &on, &non, &off, &noff, &ttl,
	    &e), -1);
	json_decref(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_unknown_and_duplicate_params),
		cmocka_unit_test(test_common_numbers),
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_rfc2136_params),
		cmocka_unit_test(test_rfc2136_bind_key),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_retry_clock),
		cmocka_unit_test(test_subname),
		cmocka_unit_test(test_owner_must_be_absolute),
		cmocka_unit_test(test_cf_parse),
		cmocka_unit_test(test_desec_parse),
		cmocka_unit_test(test_pdns_parse),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
