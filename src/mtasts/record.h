/*
 * record - the DNS TXT records of MTA-STS (RFC 8461 §3.1, at
 * _mta-sts.DOMAIN) and SMTP TLS Reporting (RFC 8460 §3, at
 * _smtp._tls.DOMAIN), parsed strictly by their ABNF.  Pure functions on
 * text: the lookups are mtasts.c's.
 *
 * Both records follow the same selection rule: of the TXT records at the
 * name, those that do not start with the version tag are discarded; if
 * not exactly one remains, or it is invalid, the domain has no usable
 * record.  *_select says which of these it was.
 *
 * Ownership: struct mtasts_txt holds no pointers.  mtasts_tlsrpt_parse
 * fills a struct mtasts_tlsrpt whose URIs the caller releases with
 * mtasts_tlsrpt_clear (safe on a zeroed struct).
 */
#ifndef DANEOPS_MTASTS_RECORD_H
#define DANEOPS_MTASTS_RECORD_H

#include <stddef.h>

#include "util/err.h"

#define MTASTS_ID_MAX   32      /* 1*32(ALPHA / DIGIT) */
#define MTASTS_RUA_MAX  8       /* rua URIs kept */

struct mtasts_txt {
	char id[MTASTS_ID_MAX + 1];
};

struct mtasts_tlsrpt {
	char *rua[MTASTS_RUA_MAX];      /* as published, "mailto:..." */
	size_t nrua;
	size_t nmailto, nhttps;         /* URIs of the two defined schemes */
};

/* What *_select found among a name's TXT records. */
enum mtasts_sel {
	MTASTS_SEL_NONE = 0,    /* no record with the version tag */
	MTASTS_SEL_ONE,         /* exactly one, valid: parsed */
	MTASTS_SEL_MANY,        /* more than one with the version tag */
	MTASTS_SEL_INVALID,     /* one, not valid (e says why) */
};

/*
 * Parse one "v=STSv1; id=...;" record.  0, or -1 with ERR_INPUT saying
 * what is wrong (the id missing, given twice, too long; a bad field).
 */
int mtasts_txt_parse(const char *txt, struct mtasts_txt *out, struct err *e);

/* 1 when txt starts with "v=STSv1" followed by ";", space, tab or end. */
int mtasts_txt_is_sts(const char *txt);

/* Apply §3.1's selection to n records; out is filled for MTASTS_SEL_ONE. */
enum mtasts_sel mtasts_txt_select(const char *const *txts, size_t n,
	struct mtasts_txt *out, struct err *e);

/*
 * Parse one "v=TLSRPTv1; rua=mailto:a@b,https://..." record.  0, or -1
 * with ERR_INPUT (no rua, a bad URI or field).  URIs of schemes other
 * than mailto: and https: are kept and counted in neither.
 */
int mtasts_tlsrpt_parse(const char *txt, struct mtasts_tlsrpt *out,
	struct err *e);
int mtasts_tlsrpt_is_rpt(const char *txt);
enum mtasts_sel mtasts_tlsrpt_select(const char *const *txts, size_t n,
	struct mtasts_tlsrpt *out, struct err *e);
void mtasts_tlsrpt_clear(struct mtasts_tlsrpt *r);

#endif
