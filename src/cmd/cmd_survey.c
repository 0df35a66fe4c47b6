/*
 * cmd_survey - "daneops survey": check many mail domains, print JSON Lines,
 * and optionally tell the operators of failing domains.
 *
 *   daneops survey [options] [FILE...]      (no FILE or "-": stdin)
 *
 * One JSON object per domain in the check --json schema, in the order the
 * checks finish; an object per malformed line; a summary object last.
 * Exit status: 0 the survey ran to its end (whatever the verdicts), 2
 * usage, 3 it could not run or an input could not be read, 130/143
 * interrupted by SIGINT/SIGTERM (the summary is still printed).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "cmd/cmd.h"
#include "cmd/exitcode.h"
#include "cmd/survey_args.h"
#include "dane/check_json.h"
#include "survey/notify.h"
#include "survey/survey.h"
#include "util/xalloc.h"

struct survey_run {
	struct survey_args *a;
	struct check_env env;
	struct survey *s;
	struct notifier *nt;
	struct event *ev_int, *ev_term, *ev_progress;
	struct timespec t0;
	int signo;
	int notify_failed;
};

static double
survey_secs(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* One write per line: json_dumpf writes token by token. */
static void
survey_print(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	if (s != NULL) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
	json_decref(j);
}

static void
survey_item(void *arg, const struct survey_item *it)
{
	struct survey_run *r = arg;
	struct err e;

	if (it->error != NULL) {
		/* A line's error is data; an input given up is the run's. */
		if (it->unreadable)
			cmd_error("survey", "%s", it->error);
		survey_print(json_pack("{s:s, s:s, s:I, s:s, s:s}",
		    "schema", "daneops-survey-error/1",
		    "source", it->source != NULL ? it->source : "-",
		    "line", (json_int_t)it->line,
		    "input", it->input != NULL ? it->input : "",
		    "error", it->error));
		return;
	}
	survey_print(check_json(it->res));
	if (r->nt != NULL && notifier_result(r->nt, it->res, &e) == -1) {
		cmd_error("survey", "%s", e.msg);
		r->notify_failed = 1;
	}
}

static json_t *
survey_summary(struct survey_run *r, const struct survey_stats *st)
{
	json_t *v = json_object(), *why = json_object(), *nt = json_null();
	struct notifier_stats ns;
	int i;

	for (i = 0; i <= CHECK_UNKNOWN; i++)
		if (i != CHECK_UNAUTH)
			json_object_set_new(v, check_verdict_name(i),
			    json_integer((json_int_t)st->verdicts[i]));
	for (i = 1; i < SR_MAX; i++)
		if (st->reasons[i] > 0)
			json_object_set_new(why, survey_reason_name(i),
			    json_integer((json_int_t)st->reasons[i]));
	if (r->nt != NULL) {
		notifier_get_stats(r->nt, &ns);
		nt = json_pack("{s:I, s:I, s:I}", "sent", (json_int_t)ns.sent,
		    "suppressed", (json_int_t)ns.suppressed,
		    "failed", (json_int_t)ns.failed);
	}
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:{s:I, "
	    "s:I, s:I, s:I, s:I, s:I}, s:o, s:I, s:b}",
	    "schema", "daneops-survey-summary/1",
	    "lines", (json_int_t)st->lines,
	    "domains", (json_int_t)st->done,
	    "errors", (json_int_t)st->errors,
	    "other_shards", (json_int_t)st->skipped,
	    "cancelled", (json_int_t)st->cancelled,
	    "verdicts", v,
	    "reasons", why,
	    "probes",
	    "connections", (json_int_t)st->pc.probes,
	    "addresses", (json_int_t)st->pc.addresses,
	    "cache_hits", (json_int_t)st->pc.hits,
	    "coalesced", (json_int_t)st->pc.coalesced,
	    "evicted", (json_int_t)st->pc.evicted,
	    "max_per_address", (json_int_t)st->pc.max_active_per_address,
	    "notifications", nt,
	    "elapsed_ms", (json_int_t)(survey_secs(&r->t0) * 1000),
	    "interrupted", st->interrupted);
}

static void
survey_end(void *arg)
{
	struct survey_run *r = arg;

	event_base_loopexit(r->env.base, NULL);
}

static void
survey_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct survey_run *r = arg;

	(void)what;
	if (r->signo == 0) {
		r->signo = (int)sig;
		survey_stop(r->s);
	}
}

