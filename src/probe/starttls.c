/*
 * starttls - pure state machines for the SMTP, IMAP and POP3 dialogues that
 * precede a STARTTLS handshake.
 */
#include "probe/starttls.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/sbuf.h"
#include "util/xalloc.h"

/* How much server text a detail quotes: enough to recognise, one line. */
#define STARTTLS_QUOTE_MAX	200
#define STARTTLS_EHLO_MAX	255

/* The tag of our only IMAP command. */
#define IMAP_TAG	"a001"

struct starttls {
	enum starttls_kind kind;
	enum starttls_state state;
	enum starttls_wait wait;
	char *ehlo_name;
	struct sbuf line;	/* the partial line being received */
	struct sbuf out;	/* command not yet sent */
	size_t reply_len;	/* octets of the current reply so far */
	int reply_lines;
	int reply_code;		/* SMTP: code of the current reply */
	int has_starttls;	/* SMTP: EHLO reply lists STARTTLS */
	char *banner;
	char *detail;
};

enum starttls_kind
starttls_for_port(uint16_t port)
{
	switch (port) {
	case 25:
	case 587:
		return STARTTLS_SMTP;
	case 143:
		return STARTTLS_IMAP;
	case 110:
		return STARTTLS_POP3;
	default:
		return STARTTLS_NONE;
	}
}

const char *
starttls_name(enum starttls_kind kind)
{
	switch (kind) {
	case STARTTLS_NONE:	return "none";
	case STARTTLS_SMTP:	return "smtp";
	case STARTTLS_IMAP:	return "imap";
	case STARTTLS_POP3:	return "pop3";
	}
	return "unknown";
}

int
starttls_parse(const char *s, enum starttls_kind *kind)
{
	static const enum starttls_kind all[] = {
		STARTTLS_NONE, STARTTLS_SMTP, STARTTLS_IMAP, STARTTLS_POP3,
	};
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcasecmp(s, starttls_name(all[i])) == 0) {
			*kind = all[i];
			return 0;
		}
	}
	return -1;
}

char *
starttls_printable(const char *s, size_t len, size_t max)
{
	char *p;
	size_t i;

	if (len > max)
		len = max;
	p = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		p[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	p[len] = '\0';
	return p;
}

/* A name we may put after EHLO without letting it inject a command. */
static int
starttls_name_ok(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > STARTTLS_EHLO_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= 0x20 || c >= 0x7f)
			return 0;
	}
	return 1;
}

struct starttls *
starttls_new(enum starttls_kind kind, const char *ehlo_name, struct err *e)
{
	struct starttls *st;

	if (ehlo_name == NULL)
		ehlo_name = "daneops.invalid";
	if (!starttls_name_ok(ehlo_name)) {
		err_set(e, ERR_USAGE, "invalid EHLO name (empty, too long, "
		    "or white space or control characters)");
		return NULL;
	}
	if (kind != STARTTLS_NONE && kind != STARTTLS_SMTP &&
	    kind != STARTTLS_IMAP && kind != STARTTLS_POP3) {
		err_set(e, ERR_USAGE, "unknown STARTTLS dialogue %d", (int)kind);
		return NULL;
	}
	st = xcalloc(1, sizeof(*st));
	st->kind = kind;
	st->ehlo_name = xstrdup(ehlo_name);
	sbuf_init(&st->line, STARTTLS_LINE_MAX);
	sbuf_init(&st->out, STARTTLS_EHLO_MAX + 16);
	if (kind == STARTTLS_NONE) {
		st->state = STARTTLS_DONE;
		st->wait = STARTTLS_WAIT_NOTHING;
	} else {
		st->state = STARTTLS_READING;
		st->wait = STARTTLS_WAIT_GREETING;
	}
	return st;
}

void
starttls_free(struct starttls *st)
{
	if (st == NULL)
		return;
	sbuf_free(&st->line);
	sbuf_free(&st->out);
	free(st->ehlo_name);
	free(st->banner);
	free(st->detail);
	free(st);
}

/* Fail with a message; with text, ": " and the quoted server line follow. */
static void
starttls_fail(struct starttls *st, const char *why, const char *text,
	size_t len)
{
	char *q;

	free(st->detail);
	if (text != NULL) {
		q = starttls_printable(text, len, STARTTLS_QUOTE_MAX);
		st->detail = xasprintf("%s: %s", why, q);
		free(q);
	} else {
		st->detail = xstrdup(why);
	}
	st->state = STARTTLS_FAILED;
	st->wait = STARTTLS_WAIT_NOTHING;
	sbuf_reset(&st->out);
}

