/*
 * handoff - the journaled certbot hand-off, its backoff, roll newkey.
 */
#include "roll/handoff.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>

#include "roll/certbot.h"
#include "roll/keys.h"
#include "roll/run.h"
#include "util/fileio.h"
#include "util/xalloc.h"

/* Does the first certificate of chain hold the key in key_path?  1, 0. */
static int
handoff_holds(const struct conf_lineage *l, const char *chain,
	const char *key_path)
{
	struct keyset *k;
	struct err e;
	int rc;

	err_clear(&e);
	if ((k = keys_load(key_path, chain, l, &e)) == NULL)
		return 0;
	rc = k->chain != NULL && sk_X509_num(k->chain) > 0 &&
	    X509_check_private_key(sk_X509_value(k->chain, 0), k->pkey) == 1;
	ERR_clear_error();
	keys_free(k);
	return rc;
}

/* Copy file from into to (atomically, 0600); 0 or -1 with e set. */
static int
handoff_copy(const char *from, const char *to, struct err *e)
{
	char *text;
	int rc;

	if ((text = fileio_read(from, FILEIO_DEFAULT_MAX, NULL, e)) == NULL)
		return -1;
	rc = fileio_write_atomic(to, text, strlen(text), 0600, e);
	explicit_bzero(text, strlen(text));
	free(text);
	return rc;
}

static void
handoff_clear(struct state *st)
{
	st->handoff.started = 0;
	state_set_str(&st->handoff.key_file, NULL);
	state_set_str(&st->handoff.saved, NULL);
}

/*
 * Write the saved key back into certbot's key file, and into the file
 * live/NAME/privkey.pem points to now if certbot moved that link.
 */
static int
handoff_undo(const struct handoff_ctx *h, struct err *e)
{
	const struct state_handoff *j = &h->st->handoff;
	char *skey, *schain, target[PATH_MAX];
	int rc;

	rc = handoff_copy(j->saved, j->key_file, e);
	certbot_source(h->c, h->l, &skey, &schain);
	if (rc == 0 && realpath(skey, target) != NULL &&
	    strcmp(target, j->key_file) != 0 &&
	    !handoff_holds(h->l, schain, skey))
		rc = handoff_copy(j->saved, target, e);
	free(skey);
	free(schain);
	return rc;
}

/* certbot's result is in: the rollover continues with the next key. */
static int
handoff_done(const struct handoff_ctx *h, struct err *e)
{
	struct state *st = h->st;

	handoff_clear(st);
	st->handed_off = 1;
	st->failures = 0;
	st->next_attempt = 0;
	state_set_str(&st->last_error, NULL);
	return state_save(st, e);
}

/* certbot_backoff x 2^(failures - 1), at most certbot_backoff_max. */
static long
handoff_delay(const struct conf_lineage *l, int failures)
{
	long d = l->certbot_backoff;
	int i;

	for (i = 1; i < failures && d < l->certbot_backoff_max; i++)
		d *= 2;
	return d < l->certbot_backoff_max ? d : l->certbot_backoff_max;
}

/* certbot failed (e says how): undo, count, back off; ERR_TEMP. */
static int
handoff_failed(const struct handoff_ctx *h, struct err *e)
{
	struct state *st = h->st;
	struct err e2;
	char when[32];
	struct tm tm;
	size_t n;

	err_clear(&e2);
	if (handoff_undo(h, &e2) < 0)
		return err_set(e, ERR_INPUT, "%.200s; and the saved key could not "
		    "be written back: %.200s (the next run tries again)",
		    e->msg, e2.msg);
	handoff_clear(st);
	st->failures++;
	st->next_attempt = h->now + handoff_delay(h->l, st->failures);
	state_set_str(&st->last_error, e->msg);
	if (state_save(st, &e2) < 0) {
		*e = e2;
		return -1;
	}
	gmtime_r(&st->next_attempt, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof(e->msg) - n, "; the saved key is back in "
	    "place; failure %d of %ld before runs fail; next attempt after %s",
	    st->failures, h->l->max_failures, when);
	e->kind = ERR_TEMP;
	return -1;
}

