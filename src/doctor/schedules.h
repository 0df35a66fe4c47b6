/*
 * schedules - certificate renewals scheduled more than once.
 *
 * Where renewals hide on Debian: certbot.timer (the deb) and
 * /etc/cron.d/certbot, whose line starts with Debian's guard
 * "test -x /usr/bin/certbot -a \! -d /run/systemd/system &&": a no-op
 * while systemd runs, so that pair is one renewal, not two; the snap's
 * snap.certbot.renew.timer; lines in /etc/crontab, /etc/cron.d/ files, users'
 * crontabs (/var/spool/cron/crontabs/USER) and scripts in
 * /etc/cron.{hourly,daily,weekly,monthly} that run "certbot renew",
 * "acme.sh --cron" or "dehydrated -c"; and any enabled systemd timer whose
 * service runs one of those (a daneops timer that also renews, say).
 *
 * Whether systemd runs is decided as sd_booted(3) and Debian's guard do:
 * ROOT/run/systemd/system exists.  A copy of a system taken with --root
 * usually lacks /run (a tmpfs), so timers count as inactive there unless
 * the copy has that directory; an info finding says so.
 *
 * Two active renewers of one tool renew the same certificates twice (with
 * certbot's default of a new key each time, that also means records that
 * no longer match).  One is kept - the systemd timer of the installed
 * package first, then other timers, then Debian's own cron file, then any
 * other cron line, a daneops timer last - and each other gets a
 * renew-duplicate finding naming what to keep.
 *
 * Findings: renew-duplicate, renew-none, certbot-twice, timers-inactive.
 * Nothing is kept after schedules_check returns; the findings own their
 * copies.
 */
#ifndef DANEOPS_DOCTOR_SCHEDULES_H
#define DANEOPS_DOCTOR_SCHEDULES_H

#include "doctor/findings.h"
#include "doctor/host.h"

void schedules_check(const struct host *h, struct findings *f);

/*
 * The renewal tool a command line runs ("certbot", "acme.sh",
 * "dehydrated"), or NULL.  Exposed for the unit tests.
 */
const char *schedules_renew_tool(const char *cmd);

/* 1 when a cron command carries Debian's "not under systemd" guard. */
int schedules_systemd_guard(const char *cmd);

#endif
