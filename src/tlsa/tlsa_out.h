/*
 * tlsa_out - render the records "daneops tlsa" made, in one of its output
 * formats: zone file lines, nsupdate commands, one JSON array, or the
 * request bodies of the Cloudflare API v4 (one JSON object a line).
 *
 * The owner name is _PORT._PROTO.HOST. (RFC 6698 §3).  Without a host only
 * the zone and JSON formats work: zone lines are then bare RDATA ("3 1 1
 * HEX") and the JSON owner is null.  A record equal to an earlier one is
 * left out, so "cert + its key" or a repeated -r gives one record.
 *
 * Ownership: tlsa_out_render and tlsa_out_owner return text the caller
 * frees.  Everything the structs point to is borrowed.
 */
#ifndef DANEOPS_TLSA_OUT_H
#define DANEOPS_TLSA_OUT_H

#include <stddef.h>

#include "tlsa/tlsa.h"
#include "util/err.h"

enum tlsa_out_format {
	TLSA_OUT_ZONE,
	TLSA_OUT_NSUPDATE,
	TLSA_OUT_JSON,
	TLSA_OUT_CLOUDFLARE,
};

/* TTL nsupdate lines get when none is given. */
#define TLSA_OUT_NSUPDATE_TTL 3600
/* Cloudflare's "automatic" TTL. */
#define TLSA_OUT_CLOUDFLARE_AUTO_TTL 1
/* Largest TTL (RFC 2181 §8). */
#define TLSA_OUT_TTL_MAX 2147483647L

struct tlsa_out_opts {
	const char *host;       /* base domain; NULL: none (zone, json only) */
	unsigned port;          /* 1-65535 */
	const char *proto;      /* "tcp", "udp" or "sctp" */
	long ttl;               /* -1: not given */
};

struct tlsa_out_rr {
	const struct tlsa_rec *rec;
	const char *source;     /* the input it was made from */
	int depth;              /* certificate depth; -1 for a key */
};

/* "zone", "nsupdate", "json", "cloudflare"; else ERR_USAGE. */
int tlsa_out_format_parse(const char *name, enum tlsa_out_format *f,
	struct err *e);

/*
 * Check options before any work: a host name (letters, digits, '-', '_',
 * labels of 1-63, 253 in all, an optional final dot), a protocol, and a
 * host where the format needs one.  ERR_USAGE on failure.
 */
int tlsa_out_check(enum tlsa_out_format f, const struct tlsa_out_opts *o,
	struct err *e);

/* "_25._tcp.mail.example.org." (final dot when dot is set); o->host set. */
char *tlsa_out_owner(const struct tlsa_out_opts *o, int dot);

/* The whole output, each line ending in a newline; NULL and e on error. */
char *tlsa_out_render(enum tlsa_out_format f, const struct tlsa_out_opts *o,
	const struct tlsa_out_rr *rrs, size_t n, struct err *e);

#endif
