/*
 * alert - compose a notification mail and hand it to sendmail.
 */
#include "report/alert.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "util/sbuf.h"
#include "util/spawn.h"
#include "util/xalloc.h"

/* RFC 5322 section 2.1.1: at most 998 characters a line. */
#define ALERT_LINE_MAX 998

int
alert_address_ok(const char *addr)
{
	const char *p;

	if (addr == NULL || *addr == '\0' || *addr == '-' ||
	    strlen(addr) > 254)
		return 0;
	for (p = addr; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f ||
		    strchr("\"<>(),;\\", *p) != NULL)
			return 0;
	return 1;
}

/* RFC 5322 date in UTC; the C library's %a and %b follow the locale. */
static void
alert_date(struct sbuf *b, time_t now)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	sbuf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\n",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Message-ID in the domain of from, or "daneops.invalid". */
static void
alert_message_id(struct sbuf *b, const char *from, time_t now)
{
	const char *at = from != NULL ? strrchr(from, '@') : NULL;
	unsigned long long r = 0;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r ^= (unsigned long long)getpid() << 32;
	sbuf_printf(b, "Message-ID: <daneops.%lld.%016llx@%s>\n",
	    (long long)now, r, at != NULL && at[1] != '\0' ? at + 1 :
	    "daneops.invalid");
}

/* The body, with over-long lines broken so no MTA rejects or rewrites it. */
static void
alert_body(struct sbuf *b, const char *body)
{
	size_t col = 0;

	for (; *body != '\0'; body++) {
		if (*body == '\n')
			col = 0;
		else if (++col > ALERT_LINE_MAX) {
			sbuf_adds(b, "\n");
			col = 1;
		}
		sbuf_add(b, body, 1);
	}
	if (b->len > 0 && b->data[b->len - 1] != '\n')
		sbuf_adds(b, "\n");
}

char *
alert_compose(const char *from, const char *to, const char *subject,
	const char *body, time_t now, size_t *len, struct err *e)
{
	struct sbuf b;
	const char *p;

	if (!alert_address_ok(to) || (from != NULL && !alert_address_ok(from))) {
		err_set(e, ERR_USAGE, "alert: unusable address %s",
		    alert_address_ok(to) ? from : to);
		return NULL;
	}
	for (p = subject; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) {
			err_set(e, ERR_USAGE, "alert: the subject must be "
			    "printable ASCII on one line");
			return NULL;
		}
	}
	sbuf_init(&b, ALERT_MAX_BODY + 4096);
	if (from != NULL)
		sbuf_printf(&b, "From: %s\n", from);
	sbuf_printf(&b, "To: %s\nSubject: %s\n", to, subject);
	alert_date(&b, now);
	alert_message_id(&b, from, now);
	sbuf_adds(&b, "Auto-Submitted: auto-generated\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n\n");
	alert_body(&b, body);
	return sbuf_steal(&b, len);
}

int
alert_send(const char *sendmail, const char *from, const char *to,
	const char *msg, size_t len, int timeout, struct err *e)
{
	char *argv[7] = { (char *)sendmail, "-oi", "-t", NULL, NULL, NULL,
	    NULL };
	struct spawn_opts so;
	struct spawn_result sr;
	char how[ERR_MSG_MAX];
	int rc = 0;

	if (access(sendmail, X_OK) < 0)
		return err_set_errno(e, ERR_SYSTEM, errno, "%s", sendmail);
	if (from != NULL) {
		argv[2] = "-f";
		argv[3] = (char *)from;
		argv[4] = "--";
		argv[5] = (char *)to;
	}
	/* util/spawn: no shell, own process group, killed at the deadline */
	memset(&so, 0, sizeof(so));
	so.argv = argv;
	so.input = msg;
	so.input_len = len;
	so.echo_err = 1;
	so.timeout_ms = timeout > 0 ? timeout * 1000L : 1;
	so.grace_ms = 1000;
	if (spawn_run(&so, &sr, e) < 0) {
		spawn_result_free(&sr);
		return -1;
	}
	if (sr.timed_out)
		rc = err_set(e, ERR_TEMP, "%s: killed: not done before the "
		    "deadline", sendmail);
	else if (!spawn_ok(&sr))
		rc = err_set(e, WIFEXITED(sr.status) && WEXITSTATUS(sr.status) ==
		    75 ? ERR_TEMP : ERR_SYSTEM, "%s: %s", sendmail,
		    spawn_describe(&so, &sr, 200, how, sizeof(how)));
	spawn_result_free(&sr);
	return rc;
}

/*
 * The HTML part in base64 (RFC 2045), 76 characters a line: an HTML page
 * may hold lines of any length, and an encoding needs no line breaking
 * that could land inside a tag or a number.
 */
static void
alert_base64(struct sbuf *b, const char *data, size_t len)
{
	unsigned char out[80];
	size_t off, n;
	int w;

	for (off = 0; off < len; off += n) {
		n = len - off < 57 ? len - off : 57;
		w = EVP_EncodeBlock(out, (const unsigned char *)data + off,
		    (int)n);
		sbuf_add(b, out, (size_t)w);
		sbuf_adds(b, "\n");
	}
}

char *
alert_compose_alt(const char *from, const char *to, const char *subject,
	const char *text, const char *html, time_t now, size_t *len,
	struct err *e)
{
	unsigned long long r = 0;
	char *head, *p, boundary[48];
	size_t hlen;
	struct sbuf b;

	/* The plain message's headers and checks; its body is replaced. */
	if ((head = alert_compose(from, to, subject, "", now, &hlen,
	    e)) == NULL)
		return NULL;
	if ((p = strstr(head, "Content-Type: text/plain")) == NULL) {
		free(head);
		err_set(e, ERR_INTERNAL, "alert: no Content-Type to replace");
		return NULL;
	}
	*p = '\0';
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r ^= (unsigned long long)now << 20 ^ (unsigned long long)getpid();
	snprintf(boundary, sizeof(boundary), "daneops-alt-%016llx", r);
	sbuf_init(&b, 2 * ALERT_MAX_BODY + 8192);
	sbuf_printf(&b, "%sContent-Type: multipart/alternative; "
	    "boundary=\"%s\"\n\nThis is a MIME message: a plain text and an "
	    "HTML version.\n\n--%s\nContent-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n\n", head, boundary, boundary);
	free(head);
	alert_body(&b, text);
	sbuf_printf(&b, "\n--%s\nContent-Type: text/html; charset=utf-8\n"
	    "Content-Transfer-Encoding: base64\n\n", boundary);
	alert_base64(&b, html, strlen(html));
	sbuf_printf(&b, "\n--%s--\n", boundary);
	if (b.len > 2 * ALERT_MAX_BODY) {
		sbuf_free(&b);
		err_set(e, ERR_INPUT, "alert: the message is too large");
		return NULL;
	}
	return sbuf_steal(&b, len);
}
