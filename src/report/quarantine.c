/*
 * quarantine - keep a message that cannot be used, for a human to look at.
 */
#include "report/quarantine.h"

#include <dirent.h>
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

/* A temporary file left by a crash is removed after this long. */
#define QUARANTINE_TMP_AGE 3600

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

/*
 * Copy in to out up to *room bytes (decremented), then read and drop the
 * rest, counting every byte in *total; -1 with errno set.
 */
static int
quarantine_copy(int in, int out, size_t *room, long long *total)
{
	char buf[65536];
	size_t w;
	ssize_t n;

	for (;;) {
		n = read(in, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		*total += n;
		w = (size_t)n < *room ? (size_t)n : *room;
		if (w > 0 && quarantine_write_all(out, buf, w) < 0)
			return -1;
		*room -= w;
	}
}

/* A name no other process picks: time, pid and 64 random bits. */
static char *
quarantine_name(void)
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
	return xasprintf("%s.%ld.%016llx.eml", stamp, (long)getpid(), r);
}

/* The directory, made if missing, opened without following a symlink. */
static int
quarantine_dir(const char *dir, struct err *e)
{
	struct stat st;
	int fd;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return err_set_errno(e, ERR_TEMP, errno, "quarantine %s", dir);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set_errno(e, ERR_TEMP, errno, "quarantine %s%s", dir,
		    errno == ELOOP || errno == ENOTDIR ? " (a symlink, or not "
		    "a directory)" : "");
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		close(fd);
		return err_set(e, ERR_TEMP, "quarantine %s: not a directory",
		    dir);
	}
	if ((st.st_uid != geteuid() && st.st_uid != 0) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return err_set(e, ERR_TEMP, "quarantine %s: owned by uid %ld "
		    "with mode %04o; it must be ours and writable by nobody "
		    "else", dir, (long)st.st_uid, (unsigned)(st.st_mode & 07777));
	}
	return fd;
}

/* Ours: "YYYYmmddTHHMMSSZ.PID.RANDOM.eml", or that + ".tmp". */
static int
quarantine_ours(const char *name, int *tmp)
{
	size_t n = strlen(name);

	*tmp = n > 4 && strcmp(name + n - 4, ".tmp") == 0;
	if (*tmp)
		n -= 4;
	return n > 20 && name[0] >= '1' && name[0] <= '9' && name[8] == 'T' &&
	    strncmp(name + n - 4, ".eml", 4) == 0;
}

/*
 * Delete our files older than max_age (temporary ones after an hour) and
 * return the size of the others; -1 with e set.
 */
static long long
quarantine_prune(int dfd, const char *dir, time_t max_age, struct err *e)
{
	time_t now = time(NULL);
	long long total = 0;
	struct dirent *d;
	struct stat st;
	DIR *dp;
	int fd, tmp;

	if ((fd = dup(dfd)) < 0 || (dp = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return err_set_errno(e, ERR_TEMP, errno, "quarantine %s", dir);
	}
	while ((d = readdir(dp)) != NULL) {
		if (!quarantine_ours(d->d_name, &tmp) ||
		    fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (now - st.st_mtime > (tmp ? QUARANTINE_TMP_AGE : max_age))
			unlinkat(dfd, d->d_name, 0);
		else
			total += st.st_size;
	}
	closedir(dp);
	return total;
}

/* Write the message into the new file fd; -1 with errno set. */
static int
quarantine_write(int fd, const struct quarantine_opts *o, const void *data,
	size_t len, int rest_fd, long long *total)
{
	size_t room = o->max_file, w = len < room ? len : room;
	char note[128];

	*total = (long long)len;
	if (quarantine_write_all(fd, data, w) < 0)
		return -1;
	room -= w;
	if (rest_fd >= 0 && quarantine_copy(rest_fd, fd, &room, total) < 0)
		return -1;
	if (*total <= (long long)o->max_file)
		return 0;
	/* Cut: say so after what was kept. */
	snprintf(note, sizeof(note), "\n[daneops: quarantine copy truncated "
	    "to %zu of %lld bytes]\n", o->max_file, *total);
	return quarantine_write_all(fd, note, strlen(note));
}

char *
quarantine_save(const struct quarantine_opts *opts, const void *data,
	size_t len, int rest_fd, struct err *e)
{
	struct quarantine_opts o = *opts;
	char *name, *tmp, *path = NULL;
	long long used, total = 0;
	int fd, dfd, rc;

	o.max_total = o.max_total > 0 ? o.max_total : QUARANTINE_MAX_TOTAL;
	o.max_age = o.max_age > 0 ? o.max_age : QUARANTINE_MAX_AGE;
	o.max_file = o.max_file > 0 ? o.max_file : QUARANTINE_MAX_FILE;
	if ((dfd = quarantine_dir(o.dir, e)) < 0)
		return NULL;
	if ((used = quarantine_prune(dfd, o.dir, o.max_age, e)) < 0) {
		close(dfd);
		return NULL;
	}
	if (used + (long long)(len < o.max_file ? len : o.max_file) >
	    o.max_total) {
		err_set(e, ERR_TEMP, "quarantine %s is full (%lld bytes; "
		    "--quarantine-size %lld MiB): make room", o.dir, used,
		    o.max_total / (1024 * 1024));
		close(dfd);
		return NULL;
	}
	name = quarantine_name();
	tmp = xasprintf("%s.tmp", name);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	rc = fd < 0 || quarantine_write(fd, &o, data, len, rest_fd,
	    &total) < 0 || fsync(fd) < 0 ? -1 : 0;
	if (fd >= 0 && close(fd) < 0)
		rc = -1;
	/* link, not rename: it never replaces a file that is already there. */
	if (rc == 0 && linkat(dfd, tmp, dfd, name, 0) < 0)
		rc = -1;
	if (rc < 0)
		err_set_errno(e, ERR_TEMP, errno, "quarantine %s/%s", o.dir,
		    name);
	else
		path = xasprintf("%s/%s", o.dir, name);
	unlinkat(dfd, tmp, 0);
	if (path != NULL)
		fsync(dfd);
	close(dfd);
	free(tmp);
	free(name);
	return path;
}
