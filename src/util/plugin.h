/*
 * plugin - the private modules that keep heavy libraries off daneops's
 * startup path.
 *
 * Most runs of daneops (check every minute from monitoring, tlsa, roll with
 * rfc2136, doctor) never need libcurl or GMime, yet linking them would load
 * some forty more shared libraries at every start.  The code that needs
 * them is built as modules, dlopen()ed the first time it is used:
 *
 *   daneops-http.so   the HTTP DNS providers (cloudflare, desec, powerdns)
 *   daneops-mime.so   finding a TLS report in a mail message (GMime)
 *
 * A module is searched for, in order, in the directory of the running
 * executable (/proc/self/exe: the build tree, where meson puts the modules
 * next to daneops) and in DANEOPS_PLUGIN_DIR (<libdir>/daneops, where they
 * are installed).  Never in a directory from the environment: a privileged
 * run must not load code someone else chose.  A module file must be a
 * regular file owned by root or the effective user that neither group nor
 * others can write.
 *
 * Each module exports one function, its versioned entry point, returning a
 * constant table that starts with struct plugin_head; plugin_entry checks
 * the ABI number and the table's size before the caller uses it.  Modules
 * are never unloaded (their handles live as long as the process), which
 * also keeps LeakSanitizer from reporting what they allocate once.
 */
#ifndef DANEOPS_PLUGIN_H
#define DANEOPS_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct plugin_head {
	uint32_t abi;           /* the module's ABI number */
	uint32_t size;          /* sizeof the whole table */
};

/*
 * Load daneops-NAME.so (once per process; later calls return the same
 * handle).  A module that is missing is ERR_SYSTEM naming it and the paths
 * tried; one that is unsafe or cannot be loaded is ERR_SYSTEM saying why.
 */
void *plugin_open(const char *name, struct err *e);

/*
 * Load daneops-NAME.so and call its entry function sym; the table it
 * returns must have the given ABI number and size, else ERR_SYSTEM (a
 * module from another build of daneops).
 */
const void *plugin_entry(const char *name, const char *sym, uint32_t abi,
	size_t size, struct err *e);

#endif
