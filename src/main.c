/*
 * daneops - keep DANE working for self-hosted mail.
 *
 * main() only dispatches to a command front end (cmd/cmd_*.c) and returns
 * its exit status.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config.h"
#include "cmd/cmd.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "tlsa", cmd_tlsa, "make or match TLSA records for a certificate or key" },
	{ "check", cmd_check, "verify DANE for live mail services as a sending MTA would" },
	{ "report", cmd_report, "store and summarise TLS reports (RFC 8460) received by mail" },
	{ "roll", cmd_roll, "renew and roll over keys without breaking DANE" },
	{ "doctor", cmd_doctor, "check this mail host: aliases, renewals, lineages" },
	{ "survey", cmd_survey, "check many mail domains and tell their operators" },
	{ "watch", cmd_watch, "watch your own domains: Prometheus textfile, mail on change" },
};

static void
usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: daneops COMMAND [OPTIONS] [ARGS]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(fp, "\n'daneops COMMAND --help' for a command's options; "
	    "man daneops for more.\n");
}

void
cmd_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "daneops %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
main(int argc, char **argv)
{
	size_t i;
	int rc;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_PASS;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("daneops %s (%s)\n", DANEOPS_VERSION,
		    OpenSSL_version(OPENSSL_VERSION));
		return EXIT_PASS;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			rc = commands[i].run(argc - 1, argv + 1);
			if (fflush(stdout) != 0 || ferror(stdout)) {
				cmd_error(commands[i].name, "standard output: write error");
				return EXIT_UNCHECKED;
			}
			return rc;
		}
	}
	fprintf(stderr, "daneops: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
