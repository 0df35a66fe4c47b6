/*
 * survey_args - the command line of "daneops survey" (cmd_survey_args.c).
 *
 * Ownership: survey_args_parse fills a caller-allocated struct whose
 * strings point into argv; survey_args_free releases the path list.
 */
#ifndef DANEOPS_SURVEY_ARGS_H
#define DANEOPS_SURVEY_ARGS_H

#include <stdio.h>

#include "cmd/cmdopt.h"
#include "dns/resolver.h"
#include "survey/notify.h"
#include "survey/survey.h"

struct survey_args {
	struct resolver_opts ro;
	struct cmdopt_dns dns;
	struct survey_opts so;
	struct notify_opts no;
	int notify;
	int timeout;
	const char **paths;             /* NULL-terminated */
};

/* 0 parsed, 1 --help, -1 usage error (already reported). */
int survey_args_parse(struct survey_args *a, int argc, char **argv);
void survey_args_usage(FILE *fp);
void survey_args_free(struct survey_args *a);

/*
 * Raise the soft limit on open files to the hard one; the concurrency
 * that fits in it (with a line on stderr when that is less).
 */
size_t survey_raise_nofile(const char *cmd, size_t concurrency);

/* Per-step timeouts from the per-domain one, as check does. */
void survey_timeouts(struct check_opts *co, struct resolver_opts *ro,
	int timeout);

#endif