static void
survey_progress_cb(evutil_socket_t fd, short what, void *arg)
{
	struct survey_run *r = arg;
	struct survey_stats st;
	double t = survey_secs(&r->t0);

	(void)fd;
	(void)what;
	survey_get_stats(r->s, &st);
	fprintf(stderr, "\rsurvey: %zu done, %zu in flight, %zu fail, "
	    "%zu errors, %.0f domains/s, %zu connections   ", st.done,
	    st.inflight, st.verdicts[CHECK_FAIL], st.errors,
	    t > 0 ? (double)st.done / t : 0.0, st.pc.probes);
	fflush(stderr);
}

static int
survey_events(struct survey_run *r)
{
	struct timeval sec = { 1, 0 };

	r->ev_int = evsignal_new(r->env.base, SIGINT, survey_signal_cb, r);
	r->ev_term = evsignal_new(r->env.base, SIGTERM, survey_signal_cb, r);
	if (r->ev_int == NULL || r->ev_term == NULL ||
	    evsignal_add(r->ev_int, NULL) != 0 ||
	    evsignal_add(r->ev_term, NULL) != 0)
		return -1;
	if (!isatty(STDERR_FILENO))
		return 0;
	r->ev_progress = event_new(r->env.base, -1, EV_PERSIST,
	    survey_progress_cb, r);
	if (r->ev_progress == NULL || evtimer_add(r->ev_progress, &sec) != 0)
		return -1;
	return 0;
}

static void
survey_teardown(struct survey_run *r)
{
	survey_free(r->s);
	notifier_free(r->nt);
	if (r->ev_int != NULL)
		event_free(r->ev_int);
	if (r->ev_term != NULL)
		event_free(r->ev_term);
	if (r->ev_progress != NULL)
		event_free(r->ev_progress);
	resolver_free(r->env.resolver);
	SSL_CTX_free(r->env.ctx);
	if (r->env.base != NULL)
		event_base_free(r->env.base);
}

static int
survey_setup(struct survey_run *r, struct survey_args *a, struct err *e)
{
	if ((r->env.base = event_base_new()) == NULL)
		return err_set(e, ERR_SYSTEM, "cannot create an event loop");
	if ((r->env.resolver = resolver_new(r->env.base, &a->ro, e)) == NULL ||
	    (r->env.ctx = probe_ssl_ctx_new(e)) == NULL)
		return -1;
	if (a->notify && (r->nt = notifier_new(&a->no, e)) == NULL)
		return -1;
	r->s = survey_new(&r->env, &a->so, a->paths, survey_item, survey_end,
	    r, e);
	if (r->s == NULL)
		return -1;
	if (survey_events(r) == -1)
		return err_set(e, ERR_SYSTEM, "cannot set up signals");
	return 0;
}

int
cmd_survey(int argc, char **argv)
{
	struct survey_args a;
	struct survey_run r;
	struct survey_stats st;
	struct err e;
	int rc;

	if ((rc = survey_args_parse(&a, argc, argv)) != 0) {
		survey_args_usage(rc > 0 ? stdout : stderr);
		return rc > 0 ? EXIT_PASS : EXIT_USAGE;
	}
	a.so.concurrency = survey_raise_nofile("survey", a.so.concurrency > 0 ?
	    a.so.concurrency : SURVEY_CONCURRENCY);
	/*
	 * One DNS query in libunbound per domain in flight keeps its thread
	 * busy (the lab's figures are the same at twice that), and each
	 * costs memory there: at 512 a survey took ~10 KiB more per domain.
	 */
	a.ro.max_inflight = a.so.concurrency < 2048 ? a.so.concurrency : 2048;
	memset(&r, 0, sizeof(r));
	r.a = &a;
	clock_gettime(CLOCK_MONOTONIC, &r.t0);
	err_clear(&e);
	if (survey_setup(&r, &a, &e) == -1) {
		cmd_error("survey", "%s", e.msg);
		survey_teardown(&r);
		survey_args_free(&a);
		return exitcode_for(e.kind);
	}
	survey_begin(r.s);
	event_base_dispatch(r.env.base);
	if (r.ev_progress != NULL)
		fputc('\n', stderr);
	survey_get_stats(r.s, &st);
	survey_print(survey_summary(&r, &st));
	rc = fflush(stdout) != 0 ? EXIT_UNCHECKED : EXIT_PASS;
	if (r.signo != 0)
		rc = 128 + r.signo;
	else if (st.input_error || r.notify_failed)
		rc = EXIT_UNCHECKED;
	survey_teardown(&r);
	survey_args_free(&a);
	return rc;
}
