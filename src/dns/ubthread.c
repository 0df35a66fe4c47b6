/*
 * ubthread - a libunbound context resolving on a thread of its own
 * (see ubthread.h for why and how).
 *
 * Threads: the loop thread touches ev_out and the producer side
 * of "in"; the resolver thread touches t->base, t->ctx, ev_in and the
 * producer side of "out".  The queues are the only shared state, each
 * under its own mutex.
 */
#include "dns/ubthread.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/queue.h>
#include <unistd.h>

#include <unbound-event.h>
#include <unbound.h>

#include "util/xalloc.h"

struct ub_job {
	TAILQ_ENTRY(ub_job) link;
	struct ubthread *t;
	void *token;
	const char *name;       /* the caller's, valid until done */
	uint16_t type;
	struct dns_answer *ans; /* filled on the resolver thread */
};

TAILQ_HEAD(job_list, ub_job);

/* A locked list with a pipe that says "no longer empty". */
struct ubqueue {
	pthread_mutex_t lock;
	struct job_list jobs;
	int rfd, wfd;
};

struct ubthread {
	struct event_base *base;        /* run by the resolver thread */
	struct ub_ctx *ctx;
	struct ubqueue in;              /* loop -> resolver thread */
	struct ubqueue out;             /* resolver thread -> loop */
	struct event *ev_in;
	struct event *ev_out;
	ubthread_done_cb done;
	void *arg;
	pthread_t tid;
	int started;
	int stopping;                   /* under in.lock */
};

static int
ubqueue_init(struct ubqueue *q)
{
	int fds[2];

	TAILQ_INIT(&q->jobs);
	q->rfd = q->wfd = -1;
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	q->rfd = fds[0];
	q->wfd = fds[1];
	pthread_mutex_init(&q->lock, NULL);
	return 0;
}

/* Free what is still queued (its answers undelivered) and the pipe. */
static void
ubqueue_destroy(struct ubqueue *q)
{
	struct ub_job *j;

	if (q->rfd < 0)
		return;
	while ((j = TAILQ_FIRST(&q->jobs)) != NULL) {
		TAILQ_REMOVE(&q->jobs, j, link);
		dns_answer_free(j->ans);
		free(j);
	}
	close(q->rfd);
	close(q->wfd);
	pthread_mutex_destroy(&q->lock);
}

/*
 * Append j (or only wake the reader, j NULL).  One byte is written only
 * when the list was empty: the reader empties the pipe before taking the
 * list, so no job is left without a byte to announce it.
 */
static void
ubqueue_push(struct ubqueue *q, struct ub_job *j)
{
	static const char one = 1;
	int wake;

	pthread_mutex_lock(&q->lock);
	wake = TAILQ_EMPTY(&q->jobs) || j == NULL;
	if (j != NULL)
		TAILQ_INSERT_TAIL(&q->jobs, j, link);
	pthread_mutex_unlock(&q->lock);
	if (wake) {
		/* On EAGAIN the full pipe already holds a wakeup. */
		ssize_t n = write(q->wfd, &one, 1);

		(void)n;
	}
}

/* Empty the pipe, then move every queued job to *into. */
static void
ubqueue_take(struct ubqueue *q, struct job_list *into)
{
	char buf[64];

	while (read(q->rfd, buf, sizeof(buf)) > 0)
		continue;
	TAILQ_INIT(into);
	pthread_mutex_lock(&q->lock);
	TAILQ_CONCAT(into, &q->jobs, link);
	pthread_mutex_unlock(&q->lock);
}

/* Resolver thread: libunbound's answer, parsed here, off the loop. */
static void
ubthread_answer_cb(void *mydata, int rcode, void *packet, int len, int sec,
	char *why_bogus, int was_ratelimited)
{
	struct ub_job *j = mydata;

	(void)was_ratelimited;
	j->ans = dns_answer_parse(j->name, j->type, rcode, packet,
	    len > 0 ? (size_t)len : 0, sec, why_bogus);
	ubqueue_push(&j->t->out, j);
}

