/*
 * Unit tests for src/probe/starttls: the SMTP, IMAP and POP3 dialogue
 * machines, fed by hand with no network.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "probe/starttls.h"

static struct starttls *
new_machine(enum starttls_kind kind)
{
	struct starttls *st;
	struct err e;

	st = starttls_new(kind, NULL, &e);
	assert_non_null(st);
	return st;
}

/* Feed a string; return the state. */
static enum starttls_state
feed(struct starttls *st, const char *s)
{
	return starttls_input(st, s, strlen(s));
}

/* The pending command must be exactly want; mark it sent. */
static void
expect_output(struct starttls *st, const char *want)
{
	const char *out;
	size_t len;

	out = starttls_output(st, &len);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(out, want, len);
	starttls_output_consume(st, len);
	out = starttls_output(st, &len);
	assert_int_equal(len, 0);
}

static void
expect_failure(struct starttls *st, const char *substring)
{
	assert_int_equal(starttls_state(st), STARTTLS_FAILED);
	assert_int_equal(starttls_waiting(st), STARTTLS_WAIT_NOTHING);
	if (strstr(starttls_detail(st), substring) == NULL)
		fail_msg("detail '%s' lacks '%s'", starttls_detail(st),
		    substring);
}

/* Drive an SMTP machine to the point where it sent STARTTLS. */
static struct starttls *
smtp_until_starttls(void)
{
	struct starttls *st = new_machine(STARTTLS_SMTP);

	assert_int_equal(feed(st, "220 mx.example ESMTP\r\n"),
	    STARTTLS_READING);
	expect_output(st, "EHLO daneops.invalid\r\n");
	assert_int_equal(feed(st, "250-mx.example\r\n250-PIPELINING\r\n"
	    "250-STARTTLS\r\n250 8BITMIME\r\n"), STARTTLS_READING);
	expect_output(st, "STARTTLS\r\n");
	assert_int_equal(starttls_waiting(st), STARTTLS_WAIT_STARTTLS);
	return st;
}

static void
test_smtp_full_dialogue(void **state)
{
	struct starttls *st;

	(void)state;
	st = smtp_until_starttls();
	assert_int_equal(feed(st, "220 2.0.0 Ready to start TLS\r\n"),
	    STARTTLS_DONE);
	assert_string_equal(starttls_banner(st), "220 mx.example ESMTP");
	assert_string_equal(starttls_detail(st), "");
	starttls_free(st);
	starttls_free(NULL);
}

static void
test_smtp_byte_by_byte_multiline(void **state)
{
	const char *greet = "220-mx.example ESMTP\r\n220-second line\r\n"
	    "220 last\r\n";
	struct starttls *st = new_machine(STARTTLS_SMTP);
	size_t i;

	(void)state;
	for (i = 0; greet[i] != '\0'; i++) {
		assert_int_equal(starttls_input(st, greet + i, 1),
		    STARTTLS_READING);
		assert_int_equal(starttls_waiting(st), greet[i + 1] == '\0' ?
		    STARTTLS_WAIT_EHLO : STARTTLS_WAIT_GREETING);
	}
	assert_string_equal(starttls_banner(st), "220-mx.example ESMTP");
	expect_output(st, "EHLO daneops.invalid\r\n");
	/* Bare LF endings and a code-only final line are accepted. */
	assert_int_equal(feed(st, "250-mx\n250-starttls\n250\n"),
	    STARTTLS_READING);
	expect_output(st, "STARTTLS\r\n");
	assert_int_equal(feed(st, "220\n"), STARTTLS_DONE);
	starttls_free(st);
}

static void
test_smtp_bad_greeting(void **state)
{
	struct starttls *st = new_machine(STARTTLS_SMTP);

	(void)state;
	assert_int_equal(feed(st, "554 5.7.1 go away\r\n"), STARTTLS_FAILED);
	expect_failure(st, "bad greeting: 554 5.7.1 go away");
	assert_string_equal(starttls_banner(st), "554 5.7.1 go away");
	/* A failed machine ignores further input. */
	assert_int_equal(feed(st, "220 ok\r\n"), STARTTLS_FAILED);
	starttls_free(st);
}

