/*
 * Unit tests for src/doctor: the aliases(5) parser and resolver
 * (aliases.c), the main.cf reader without postconf (host.c), the cron
 * command recognisers (schedules.c), the TLSRPT record parser (rua.c) and
 * the findings list.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doctor/aliases.h"
#include "doctor/findings.h"
#include "doctor/host.h"
#include "doctor/rua.h"
#include "doctor/schedules.h"

static struct aliases *
parse(const char *text)
{
	return aliases_parse("/etc/aliases", text, strlen(text));
}

static void
test_parse_format(void **state)
{
	static const char text[] =
	    "# comment\n"
	    "\n"
	    "Postmaster: root\n"
	    "root: alice,\n"
	    "  bob@example.org\n"
	    "# a comment inside does not end the entry\n"
	    "\t, \"|/usr/bin/daneops report ingest\"\n"
	    "\"quoted name\": \"/var/log/a, b\"\r\n"
	    "no colon here\n"
	    "empty:\n"
	    "root: dup\n";
	struct aliases *a = parse(text);
	const struct alias *x;

	(void)state;
	assert_int_equal(a->n, 4);
	x = aliases_find(a, "POSTMASTER");
	assert_non_null(x);
	assert_string_equal(x->name, "postmaster");
	assert_int_equal(x->nvalues, 1);
	assert_int_equal(x->line, 3);
	x = aliases_find(a, "root");
	assert_non_null(x);
	assert_int_equal(x->line, 4);
	assert_int_equal(x->nvalues, 3);
	assert_string_equal(x->values[1], "bob@example.org");
	assert_string_equal(x->values[2], "|/usr/bin/daneops report ingest");
	x = aliases_find(a, "quoted name");
	assert_non_null(x);
	assert_int_equal(x->nvalues, 1);
	assert_string_equal(x->values[0], "/var/log/a, b");
	x = aliases_find(a, "empty");
	assert_non_null(x);
	assert_int_equal(x->nvalues, 0);
	assert_int_equal(a->nbad, 1);
	assert_int_equal(a->bad[0], 9);
	assert_int_equal(a->ndup, 1);
	assert_int_equal(a->dup[0], 11);
	assert_null(aliases_find(a, "nobody"));
	aliases_free(a);
	aliases_free(NULL);
}

static void
test_split(void **state)
{
	static const char text[] = "# list\nalice, bob\n  \"|x, y\"\n\n#c\ncarol";
	char **v;
	size_t n, i;

	(void)state;
	n = aliases_split(text, strlen(text), &v, 10);
	assert_int_equal(n, 4);
	assert_string_equal(v[0], "alice");
	assert_string_equal(v[1], "bob");
	assert_string_equal(v[2], "|x, y");
	assert_string_equal(v[3], "carol");
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	n = aliases_split("a,b,c", 5, &v, 2);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The test host: users root and alice, local domains example.org. */
static int
t_is_user(void *arg, const char *name)
{
	(void)arg;
	return strcmp(name, "root") == 0 || strcmp(name, "alice") == 0;
}

static int
t_is_local(void *arg, const char *domain)
{
	(void)arg;
	return strcasecmp(domain, "example.org") == 0;
}

static char *
t_include(void *arg, const char *path, size_t *len, struct err *e)
{
	(void)arg;
	if (strcmp(path, "/etc/mail/team") == 0) {
		*len = strlen("alice\nteam2\n");
		return strdup("alice\nteam2\n");
	}
	if (strcmp(path, "/etc/mail/self") == 0) {
		*len = strlen(":include:/etc/mail/self");
		return strdup(":include:/etc/mail/self");
	}
	err_set(e, ERR_INPUT, "cannot be read");
	return NULL;
}

static const char hostaliases[] =
    "postmaster: root\n"
    "root: alice, root, ops@remote.example\n"
    "abuse: webteam\n"
    "loop1: loop2\n"
    "loop2: x@example.org, loop1\n"
    "x: \\alice\n"
    "team: :include:/etc/mail/team\n"
    "team2: alice\n"
    "self: :include:/etc/mail/self\n"
    "missing: :include:/etc/mail/none\n"
    "reports: \"|/usr/bin/daneops report ingest\", /var/mail/reports\n"
    "hollow: empty\n"
    "empty:\n";

static void
resolve(const struct aliases *a, const char *name, struct alias_resolution *r)
{
	const struct aliases *maps[1] = { a };
	struct alias_env env = {
		.maps = maps, .nmaps = 1, .is_user = t_is_user,
		.is_local_domain = t_is_local, .include = t_include,
	};

	aliases_resolve(&env, name, r);
}