/* Resolver thread: new queries, or the order to stop. */
static void
ubthread_in_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ubthread *t = arg;
	struct job_list jobs;
	struct ub_job *j;
	int stop, rc;

	(void)fd;
	(void)what;
	ubqueue_take(&t->in, &jobs);
	pthread_mutex_lock(&t->in.lock);
	stop = t->stopping;
	pthread_mutex_unlock(&t->in.lock);
	while ((j = TAILQ_FIRST(&jobs)) != NULL) {
		TAILQ_REMOVE(&jobs, j, link);
		if (stop) {
			free(j);
			continue;
		}
		rc = ub_resolve_event(t->ctx, j->name, j->type, 1, j,
		    ubthread_answer_cb, NULL);
		if (rc != 0) {
			/* Refused before reaching the mesh: no callback. */
			j->ans = dns_answer_new_status(j->name, j->type,
			    DNS_ERROR, ub_strerror(rc));
			ubqueue_push(&t->out, j);
		}
	}
	if (stop)
		event_base_loopbreak(t->base);
}

static void *
ubthread_main(void *arg)
{
	struct ubthread *t = arg;

	event_base_loop(t->base, EVLOOP_NO_EXIT_ON_EMPTY);
	/*
	 * The context is deleted on the thread that used it; its outstanding
	 * queries call back as SERVFAIL into the out queue, which
	 * ubthread_free then drops.
	 */
	ub_ctx_delete(t->ctx);
	t->ctx = NULL;
	return NULL;
}

/* Loop thread: answers, in the order they came. */
static void
ubthread_out_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ubthread *t = arg;
	struct job_list jobs;
	struct ub_job *j;

	(void)fd;
	(void)what;
	ubqueue_take(&t->out, &jobs);
	while ((j = TAILQ_FIRST(&jobs)) != NULL) {
		TAILQ_REMOVE(&jobs, j, link);
		t->done(j->token, j->ans, t->arg);
		free(j);
	}
}

struct ubthread *
ubthread_new(struct event_base *loop, ubthread_done_cb done, void *arg,
	struct err *e)
{
	struct ubthread *t = xcalloc(1, sizeof(*t));

	t->done = done;
	t->arg = arg;
	t->in.rfd = t->out.rfd = -1;
	if (ubqueue_init(&t->in) == -1 || ubqueue_init(&t->out) == -1) {
		err_set_errno(e, ERR_SYSTEM, errno, "cannot create the DNS "
		    "thread's pipes");
		ubthread_free(t);
		return NULL;
	}
	t->base = event_base_new();
	if (t->base != NULL) {
		t->ctx = ub_ctx_create_event(t->base);
		t->ev_in = event_new(t->base, t->in.rfd, EV_READ | EV_PERSIST,
		    ubthread_in_cb, t);
	}
	t->ev_out = event_new(loop, t->out.rfd, EV_READ | EV_PERSIST,
	    ubthread_out_cb, t);
	if (t->base == NULL || t->ctx == NULL || t->ev_in == NULL ||
	    t->ev_out == NULL || event_add(t->ev_in, NULL) != 0) {
		err_set(e, ERR_SYSTEM, "cannot set up the DNS thread");
		ubthread_free(t);
		return NULL;
	}
	return t;
}

struct ub_ctx *
ubthread_ctx(struct ubthread *t)
{
	return t->ctx;
}

int
ubthread_start(struct ubthread *t, struct err *e)
{
	sigset_t all, old;
	int rc;

	/* Signals are the loop's business: the thread starts with none. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t->tid, NULL, ubthread_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return err_set_errno(e, ERR_SYSTEM, rc,
		    "cannot start the DNS thread");
	t->started = 1;
	return 0;
}

void
ubthread_submit(struct ubthread *t, void *token, const char *name,
	uint16_t type)
{
	struct ub_job *j = xcalloc(1, sizeof(*j));

	j->t = t;
	j->token = token;
	j->name = name;
	j->type = type;
	ubqueue_push(&t->in, j);
}

void
ubthread_watch(struct ubthread *t, int on)
{
	if (on)
		event_add(t->ev_out, NULL);
	else
		event_del(t->ev_out);
}

void
ubthread_free(struct ubthread *t)
{
	if (t == NULL)
		return;
	if (t->started) {
		pthread_mutex_lock(&t->in.lock);
		t->stopping = 1;
		pthread_mutex_unlock(&t->in.lock);
		ubqueue_push(&t->in, NULL);
		pthread_join(t->tid, NULL);
	} else if (t->ctx != NULL)
		ub_ctx_delete(t->ctx);
	if (t->ev_in != NULL)
		event_free(t->ev_in);
	if (t->ev_out != NULL)
		event_free(t->ev_out);
	if (t->base != NULL)
		event_base_free(t->base);
	ubqueue_destroy(&t->in);
	ubqueue_destroy(&t->out);
	free(t);
}
