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

struct mime_report {
	char *json;             /* the report, NUL-terminated */
	size_t len;
	char *subject;          /* headers, informational; NULL when absent */
	char *from;
	char *message_id;
	const char *how;        /* static: which form the report came in */
};

/*
 * Find, decode and inflate the report in msg[0..len).  Fails with
 * ERR_INPUT when there is no report or it cannot be decoded.
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

#define MIME_MODULE_ABI 1
#define DANEOPS_MIME_PLUGIN_ENTRY "daneops_mime_plugin_v1"

struct mime_module {
	struct plugin_head head;        /* MIME_MODULE_ABI, sizeof */
	int (*extract)(const char *, size_t, struct mime_report *,
	    struct err *);
};

const struct mime_module *daneops_mime_plugin_v1(void);

#endif
