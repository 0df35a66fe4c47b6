/*
 * alert - compose a notification mail and hand it to sendmail.
 *
 * The mail is plain RFC 5322 text (Date, Message-ID, Auto-Submitted:
 * auto-generated so that vacation responders stay quiet, a UTF-8 text
 * body).  It is handed to the sendmail(1) interface every MTA provides,
 * run with fork and execv (never a shell) as "sendmail -oi -f FROM -- TO",
 * or "sendmail -oi -t" when there is no FROM (the MTA then picks the
 * sender and adds From:).  The message is written to it over a socket
 * with MSG_NOSIGNAL, so a sendmail that dies early cannot kill the caller
 * with SIGPIPE, and everything runs under a deadline: a hung sendmail is
 * killed.
 *
 * Ownership: alert_compose returns a new string the caller frees.
 */
#ifndef DANEOPS_ALERT_H
#define DANEOPS_ALERT_H

#include <stddef.h>
#include <time.h>

#include "util/err.h"

#define ALERT_SENDMAIL "/usr/sbin/sendmail"
#define ALERT_TIMEOUT 60        /* seconds for sendmail to take the mail */
#define ALERT_MAX_BODY (1024 * 1024)

/*
 * Is addr usable as a command-line address: non-empty, at most 254 bytes,
 * no white space, control characters, quotes or angle brackets, and not
 * starting with '-' (it would be an option)?
 */
int alert_address_ok(const char *addr);

/*
 * The message: from (NULL: no From: line), to, subject (ASCII, no line
 * breaks) and body (lines longer than 998 bytes are broken).  *len gets
 * its length.  Fails with ERR_USAGE for an unusable address or subject.
 */
char *alert_compose(const char *from, const char *to, const char *subject,
	const char *body, time_t now, size_t *len, struct err *e);

/*
 * As alert_compose, but a multipart/alternative message: text (8bit, as
 * alert_compose's body) and html (base64) as the two versions of one
 * content, the plain one first (RFC 2046 §5.1.4).
 */
char *alert_compose_alt(const char *from, const char *to,
	const char *subject, const char *text, const char *html, time_t now,
	size_t *len, struct err *e);

/*
 * Run sendmail and give it msg[0..len); wait at most timeout seconds.
 * ERR_TEMP when sendmail exits 75 or times out, ERR_SYSTEM otherwise.
 */
int alert_send(const char *sendmail, const char *from, const char *to,
	const char *msg, size_t len, int timeout, struct err *e);

#endif
