/*
 * host - the system doctor inspects: a root directory (/ or a copy, for
 * --root) and what Postfix says about it.
 *
 * Postfix settings come from "postconf -c ROOT/etc/postfix -hx NAME..."
 * when the postconf program exists, because only Postfix knows its
 * defaults and $name expansion exactly; without it, ROOT/etc/postfix/main.cf
 * is read here (key = value, continuation lines, $name and ${name}) with
 * Debian's defaults for what it does not set (also when postconf fails,
 * e.g. is not installed: postconf_error says why).  Without a main.cf at all,
 * the host has no Postfix and /etc/aliases (hash) is what a sendmail-
 * compatible MTA reads.
 *
 * Every path doctor reads goes through host_path, so that with --root the
 * tests inspect a tree built in a temporary directory and never the
 * machine running them.
 *
 * Ownership: host_new/host_free (NULL is a no-op); strings and lists
 * belong to the host.
 */
#ifndef DANEOPS_DOCTOR_HOST_H
#define DANEOPS_DOCTOR_HOST_H

#include <stddef.h>

#include "util/err.h"

#define HOST_MAX_LIST   32      /* entries of a Postfix list parameter */
#define HOST_OUTPUT_MAX (64 * 1024)

struct host_list {
	char *v[HOST_MAX_LIST];
	size_t n;
};

struct host {
	char *root;             /* "" for /, else the directory, no trailing / */
	int systemd;            /* ROOT/run/systemd/system exists */
	int postfix;            /* ROOT/etc/postfix/main.cf exists */
	int used_postconf;      /* settings came from postconf(1) */
	char *postconf_error;   /* postconf failed: main.cf was read here */
	char *myhostname, *mydomain;
	struct host_list mydestination;
	struct host_list alias_maps;
	struct host_list alias_database;
	/* Where report mail goes (doctor/ingest.c). */
	struct host_list transport_maps;
	struct host_list local_recipient_maps;
	struct host_list virtual_mailbox_domains;
	struct host_list virtual_mailbox_maps;
	char *default_privs;    /* who runs pipes of root-owned alias maps */
};

/*
 * Look at root (NULL or "/" for this machine).  postconf names the
 * program (NULL: "postconf" from PATH; a path that does not exist: read
 * main.cf here).  Fails (ERR_INPUT) when root is not a directory or
 * main.cf exists but cannot be read.
 */
struct host *host_new(const char *root, const char *postconf, struct err *e);
void host_free(struct host *h);

/* ROOT + abs (abs starts with "/"); caller frees. */
char *host_path(const struct host *h, const char *abs);

/* 1 when ROOT + abs exists (lstat: a dangling link counts). */
int host_exists(const struct host *h, const char *abs);

/* 1 when name (case-insensitive, trailing dot ignored) is a local domain. */
int host_is_local_domain(const struct host *h, const char *name);

/*
 * Parse main.cf text into the host's settings (the fallback without
 * postconf; exposed for the unit tests).  hostname stands for the
 * machine's name when main.cf sets no myhostname.
 */
void host_parse_main_cf(struct host *h, const char *text,
	const char *hostname);

/* Free the Postfix settings of h (what host_parse_main_cf fills in). */
void host_settings_free(struct host *h);

/* Split a Postfix list ("a, b c") into l (at most HOST_MAX_LIST). */
void host_list_split(struct host_list *l, const char *s);
void host_list_free(struct host_list *l);

#endif
