/*
 * fileio - bounded file reads and crash-safe file writes.
 */
#include "util/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/sbuf.h"
#include "util/xalloc.h"

static char *
fileio_read_fd(int fd, const char *path, size_t max, size_t *len,
	struct err *e)
{
	struct sbuf b;
	char chunk[8192];
	ssize_t n;

	sbuf_init(&b, max);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_set_errno(e, ERR_INPUT, errno, "%s: cannot read", path);
			sbuf_free(&b);
			return NULL;
		}
		if (sbuf_add(&b, chunk, (size_t)n) < 0) {
			err_set(e, ERR_INPUT, "%s: larger than %zu bytes", path, max);
			sbuf_free(&b);
			return NULL;
		}
	}
	return sbuf_steal(&b, len);
}

char *
fileio_read(const char *path, size_t max, size_t *len, struct err *e)
{
	char *data;
	int fd;

	if (strcmp(path, "-") == 0)
		return fileio_read_fd(STDIN_FILENO, "standard input", max, len, e);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_set_errno(e, ERR_INPUT, errno, "%s: cannot open", path);
		return NULL;
	}
	data = fileio_read_fd(fd, path, max, len, e);
	close(fd);
	return data;
}

char *
fileio_read_secret(const char *path, size_t max, size_t *len, struct err *e)
{
	struct stat st;
	char *data;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		err_set_errno(e, ERR_INPUT, errno, "%s: cannot open secret file",
		    path);
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		err_set_errno(e, ERR_INPUT, errno, "%s: cannot stat", path);
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(e, ERR_INPUT, "%s: secret is not a regular file", path);
		close(fd);
		return NULL;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		err_set(e, ERR_INPUT, "%s: secret file is owned by uid %u, not by "
		    "the user running daneops", path, (unsigned)st.st_uid);
		close(fd);
		return NULL;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		err_set(e, ERR_INPUT, "%s: secret file is accessible to group or "
		    "others (mode %03o); run chmod 600", path,
		    (unsigned)(st.st_mode & 0777));
		close(fd);
		return NULL;
	}
	data = fileio_read_fd(fd, path, max, len, e);
	close(fd);
	return data;
}

static int
fileio_fsync_dir(const char *path, struct err *e)
{
	char *copy = xstrdup(path);
	int fd, rc = 0;

	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		rc = err_set_errno(e, ERR_SYSTEM, errno, "%s: cannot sync directory",
		    path);
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

int
fileio_write_atomic(const char *path, const void *data, size_t len,
	mode_t mode, struct err *e)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	const char *p = data;
	size_t done = 0;
	ssize_t n;
	int fd;

	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err_set_errno(e, ERR_SYSTEM, errno, "%s: cannot create temporary file",
		    path);
		free(tmp);
		return -1;
	}
	if (fchmod(fd, mode) < 0)
		goto fail;
	while (done < len) {
		n = write(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		done += (size_t)n;
	}
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	return fileio_fsync_dir(path, e);
fail:
	err_set_errno(e, ERR_SYSTEM, errno, "%s: cannot write", path);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}
