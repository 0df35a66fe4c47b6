/*
 * cmd - the command front ends.
 *
 * Each cmd_NAME parses its options, calls the engine, prints, and returns
 * the process exit status (see exitcode.h).  They are the only code that
 * prints to stdout or chooses an exit status, apart from main().
 */
#ifndef DANEOPS_CMD_H
#define DANEOPS_CMD_H

#include "cmd/exitcode.h"

int cmd_tlsa(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_roll(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_survey(int argc, char **argv);
int cmd_watch(int argc, char **argv);

/* Print "daneops CMD: message" to stderr (one line). */
void cmd_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