static void
test_smtp_no_starttls(void **state)
{
	struct starttls *st = new_machine(STARTTLS_SMTP);

	(void)state;
	feed(st, "220 mx\r\n");
	expect_output(st, "EHLO daneops.invalid\r\n");
	/* STARTTLS as the server name or inside a word does not count. */
	assert_int_equal(feed(st, "250-STARTTLS\r\n250-STARTTLSX\r\n"
	    "250-X-STARTTLS\r\n250 SIZE 10\r\n"), STARTTLS_FAILED);
	expect_failure(st, "STARTTLS not offered");
	starttls_free(st);
}

static void
test_smtp_rejections(void **state)
{
	struct starttls *st = new_machine(STARTTLS_SMTP);

	(void)state;
	feed(st, "220 mx\r\n");
	assert_int_equal(feed(st, "550 no\r\n"), STARTTLS_FAILED);
	expect_failure(st, "EHLO rejected: 550 no");
	starttls_free(st);

	st = smtp_until_starttls();
	assert_int_equal(feed(st, "454 4.7.0 TLS not available\r\n"),
	    STARTTLS_FAILED);
	expect_failure(st, "STARTTLS rejected: 454 4.7.0");
	starttls_free(st);
}

static void
test_smtp_injection(void **state)
{
	struct starttls *st;

	(void)state;
	st = smtp_until_starttls();
	assert_int_equal(feed(st, "220 Ready to start TLS\r\n250 injected\r\n"),
	    STARTTLS_FAILED);
	expect_failure(st, "server sent data after the STARTTLS reply "
	    "(STARTTLS injection)");
	starttls_free(st);

	/* Even one byte, even a partial line, is an injection. */
	st = smtp_until_starttls();
	assert_int_equal(feed(st, "220 Ready\r\nX"), STARTTLS_FAILED);
	expect_failure(st, "STARTTLS injection");
	starttls_free(st);
}

static void
test_smtp_unsolicited_before_ehlo(void **state)
{
	struct starttls *st = new_machine(STARTTLS_SMTP);

	(void)state;
	assert_int_equal(feed(st, "220 mx\r\n250 early\r\n"), STARTTLS_FAILED);
	expect_failure(st, "before our command");
	starttls_free(st);
}

static void
test_smtp_malformed(void **state)
{
	static const char *bad[] = {
		"hello\r\n", "22\r\n", "2x0 a\r\n", "220_x\r\n", "620 x\r\n",
		"220-a\r\n250 b\r\n",
	};
	struct starttls *st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		st = new_machine(STARTTLS_SMTP);
		assert_int_equal(feed(st, bad[i]), STARTTLS_FAILED);
		expect_failure(st, "malformed SMTP reply");
		starttls_free(st);
	}
}

static void
test_line_cap(void **state)
{
	char line[STARTTLS_LINE_MAX + 2];
	struct starttls *st;

	(void)state;
	/* Exactly the limit, CRLF included: accepted. */
	memset(line, 'a', sizeof(line));
	memcpy(line, "220 ", 4);
	memcpy(line + STARTTLS_LINE_MAX - 2, "\r\n", 2);
	st = new_machine(STARTTLS_SMTP);
	assert_int_equal(starttls_input(st, line, STARTTLS_LINE_MAX),
	    STARTTLS_READING);
	assert_int_equal(starttls_waiting(st), STARTTLS_WAIT_EHLO);
	starttls_free(st);

	/* One more octet without a line feed: refused, even in pieces. */
	memset(line, 'a', sizeof(line));
	st = new_machine(STARTTLS_SMTP);
	assert_int_equal(starttls_input(st, line, 600), STARTTLS_READING);
	assert_int_equal(starttls_input(st, line, STARTTLS_LINE_MAX - 600 + 1),
	    STARTTLS_FAILED);
	expect_failure(st, "line too long");
	starttls_free(st);
}

