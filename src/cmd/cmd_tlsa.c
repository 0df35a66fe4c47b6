/* Placeholder until the tlsa front end lands. */
#include "cmd/cmd.h"

int
cmd_tlsa(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cmd_error("tlsa", "not implemented yet");
	return EXIT_UNCHECKED;
}
