/*
 * cmd_tlsa - "daneops tlsa": make TLSA records for certificates, chains and
 * keys, or tell whether one record matches them (--match).
 *
 * Options, printing and exit statuses only: certsrc loads the inputs,
 * tlsa_gen makes records, tlsa_out formats them and tlsa_match gives the
 * verdict.  Nothing is printed until everything has worked, so a failed run
 * never leaves half a zone or half an nsupdate script in a pipe.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/cmdopt.h"
#include "tlsa/certsrc.h"
#include "tlsa/tlsa.h"
#include "tlsa/tlsa_gen.h"
#include "tlsa/tlsa_match.h"
#include "tlsa/tlsa_out.h"
#include "util/fileio.h"
#include "util/xalloc.h"

/* -r given more often than this is a mistake, not a need. */
#define TLSA_PARAMS_MAX 16

/* Largest input: certificates and keys are a few KiB, chains a few more. */
#define TLSA_INPUT_MAX FILEIO_DEFAULT_MAX

struct tlsa_params {
	unsigned usage, selector, mtype;
};

struct tlsa_cmd {
	struct tlsa_params params[TLSA_PARAMS_MAX];
	size_t nparams;
	struct tlsa_out_opts out;
	enum tlsa_out_format format;
	int depth;                      /* -1: the default for each usage */
	const char *match;              /* --match record, or NULL */
	const char *gen_option;         /* an option --match does not take */
};

static const char tlsa_usage_text[] =
"usage: daneops tlsa [-r USM]... [--host HOST [--port PORT] [--proto PROTO]]\n"
"                    [--ttl TTL] [-f FORMAT] [-d DEPTH] FILE...\n"
"       daneops tlsa -m 'U S M HEX' FILE...\n"
"\n"
"Print TLSA records for certificates, chains (leaf first), public keys or\n"
"private keys, PEM or DER; '-' is standard input.\n"
"\n"
"  -r, --params USM   usage, selector, matching type: 311 (default), 3,1,1\n"
"                     or \"3 1 1\"; repeat for more records\n"
"      --host HOST    owner name _PORT._PROTO.HOST. (nsupdate and cloudflare\n"
"                     need it; without it zone lines are bare RDATA)\n"
"      --port PORT    default 25\n"
"      --proto PROTO  tcp (default), udp or sctp\n"
"      --ttl TTL      TTL of the records\n"
"  -f, --format FMT   zone (default), nsupdate, json or cloudflare\n"
"  -d, --depth N      certificate N of each chain (default: the leaf, or\n"
"                     depth 1 for usages 0 and 2)\n"
"  -m, --match REC    does record REC match a certificate or key in FILE...?\n"
"  -h, --help         this text\n"
"\n"
"Exit status: 0 done or matched, 1 no match, 2 bad usage or parameters,\n"
"3 an input could not be read or used.  See daneops-tlsa(1).\n";


static int
tlsa_cmd_fail(const struct err *e)
{
	cmd_error("tlsa", "%s", e->msg);
	return exitcode_for(e->kind);
}

static int
tlsa_cmd_add_params(struct tlsa_cmd *c, const char *arg, struct err *e)
{
	struct tlsa_params *p;

	if (c->nparams == TLSA_PARAMS_MAX)
		return err_set(e, ERR_USAGE, "-r: at most %d times",
		    TLSA_PARAMS_MAX);
	p = &c->params[c->nparams];
	if (tlsa_params_parse(arg, &p->usage, &p->selector, &p->mtype, e) < 0)
		return -1;
	c->nparams++;
	return 0;
}

enum { OPT_HOST = 256, OPT_PORT, OPT_PROTO, OPT_TTL };

/*
 * One option other than --help; 0, -1 with e set, or -2 when already
 * reported (a number out of range).
 */
static int
tlsa_cmd_option(struct tlsa_cmd *c, int ch, const char *arg, struct err *e)
{
	long v;

	switch (ch) {
	case 'r':
		c->gen_option = "-r";
		return tlsa_cmd_add_params(c, arg, e);
	case 'm':
		c->match = arg;
		return 0;
	case 'f':
		c->gen_option = "--format";
		return tlsa_out_format_parse(arg, &c->format, e);
	case 'd':
		c->gen_option = "--depth";
		if (cmdopt_number("tlsa", "--depth", arg, 0, 255, &v) < 0)
			return -2;
		c->depth = (int)v;
		return 0;
	case OPT_HOST:
		c->gen_option = "--host";
		c->out.host = arg;
		return 0;
	case OPT_PORT:
		c->gen_option = "--port";
		if (cmdopt_number("tlsa", "--port", arg, 1, 65535, &v) < 0)
			return -2;
		c->out.port = (unsigned)v;
		return 0;
	case OPT_PROTO:
		c->gen_option = "--proto";
		c->out.proto = arg;
		return 0;
	case OPT_TTL:
		c->gen_option = "--ttl";
		return cmdopt_number("tlsa", "--ttl", arg, 0, TLSA_OUT_TTL_MAX,
		    &c->out.ttl) < 0 ? -2 : 0;
	}
	return err_set(e, ERR_USAGE, "unknown option");
}

