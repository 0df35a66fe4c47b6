/*
 * ingest - who runs "daneops report ingest" for Postfix on the inspected
 * host, and whether that user can write the report database and the
 * quarantine (docs/report.md, contrib/postfix/).
 *
 * Two ways lead mail to the program:
 *   - a pipe(8) service in master.cf ("daneops-tlsrpt unix - n n - - pipe
 *     flags=RX user=daneops argv=/usr/bin/daneops report ingest"), reached
 *     through a transport_maps entry: it runs as its user= (the way
 *     docs/report.md sets up);
 *   - an alias pipe ("tls-reports: |/usr/bin/daneops report ingest"):
 *     local(8) runs it as the owner of the compiled alias map, and as
 *     default_privs (nobody) when root owns it, which is the rule for
 *     /etc/aliases: that user cannot write /var/lib/daneops/tlsrpt, so
 *     every report waits in the queue until it bounces.
 * The rights are computed from ROOT/etc/passwd, ROOT/etc/group and the
 * modes and owners of every directory on the way, as the kernel would.
 *
 * Findings: ingest-alias-privs, ingest-rights, ingest-user-missing,
 * ingest-unrouted, ingest-rcpt-unknown (an address transport_maps sends to
 * the pipe, in a local domain, that local_recipient_maps does not know:
 * smtpd refuses it at RCPT), ingest-missing (info: a Postfix host where
 * nothing runs the program; the fix is the setup).  Their fixes print the setup for this host: the
 * master.cf entry, the table line, and postconf commands that keep what
 * the host has in transport_maps and its recipient maps.
 *
 * Ownership: ingest_setup returns a new string (caller frees).
 */
#ifndef DANEOPS_DOCTOR_INGEST_H
#define DANEOPS_DOCTOR_INGEST_H

#include "doctor/aliasmap.h"
#include "doctor/findings.h"
#include "doctor/host.h"

#define INGEST_SERVICE  "daneops-tlsrpt"
#define INGEST_TABLE    "/etc/postfix/daneops-tlsrpt"
#define INGEST_USER     "daneops"
#define INGEST_DB       "/var/lib/daneops/tlsrpt/tlsrpt.sqlite"
#define INGEST_QUARANTINE "/var/lib/daneops/tlsrpt/quarantine"
#define INGEST_MASTER_MAX (1024 * 1024)

/* 1 when a command line runs "daneops report ingest" (any path). */
int ingest_is_cmd(const char *cmd);

/* Check every pipe into daneops report ingest that Postfix would run. */
void ingest_check(const struct host *h, const struct aliasmap *am,
	struct findings *f);

/*
 * 1 when transport_maps sends addr to a master.cf pipe service running
 * daneops report ingest.
 */
int ingest_routed(const struct host *h, const char *addr);

/* The setup lines for addr on this host (multi-line; caller frees). */
char *ingest_setup(const struct host *h, const char *addr);

#endif
