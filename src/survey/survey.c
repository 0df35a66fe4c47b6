/*
 * survey - the scheduler: read, shard, check with bounded concurrency.
 *
 * A slot is one domain in flight.  survey_fill reads lines until every
 * slot is busy or the input ends; each finished check frees its slot and
 * fills again, so the loop always has concurrency checks to work on and
 * the input is read no faster than it is checked.
 */
#include "survey/survey.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "util/fileio.h"
#include "util/xalloc.h"

struct survey_slot {
	TAILQ_ENTRY(survey_slot) link;
	struct survey *s;
	struct check *c;
	const char *source;
	size_t line;
	char *input;
};

struct survey {
	const struct check_env *env;
	struct survey_opts o;
	struct check_prober prober;
	struct pcache *pc;
	const char *const *paths;
	size_t npath;                   /* next path to open */
	const char *source;             /* the one being read */
	int fd;                         /* -1: none open */
	int regular;                    /* a file: reads never wait */
	char buf[SURVEY_BUF];           /* read, not yet taken */
	size_t bstart, bend;
	int in_eof, skipping;           /* skipping: an over-long line */
	uint64_t in_total;              /* bytes read from this input */
	struct event *ev_read;          /* a pipe or terminal has more */
	size_t lineno;
	int eof, stopping, ended;
	TAILQ_HEAD(, survey_slot) slots;
	struct event *ev_fill;          /* refill and end, from the loop */
	survey_item_cb item;
	survey_end_cb end;
	void *arg;
	struct survey_stats st;
};

static const char *survey_stdin[] = { "-", NULL };

static void survey_fill_cb(evutil_socket_t fd, short what, void *arg);

int
survey_in_shard(const char *name, unsigned i, unsigned n)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	uint64_t h = 0;
	int k;

	if (n <= 1)
		return 1;
	if (!EVP_Digest(name, strlen(name), md, &len, EVP_sha256(), NULL))
		return 0;
	for (k = 0; k < 8; k++)
		h = h << 8 | md[k];
	return h % n == i - 1;
}

/* Open the next input; 0, 1 (e set) when it cannot, -1 none left. */
static int
survey_open_next(struct survey *s, struct err *e)
{
	struct stat st;
	const char *p;

	while ((p = s->paths[s->npath]) != NULL) {
		s->npath++;
		s->source = p;
		s->lineno = 0;
		s->bstart = s->bend = 0;
		s->in_eof = s->skipping = 0;
		s->in_total = 0;
		if ((s->fd = fileio_open_read(p, &st, e)) < 0)
			return 1;
		s->regular = S_ISREG(st.st_mode);
		s->ev_read = event_new(s->env->base, s->fd, EV_READ,
		    survey_fill_cb, s);
		if (s->ev_read == NULL) {
			err_set(e, ERR_SYSTEM, "%s: cannot create an event", p);
			close(s->fd);
			s->fd = -1;
			return 1;
		}
		return 0;
	}
	return -1;
}

