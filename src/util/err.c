/*
 * err - error reports that engine code returns instead of exiting.
 */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

void
err_clear(struct err *e)
{
	if (e == NULL)
		return;
	e->kind = ERR_NONE;
	e->msg[0] = '\0';
}

static void
err_vset(struct err *e, enum err_kind kind, const char *fmt, va_list ap)
{
	e->kind = kind;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

static void
err_append(struct err *e, const char *suffix)
{
	size_t len = strlen(e->msg);

	if (suffix == NULL || *suffix == '\0' || len >= sizeof(e->msg) - 3)
		return;
	snprintf(e->msg + len, sizeof(e->msg) - len, ": %s", suffix);
}

int
err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	err_vset(e, kind, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_set_errno(struct err *e, enum err_kind kind, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	err_vset(e, kind, fmt, ap);
	va_end(ap);
	err_append(e, strerror(errnum));
	return -1;
}

int
err_set_ssl(struct err *e, enum err_kind kind, const char *fmt, ...)
{
	va_list ap;
	unsigned long code;
	const char *reason;

	code = ERR_get_error();
	ERR_clear_error();
	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	err_vset(e, kind, fmt, ap);
	va_end(ap);
	if (code != 0) {
		reason = ERR_reason_error_string(code);
		err_append(e, reason != NULL ? reason : "OpenSSL error");
	}
	return -1;
}

const char *
err_kind_name(enum err_kind kind)
{
	switch (kind) {
	case ERR_NONE:		return "none";
	case ERR_USAGE:		return "usage";
	case ERR_INPUT:		return "input";
	case ERR_SYSTEM:	return "system";
	case ERR_NETWORK:	return "network";
	case ERR_TEMP:		return "temporary";
	case ERR_INTERNAL:	return "internal";
	}
	return "unknown";
}
