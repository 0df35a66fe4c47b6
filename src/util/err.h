/*
 * err - error reports that engine code returns instead of exiting.
 *
 * Every engine function that can fail takes a struct err * as its last
 * argument, fills it in on failure and returns -1 (or NULL).  The message is
 * one line, names the input it is about, and is meant to be printed as is
 * after "daneops CMD: ".  Only the command front ends turn an err_kind into
 * an exit status (see cmd/exitcode.h).
 *
 * Ownership: struct err is caller-allocated, usually on the stack; it holds
 * no heap memory and needs no free.
 */
#ifndef DANEOPS_ERR_H
#define DANEOPS_ERR_H

#include <stddef.h>

enum err_kind {
	ERR_NONE = 0,
	ERR_USAGE,      /* bad option or argument from the command line */
	ERR_INPUT,      /* an input file or value is unreadable or invalid */
	ERR_SYSTEM,     /* the operating system refused (ENOMEM, EIO, ...) */
	ERR_NETWORK,    /* a peer, timeout or DNS failure */
	ERR_TEMP,       /* temporary: try again later (lock held, ...) */
	ERR_INTERNAL,   /* a bug: "can't happen" */
};

#define ERR_MSG_MAX 512

struct err {
	enum err_kind kind;
	char msg[ERR_MSG_MAX];
};

/* Clear *e to ERR_NONE. */
void err_clear(struct err *e);

/* Record an error; always returns -1 so callers can "return err_set(...)". */
int err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As err_set, with ": " and strerror(errnum) appended. */
int err_set_errno(struct err *e, enum err_kind kind, int errnum,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * As err_set, with ": " and the reason of the oldest entry on OpenSSL's error
 * queue appended (when there is one); the queue is cleared.
 */
int err_set_ssl(struct err *e, enum err_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Name of a kind, for logs and JSON ("usage", "input", ...). */
const char *err_kind_name(enum err_kind kind);

#endif