/* Parse argv; -1 with e set, -2 already reported, 1 for --help, or 0. */
static int
tlsa_cmd_parse(struct tlsa_cmd *c, int argc, char **argv, struct err *e)
{
	static const struct option longopts[] = {
		{ "params", required_argument, NULL, 'r' },
		{ "match", required_argument, NULL, 'm' },
		{ "format", required_argument, NULL, 'f' },
		{ "depth", required_argument, NULL, 'd' },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "proto", required_argument, NULL, OPT_PROTO },
		{ "ttl", required_argument, NULL, OPT_TTL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc;

	memset(c, 0, sizeof(*c));
	c->out.port = 25;
	c->out.proto = "tcp";
	c->out.ttl = -1;
	c->depth = -1;
	c->format = TLSA_OUT_ZONE;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":r:m:f:d:h", longopts,
	    NULL)) != -1) {
		if (ch == 'h')
			return 1;
		if (ch == ':')
			return err_set(e, ERR_USAGE, "%s needs a value",
			    argv[optind - 1]);
		if (ch == '?')
			return err_set(e, ERR_USAGE, "unknown option %s "
			    "(daneops tlsa --help)", argv[optind - 1]);
		if ((rc = tlsa_cmd_option(c, ch, optarg, e)) < 0)
			return rc;
	}
	return 0;
}

/* Load every input; NULL-terminated array the caller frees with the rest. */
static struct certsrc **
tlsa_cmd_load(char **files, int n, struct err *e)
{
	struct certsrc **srcs;
	int i, stdin_seen = 0;

	/* Checked first: reading "-" twice would report an empty input. */
	for (i = 0; i < n; i++) {
		if (strcmp(files[i], "-") == 0 && stdin_seen++) {
			err_set(e, ERR_USAGE, "-: standard input can be read "
			    "only once");
			return NULL;
		}
	}
	srcs = xcalloc((size_t)n + 1, sizeof(*srcs));
	for (i = 0; i < n; i++) {
		srcs[i] = certsrc_load(files[i], TLSA_INPUT_MAX, e);
		if (srcs[i] == NULL)
			break;
	}
	if (i == n)
		return srcs;
	for (i = 0; srcs[i] != NULL; i++)
		certsrc_free(srcs[i]);
	free(srcs);
	return NULL;
}

static void
tlsa_cmd_free_srcs(struct certsrc **srcs)
{
	size_t i;

	for (i = 0; srcs != NULL && srcs[i] != NULL; i++)
		certsrc_free(srcs[i]);
	free(srcs);
}

/* The records made, and what tlsa_out needs to know of each. */
struct tlsa_cmd_recs {
	struct tlsa_rec **recs;         /* owned */
	struct tlsa_out_rr *rrs;        /* rrs[i].rec is recs[i] */
	size_t n;
};

static void
tlsa_cmd_recs_add(struct tlsa_cmd_recs *out, struct tlsa_rec *r,
	const struct certsrc *s, int depth)
{
	out->recs = xreallocarray(out->recs, out->n + 1, sizeof(*out->recs));
	out->rrs = xreallocarray(out->rrs, out->n + 1, sizeof(*out->rrs));
	out->recs[out->n] = r;
	out->rrs[out->n] = (struct tlsa_out_rr){ r, s->name, depth };
	out->n++;
}

static void
tlsa_cmd_recs_free(struct tlsa_cmd_recs *out)
{
	size_t i;

	for (i = 0; i < out->n; i++)
		tlsa_rec_free(out->recs[i]);
	free(out->recs);
	free(out->rrs);
}

/* Records for every input and every -r, in that order. */
static int
tlsa_cmd_records(const struct tlsa_cmd *c, struct certsrc **srcs,
	struct tlsa_cmd_recs *out, struct err *e)
{
	const struct tlsa_params *p;
	struct certsrc_pick pick;
	struct tlsa_rec *r;
	size_t i, j;

