/*
 * fileio - bounded file reads and crash-safe file writes.
 */
#include "util/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
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

/* What a file type is called in an error. */
static const char *
fileio_type_name(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

int
fileio_open_read(const char *path, struct stat *stp, struct err *e)
{
	struct stat st;
	int fd, flags;

	if (strcmp(path, "-") == 0)
		fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	else
		/* O_NONBLOCK: a named pipe's open must not wait for a writer. */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return err_set_errno(e, ERR_INPUT, errno, "%s: cannot open",
		    strcmp(path, "-") == 0 ? "standard input" : path);
	if (fstat(fd, &st) < 0) {
		err_set_errno(e, ERR_INPUT, errno, "%s: cannot stat", path);
		close(fd);
		return -1;
	}
	/* Standard input is what the caller's shell connected; only a
	 * directory there is no input at all. */
	if (S_ISDIR(st.st_mode) || (strcmp(path, "-") != 0 &&
	    !S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))) {
		err_set(e, ERR_INPUT, "%s: is %s, not a file to read", path,
		    fileio_type_name(st.st_mode));
		close(fd);
		return -1;
	}
	if (strcmp(path, "-") != 0 && (flags = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	if (stp != NULL)
		*stp = st;
	return fd;
}

char *
fileio_read(const char *path, size_t max, size_t *len, struct err *e)
{
	struct stat st;
	char *data;
	int fd;

	if ((fd = fileio_open_read(path, &st, e)) < 0)
		return NULL;
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
		err_set(e, ERR_INPUT, "%s: larger than %zu bytes", path, max);
		close(fd);
		return NULL;
	}
	data = fileio_read_fd(fd, strcmp(path, "-") == 0 ? "standard input" :
	    path, max, len, e);
	close(fd);
	return data;
}

int
fileio_check_regular(const char *path, size_t max, struct err *e)
{
	struct stat st;
	int fd;

	if ((fd = fileio_open_read(path, &st, e)) < 0)
		return -1;
	close(fd);
	if (!S_ISREG(st.st_mode))
		return err_set(e, ERR_INPUT, "%s: is %s, not a file to read",
		    path, fileio_type_name(st.st_mode));
	if ((uintmax_t)st.st_size > max)
		return err_set(e, ERR_INPUT, "%s: larger than %zu bytes", path,
		    max);
	return 0;
}

char *
fileio_read_secret(const char *path, size_t max, size_t *len, struct err *e)
{
	struct stat st;
	char *data;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
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
fileio_check_dir(const char *path, struct err *e)
{
	char *copy = xstrdup(path);
	const char *dir = dirname(copy);
	struct stat st;
	int rc = 0;

	if (stat(dir, &st) < 0)
		rc = err_set_errno(e, ERR_INPUT, errno, "%s: directory %s", path,
		    dir);
	else if (!S_ISDIR(st.st_mode))
		rc = err_set(e, ERR_INPUT, "%s: %s is not a directory", path,
		    dir);
	else if ((st.st_mode & S_IWOTH) != 0 && (st.st_mode & S_ISVTX) == 0)
		rc = err_set(e, ERR_INPUT, "%s: directory %s is writable by "
		    "everyone (mode %04o) and not sticky: refusing to write "
		    "there", path, dir, (unsigned)(st.st_mode & 07777));
	free(copy);
	return rc;
}

/* A new temporary file beside path, holding data, synced; fd closed. */
static char *
fileio_write_tmp(const char *path, const void *data, size_t len,
	mode_t mode, struct err *e)
{
	char *copy = xstrdup(path), *dcopy = xstrdup(path);
	char *tmp = xasprintf("%s/.%s.tmp.XXXXXX", dirname(dcopy),
	    basename(copy));
	const char *p = data;
	size_t done = 0;
	ssize_t n;
	int fd;

	free(copy);
	free(dcopy);
	if (fileio_check_dir(path, e) == -1) {
		free(tmp);
		return NULL;
	}
	/* mkostemp creates with O_EXCL: never through a planted symlink. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err_set_errno(e, ERR_SYSTEM, errno, "%s: cannot create temporary file",
		    path);
		free(tmp);
		return NULL;
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
	return tmp;
fail:
	err_set_errno(e, ERR_SYSTEM, errno, "%s: cannot write", path);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return NULL;
}

int
fileio_write_atomic(const char *path, const void *data, size_t len,
	mode_t mode, struct err *e)
{
	char *tmp;

	if ((tmp = fileio_write_tmp(path, data, len, mode, e)) == NULL)
		return -1;
	/* rename replaces a symlink at path; it never writes through it. */
	if (rename(tmp, path) < 0) {
		err_set_errno(e, ERR_SYSTEM, errno, "%s: cannot write", path);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return fileio_fsync_dir(path, e);
}

int
fileio_write_new(const char *path, const void *data, size_t len,
	mode_t mode, struct err *e)
{
	char *tmp;
	int rc;

	if ((tmp = fileio_write_tmp(path, data, len, mode, e)) == NULL)
		return -1;
	/* link, unlike rename, fails when the name exists. */
	rc = link(tmp, path);
	if (rc < 0 && errno == EEXIST)
		rc = 1;
	else if (rc < 0)
		rc = err_set_errno(e, ERR_SYSTEM, errno, "%s: cannot write",
		    path);
	unlink(tmp);
	free(tmp);
	if (rc == 0)
		rc = fileio_fsync_dir(path, e);
	return rc;
}
