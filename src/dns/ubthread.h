/*
 * ubthread - a libunbound context resolving on a thread of its own.
 *
 * The context is created with ub_ctx_create_event on a private event base
 * that the thread runs.  The caller's loop hands it jobs through one
 * locked queue and gets them back, answered and parsed, through another;
 * each queue wakes its reader with one byte on a pipe, written only when
 * the queue was empty, so a burst of queries or answers costs one wakeup.
 * (libunbound's own thread, ub_ctx_async, passes every query and every
 * answer through a pipe with two writes, two reads and four fcntl calls
 * each way: a fifth of a survey's DNS cost.)
 *
 * Use: ubthread_new, then configure ubthread_ctx (only before
 * ubthread_start: afterwards the context belongs to the thread), then
 * ubthread_start and ubthread_submit.  done runs on the caller's loop,
 * once per submitted job, in the order the answers came.
 *
 * Ownership: ubthread_new/ubthread_free; ubthread_free stops and joins the
 * thread and drops answers not yet delivered (done is not called for
 * them).  The name given to ubthread_submit must stay valid until its
 * done callback has run or ubthread_free has returned.  done receives an
 * answer it owns.
 */
#ifndef DANEOPS_UBTHREAD_H
#define DANEOPS_UBTHREAD_H

#include <stdint.h>

#include <event2/event.h>

#include "dns/dns_answer.h"
#include "util/err.h"

struct ubthread;
struct ub_ctx;

typedef void (*ubthread_done_cb)(void *token, struct dns_answer *ans,
	void *arg);

struct ubthread *ubthread_new(struct event_base *loop, ubthread_done_cb done,
	void *arg, struct err *e);
void ubthread_free(struct ubthread *t);

struct ub_ctx *ubthread_ctx(struct ubthread *t);
int ubthread_start(struct ubthread *t, struct err *e);

/* Queue (name, type) for the thread; token comes back to done. */
void ubthread_submit(struct ubthread *t, void *token, const char *name,
	uint16_t type);

/*
 * Watch for answers on the loop (on) or not: an idle resolver must not
 * keep the loop running.
 */
void ubthread_watch(struct ubthread *t, int on);

#endif
