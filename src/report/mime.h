/*
 * mime - find the TLS report in a mail message (RFC 8460 section 5.3).
 *
 * The RFC form is multipart/report; report-type=tlsrpt with one part of
 * application/tlsrpt+gzip or application/tlsrpt+json.  Real senders also
 * use application/gzip or application/octet-stream parts named *.json.gz
 * or *.json, or send the gzip as the whole body; all are accepted.  A
 * "message" that is a bare gzip stream or bare JSON (a report saved from a
 * mailbox by hand) is accepted too.  Parts are decoded by GMime (base64,
 * quoted-printable) into memory; the decoded part is never larger than the
 * message, which the caller has read under a limit.  gzip is inflated by
 * gunzip under its limits, never by GMime's unbounded gzip filter.
 *
 * Ownership: mime_extract fills a caller-owned struct mime_report whose
 * strings it allocates; mime_report_clear frees them (safe on a zeroed or
 * already cleared struct).
 */
#ifndef DANEOPS_MIME_H
#define DANEOPS_MIME_H

#include <stddef.h>

#include "util/err.h"

/* Report parts in one message (a sender may put several in one mail). */
#define MIME_MAX_REPORTS 16
/*
 * Bounds checked on the raw text before GMime builds its tree, whose cost
 * grows with the parts (200,000 parts took 400 MB): lines that start with
 * "--" (every boundary line does), and Content-Type headers of multipart
 * or message/rfc822 entities (every level of nesting needs one).  A report
 * mail has two or three of each.
 */
#define MIME_MAX_BOUNDARY_LINES 1000
#define MIME_MAX_CONTAINERS 64

struct mime_part {
	char *json;             /* the report, NUL-terminated */
	size_t len;
	const char *how;        /* static: which form the report came in */
};

struct mime_report {
	struct mime_part part[MIME_MAX_REPORTS];        /* every report */
	size_t nparts;                                  /* >= 1 on success */
	char *subject;          /* headers, informational; NULL when absent */
	char *from;
	char *message_id;
};

/*
 * Find, decode and inflate every report in msg[0..len): all the parts of
 * the most report-like kind found (normally every application/tlsrpt
 * part).  Fails with ERR_INPUT, and returns no report at all, when there
 * is none, when any of them cannot be decoded or inflated, when there are
 * more than MIME_MAX_REPORTS, when together they inflate past
 * TLSRPT_MAX_JSON, or when the message is past the bounds above.
 */
int mime_extract(const char *msg, size_t len, struct mime_report *out,
	struct err *e);

void mime_report_clear(struct mime_report *r);

/*
 * mime_extract is in the daneops-mime plugin (util/plugin.h) so that GMime
 * and GLib are loaded only by the runs that need them.  daneops calls it
 * through mime_plugin_extract: the same contract, plus ERR_SYSTEM when the
 * plugin cannot be loaded.
 */
int mime_plugin_extract(const char *msg, size_t len, struct mime_report *out,
	struct err *e);

/* The plugin's entry point returns this table; ABI as in provider_impl.h. */
#include "util/plugin.h"

/* 2: struct mime_report holds every report part. */
#define MIME_MODULE_ABI 2
#define DANEOPS_MIME_PLUGIN_ENTRY "daneops_mime_plugin_v1"

struct mime_module {
	struct plugin_head head;        /* MIME_MODULE_ABI, sizeof */
	int (*extract)(const char *, size_t, struct mime_report *,
	    struct err *);
};

const struct mime_module *daneops_mime_plugin_v1(void);

#endif