/* Queue the command that provokes the next reply, and wait for it. */
static void
starttls_send(struct starttls *st, const char *cmd, enum starttls_wait wait)
{
	sbuf_reset(&st->out);
	if (sbuf_printf(&st->out, "%s\r\n", cmd) < 0) {
		starttls_fail(st, "internal error: command too long", NULL, 0);
		return;
	}
	st->wait = wait;
	st->reply_len = 0;
	st->reply_lines = 0;
	st->reply_code = 0;
	st->has_starttls = 0;
}

/* Case-insensitive: does line begin with word followed by SP or its end? */
static int
starttls_word(const char *line, size_t len, const char *word)
{
	size_t n = strlen(word);

	if (len < n || strncasecmp(line, word, n) != 0)
		return 0;
	return len == n || line[n] == ' ';
}

static void
starttls_keep_banner(struct starttls *st, const char *line, size_t len)
{
	if (st->banner == NULL)
		st->banner = starttls_printable(line, len, STARTTLS_LINE_MAX);
}

/* The final line of an SMTP reply: act on the whole reply. */
static void
smtp_reply(struct starttls *st, const char *line, size_t len)
{
	char *cmd;

	switch (st->wait) {
	case STARTTLS_WAIT_GREETING:
		if (st->reply_code != 220) {
			starttls_fail(st, "bad greeting", line, len);
			return;
		}
		cmd = xasprintf("EHLO %s", st->ehlo_name);
		starttls_send(st, cmd, STARTTLS_WAIT_EHLO);
		free(cmd);
		return;
	case STARTTLS_WAIT_EHLO:
		if (st->reply_code != 250) {
			starttls_fail(st, "EHLO rejected", line, len);
			return;
		}
		if (!st->has_starttls) {
			starttls_fail(st, "STARTTLS not offered "
			    "(no STARTTLS in the EHLO reply)", NULL, 0);
			return;
		}
		starttls_send(st, "STARTTLS", STARTTLS_WAIT_STARTTLS);
		return;
	case STARTTLS_WAIT_STARTTLS:
		if (st->reply_code != 220) {
			starttls_fail(st, "STARTTLS rejected", line, len);
			return;
		}
		st->state = STARTTLS_DONE;
		st->wait = STARTTLS_WAIT_NOTHING;
		return;
	case STARTTLS_WAIT_NOTHING:
		break;
	}
}

/* One SMTP reply line: "ddd", "ddd text" or "ddd-text" (RFC 5321 4.2). */
static void
smtp_line(struct starttls *st, const char *line, size_t len)
{
	int code;

	if (len < 3 || line[0] < '2' || line[0] > '5' ||
	    line[1] < '0' || line[1] > '9' || line[2] < '0' || line[2] > '9' ||
	    (len > 3 && line[3] != ' ' && line[3] != '-')) {
		starttls_fail(st, "malformed SMTP reply", line, len);
		return;
	}
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (st->reply_lines > 0 && code != st->reply_code) {
		starttls_fail(st, "malformed SMTP reply "
		    "(reply code changes within a reply)", line, len);
		return;
	}
	st->reply_code = code;
	if (st->wait == STARTTLS_WAIT_GREETING)
		starttls_keep_banner(st, line, len);
	/* EHLO keywords follow the first line, which names the server. */
	if (st->wait == STARTTLS_WAIT_EHLO && st->reply_lines > 0 &&
	    len > 4 && starttls_word(line + 4, len - 4, "STARTTLS"))
		st->has_starttls = 1;
	st->reply_lines++;
	if (len == 3 || line[3] == ' ')
		smtp_reply(st, line, len);
}

/* IMAP: an untagged "* OK" greeting, then "a001 STARTTLS" -> "a001 OK". */
static void
imap_line(struct starttls *st, const char *line, size_t len)
{
	const size_t taglen = sizeof(IMAP_TAG) - 1;

	if (st->wait == STARTTLS_WAIT_GREETING) {
		starttls_keep_banner(st, line, len);
		if (starttls_word(line, len, "* OK")) {
			starttls_send(st, IMAP_TAG " STARTTLS",
			    STARTTLS_WAIT_STARTTLS);
			return;
		}
		if (starttls_word(line, len, "* PREAUTH")) {
			starttls_fail(st, "IMAP PREAUTH greeting "
			    "leaves no room for STARTTLS", line, len);
			return;
		}
		starttls_fail(st, "bad greeting", line, len);
		return;
	}
	/* Untagged data (CAPABILITY, say) may precede the tagged reply. */
	if (len >= 2 && line[0] == '*' && line[1] == ' ')
		return;
	if (len > taglen && memcmp(line, IMAP_TAG, taglen) == 0 &&
	    line[taglen] == ' ') {
		if (starttls_word(line + taglen + 1, len - taglen - 1, "OK")) {
			st->state = STARTTLS_DONE;
			st->wait = STARTTLS_WAIT_NOTHING;
			return;
		}
		starttls_fail(st, "STARTTLS not offered", line, len);
		return;
	}
	starttls_fail(st, "malformed IMAP response", line, len);
}

