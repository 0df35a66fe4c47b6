/*
 * quarantine - keep a message that cannot be used, for a human to look at.
 */
#include "report/quarantine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/xalloc.h"

static int
quarantine_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Copy the rest of in to out; -1 with errno set. */
static int
quarantine_copy(int in, int out)
{
	char buf[65536];
	ssize_t n;

	for (;;) {
		n = read(in, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || quarantine_write_all(out, buf, (size_t)n) < 0)
			return -1;
	}
}

/* A name no other process picks: time, pid and 64 random bits. */
static char *
quarantine_name(const char *dir)
{
	unsigned long long r = 0;
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (unsigned long long)now * 2654435761u ^ (unsigned)getpid();
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0)
		snprintf(stamp, sizeof(stamp), "%lld", (long long)now);
	return xasprintf("%s/%s.%ld.%016llx.eml", dir, stamp, (long)getpid(), r);
}

static int
quarantine_dir(const char *dir, struct err *e)
{
	struct stat st;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return err_set_errno(e, ERR_TEMP, errno, "quarantine %s", dir);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_set(e, ERR_TEMP, "quarantine %s: not a directory",
		    dir);
	return 0;
}

char *
quarantine_save(const char *dir, const void *data, size_t len, int rest_fd,
	struct err *e)
{
	char *path, *tmp;
	int fd, dfd;

	if (quarantine_dir(dir, e) < 0)
		return NULL;
	path = quarantine_name(dir);
	tmp = xasprintf("%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	if (quarantine_write_all(fd, data, len) < 0 ||
	    (rest_fd >= 0 && quarantine_copy(rest_fd, fd) < 0) ||
	    fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	/* link, not rename: it never replaces a file that is already there. */
	if (link(tmp, path) < 0)
		goto fail;
	unlink(tmp);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(tmp);
	return path;
fail:
	err_set_errno(e, ERR_TEMP, errno, "quarantine %s", path);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	free(path);
	return NULL;
}
