/*
 * check_mtasts - how "daneops check" prints MTA-STS beside DANE: a block
 * after each domain's DANE block for people, and the MTA-STS verdicts
 * spliced into the one Monitoring Plugins line.  JSON comes from the
 * engine's mtasts_json, added to each domain's object by cmd_check.c.
 *
 * A NULL result (--no-mta-sts, --host) prints nothing.
 */
#ifndef DANEOPS_CHECK_MTASTS_H
#define DANEOPS_CHECK_MTASTS_H

#include <stdio.h>

#include "dane/check.h"
#include "mtasts/mtasts.h"

/*
 * The MTA-STS side of one "daneops check" run: a job per domain on the
 * check's loop and resolver, judged against the DANE results at the end.
 * res (n slots, zeroed) is the caller's; jobs and store are ours.
 */
struct check_mtasts {
	struct mtasts_opts o;
	struct mtasts_result **res;
	struct mtasts_job **jobs;
	X509_STORE *store;
};

/* Load a --ca-file store and start a job per name; -1 with e.  The
 * system store is loaded in check_mtasts_end, when a policy needs it. */
int check_mtasts_start(struct check_mtasts *mt, const struct check_env *env,
	const char *const *names, size_t n, struct err *e);

/*
 * After the loop: judge each finished job against dane[i] (NULL when that
 * check did not end), cancel the rest, free jobs and store.  Safe when
 * check_mtasts_start was never called or failed.
 */
void check_mtasts_end(struct check_mtasts *mt,
	struct check_result *const *dane, size_t n);

void check_print_mtasts(FILE *fp, const struct mtasts_result *m,
	int colour);

/* The exit status MTA-STS asks for under --require mta-sts. */
int check_mtasts_exit(const struct mtasts_result *m);

/*
 * The Nagios line of check_print_nagios with the MTA-STS verdict of each
 * domain that publishes an _mta-sts record (every domain with require)
 * added to the text and perfdata; with require the state is the
 * worse of DANE's and MTA-STS's (and the label "DANE+MTA-STS").  Returns
 * the plugin's exit status.
 */
int check_print_nagios_mtasts(FILE *fp, struct check_result *const *res,
	struct mtasts_result *const *m, size_t n, int require);

#endif
