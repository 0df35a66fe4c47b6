/*
 * Unit tests for src/roll: keys.c (ids, records, the checks before going
 * live, generation), deploy.c, certbot.c (reuse_key editing) and
 * authns_served.
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

#include "roll/authns.h"
#include "roll/certbot.h"
#include "roll/conf.h"
#include "roll/deploy.h"
#include "roll/keys.h"
#include "util/fileio.h"

#define D "data/tlsa/"

static struct conf *
lineage_conf(const char *owner, const char *params)
{
	char text[1024];
	struct conf *c;
	struct err e;

	snprintf(text, sizeof(text), "[lineage t]\nsource_key = k\n"
	    "source_chain = c\ndeploy_key = %s\ndeploy_chain = %s\n"
	    "deploy_combined = %s\ntlsa = %s\nparams = %s\nprovider = p\n"
	    "[provider p]\ntype = rfc2136\n", "/tmp/test_roll_keys.key",
	    "/tmp/test_roll_keys.chain", "/tmp/test_roll_keys.both", owner,
	    params);
	err_clear(&e);
	c = conf_parse("t.conf", text, &e);
	assert_non_null(c);
	return c;
}

static void
test_keys_load_records_check(void **st)
{
	struct conf *c = lineage_conf("_25._tcp.mx1.example.org", "311");
	struct conf_lineage *l = &c->lineages[0];
	struct keyset *k;
	char **recs, want[256];
	size_t n;
	struct err e;

	(void)st;
	err_clear(&e);
	k = keys_load(D "ec.key", D "ec-fullchain.pem", l, &e);
	assert_non_null(k);
	assert_int_equal(strlen(k->id), KEYS_ID_LEN);
	assert_int_equal(keys_records(k, l, &recs, &n, &e), 0);
	assert_int_equal(n, 1);
	snprintf(want, sizeof(want), "_25._tcp.mx1.example.org. 3 1 1 %s", k->id);
	assert_string_equal(recs[0], want);
	keys_list_free(recs, n);
	assert_int_equal(keys_check(k, l, D "root.crt", &e), 0);
	/* a CA file that does not lead to the chain's root */
	assert_int_equal(keys_check(k, l, D "rsa.crt", &e), -1);
	assert_non_null(strstr(e.msg, "does not verify"));
	keys_free(k);
	conf_free(c);

	c = lineage_conf("_25._tcp.mx2.example.org", "311");
	k = keys_load(D "ec.key", D "ec-fullchain.pem", &c->lineages[0], &e);
	assert_int_equal(keys_check(k, &c->lineages[0], D "root.crt", &e), -1);
	assert_non_null(strstr(e.msg, "does not name mx2.example.org"));
	keys_free(k);
	k = keys_load(D "rsa.key", D "ec-fullchain.pem", &c->lineages[0], &e);
	assert_non_null(k);
	assert_int_equal(keys_check(k, &c->lineages[0], D "root.crt", &e), -1);
	assert_string_equal(e.msg, "the key does not match the certificate");
	keys_free(k);
	assert_null(keys_load(D "ec.crt", NULL, &c->lineages[0], &e));
	assert_non_null(strstr(e.msg, "not a private key"));
	keys_free(NULL);
	conf_free(c);
}

static void
test_keys_id_covers_certs_when_needed(void **st)
{
	struct conf *c1 = lineage_conf("_25._tcp.mx1.example.org", "311");
	struct conf *c2 = lineage_conf("_25._tcp.mx1.example.org", "311 211");
	struct keyset *a, *b, *bare;
	char **recs;
	size_t n;
	struct err e;

	(void)st;
	err_clear(&e);
	a = keys_load(D "ec.key", D "ec-fullchain.pem", &c1->lineages[0], &e);
	b = keys_load(D "ec.key", D "ec-fullchain.pem", &c2->lineages[0], &e);
	bare = keys_load(D "ec.key", NULL, &c2->lineages[0], &e);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(bare);
	assert_string_not_equal(a->id, b->id);
	assert_string_equal(a->id, bare->id);
	assert_int_equal(keys_records(b, &c2->lineages[0], &recs, &n, &e), 0);
	assert_int_equal(n, 2);
	keys_list_free(recs, n);
	/* a bare key has no issuer: only its 3 1 1 record */
	assert_int_equal(keys_records(bare, &c2->lineages[0], &recs, &n, &e), 0);
	assert_int_equal(n, 1);
	keys_list_free(recs, n);
	keys_free(a);
	keys_free(b);
	keys_free(bare);
	conf_free(c1);
	conf_free(c2);
}

static void
test_keys_generate(void **st)
{
	struct conf *c = lineage_conf("_25._tcp.mx1.example.org", "311");
	const char *path = "/tmp/test_roll_keys.next";
	struct keyset *k;
	struct stat sb;
	struct err e;
	const char *types[] = { "ec", "rsa" };
	size_t i;

	(void)st;
	for (i = 0; i < 2; i++) {
		err_clear(&e);
		assert_int_equal(keys_generate(path, types[i], &e), 0);
		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
		k = keys_load(path, NULL, &c->lineages[0], &e);
		assert_non_null(k);
		assert_int_equal(EVP_PKEY_is_a(k->pkey, i == 0 ? "EC" : "RSA"), 1);
		keys_free(k);
	}
	unlink(path);
	conf_free(c);
}

