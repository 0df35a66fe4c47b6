/*
 * lock - flock-based run lock with the holder's pid and start time.
 */
#include "roll/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "util/xalloc.h"

struct lock {
	int fd;
};

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

struct lock *
lock_take(const char *path, struct err *e)
{
	struct lock *l;
	char who[128], line[128], when[32];
	time_t now = time(NULL);
	struct tm tm;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_set_errno(e, ERR_SYSTEM, errno, "%s: cannot open lock file",
		    path);
		return NULL;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK) {
			lock_holder(fd, who, sizeof(who));
			err_set(e, ERR_TEMP, "%s: another run holds the lock (%s); "
			    "try again later", path, who);
		} else
			err_set_errno(e, ERR_SYSTEM, errno, "%s: cannot lock", path);
		close(fd);
		return NULL;
	}
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(line, sizeof(line), "pid %ld started %s\n", (long)getpid(), when);
	/* Best effort: the lock itself is the flock, the text only informs. */
	if (ftruncate(fd, 0) == 0 && pwrite(fd, line, strlen(line), 0) < 0)
		(void)0;
	l = xcalloc(1, sizeof(*l));
	l->fd = fd;
	return l;
}

void
lock_free(struct lock *l)
{
	if (l == NULL)
		return;
	/* Leave the file: unlinking it would race with a new locker. */
	(void)flock(l->fd, LOCK_UN);
	close(l->fd);
	free(l);
}
