/*
 * cmdopt - option handling the command front ends share: decimal values
 * in a range, repeatable options with a cap, and the DNS validation options
 * (--resolver, --trust-anchor, --stub, --resolver-conf).
 *
 * Errors are printed here, one line through cmd_error as CMD's; the caller
 * only returns its usage status.
 *
 * Ownership: nothing is allocated.  struct cmdopt_dns and the lists keep
 * pointers into argv; cmdopt_dns_resolver points the resolver options into
 * the struct cmdopt_dns, which must outlive them.
 */
#ifndef DANEOPS_CMDOPT_H
#define DANEOPS_CMDOPT_H

#include <stddef.h>

#include "dns/resolver.h"

#define CMDOPT_MAX_LIST 64      /* --trust-anchor, --stub */

/* getopt_long codes of the validation options (below the callers' 256+). */
enum {
	CMDOPT_RESOLVER = 200, CMDOPT_TA, CMDOPT_STUB, CMDOPT_CONF,
};

/* The usage lines and getopt_long entries of those options. */
#define CMDOPT_DNS_HELP \
	"  --resolver IP[@PORT]  forward to this resolver, validate here\n" \
	"  --trust-anchor FILE   DS/DNSKEY records replacing the root " \
	"anchor (repeatable)\n" \
	"  --stub ZONE=IP[@PORT] ask this server for ZONE (repeatable)\n" \
	"  --resolver-conf FILE  more libunbound configuration\n"

#define CMDOPT_DNS_LONGOPTS \
	{ "resolver", required_argument, NULL, CMDOPT_RESOLVER }, \
	{ "trust-anchor", required_argument, NULL, CMDOPT_TA }, \
	{ "stub", required_argument, NULL, CMDOPT_STUB }, \
	{ "resolver-conf", required_argument, NULL, CMDOPT_CONF }

struct cmdopt_dns {
	const char *forwarder;                  /* --resolver, or NULL */
	const char *conf_file;                  /* --resolver-conf, or NULL */
	const char *tas[CMDOPT_MAX_LIST];       /* --trust-anchor */
	size_t ntas;
	const char *stubs[CMDOPT_MAX_LIST];     /* --stub */
	size_t nstubs;
	int given;                              /* any of them */
};

/* Parse decimal arg of option opt into *out; -1 unless in [min, max]. */
int cmdopt_number(const char *cmd, const char *opt, const char *arg,
	long min, long max, long *out);

/* Append v to list (*n entries, room for max); -1 when full. */
int cmdopt_list_add(const char *cmd, const char *opt, const char **list,
	size_t *n, size_t max, const char *v);

/* One of the CMDOPT_* options into dns (zeroed first); 0, or -1. */
int cmdopt_dns_option(const char *cmd, struct cmdopt_dns *dns, int code,
	const char *arg);

/* Point ro's trust anchors, stubs, forwarder and conf file at dns. */
void cmdopt_dns_resolver(const struct cmdopt_dns *dns,
	struct resolver_opts *ro);

#endif