static void
test_reply_cap(void **state)
{
	struct starttls *st = new_machine(STARTTLS_SMTP);
	const char *line = "220-0123456789012345678901234567890123456789\r\n";
	enum starttls_state s = STARTTLS_READING;
	size_t sent = 0;

	(void)state;
	while (s == STARTTLS_READING && sent < 2 * STARTTLS_REPLY_MAX) {
		s = feed(st, line);
		sent += strlen(line);
	}
	assert_int_equal(s, STARTTLS_FAILED);
	assert_true(sent > STARTTLS_REPLY_MAX);
	assert_true(sent < STARTTLS_REPLY_MAX + 100);
	expect_failure(st, "reply too long");
	starttls_free(st);
}

static void
test_detail_is_printable(void **state)
{
	static const char junk[] = "554 \x01\x1b[31m\xff\x00zz\r\n";
	struct starttls *st = new_machine(STARTTLS_SMTP);
	const char *d;

	(void)state;
	assert_int_equal(starttls_input(st, junk, sizeof(junk) - 1),
	    STARTTLS_FAILED);
	d = starttls_detail(st);
	assert_string_equal(d, "bad greeting: 554 ??[31m??zz");
	starttls_free(st);
}

static void
test_imap(void **state)
{
	struct starttls *st = new_machine(STARTTLS_IMAP);

	(void)state;
	assert_int_equal(feed(st, "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n"),
	    STARTTLS_READING);
	expect_output(st, "a001 STARTTLS\r\n");
	assert_string_equal(starttls_wait_name(st), "the STARTTLS reply");
	assert_int_equal(feed(st, "* CAPABILITY IMAP4rev1\r\n"),
	    STARTTLS_READING);
	assert_int_equal(feed(st, "a001 OK Begin TLS\r\n"), STARTTLS_DONE);
	assert_string_equal(starttls_banner(st),
	    "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi");
	starttls_free(st);

	st = new_machine(STARTTLS_IMAP);
	feed(st, "* OK hi\r\n");
	assert_int_equal(feed(st, "a001 BAD unknown\r\n"), STARTTLS_FAILED);
	expect_failure(st, "STARTTLS not offered: a001 BAD unknown");
	starttls_free(st);

	st = new_machine(STARTTLS_IMAP);
	feed(st, "* OK hi\r\n");
	assert_int_equal(feed(st, "a001 OK\r\n* injected\r\n"),
	    STARTTLS_FAILED);
	expect_failure(st, "STARTTLS injection");
	starttls_free(st);
}

static void
test_imap_bad_greetings(void **state)
{
	struct starttls *st;

	(void)state;
	st = new_machine(STARTTLS_IMAP);
	assert_int_equal(feed(st, "* PREAUTH welcome\r\n"), STARTTLS_FAILED);
	expect_failure(st, "PREAUTH");
	starttls_free(st);

	st = new_machine(STARTTLS_IMAP);
	assert_int_equal(feed(st, "* BYE busy\r\n"), STARTTLS_FAILED);
	expect_failure(st, "bad greeting: * BYE busy");
	starttls_free(st);

	st = new_machine(STARTTLS_IMAP);
	feed(st, "* OK\r\n");
	assert_int_equal(feed(st, "+ go on\r\n"), STARTTLS_FAILED);
	expect_failure(st, "malformed IMAP response");
	starttls_free(st);
}

static void
test_pop3(void **state)
{
	struct starttls *st = new_machine(STARTTLS_POP3);

	(void)state;
	assert_int_equal(feed(st, "+OK POP3 ready\r\n"), STARTTLS_READING);
	expect_output(st, "STLS\r\n");
	assert_string_equal(starttls_wait_name(st), "the STLS reply");
	assert_int_equal(feed(st, "+OK begin TLS\r\n"), STARTTLS_DONE);
	starttls_free(st);

	st = new_machine(STARTTLS_POP3);
	assert_int_equal(feed(st, "-ERR busy\r\n"), STARTTLS_FAILED);
	expect_failure(st, "bad greeting: -ERR busy");
	starttls_free(st);

	st = new_machine(STARTTLS_POP3);
	feed(st, "+OK\r\n");
	assert_int_equal(feed(st, "-ERR no\r\n"), STARTTLS_FAILED);
	expect_failure(st, "STARTTLS (STLS) not offered");
	starttls_free(st);

	st = new_machine(STARTTLS_POP3);
	feed(st, "+OK\r\n");
	assert_int_equal(feed(st, "+OKAY\r\n"), STARTTLS_FAILED);
	expect_failure(st, "malformed POP3 response");
	starttls_free(st);
}