/* POP3: "+OK" greeting, then "STLS" -> "+OK". */
static void
pop3_line(struct starttls *st, const char *line, size_t len)
{
	int ok = starttls_word(line, len, "+OK");

	if (st->wait == STARTTLS_WAIT_GREETING) {
		starttls_keep_banner(st, line, len);
		if (!ok) {
			starttls_fail(st, "bad greeting", line, len);
			return;
		}
		starttls_send(st, "STLS", STARTTLS_WAIT_STARTTLS);
		return;
	}
	if (ok) {
		st->state = STARTTLS_DONE;
		st->wait = STARTTLS_WAIT_NOTHING;
		return;
	}
	if (starttls_word(line, len, "-ERR")) {
		starttls_fail(st, "STARTTLS (STLS) not offered", line, len);
		return;
	}
	starttls_fail(st, "malformed POP3 response", line, len);
}

/* One complete line, terminator removed. */
static void
starttls_line(struct starttls *st, const char *line, size_t len)
{
	st->reply_len += len + 1;	/* the line feed counts */
	if (st->reply_len > STARTTLS_REPLY_MAX) {
		starttls_fail(st, "reply too long (more than 64 KiB)",
		    NULL, 0);
		return;
	}
	if (len > 0 && line[len - 1] == '\r')
		len--;
	switch (st->kind) {
	case STARTTLS_SMTP:
		smtp_line(st, line, len);
		break;
	case STARTTLS_IMAP:
		imap_line(st, line, len);
		break;
	case STARTTLS_POP3:
		pop3_line(st, line, len);
		break;
	case STARTTLS_NONE:
		break;
	}
}

/*
 * Bytes left over once a reply is complete were sent before the server saw
 * our next command, so they cannot be an answer to it.  After the STARTTLS
 * reply they would be taken as TLS input or, worse, as the answers to
 * commands we send inside TLS: the injection attack.
 */
static void
starttls_leftover(struct starttls *st)
{
	if (st->state == STARTTLS_DONE)
		starttls_fail(st, "server sent data after the STARTTLS reply "
		    "(STARTTLS injection)", NULL, 0);
	else
		starttls_fail(st, "server sent data before our command "
		    "(unsolicited pipelining)", NULL, 0);
}

enum starttls_state
starttls_input(struct starttls *st, const void *data, size_t len)
{
	const char *p = data, *end = p + len, *nl;
	enum starttls_wait before;
	size_t n;

	while (p < end && st->state == STARTTLS_READING) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p));
		if (sbuf_add(&st->line, p, n) < 0) {
			starttls_fail(st, "line too long (more than 1000 "
			    "octets without a line feed)", NULL, 0);
			break;
		}
		p += n;
		if (nl == NULL)
			break;
		before = st->wait;
		starttls_line(st, st->line.data, st->line.len - 1);
		sbuf_reset(&st->line);
		if (st->state != STARTTLS_FAILED && p < end &&
		    (st->state == STARTTLS_DONE || st->wait != before))
			starttls_leftover(st);
	}
	return st->state;
}

enum starttls_state
starttls_state(const struct starttls *st)
{
	return st->state;
}

enum starttls_wait
starttls_waiting(const struct starttls *st)
{
	return st->wait;
}

const char *
starttls_wait_name(const struct starttls *st)
{
	switch (st->wait) {
	case STARTTLS_WAIT_GREETING:
		return "the greeting";
	case STARTTLS_WAIT_EHLO:
		return "the EHLO reply";
	case STARTTLS_WAIT_STARTTLS:
		return st->kind == STARTTLS_POP3 ? "the STLS reply" :
		    "the STARTTLS reply";
	case STARTTLS_WAIT_NOTHING:
		break;
	}
	return "nothing";
}

const char *
starttls_output(const struct starttls *st, size_t *len)
{
	*len = st->out.len;
	return st->out.data != NULL ? st->out.data : "";
}

void
starttls_output_consume(struct starttls *st, size_t n)
{
	sbuf_consume(&st->out, n);
}

const char *
starttls_detail(const struct starttls *st)
{
	return st->detail != NULL ? st->detail : "";
}

const char *
starttls_banner(const struct starttls *st)
{
	return st->banner;
}