/* Steps 1 and 2: save the current key, journal, write the next key. */
static int
handoff_begin(const struct handoff_ctx *h, struct err *e)
{
	struct state *st = h->st;
	char *live, *prev, *next = NULL, target[PATH_MAX];
	int rc = -1;

	live = xasprintf("%s/live/%s/privkey.pem", h->c->certbot_dir,
	    h->l->certbot);
	prev = xasprintf("%s/prev.key", h->dir);
	if (realpath(live, target) == NULL) {
		err_set_errno(e, ERR_INPUT, errno, "%s", live);
		goto done;
	}
	if (handoff_copy(target, prev, e) < 0)
		goto done;
	st->handoff.started = h->now;
	state_set_str(&st->handoff.key_file, target);
	state_set_str(&st->handoff.saved, prev);
	if (state_save(st, e) < 0)
		goto done;
	run_crash_point("handoff-begin");
	if ((next = fileio_read(h->next_path, FILEIO_DEFAULT_MAX, NULL,
	    e)) == NULL ||
	    fileio_write_atomic(target, next, strlen(next), 0600, e) < 0)
		goto done;
	run_crash_point("handoff-key");
	rc = 0;
done:
	if (next != NULL)
		explicit_bzero(next, strlen(next));
	free(next);
	free(live);
	free(prev);
	return rc;
}

int
handoff_run(const struct handoff_ctx *h, struct err *e)
{
	char *skey, *schain;
	int ok;

	if (h->l->certbot == NULL) {
		/* Other clients: the operator's hook uses next.key. */
		run_crash_point("handoff");
		h->st->handed_off = 1;
		return state_save(h->st, e);
	}
	if (certbot_reuse_key(h->c->certbot_dir, h->l->certbot, e) < 0)
		return -1;
	if (handoff_begin(h, e) < 0) {
		/* The key file is untouched or holds the next key: undo. */
		struct err e2;

		err_clear(&e2);
		if (h->st->handoff.started != 0 && handoff_undo(h, &e2) == 0) {
			handoff_clear(h->st);
			(void)state_save(h->st, &e2);
		}
		return -1;
	}
	if (certbot_renew(h->c, h->l, e) < 0)
		return handoff_failed(h, e);
	certbot_source(h->c, h->l, &skey, &schain);
	ok = handoff_holds(h->l, schain, h->next_path);
	free(skey);
	free(schain);
	if (!ok) {
		err_set(e, ERR_TEMP, "[lineage %s] certbot exited 0 but "
		    "live/%s/fullchain.pem is not a certificate for the next key",
		    h->l->name, h->l->certbot);
		return handoff_failed(h, e);
	}
	run_crash_point("handoff");
	return handoff_done(h, e);
}

int
handoff_recover(const struct handoff_ctx *h, char **what, struct err *e)
{
	struct state *st = h->st;
	char *skey, *schain, target[PATH_MAX];
	int rc = 0;

	*what = NULL;
	if (st->handoff.started == 0)
		return 0;
	certbot_source(h->c, h->l, &skey, &schain);
	if (handoff_holds(h->l, schain, h->next_path)) {
		/* certbot had issued it: the key file must hold the next key */
		if (!handoff_holds(h->l, schain, skey)) {
			if (realpath(skey, target) == NULL)
				rc = err_set_errno(e, ERR_INPUT, errno, "%s", skey);
			else
				rc = handoff_copy(h->next_path, target, e);
		}
		if (rc == 0 && (rc = handoff_done(h, e)) == 0)
			*what = xstrdup("handoff: finished the hand-off a killed "
			    "run had started: certbot's certificate is for the "
			    "next key");
	} else if (handoff_holds(h->l, schain, st->handoff.saved)) {
		if ((rc = handoff_undo(h, e)) == 0) {
			handoff_clear(st);
			rc = state_save(st, e);
		}
		if (rc == 0)
			*what = xstrdup("handoff: undid the hand-off a killed run "
			    "had started before certbot issued a certificate; "
			    "the saved key is back in certbot's key file");
	} else
		rc = err_set(e, ERR_INPUT, "[lineage %s] %s: a hand-off started "
		    "at %lld by a run that was killed cannot be finished or "
		    "undone: the certificate is for neither the next key nor "
		    "the saved key %s; repair certbot's lineage", h->l->name,
		    schain, (long long)st->handoff.started, st->handoff.saved);
	free(skey);
	free(schain);
	return rc;
}

