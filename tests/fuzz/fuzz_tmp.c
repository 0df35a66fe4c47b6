/*
 * fuzz_tmp - the scratch directory of the file-reading fuzz targets.
 */
#include "fuzz_tmp.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char fuzz_dir[64];

static void
fuzz_tmp_cleanup(void)
{
	char cmd[128];

	/* Only our own mkdtemp directory, named in full. */
	if (fuzz_dir[0] != '\0' && strncmp(fuzz_dir, "/tmp/daneops-fuzz.", 18) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fuzz_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir);
	}
}

const char *
fuzz_tmp_dir(void)
{
	if (fuzz_dir[0] == '\0') {
		snprintf(fuzz_dir, sizeof(fuzz_dir), "/tmp/daneops-fuzz.XXXXXX");
		if (mkdtemp(fuzz_dir) == NULL)
			abort();
		atexit(fuzz_tmp_cleanup);
	}
	return fuzz_dir;
}

const char *
fuzz_tmp_write(const char *name, const void *data, size_t len)
{
	static char path[PATH_MAX];
	const char *p = data;
	char *slash;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fuzz_tmp_dir(), name);
	for (slash = strchr(path + strlen(fuzz_dir) + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		(void)mkdir(path, 0700);
		*slash = '/';
	}
	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		abort();
	while (len > 0) {
		if ((n = write(fd, p, len)) <= 0)
			abort();
		p += n;
		len -= (size_t)n;
	}
	close(fd);
	return path;
}
