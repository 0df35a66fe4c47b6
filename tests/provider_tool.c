/*
 * provider_tool - drive one DNS provider from the command line, for the
 * end-to-end tests (not installed; not a daneops command).
 *
 *   provider_tool TYPE [KEY=VALUE...] -- list OWNER
 *   provider_tool TYPE [KEY=VALUE...] -- add OWNER TTL "U S M HEX"
 *   provider_tool TYPE [KEY=VALUE...] -- delete OWNER "U S M HEX"
 *
 * list prints one "U S M hex" line per record, sorted as the provider gave
 * them.  On failure it prints "provider_tool: KIND: MESSAGE" on stderr and
 * exits with a status per error kind, so tests can tell them apart:
 * usage 2, input 3, network 4, system 5, temp 75, internal 70.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider/provider.h"
#include "util/xalloc.h"

static int
tool_status(enum err_kind kind)
{
	switch (kind) {
	case ERR_USAGE:
		return 2;
	case ERR_INPUT:
		return 3;
	case ERR_NETWORK:
		return 4;
	case ERR_SYSTEM:
		return 5;
	case ERR_TEMP:
		return 75;
	default:
		return 70;
	}
}

static int
tool_fail(const struct err *e)
{
	fprintf(stderr, "provider_tool: %s: %s\n", err_kind_name(e->kind),
	    e->msg);
	return tool_status(e->kind);
}

static int
tool_usage(void)
{
	fprintf(stderr, "usage: provider_tool TYPE [KEY=VALUE...] -- "
	    "list|add|delete OWNER [TTL] [\"U S M HEX\"]\n");
	return 2;
}

static int
tool_run(struct provider *p, int argc, char **argv, struct err *e)
{
	struct tlsa_rec **recs, *r = NULL;
	size_t i, n;
	char *s;
	int rc;

	if (argc == 2 && strcmp(argv[0], "list") == 0) {
		if (provider_list(p, argv[1], &recs, &n, e) < 0)
			return -1;
		for (i = 0; i < n; i++) {
			s = tlsa_rec_format(recs[i]);
			printf("%s\n", s);
			free(s);
		}
		provider_recs_free(recs, n);
		return 0;
	}
	if (argc == 4 && strcmp(argv[0], "add") == 0) {
		if ((r = tlsa_rec_parse(argv[3], e)) == NULL)
			return -1;
		rc = provider_add(p, argv[1], (uint32_t)strtoul(argv[2], NULL,
		    10), r, e);
	} else if (argc == 3 && strcmp(argv[0], "delete") == 0) {
		if ((r = tlsa_rec_parse(argv[2], e)) == NULL)
			return -1;
		rc = provider_delete(p, argv[1], r, e);
	} else
		return err_set(e, ERR_USAGE, "bad command; see the usage");
	tlsa_rec_free(r);
	return rc;
}

int
main(int argc, char **argv)
{
	struct provider_param *params;
	struct provider *p;
	struct err e;
	int i, np = 0, rc;
	char *eq;

	if (argc < 3)
		return tool_usage();
	params = xcalloc((size_t)argc, sizeof(*params));
	for (i = 2; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (argv[i][0] == '\0')
			continue;       /* a parameter a test removed */
		if ((eq = strchr(argv[i], '=')) == NULL) {
			free(params);
			return tool_usage();
		}
		*eq = '\0';
		params[np].key = argv[i];
		params[np++].value = eq + 1;
	}
	if (i == argc) {
		free(params);
		return tool_usage();
	}
	p = provider_new(argv[1], params, (size_t)np, &e);
	free(params);
	if (p == NULL)
		return tool_fail(&e);
	rc = tool_run(p, argc - i - 1, argv + i + 1, &e) < 0 ? tool_fail(&e) : 0;
	provider_free(p);
	return rc;
}
