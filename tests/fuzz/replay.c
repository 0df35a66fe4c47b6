/*
 * replay - run a fuzz target over a corpus without libFuzzer, as a TAP test.
 *
 * Linked with one fuzz_*.c in every build: "test_fuzz_NAME" with no
 * arguments replays the committed corpus tests/fuzz/corpus/NAME (its path
 * is compiled in as FUZZ_CORPUS), one "ok" line a file, so that CI runs
 * every seed and every input that once crashed under ASan and UBSan.
 * Arguments name other files or directories to replay (a crash file from
 * a fuzzing run, say).  A target signals a bug by crashing or aborting;
 * the sanitizers and the runner's exit status do the rest.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "util/fileio.h"

/* Inputs larger than this are not replayed: libFuzzer's default -max_len is 4096. */
#define REPLAY_MAX (1024 * 1024)

static int replay_n;

static int
replay_file(const char *path)
{
	struct err e;
	size_t len;
	char *data;

	data = fileio_read(path, REPLAY_MAX, &len, &e);
	if (data == NULL) {
		printf("not ok %d - %s\n", ++replay_n, e.msg);
		return -1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	free(data);
	printf("ok %d - %s\n", ++replay_n, path);
	fflush(stdout);
	return 0;
}

static int
replay_dir(const char *dir)
{
	struct dirent **names;
	char path[4096];
	int i, n, rc = 0;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		printf("not ok %d - %s: cannot read the corpus\n", ++replay_n,
		    dir);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir,
			    names[i]->d_name);
			rc |= replay_file(path);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	struct stat st;
	int i, rc = 0;

	if (argc < 2)
		rc = replay_dir(FUZZ_CORPUS);
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			rc |= replay_dir(argv[i]);
		else
			rc |= replay_file(argv[i]);
	}
	if (replay_n == 0) {
		printf("not ok 1 - empty corpus\n");
		replay_n = 1;
		rc = -1;
	}
	printf("1..%d\n", replay_n);
	return rc == 0 ? 0 : 1;
}