static void
survey_close_input(struct survey *s)
{
	if (s->ev_read != NULL)
		event_free(s->ev_read);
	s->ev_read = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static void
survey_error_item_of(struct survey *s, const char *input, const char *why,
	int unreadable)
{
	struct survey_item it;

	memset(&it, 0, sizeof(it));
	it.unreadable = unreadable;
	it.source = s->source;
	it.line = s->lineno;
	it.input = input;
	it.error = why;
	s->st.errors++;
	s->item(s->arg, &it);
}

static void
survey_error_item(struct survey *s, const char *input, const char *why)
{
	survey_error_item_of(s, input, why, 0);
}

/*
 * One line to a name: comments and surrounding blanks go; 0 with *name
 * empty for nothing, -1 with why for a malformed line.
 */
static int
survey_parse_line(char *buf, char **name, const char **why)
{
	char *p, *end;

	if ((p = strchr(buf, '#')) != NULL)
		*p = '\0';
	for (p = buf; isspace((unsigned char)*p); p++)
		;
	for (end = p + strlen(p); end > p && isspace((unsigned char)end[-1]);
	    end--)
		;
	*end = '\0';
	*name = p;
	if (*p == '\0')
		return 0;
	for (; p < end; p++)
		if (isspace((unsigned char)*p) || !isprint((unsigned char)*p)) {
			*why = "not one domain name";
			return -1;
		}
	return 0;
}

/* What survey_read_line found. */
enum survey_read {
	SL_LINE,        /* a line */
	SL_LONG,        /* an over-long line, skipped */
	SL_EOF,         /* end of this input */
	SL_MORE,        /* read a chunk: call again */
	SL_WAIT,        /* a pipe or terminal has nothing yet */
	SL_BINARY,      /* a NUL byte: no text file, the rest skipped */
	SL_BIG,         /* over SURVEY_INPUT_MAX, the rest skipped */
	SL_ERROR,       /* read error (e set) */
};

/* The next line (ends at '\n' or the end of input) into out. */
static enum survey_read
survey_take_buffered(struct survey *s, char *out, size_t size)
{
	char *line = s->buf + s->bstart, *nl;
	size_t n;

	nl = memchr(line, '\n', s->bend - s->bstart);
	n = nl != NULL ? (size_t)(nl - line) : s->bend - s->bstart;
	s->bstart += n + (nl != NULL);
	s->lineno++;
	s->st.lines++;
	if (memchr(line, '\0', n) != NULL)
		return SL_BINARY;
	if (s->skipping || n >= size) {
		s->skipping = 0;
		return SL_LONG;
	}
	memcpy(out, line, n);
	out[n] = '\0';
	return SL_LINE;
}

/*
 * One step of reading: a line, or one read(2) of more.  A pipe or a
 * terminal is read only when poll says it has data, so the loop (and its
 * signal events) never blocks here; the caller waits for it with ev_read.
 */
static enum survey_read
survey_read_line(struct survey *s, char *out, size_t size, struct err *e)
{
	struct pollfd pfd = { s->fd, POLLIN, 0 };
	ssize_t got;

	if (memchr(s->buf + s->bstart, '\n', s->bend - s->bstart) != NULL ||
	    (s->in_eof && s->bend > s->bstart))
		return survey_take_buffered(s, out, size);
	if (s->in_eof) {
		if (!s->skipping)
			return SL_EOF;
		s->skipping = 0;        /* an over-long last line */
		s->lineno++;
		s->st.lines++;
		return SL_LONG;
	}
	/* No whole line yet: the rest of an over-long one goes unkept. */
	if (s->bend - s->bstart >= size) {
		if (memchr(s->buf + s->bstart, '\0', s->bend - s->bstart) != NULL)
			return SL_BINARY;
		s->skipping = 1;
		s->bstart = s->bend = 0;
	}
	memmove(s->buf, s->buf + s->bstart, s->bend - s->bstart);
	s->bend -= s->bstart;
	s->bstart = 0;
	if (!s->regular && poll(&pfd, 1, 0) == 0)
		return SL_WAIT;
	got = read(s->fd, s->buf + s->bend, sizeof(s->buf) - s->bend);
	if (got < 0 && (errno == EINTR || errno == EAGAIN))
		return SL_WAIT;
	if (got < 0) {
		err_set_errno(e, ERR_INPUT, errno, "%s: cannot read",
		    s->source);
		return SL_ERROR;
	}
	if (got == 0)
		s->in_eof = 1;
	s->bend += (size_t)got;
	s->in_total += (uint64_t)got;
	return s->in_total > SURVEY_INPUT_MAX ? SL_BIG : SL_MORE;
}

static void survey_check_done(void *arg, struct check_result *res);

static void
survey_start_one(struct survey *s, const char *name)
{
	struct survey_slot *sl = xcalloc(1, sizeof(*sl));
	struct err e;

	sl->s = s;
	sl->source = s->source;
	sl->line = s->lineno;
	sl->input = xstrdup(name);
	TAILQ_INSERT_TAIL(&s->slots, sl, link);
	s->st.inflight++;
	s->st.domains++;
	sl->c = check_start(s->env, name, &s->o.co, survey_check_done, sl, &e);
	if (sl->c == NULL) {
		TAILQ_REMOVE(&s->slots, sl, link);
		s->st.inflight--;
		s->st.domains--;
		survey_error_item(s, name, e.msg);
		free(sl->input);
		free(sl);
	}
}

/* A line: skip, report, leave to another shard, or check. */
static void
survey_take_line(struct survey *s, char *buf, enum survey_read rc)
{
	char norm[DNS_NAME_MAX], *name;
	const char *why = NULL;
	struct err e;

	if (rc == SL_LONG) {
		survey_error_item(s, "", "line too long");
		return;
	}
	if (survey_parse_line(buf, &name, &why) < 0) {
		survey_error_item(s, name, why);
		return;
	}
	if (*name == '\0')
		return;
	err_clear(&e);
	if (dns_name_normalize(name, norm, sizeof(norm), &e) == -1 ||
	    strcmp(norm, ".") == 0) {
		survey_error_item(s, name, e.kind != ERR_NONE ? e.msg :
		    "not a domain name");
		return;
	}
	if (!survey_in_shard(norm, s->o.shard, s->o.nshards)) {
		s->st.skipped++;
		return;
	}
	if (s->o.parse_only) {
		struct survey_item it;

		memset(&it, 0, sizeof(it));
		it.source = s->source;
		it.line = s->lineno;
		it.input = norm;
		s->st.domains++;
		s->st.done++;
		s->item(s->arg, &it);
		return;
	}
	survey_start_one(s, norm);
}

static void
survey_maybe_end(struct survey *s)
{
	if (s->ended || s->st.inflight > 0 || (!s->eof && !s->stopping))
		return;
	s->ended = 1;
	survey_close_input(s);
	pcache_get_stats(s->pc, &s->st.pc);
	s->end(s->arg);
}

/*
 * Slots in use now allowed.  Slow start: one domain alone until a result
 * is in.  Its lookups validate the trust chain once and cache it; hundreds
 * of first queries at once would each validate the same DNSKEYs.
 */
static size_t
survey_limit(const struct survey *s)
{
	return s->st.done == 0 ? 1 : s->o.concurrency;
}

/* An input that cannot be read on: say why once and go to the next. */
static void
survey_input_failed(struct survey *s, const char *why)
{
	s->st.input_error = 1;
	survey_error_item_of(s, "", why, 1);
	survey_close_input(s);
}

/*
 * Keep every slot busy while there is input.  At most SURVEY_FILL_STEPS
 * steps at a time, then again from the loop, so that no input (a long run
 * of comments, an endless line) keeps the loop from its signals.
 */
static void
survey_fill(struct survey *s)
{
	char buf[SURVEY_LINE_MAX + 1], why[ERR_MSG_MAX + 64];
	enum survey_read rc;
	struct err e;
	int steps = 0;

	while (!s->stopping && !s->eof && s->st.inflight < survey_limit(s)) {
		if (++steps > SURVEY_FILL_STEPS) {
			event_active(s->ev_fill, 0, 0);
			return;
		}
		err_clear(&e);
		if (s->fd < 0) {
			int orc = survey_open_next(s, &e);

			if (orc < 0) {
				s->eof = 1;
				break;
			}
			if (orc > 0) {
				s->st.input_error = 1;
				survey_error_item_of(s, "", e.msg, 1);
			}
			continue;
		}
		switch ((rc = survey_read_line(s, buf, sizeof(buf), &e))) {
		case SL_MORE:
			continue;
		case SL_WAIT:
			event_add(s->ev_read, NULL);
			return;
		case SL_EOF:
			survey_close_input(s);
			continue;
		case SL_ERROR:
			survey_input_failed(s, e.msg);
			continue;
		case SL_BINARY:
			snprintf(why, sizeof(why), "%s: a NUL byte: not a text "
			    "file (the rest is skipped)", s->source);
			survey_input_failed(s, why);
			continue;
		case SL_BIG:
			snprintf(why, sizeof(why), "%s: larger than %llu bytes "
			    "(the rest is skipped)", s->source,
			    (unsigned long long)SURVEY_INPUT_MAX);
			survey_input_failed(s, why);
			continue;
		case SL_LINE:
		case SL_LONG:
			survey_take_line(s, buf, rc);
			break;
		}
	}
	survey_maybe_end(s);
}

static void
survey_fill_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	survey_fill(arg);
}

