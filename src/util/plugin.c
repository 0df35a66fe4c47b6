/*
 * plugin - find, check and load daneops's private modules.
 */
#include "util/plugin.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "util/xalloc.h"

#define PLUGIN_MAX 4

/* Loaded modules, for the life of the process (never dlclose()d). */
static struct {
	const char *name;
	void *handle;
} plugin_loaded[PLUGIN_MAX];

/* The directory of the running executable, or "" when unknown. */
static void
plugin_exe_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	if (n <= 0 || (size_t)n >= len - 1) {
		buf[0] = '\0';
		return;
	}
	buf[n] = '\0';
	if ((slash = strrchr(buf, '/')) == NULL)
		buf[0] = '\0';
	else if (slash == buf)
		buf[1] = '\0';
	else
		*slash = '\0';
}

/*
 * Try path: 1 when loaded (*handle set), 0 when there is no such file,
 * -1 with e when it is there but unsafe or does not load.
 */
static int
plugin_try(const char *path, void **handle, struct err *e)
{
	struct stat st;
	const char *msg;

	if (stat(path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return err_set_errno(e, ERR_SYSTEM, errno, "%s", path);
	}
	if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid())
	    || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return err_set(e, ERR_SYSTEM, "%s: refusing to load a plugin "
		    "that is not a regular file owned by root or uid %ld and "
		    "writable by no one else", path, (long)geteuid());
	if ((*handle = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		msg = dlerror();
		return err_set(e, ERR_SYSTEM, "cannot load plugin %s", msg != NULL
		    ? msg : path);
	}
	return 1;
}

void *
plugin_open(const char *name, struct err *e)
{
	char exe[PATH_MAX], path[PATH_MAX + 64], tried[2 * PATH_MAX + 160];
	const char *dirs[2];
	void *handle = NULL;
	size_t i, ndirs = 0, slot;
	int rc;

	for (slot = 0; slot < PLUGIN_MAX && plugin_loaded[slot].name != NULL;
	    slot++)
		if (strcmp(plugin_loaded[slot].name, name) == 0)
			return plugin_loaded[slot].handle;
	if (slot == PLUGIN_MAX) {
		err_set(e, ERR_INTERNAL, "too many plugins (daneops-%s)", name);
		return NULL;
	}
	plugin_exe_dir(exe, sizeof(exe));
	if (exe[0] != '\0')
		dirs[ndirs++] = exe;
	if (ndirs == 0 || strcmp(exe, DANEOPS_PLUGIN_DIR) != 0)
		dirs[ndirs++] = DANEOPS_PLUGIN_DIR;
	tried[0] = '\0';
	for (i = 0; i < ndirs; i++) {
		snprintf(path, sizeof(path), "%s%sdaneops-%s.so", dirs[i],
		    strcmp(dirs[i], "/") == 0 ? "" : "/", name);
		if ((rc = plugin_try(path, &handle, e)) < 0)
			return NULL;
		if (rc > 0)
			break;
		snprintf(tried + strlen(tried), sizeof(tried) - strlen(tried),
		    "%s%s", i > 0 ? ", " : "", path);
	}
	if (handle == NULL) {
		err_set(e, ERR_SYSTEM, "the daneops-%s plugin is not installed "
		    "(tried %s)", name, tried);
		return NULL;
	}
	plugin_loaded[slot].name = xstrdup(name);
	plugin_loaded[slot].handle = handle;
	return handle;
}

const void *
plugin_entry(const char *name, const char *sym, uint32_t abi, size_t size,
	struct err *e)
{
	const struct plugin_head *(*entry)(void);
	const struct plugin_head *head;
	void *handle, *fn;

	if ((handle = plugin_open(name, e)) == NULL)
		return NULL;
	dlerror();
	if ((fn = dlsym(handle, sym)) == NULL) {
		err_set(e, ERR_SYSTEM, "the daneops-%s plugin has no %s: it is "
		    "not from this version of daneops", name, sym);
		return NULL;
	}
	/* POSIX: a data pointer from dlsym converts to a function pointer. */
	memcpy(&entry, &fn, sizeof(entry));
	head = entry();
	if (head == NULL || head->abi != abi || head->size != size) {
		err_set(e, ERR_SYSTEM, "the daneops-%s plugin is from another "
		    "build of daneops (ABI %lu, size %lu; want %lu, %lu): "
		    "reinstall it with this daneops", name,
		    head != NULL ? (unsigned long)head->abi : 0UL,
		    head != NULL ? (unsigned long)head->size : 0UL,
		    (unsigned long)abi, (unsigned long)size);
		return NULL;
	}
	return head;
}