void
handoff_gate(struct plan *p, const struct state *st, time_t now)
{
	struct plan_action *a;
	size_t i;

	for (i = 0; i < p->nacts; i++) {
		a = &p->acts[i];
		if (a->kind != PLAN_HANDOFF || st->next_attempt <= now)
			continue;
		a->kind = PLAN_WAIT;
		a->until = st->next_attempt;
		free(a->why);
		a->why = xasprintf("rollover due; certbot failed %d time%s in a "
		    "row, next attempt in %lld s (backoff); last error: %.300s",
		    st->failures, st->failures == 1 ? "" : "s",
		    (long long)(st->next_attempt - now),
		    st->last_error != NULL ? st->last_error : "unknown");
	}
}

/* Withdraw a rollover; too late once certbot holds the next key. */
static int
handoff_cancel(const struct handoff_ctx *h, char **what, struct err *e)
{
	struct state *st = h->st;
	long every = (long)h->l->rollover_days * 86400;
	int due = every > 0 && st->last_rollover != 0 &&
	    h->now - st->last_rollover >= every;
	char *rec = NULL;

	if (handoff_recover(h, &rec, e) < 0)
		return -1;
	free(rec);
	if (h->l->certbot != NULL && st->handed_off)
		return err_set(e, ERR_INPUT, "[lineage %s] too late to cancel: "
		    "certbot already issued a certificate for the next key; "
		    "'roll run' deploys it", h->l->name);
	if (!st->rollover_requested && !st->handed_off && !due &&
	    st->failures == 0) {
		*what = xstrdup("no rollover to cancel");
		return 0;
	}
	*what = xasprintf("rollover cancelled%s%s", due ? "; rollover_days "
	    "counts from now" : "", st->handed_off ? "; if the ACME client "
	    "already uses the next key, its certificate still goes live" : "");
	st->rollover_requested = 0;
	st->handed_off = 0;
	st->failures = 0;
	st->next_attempt = 0;
	state_set_str(&st->last_error, NULL);
	if (due)
		st->last_rollover = h->now;
	return state_save(st, e);
}

int
handoff_request(struct conf *c, const char *name, int cancel, char **what,
	struct err *e)
{
	struct conf_lineage *l = conf_lineage_find(c, name);
	struct handoff_ctx h;
	char *dir, *path, *next;
	int rc;

	*what = NULL;
	if (l == NULL)
		return err_set(e, ERR_USAGE, "%s: no [lineage %s]", c->path, name);
	if (!l->next_key && !cancel)
		return err_set(e, ERR_USAGE, "[lineage %s] has next_key = no: a "
		    "new key from the ACME client is rolled in by 'roll run' "
		    "(it waits for its records)", name);
	if ((dir = run_lineage_dir(c, l, e)) == NULL)
		return -1;
	path = xasprintf("%s/state.json", dir);
	next = xasprintf("%s/next.key", dir);
	memset(&h, 0, sizeof(h));
	h.c = c;
	h.l = l;
	h.next_path = next;
	h.dir = dir;
	h.now = time(NULL);
	if ((h.st = state_load(path, e)) == NULL)
		rc = -1;
	else if (cancel)
		rc = handoff_cancel(&h, what, e);
	else {
		h.st->rollover_requested = h.now;
		if ((rc = state_save(h.st, e)) == 0)
			*what = xstrdup("rollover requested; 'daneops roll run' "
			    "hands the next key over once its records have been "
			    "served long enough");
	}
	state_free(h.st);
	free(path);
	free(next);
	free(dir);
	return rc;
}
