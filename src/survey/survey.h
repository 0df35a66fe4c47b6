/*
 * survey - check many mail domains on one event loop with the check engine.
 *
 * Domains come from files (or standard input), one per line; comments
 * ("#" to the end of the line) and blank lines are skipped, a line that is
 * not one domain name is reported as an item with an error.  An input is
 * opened with fileio_open_read (a file or a pipe; no directory or device),
 * read at most SURVEY_INPUT_MAX bytes, and given up at its first NUL byte
 * or read error (an error item, input_error); a pipe or terminal is read
 * only when it has data, so signals end a survey at once whatever the
 * input does.  At most
 * concurrency domains are in flight; lines are read only as slots free up,
 * so memory is bounded by the concurrency, not by the input.  Each check
 * has the check engine's per-step timeouts and a deadline of its own.
 * Work shared across domains is done once: one resolver (libunbound's
 * cache: each name is asked once per TTL however many domains need it) and
 * one probe cache (pcache: each address, SNI and record set probed once).
 *
 * --shard I/N keeps the domains whose SHA-256 (of the normalised name, the
 * first 8 bytes as a big-endian number) is I-1 modulo N: a partition that
 * any job runner can spread, and whose outputs concatenate.
 *
 * The survey never prints: each item goes to the caller's callback (in the
 * order checks finish), and survey_get_stats reports the counts.
 *
 * Ownership: survey_new/survey_free.  The check_env, its loop, resolver
 * and SSL_CTX are the caller's and must outlive the survey; the input
 * paths are borrowed.  survey_free cancels what is in flight.
 */
#ifndef DANEOPS_SURVEY_H
#define DANEOPS_SURVEY_H

#include <stddef.h>
#include <stdint.h>

#include "dane/check.h"
#include "survey/pcache.h"
#include "util/err.h"

#define SURVEY_CONCURRENCY      256
#define SURVEY_LINE_MAX         1024    /* longer input lines are errors */
#define SURVEY_INPUT_MAX        (1ULL << 30)    /* bytes read of one input */
#define SURVEY_BUF              (64 * 1024)     /* read(2) at a time */
#define SURVEY_FILL_STEPS       4096    /* lines or reads between loop turns */

/* Failure reasons, for the summary (survey_reason_name). */
enum survey_reason {
	SR_NONE = 0,
	SR_DNS_TIMEOUT,
	SR_NXDOMAIN,
	SR_DNS_ERROR,
	SR_BOGUS,
	SR_NO_HOSTS,
	SR_NO_ADDRESS,
	SR_CONNECT,
	SR_TIMEOUT,
	SR_STARTTLS,
	SR_HANDSHAKE,
	SR_MISMATCH,
	SR_UNUSABLE,
	SR_OTHER,
	SR_MAX
};

struct survey_opts {
	size_t concurrency;             /* 0: SURVEY_CONCURRENCY */
	struct check_opts co;           /* for every check; prober is ours */
	struct pcache_opts po;
	unsigned shard, nshards;        /* 1..N of N; nshards 0: everything */
	int no_cache;                   /* probe per domain (a baseline) */
	int parse_only;                 /* read and shard, check nothing: an
					   item per name with res NULL (the
					   fuzz target; env needs only base) */
};

struct survey_item {
	const char *source;             /* input path, "-" for stdin */
	size_t line;
	const char *input;              /* the line's name as given */
	const char *error;              /* malformed: why; res is NULL */
	int unreadable;                 /* error: the input itself, given up */
	struct check_result *res;       /* borrowed for the callback */
	enum survey_reason reason;      /* for fail and unknown */
};

struct survey_stats {
	size_t lines;                   /* read */
	size_t domains;                 /* started */
	size_t done;                    /* results delivered */
	size_t errors;                  /* malformed lines */
	size_t skipped;                 /* other shards */
	size_t inflight;
	size_t cancelled;               /* by survey_stop */
	size_t verdicts[CHECK_UNKNOWN + 1];
	size_t reasons[SR_MAX];
	struct pcache_stats pc;
	int interrupted;
	int input_error;                /* an input could not be read */
};

typedef void (*survey_item_cb)(void *arg, const struct survey_item *it);
typedef void (*survey_end_cb)(void *arg);

struct survey;

/*
 * paths: NULL-terminated; none means standard input.  Fails (ERR_USAGE)
 * for a bad shard or concurrency, (ERR_INPUT) when the first input cannot
 * be opened.  Nothing runs until survey_begin.
 */
struct survey *survey_new(const struct check_env *env,
	const struct survey_opts *o, const char *const *paths,
	survey_item_cb item, survey_end_cb end, void *arg, struct err *e);
void survey_free(struct survey *s);

/*
 * Start reading and checking; items and, once everything is done (or
 * stopped), the end callback run from the loop.  An unreadable later
 * input is reported as an error item and skipped.
 */
void survey_begin(struct survey *s);

/* Stop reading, cancel what is in flight (not reported), then end. */
void survey_stop(struct survey *s);

void survey_get_stats(const struct survey *s, struct survey_stats *st);

/* The failure reason of a result (SR_NONE unless fail or unknown). */
enum survey_reason survey_reason_of(const struct check_result *res);
const char *survey_reason_name(enum survey_reason r);

/* 1 if name (normalised) falls in shard i of n (1 <= i <= n). */
int survey_in_shard(const char *name, unsigned i, unsigned n);

#endif