static void
test_resolve(void **state)
{
	struct aliases *a = parse(hostaliases);
	struct alias_resolution r;

	(void)state;
	resolve(a, "postmaster", &r);
	assert_int_equal(r.nleaves, 3);
	assert_int_equal(r.leaves[0].kind, ALIAS_MAILBOX);
	assert_string_equal(r.leaves[0].what, "alice");
	assert_string_equal(r.leaves[0].via, "postmaster -> root");
	/* "root: ..., root": root's own mailbox, not a loop */
	assert_int_equal(r.leaves[1].kind, ALIAS_MAILBOX);
	assert_string_equal(r.leaves[1].what, "root");
	assert_int_equal(r.leaves[2].kind, ALIAS_REMOTE);
	alias_resolution_free(&r);

	resolve(a, "abuse", &r);
	assert_int_equal(r.nleaves, 1);
	assert_int_equal(r.leaves[0].kind, ALIAS_UNKNOWN);
	assert_string_equal(r.leaves[0].what, "webteam");
	assert_string_equal(r.leaves[0].via, "abuse");
	alias_resolution_free(&r);

	resolve(a, "loop1", &r);
	assert_int_equal(r.nleaves, 2);
	assert_int_equal(r.leaves[0].kind, ALIAS_MAILBOX);      /* x -> \alice */
	assert_string_equal(r.leaves[0].via, "loop1 -> loop2 -> x");
	assert_int_equal(r.leaves[1].kind, ALIAS_LOOP);
	assert_string_equal(r.leaves[1].via, "loop1 -> loop2");
	assert_true(alias_kind_is_problem(r.leaves[1].kind));
	alias_resolution_free(&r);

	resolve(a, "Team@Example.org", &r);
	assert_int_equal(r.nleaves, 2);
	assert_int_equal(r.leaves[1].kind, ALIAS_MAILBOX);
	assert_string_equal(r.leaves[1].via,
	    "team -> :include:/etc/mail/team -> team2");
	alias_resolution_free(&r);

	resolve(a, "self", &r);
	assert_int_equal(r.nleaves, 1);
	assert_int_equal(r.leaves[0].kind, ALIAS_LOOP);
	alias_resolution_free(&r);

	resolve(a, "missing", &r);
	assert_int_equal(r.leaves[0].kind, ALIAS_BAD_INCLUDE);
	assert_string_equal(r.leaves[0].why, "cannot be read");
	alias_resolution_free(&r);

	resolve(a, "reports", &r);
	assert_int_equal(r.nleaves, 2);
	assert_int_equal(r.leaves[0].kind, ALIAS_PIPE);
	assert_string_equal(r.leaves[0].what,
	    "/usr/bin/daneops report ingest");
	assert_int_equal(r.leaves[1].kind, ALIAS_FILE);
	alias_resolution_free(&r);

	resolve(a, "hollow", &r);
	assert_int_equal(r.nleaves, 1);
	assert_int_equal(r.leaves[0].kind, ALIAS_UNKNOWN);
	assert_string_equal(r.leaves[0].via, "hollow");
	assert_string_equal(r.leaves[0].why, "the alias is empty");
	alias_resolution_free(&r);

	resolve(a, "nobody", &r);
	assert_int_equal(r.leaves[0].kind, ALIAS_UNKNOWN);
	assert_string_equal(r.leaves[0].via, "");
	alias_resolution_free(&r);
	alias_resolution_free(NULL);
	aliases_free(a);
}

/* A chain longer than ALIASES_MAX_DEPTH stops, and says so. */
static void
test_resolve_deep(void **state)
{
	char text[8192];
	size_t i, len = 0;
	struct aliases *a;
	struct alias_resolution r;

	(void)state;
	for (i = 0; i < ALIASES_MAX_DEPTH + 5; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "a%zu: a%zu\n", i, i + 1);
	a = parse(text);
	resolve(a, "a0", &r);
	assert_int_equal(r.nleaves, 1);
	assert_int_equal(r.leaves[0].kind, ALIAS_TOO_DEEP);
	alias_resolution_free(&r);
	aliases_free(a);
}