static void
survey_check_done(void *arg, struct check_result *res)
{
	struct survey_slot *sl = arg;
	struct survey *s = sl->s;
	struct survey_item it;

	TAILQ_REMOVE(&s->slots, sl, link);
	s->st.inflight--;
	s->st.done++;
	s->st.verdicts[res->verdict]++;
	memset(&it, 0, sizeof(it));
	it.source = sl->source;
	it.line = sl->line;
	it.input = sl->input;
	it.res = res;
	it.reason = survey_reason_of(res);
	s->st.reasons[it.reason]++;
	s->item(s->arg, &it);
	check_result_free(res);
	free(sl->input);
	free(sl);
	/* Refill from the loop, not from deep inside a probe's callback. */
	event_active(s->ev_fill, 0, 0);
}

struct survey *
survey_new(const struct check_env *env, const struct survey_opts *o,
	const char *const *paths, survey_item_cb item, survey_end_cb end,
	void *arg, struct err *e)
{
	struct survey *s;

	if (o->nshards > 0 && (o->shard < 1 || o->shard > o->nshards)) {
		err_set(e, ERR_USAGE, "shard %u/%u: want 1 to %u", o->shard,
		    o->nshards, o->nshards);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->env = env;
	s->o = *o;
	if (s->o.concurrency == 0)
		s->o.concurrency = SURVEY_CONCURRENCY;
	s->paths = paths != NULL && paths[0] != NULL ? paths : survey_stdin;
	s->item = item;
	s->end = end;
	s->arg = arg;
	s->fd = -1;
	TAILQ_INIT(&s->slots);
	s->o.po.no_share = o->no_cache;
	s->pc = pcache_new(env->base, env->ctx, &s->o.po);
	s->ev_fill = event_new(env->base, -1, 0, survey_fill_cb, s);
	if (s->pc == NULL || s->ev_fill == NULL) {
		err_set(e, ERR_SYSTEM, "cannot create the survey's events");
		survey_free(s);
		return NULL;
	}
	s->prober.start = pcache_start;
	s->prober.cancel = pcache_cancel;
	s->prober.ctx = s->pc;
	s->o.co.prober = &s->prober;
	return s;
}

void
survey_begin(struct survey *s)
{
	event_active(s->ev_fill, 0, 0);
}

void
survey_stop(struct survey *s)
{
	struct survey_slot *sl;

	s->stopping = 1;
	s->st.interrupted = 1;
	while ((sl = TAILQ_FIRST(&s->slots)) != NULL) {
		TAILQ_REMOVE(&s->slots, sl, link);
		check_cancel(sl->c);
		s->st.inflight--;
		s->st.cancelled++;
		free(sl->input);
		free(sl);
	}
	event_active(s->ev_fill, 0, 0);
}

void
survey_free(struct survey *s)
{
	struct survey_slot *sl;

	if (s == NULL)
		return;
	while ((sl = TAILQ_FIRST(&s->slots)) != NULL) {
		TAILQ_REMOVE(&s->slots, sl, link);
		check_cancel(sl->c);
		free(sl->input);
		free(sl);
	}
	survey_close_input(s);
	pcache_free(s->pc);
	if (s->ev_fill != NULL)
		event_free(s->ev_fill);
	free(s);
}

void
survey_get_stats(const struct survey *s, struct survey_stats *st)
{
	*st = s->st;
	pcache_get_stats(s->pc, &st->pc);
}
