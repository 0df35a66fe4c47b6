/*
 * findings - the list daneops doctor builds and the front end prints.
 */
#include "doctor/findings.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct findings *
findings_new(void)
{
	return xcalloc(1, sizeof(struct findings));
}

void
findings_free(struct findings *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->v[i].code);
		free(f->v[i].subject);
		free(f->v[i].message);
		free(f->v[i].fix);
	}
	for (i = 0; i < f->nu; i++) {
		free(f->u[i].check);
		free(f->u[i].why);
	}
	free(f->v);
	free(f->u);
	free(f);
}

void
findings_add(struct findings *f, enum finding_sev sev, const char *code,
	const char *subject, const char *fix, const char *fmt, ...)
{
	struct finding *x;
	char msg[1024];
	va_list ap;

	if (f->n >= FINDINGS_MAX) {
		f->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	f->v = xreallocarray(f->v, f->n + 1, sizeof(*f->v));
	x = &f->v[f->n++];
	x->sev = sev;
	x->code = xstrdup(code);
	x->subject = xstrdup(subject != NULL ? subject : "-");
	x->message = xstrdup(msg);
	x->fix = xstrdup(fix != NULL ? fix : "");
}

void
findings_unchecked(struct findings *f, const char *check, const char *fmt,
	...)
{
	char why[1024];
	va_list ap;

	if (f->nu >= FINDINGS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	f->u = xreallocarray(f->u, f->nu + 1, sizeof(*f->u));
	f->u[f->nu].check = xstrdup(check);
	f->u[f->nu].why = xstrdup(why);
	f->nu++;
}

static int
finding_cmp(const void *pa, const void *pb)
{
	const struct finding *a = pa, *b = pb;
	int c;

	if (a->sev != b->sev)
		return a->sev < b->sev ? -1 : 1;
	if ((c = strcmp(a->code, b->code)) != 0)
		return c;
	if ((c = strcmp(a->subject, b->subject)) != 0)
		return c;
	return strcmp(a->message, b->message);
}

void
findings_sort(struct findings *f)
{
	if (f->n > 1)
		qsort(f->v, f->n, sizeof(*f->v), finding_cmp);
}

size_t
findings_count(const struct findings *f, enum finding_sev sev)
{
	size_t i, n = 0;

	for (i = 0; i < f->n; i++)
		if (f->v[i].sev == sev)
			n++;
	return n;
}

int
findings_has(const struct findings *f, const char *code)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].code, code) == 0)
			return 1;
	return 0;
}

const char *
finding_sev_name(enum finding_sev sev)
{
	switch (sev) {
	case FINDING_ERROR:
		return "error";
	case FINDING_WARNING:
		return "warning";
	default:
		return "info";
	}
}