	for (i = 0; srcs[i] != NULL; i++) {
		for (j = 0; j < c->nparams; j++) {
			p = &c->params[j];
			if (certsrc_pick(srcs[i], p->usage, p->selector,
			    c->depth, &pick, e) < 0)
				return -1;
			r = pick.cert != NULL ?
			    tlsa_rec_for_cert(pick.cert, p->usage, p->selector,
			    p->mtype, e) :
			    tlsa_rec_for_pkey(pick.pkey, p->usage, p->selector,
			    p->mtype, e);
			if (r == NULL)
				return -1;
			tlsa_cmd_recs_add(out, r, srcs[i], pick.depth);
		}
	}
	return 0;
}

static int
tlsa_cmd_generate(struct tlsa_cmd *c, char **files, int nfiles)
{
	struct tlsa_cmd_recs out = { NULL, NULL, 0 };
	struct certsrc **srcs;
	char *text = NULL;
	struct err e;

	err_clear(&e);
	if (c->nparams == 0)
		c->params[c->nparams++] = (struct tlsa_params){ 3, 1, 1 };
	if (tlsa_out_check(c->format, &c->out, &e) < 0)
		return tlsa_cmd_fail(&e);
	if ((srcs = tlsa_cmd_load(files, nfiles, &e)) == NULL)
		return tlsa_cmd_fail(&e);
	if (tlsa_cmd_records(c, srcs, &out, &e) == 0)
		text = tlsa_out_render(c->format, &c->out, out.rrs, out.n, &e);
	tlsa_cmd_recs_free(&out);
	tlsa_cmd_free_srcs(srcs);
	if (text == NULL)
		return tlsa_cmd_fail(&e);
	fputs(text, stdout);
	free(text);
	return EXIT_PASS;
}

/* The record of --match; a zone or dig line ("... IN TLSA 3 1 1 HEX") too. */
static struct tlsa_rec *
tlsa_cmd_match_rec(const char *text, struct err *e)
{
	const char *p = strcasestr(text, "TLSA");
	struct tlsa_rec *r;
	struct err sub;

	if (p != NULL && (p[4] == ' ' || p[4] == '\t'))
		text = p + 4;
	if ((r = tlsa_rec_parse(text, e)) == NULL)
		return NULL;
	if (tlsa_params_check(r->usage, r->selector, r->mtype, &sub) < 0) {
		err_set(e, ERR_USAGE, "--match '%s': %s", text, sub.msg);
		tlsa_rec_free(r);
		return NULL;
	}
	return r;
}

static int
tlsa_cmd_match(const struct tlsa_cmd *c, char **files, int nfiles)
{
	struct certsrc **srcs;
	struct tlsa_match *m;
	struct tlsa_rec *r;
	struct err e;
	size_t n = 0;
	int rc;

	err_clear(&e);
	if (c->gen_option != NULL) {
		err_set(&e, ERR_USAGE, "--match compares one record with the "
		    "inputs: %s does not apply", c->gen_option);
		return tlsa_cmd_fail(&e);
	}
	if ((r = tlsa_cmd_match_rec(c->match, &e)) == NULL)
		return tlsa_cmd_fail(&e);
	if ((srcs = tlsa_cmd_load(files, nfiles, &e)) == NULL) {
		tlsa_rec_free(r);
		return tlsa_cmd_fail(&e);
	}
	while (srcs[n] != NULL)
		n++;
	m = tlsa_match_run(r, srcs, n);
	printf("%s\n", m->line);
	rc = m->nfits > 0 ? EXIT_PASS : EXIT_FAILED;
	tlsa_match_free(m);
	tlsa_rec_free(r);
	tlsa_cmd_free_srcs(srcs);
	return rc;
}

int
cmd_tlsa(int argc, char **argv)
{
	struct tlsa_cmd c;
	struct err e;
	int rc;

	err_clear(&e);
	rc = tlsa_cmd_parse(&c, argc, argv, &e);
	if (rc > 0)
		return fputs(tlsa_usage_text, stdout) < 0 ? EXIT_UNCHECKED :
		    EXIT_PASS;
	if (rc == -2)
		return EXIT_USAGE;
	if (rc < 0)
		return tlsa_cmd_fail(&e);
	if (optind >= argc) {
		cmd_error("tlsa", "no input: give a certificate, chain or key "
		    "file, or - for standard input (daneops tlsa --help)");
		return EXIT_USAGE;
	}
	if (c.match != NULL)
		return tlsa_cmd_match(&c, argv + optind, argc - optind);
	return tlsa_cmd_generate(&c, argv + optind, argc - optind);
}