static void
test_deploy(void **st)
{
	struct conf *c = lineage_conf("_25._tcp.mx1.example.org", "311");
	struct conf_lineage *l = &c->lineages[0];
	struct keyset *k;
	struct stat sb;
	struct err e;
	char *both;

	(void)st;
	err_clear(&e);
	k = keys_load(D "ec.key", D "ec-fullchain.pem", l, &e);
	assert_false(deploy_matches(l, k));
	assert_int_equal(deploy_install(l, k, &e), 0);
	assert_true(deploy_matches(l, k));
	assert_int_equal(stat(l->deploy_key, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(l->deploy_chain, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644);
	both = fileio_read(l->deploy_combined, FILEIO_DEFAULT_MAX, NULL, &e);
	assert_non_null(both);
	assert_non_null(strstr(both, "PRIVATE KEY"));
	assert_non_null(strstr(both, "CERTIFICATE"));
	free(both);
	/* a changed combined file is not "deployed" */
	assert_int_equal(fileio_write_atomic(l->deploy_combined, "x", 1, 0600,
	    &e), 0);
	assert_false(deploy_matches(l, k));
	unlink(l->deploy_key);
	unlink(l->deploy_chain);
	unlink(l->deploy_combined);
	keys_free(k);
	conf_free(c);
}

static char *
renewal(const char *dir, const char *text)
{
	char path[256];
	struct err e;

	snprintf(path, sizeof(path), "%s/renewal", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/renewal/x.conf", dir);
	err_clear(&e);
	assert_int_equal(fileio_write_atomic(path, text, strlen(text), 0640, &e), 0);
	assert_int_equal(certbot_reuse_key(dir, "x", &e), 0);
	return fileio_read(path, FILEIO_DEFAULT_MAX, NULL, &e);
}

static void
test_certbot_reuse_key(void **st)
{
	char dir[] = "/tmp/test_roll_certbot.XXXXXX", path[256];
	struct stat sb;
	struct err e;
	char *out;

	(void)st;
	assert_non_null(mkdtemp(dir));
	out = renewal(dir, "version = 2.1.0\n[renewalparams]\nreuse_key = False\n"
	    "key_type = ecdsa\n");
	assert_string_equal(out, "version = 2.1.0\n[renewalparams]\n"
	    "reuse_key = True\nkey_type = ecdsa\n");
	free(out);
	out = renewal(dir, "# c\n[renewalparams]\nserver = x\n[[webroot_map]]\n"
	    "a = b\n");
	assert_string_equal(out, "# c\n[renewalparams]\nserver = x\n"
	    "reuse_key = True\n[[webroot_map]]\na = b\n");
	free(out);
	out = renewal(dir, "[renewalparams]\nserver = x");
	assert_string_equal(out, "[renewalparams]\nserver = x\nreuse_key = True\n");
	free(out);
	snprintf(path, sizeof(path), "%s/renewal/x.conf", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0640);
	err_clear(&e);
	assert_int_equal(fileio_write_atomic(path, "a = b\n", 6, 0600, &e), 0);
	assert_int_equal(certbot_reuse_key(dir, "x", &e), -1);
	assert_non_null(strstr(e.msg, "no [renewalparams]"));
	assert_int_equal(certbot_reuse_key(dir, "nosuch", &e), -1);
	unlink(path);
	snprintf(path, sizeof(path), "%s/renewal", dir);
	rmdir(path);
	rmdir(dir);
}

static void
test_authns_served(void **st)
{
	char *r1[] = { "o. 3 1 1 aa", "o. 3 1 1 bb" }, *r2[] = { "o. 3 1 1 aa" };
	struct authns_addr addrs[2] = {
		{ "ns1.", "192.0.2.1", NULL, r1, 2 },
		{ "ns2.", "192.0.2.2", NULL, r2, 1 },
	};
	struct authns a = { "z.", 2, 2, addrs, 2, 2, 2 };
	const char *aa[] = { "o. 3 1 1 aa" }, *bb[] = { "o. 3 1 1 bb" };

	(void)st;
	assert_true(authns_served(&a, aa, 1));
	assert_false(authns_served(&a, bb, 1));    /* ns2 lags */
	addrs[1].error = "no answer";
	assert_false(authns_served(&a, aa, 1));    /* a silent server */
	assert_false(authns_served(NULL, aa, 1));
	authns_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_load_records_check),
		cmocka_unit_test(test_keys_id_covers_certs_when_needed),
		cmocka_unit_test(test_keys_generate),
		cmocka_unit_test(test_deploy),
		cmocka_unit_test(test_certbot_reuse_key),
		cmocka_unit_test(test_authns_served),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
