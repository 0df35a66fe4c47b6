/*
 * lock - OFD record locks with the holder's line (see lock.h).
 */
#include "roll/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/xalloc.h"

#define LOCK_RUN        0       /* byte: the run lock */
#define LOCK_LINE       1       /* byte: guards the holder's line */
#define LOCK_LINE_WAIT_MS 5000  /* a line is written in microseconds */

struct lock {
	int fd;
};

/* One byte's OFD lock: F_WRLCK or F_UNLCK; 0, or -1 with errno. */
static int
lock_byte(int fd, off_t byte, short type)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = byte;
	fl.l_len = 1;
	return fcntl(fd, F_OFD_SETLK, &fl);
}

/* The line lock, waited for (bounded: a stopped taker must not hang us). */
static int
lock_line(int fd)
{
	struct timespec ms = { 0, 1000000L };
	int i;

	for (i = 0; i < LOCK_LINE_WAIT_MS; i++) {
		if (lock_byte(fd, LOCK_LINE, F_WRLCK) == 0)
			return 0;
		if (errno != EAGAIN && errno != EACCES)
			return -1;
		nanosleep(&ms, NULL);
	}
	errno = EAGAIN;
	return -1;
}

/* The holder's "pid N started YYYY-mm-ddTHH:MM:SSZ", read from the file. */
static void
lock_holder(int fd, char *buf, size_t len)
{
	ssize_t n;

	n = pread(fd, buf, len - 1, 0);
	if (n <= 0) {
		snprintf(buf, len, "an unknown process");
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* Refuse a directory others may write: they could plant the file. */
static int
lock_check_dir(const char *path, struct err *e)
{
	char *copy = xstrdup(path);
	const char *dir = dirname(copy);
	struct stat st;
	int rc = 0;

	if (stat(dir, &st) < 0)
		rc = err_set_errno(e, ERR_SYSTEM, errno, "%s: cannot use the "
		    "lock file's directory %s", path, dir);
	else if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 ||
	    (st.st_uid != geteuid() && st.st_uid != 0))
		rc = err_set(e, ERR_INPUT, "%s: refused: its directory %s can be "
		    "written by others (mode %04o, owner %ld); put lock_file in "
		    "a directory only this user may write", path, dir,
		    (unsigned)(st.st_mode & 07777), (long)st.st_uid);
	free(copy);
	return rc;
}

/* Open without following a link; a regular file of ours, one link. */
static int
lock_open(const char *path, struct err *e)
{
	struct stat st;
	int fd;

	if (lock_check_dir(path, e) < 0)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
	    0600);
	if (fd < 0) {
		if (errno == ELOOP)
			err_set(e, ERR_INPUT, "%s: refused: the lock file is a "
			    "symbolic link", path);
		else
			err_set_errno(e, ERR_SYSTEM, errno, "%s: cannot open "
			    "lock file", path);
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || st.st_nlink != 1 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		err_set(e, ERR_INPUT, "%s: refused: the lock file must be a "
		    "regular file owned by uid %ld with one link that only it "
		    "may write", path, (long)geteuid());
		close(fd);
		return -1;
	}
	return fd;
}

static void
lock_write_line(int fd)
{
	char line[128], when[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t n;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(line, sizeof(line), "pid %ld started %s\n", (long)getpid(),
	    when);
	n = strlen(line);
	/* Best effort: the lock itself is the record lock; the line informs. */
	if (pwrite(fd, line, n, 0) != (ssize_t)n || ftruncate(fd, (off_t)n) < 0)
		(void)0;
}

struct lock *
lock_take(const char *path, struct err *e)
{
	struct lock *l;
	char who[128];
	int fd, got;

	if ((fd = lock_open(path, e)) < 0)
		return NULL;
	if (lock_line(fd) < 0) {
		err_set_errno(e, errno == EAGAIN ? ERR_TEMP : ERR_SYSTEM, errno,
		    "%s: cannot lock", path);
		close(fd);
		return NULL;
	}
	got = lock_byte(fd, LOCK_RUN, F_WRLCK) == 0;
	if (got)
		lock_write_line(fd);
	else if (errno == EAGAIN || errno == EACCES) {
		lock_holder(fd, who, sizeof(who));
		err_set(e, ERR_TEMP, "%s: another run holds the lock (%s); "
		    "try again later", path, who);
	} else
		err_set_errno(e, ERR_SYSTEM, errno, "%s: cannot lock", path);
	(void)lock_byte(fd, LOCK_LINE, F_UNLCK);
	if (!got) {
		close(fd);
		return NULL;
	}
	l = xcalloc(1, sizeof(*l));
	l->fd = fd;
	return l;
}

void
lock_free(struct lock *l)
{
	if (l == NULL)
		return;
	/* Clear the line first: a refused run must not name us after this. */
	if (lock_line(l->fd) == 0 && ftruncate(l->fd, 0) < 0)
		(void)0;
	/* Leave the file: unlinking it would race with a new locker. */
	(void)lock_byte(l->fd, LOCK_RUN, F_UNLCK);
	close(l->fd);           /* drops the line lock too */
	free(l);
}
