/*
 * check_out - how "daneops check" prints its results: one screen for
 * people (check_human.c), one Monitoring Plugins line (check_nagios.c).
 * JSON comes from the engine's check_json and is printed by cmd_check.c.
 */
#ifndef DANEOPS_CHECK_OUT_H
#define DANEOPS_CHECK_OUT_H

#include <stdio.h>

#include "dane/check.h"

/* One block per result; colour (ANSI) only when asked (a TTY). */
void check_print_human(FILE *fp, const struct check_result *res, int colour);

/*
 * One line "DANE OK|WARNING|CRITICAL|UNKNOWN: text | perfdata" for all
 * results; returns the plugin's exit status (0-3).
 */
int check_print_nagios(FILE *fp, struct check_result *const *res, size_t n);

/* The exit status for one result: 0 pass/warn, 1 fail or no DANE, 3. */
int check_exit_status(const struct check_result *res);

#endif