static void
test_none_and_names(void **state)
{
	struct starttls *st;
	struct err e;
	size_t len;

	(void)state;
	st = new_machine(STARTTLS_NONE);
	assert_int_equal(starttls_state(st), STARTTLS_DONE);
	starttls_output(st, &len);
	assert_int_equal(len, 0);
	starttls_free(st);

	st = starttls_new(STARTTLS_SMTP, "probe.example", &e);
	assert_non_null(st);
	assert_string_equal(starttls_wait_name(st), "the greeting");
	feed(st, "220 x\r\n");
	assert_string_equal(starttls_wait_name(st), "the EHLO reply");
	expect_output(st, "EHLO probe.example\r\n");
	starttls_free(st);

	/* A name that could smuggle a command is refused. */
	assert_null(starttls_new(STARTTLS_SMTP, "a\r\nRCPT TO:<x>", &e));
	assert_int_equal(e.kind, ERR_USAGE);
	assert_null(starttls_new(STARTTLS_SMTP, "a b", &e));
	assert_null(starttls_new(STARTTLS_SMTP, "", &e));
	assert_null(starttls_new((enum starttls_kind)9, NULL, &e));
}

static void
test_partial_output(void **state)
{
	struct starttls *st = new_machine(STARTTLS_POP3);
	const char *out;
	size_t len;

	(void)state;
	feed(st, "+OK\r\n");
	out = starttls_output(st, &len);
	assert_int_equal(len, 6);
	starttls_output_consume(st, 2);
	out = starttls_output(st, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(out, "LS\r\n", 4);
	starttls_output_consume(st, 4);
	starttls_output(st, &len);
	assert_int_equal(len, 0);
	starttls_free(st);
}

static void
test_port_and_names(void **state)
{
	enum starttls_kind k;

	(void)state;
	assert_int_equal(starttls_for_port(25), STARTTLS_SMTP);
	assert_int_equal(starttls_for_port(587), STARTTLS_SMTP);
	assert_int_equal(starttls_for_port(143), STARTTLS_IMAP);
	assert_int_equal(starttls_for_port(110), STARTTLS_POP3);
	assert_int_equal(starttls_for_port(465), STARTTLS_NONE);
	assert_int_equal(starttls_for_port(993), STARTTLS_NONE);
	assert_string_equal(starttls_name(STARTTLS_IMAP), "imap");
	assert_int_equal(starttls_parse("POP3", &k), 0);
	assert_int_equal(k, STARTTLS_POP3);
	assert_int_equal(starttls_parse("none", &k), 0);
	assert_int_equal(k, STARTTLS_NONE);
	assert_int_equal(starttls_parse("xmpp", &k), -1);
	assert_int_equal(starttls_parse(NULL, &k), -1);
}

static void
test_printable(void **state)
{
	char *p;

	(void)state;
	p = starttls_printable("a\tb\x80z", 5, 100);
	assert_string_equal(p, "a?b?z");
	free(p);
	p = starttls_printable("abcdef", 6, 3);
	assert_string_equal(p, "abc");
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smtp_full_dialogue),
		cmocka_unit_test(test_smtp_byte_by_byte_multiline),
		cmocka_unit_test(test_smtp_bad_greeting),
		cmocka_unit_test(test_smtp_no_starttls),
		cmocka_unit_test(test_smtp_rejections),
		cmocka_unit_test(test_smtp_injection),
		cmocka_unit_test(test_smtp_unsolicited_before_ehlo),
		cmocka_unit_test(test_smtp_malformed),
		cmocka_unit_test(test_line_cap),
		cmocka_unit_test(test_reply_cap),
		cmocka_unit_test(test_detail_is_printable),
		cmocka_unit_test(test_imap),
		cmocka_unit_test(test_imap_bad_greetings),
		cmocka_unit_test(test_pop3),
		cmocka_unit_test(test_none_and_names),
		cmocka_unit_test(test_partial_output),
		cmocka_unit_test(test_port_and_names),
		cmocka_unit_test(test_printable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
