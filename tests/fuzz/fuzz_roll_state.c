/*
 * fuzz_roll_state - fuzz roll's state file reader (state_load: JSON, then
 * every member checked), and its writer on what the reader accepted.
 *
 * Besides not crashing or leaking: a file is either refused with one line
 * naming it, or accepted, saved and read back to the same save.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_tmp.h"
#include "roll/state.h"
#include "util/fileio.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state *s, *again;
	char *one, *two, path[4096];
	struct err e;

	if (size > 64 * 1024)
		return 0;
	snprintf(path, sizeof(path), "%s", fuzz_tmp_write("state.json", data,
	    size));
	err_clear(&e);
	if ((s = state_load(path, &e)) == NULL) {
		if (strncmp(e.msg, path, strlen(path)) != 0 ||
		    strchr(e.msg, '\n') != NULL)
			abort();
		return 0;
	}
	if (state_save(s, &e) < 0 ||
	    (one = fileio_read(path, FILEIO_DEFAULT_MAX, NULL, &e)) == NULL)
		abort();
	if ((again = state_load(path, &e)) == NULL || state_save(again, &e) < 0 ||
	    (two = fileio_read(path, FILEIO_DEFAULT_MAX, NULL, &e)) == NULL)
		abort();
	if (strcmp(one, two) != 0)
		abort();
	free(one);
	free(two);
	state_free(again);
	state_free(s);
	return 0;
}
