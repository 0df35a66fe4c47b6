/*
 * cmdopt - option handling shared by the command front ends (cmdopt.h).
 */
#include <errno.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "cmd/cmdopt.h"

int
cmdopt_number(const char *cmd, const char *opt, const char *arg, long min,
	long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || errno != 0 || v < min || v > max) {
		cmd_error(cmd, "%s %s: expected a number from %ld to %ld", opt,
		    arg, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int
cmdopt_list_add(const char *cmd, const char *opt, const char **list,
	size_t *n, size_t max, const char *v)
{
	if (*n >= max) {
		cmd_error(cmd, "%s: at most %zu times", opt, max);
		return -1;
	}
	list[(*n)++] = v;
	return 0;
}

int
cmdopt_dns_option(const char *cmd, struct cmdopt_dns *dns, int code,
	const char *arg)
{
	dns->given = 1;
	switch (code) {
	case CMDOPT_RESOLVER:
		dns->forwarder = arg;
		return 0;
	case CMDOPT_TA:
		return cmdopt_list_add(cmd, "--trust-anchor", dns->tas,
		    &dns->ntas, CMDOPT_MAX_LIST, arg);
	case CMDOPT_STUB:
		return cmdopt_list_add(cmd, "--stub", dns->stubs, &dns->nstubs,
		    CMDOPT_MAX_LIST, arg);
	case CMDOPT_CONF:
		dns->conf_file = arg;
		return 0;
	}
	return -1;
}

void
cmdopt_dns_resolver(const struct cmdopt_dns *dns, struct resolver_opts *ro)
{
	ro->forwarder = dns->forwarder;
	ro->conf_file = dns->conf_file;
	ro->trust_anchors = dns->tas;
	ro->ntrust_anchors = dns->ntas;
	ro->stubs = dns->stubs;
	ro->nstubs = dns->nstubs;
}