static void
test_main_cf(void **state)
{
	struct host h;

	(void)state;
	memset(&h, 0, sizeof(h));
	host_parse_main_cf(&h,
	    "# comment = no\n"
	    "mydomain = example.org\n"
	    "mydestination = $myhostname, ${mydomain},\n"
	    "   localhost.$(mydomain)\n"
	    "maps = /etc/mail\n"
	    "alias_maps = hash:$maps/aliases lmdb:/etc/x\n"
	    "loop = $loop\n"
	    "alias_database = $loop\n", "mx.example.net");
	assert_string_equal(h.myhostname, "mx.example.net");
	assert_string_equal(h.mydomain, "example.org");
	assert_int_equal(h.mydestination.n, 3);
	assert_string_equal(h.mydestination.v[2], "localhost.example.org");
	assert_int_equal(h.alias_maps.n, 2);
	assert_string_equal(h.alias_maps.v[0], "hash:/etc/mail/aliases");
	assert_true(h.alias_database.n <= 1);  /* self-reference ends */
	h.root = strdup("");
	assert_true(host_is_local_domain(&h, "EXAMPLE.ORG."));
	assert_false(host_is_local_domain(&h, "example.com"));
	free(h.root);
	h.root = NULL;
	host_settings_free(&h);

	memset(&h, 0, sizeof(h));
	host_parse_main_cf(&h, "", "mx.example.net");
	assert_string_equal(h.mydomain, "example.net");
	assert_string_equal(h.alias_maps.v[0], "hash:/etc/aliases");
	assert_string_equal(h.mydestination.v[1], "localhost.example.net");
	/* Postfix's defaults for what the report pipe checks need. */
	assert_int_equal(h.local_recipient_maps.n, 2);
	assert_string_equal(h.local_recipient_maps.v[0],
	    "proxy:unix:passwd.byname");
	assert_string_equal(h.local_recipient_maps.v[1], "hash:/etc/aliases");
	assert_int_equal(h.transport_maps.n, 0);
	assert_string_equal(h.default_privs, "nobody");
	host_settings_free(&h);
}

static void
test_renew_tool(void **state)
{
	(void)state;
	assert_string_equal(schedules_renew_tool("certbot -q renew"), "certbot");
	assert_string_equal(schedules_renew_tool("test -x /usr/bin/certbot -a "
	    "\\! -d /run/systemd/system && perl -e 'sleep int(rand(43200))' "
	    "&& certbot -q renew"), "certbot");
	assert_string_equal(schedules_renew_tool("/snap/bin/certbot renew "
	    "--quiet"), "certbot");
	assert_string_equal(schedules_renew_tool("\"/root/.acme.sh\"/acme.sh "
	    "--cron --home /root/.acme.sh"), "acme.sh");
	assert_string_equal(schedules_renew_tool("/usr/bin/dehydrated -c"),
	    "dehydrated");
	assert_null(schedules_renew_tool("certbot certificates"));
	assert_null(schedules_renew_tool("renew certbot"));
	assert_null(schedules_renew_tool("/usr/bin/daneops roll run"));
	assert_true(schedules_systemd_guard("test -x /usr/bin/certbot -a \\! "
	    "-d /run/systemd/system && certbot -q renew"));
	assert_false(schedules_systemd_guard("certbot -q renew"));
}

static void
test_rua_parse(void **state)
{
	char *v[4];
	int n;

	(void)state;
	n = rua_parse("v=TLSRPTv1; rua=mailto:tls@example.org,"
	    "https://r.example/x, mailto:b%40c@example.net", v, 4);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "tls@example.org");
	assert_string_equal(v[1], "b@c@example.net");
	free(v[0]);
	free(v[1]);
	assert_int_equal(rua_parse("v=spf1 -all", v, 4), -1);
	assert_int_equal(rua_parse("v=TLSRPTv1;", v, 4), 0);
	n = rua_parse("v=TLSRPTv1;rua=mailto:a@x;rua=mailto:b@x", v, 1);
	assert_int_equal(n, 1);
	free(v[0]);
}

static void
test_findings(void **state)
{
	struct findings *f = findings_new();
	size_t i;

	(void)state;
	findings_add(f, FINDING_INFO, "b", "s", NULL, "info %d", 1);
	findings_add(f, FINDING_WARNING, "z", "s", "fix", "warn");
	findings_add(f, FINDING_ERROR, "c", NULL, "fix", "err");
	findings_add(f, FINDING_WARNING, "a", "s", "fix", "warn");
	findings_unchecked(f, "lineages", "no %s", "DNS");
	findings_sort(f);
	assert_string_equal(f->v[0].code, "c");
	assert_string_equal(f->v[0].subject, "-");
	assert_string_equal(f->v[1].code, "a");
	assert_string_equal(f->v[2].code, "z");
	assert_string_equal(f->v[3].message, "info 1");
	assert_string_equal(f->v[3].fix, "");
	assert_int_equal(findings_count(f, FINDING_WARNING), 2);
	assert_true(findings_has(f, "z"));
	assert_false(findings_has(f, "y"));
	assert_string_equal(f->u[0].why, "no DNS");
	for (i = 0; i < FINDINGS_MAX; i++)
		findings_add(f, FINDING_INFO, "x", "s", "", "m");
	assert_int_equal(f->n, FINDINGS_MAX);
	assert_int_equal(f->dropped, 4);
	findings_free(f);
	findings_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_resolve_deep),
		cmocka_unit_test(test_main_cf),
		cmocka_unit_test(test_renew_tool),
		cmocka_unit_test(test_rua_parse),
		cmocka_unit_test(test_findings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
