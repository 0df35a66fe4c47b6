/*
 * cmd_roll - "daneops roll": renewals and key rollovers that cannot break
 * mail (the engine is src/roll; this file parses, locks, prints and
 * chooses the exit status).
 *
 *   roll plan            what a run would do now, and why; changes nothing
 *   roll run [--dry-run] advance every lineage as far as is safe now
 *   roll status [--json] keys, records per authoritative server, waits
 *   roll init NAME       set reuse_key in certbot's renewal/NAME.conf
 *                        (no configuration file needed)
 *   roll newkey NAME [--cancel]  start (withdraw) a rollover to the
 *                        pre-published next key
 *
 * Exit status: 0 done (or only waiting), 1 (run) a lineage is blocked or
 * its hand-off failed max_failures times in a row (the timer unit shows a
 * failure), 2 usage, 3 a lineage failed (the message says what to fix),
 * 75 another run holds the lock, or a provider or certbot failure that the
 * next run retries.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "roll/certbot.h"
#include "roll/conf.h"
#include "roll/handoff.h"
#include "roll/lock.h"
#include "roll/run.h"
#include "util/xalloc.h"

static const char roll_usage_text[] =
"usage: daneops roll plan [--config FILE] [--lineage NAME]\n"
"       daneops roll run [--dry-run] [--config FILE] [--lineage NAME]\n"
"       daneops roll status [--json] [--config FILE] [--lineage NAME]\n"
"       daneops roll init NAME [--config FILE] [--certbot-dir DIR]\n"
"       daneops roll newkey NAME [--cancel] [--config FILE]\n"
"\n"
"  --config FILE      configuration (default " CONF_DEFAULT_PATH ")\n"
"  --lineage NAME     only this lineage\n"
"  --dry-run          plan, do nothing (as 'roll plan')\n"
"  --json             status as JSON\n"
"  --cancel           newkey: withdraw the rollover (undo a hand-off\n"
"                     certbot has not completed)\n"
"  --certbot-dir DIR  certbot's directory (default from the\n"
"                     configuration, else /etc/letsencrypt)\n"
"  -h, --help         this help\n"
"\n"
"Exit status: 0 done or waiting, 1 (run) a lineage is blocked or its\n"
"hand-off failed max_failures times in a row, 2 bad usage, 3 a lineage\n"
"failed, 75 another run holds the lock or a failure that the next run\n"
"retries (provider, certbot).\n"
"See daneops-roll(1) and daneops.conf(5).\n";

struct roll_args {
	const char *config;
	const char *lineage;
	const char *certbot_dir;
	int dry_run;
	int json;
	int cancel;
};

enum { OPT_CONFIG = 256, OPT_LINEAGE, OPT_DRY, OPT_JSON, OPT_CERTBOT,
	OPT_CANCEL };

static const struct option roll_longopts[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "lineage", required_argument, NULL, OPT_LINEAGE },
	{ "dry-run", no_argument, NULL, OPT_DRY },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "certbot-dir", required_argument, NULL, OPT_CERTBOT },
	{ "cancel", no_argument, NULL, OPT_CANCEL },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* 0 parsed, 1 --help, -1 bad usage. */
static int
roll_parse(struct roll_args *a, int argc, char **argv)
{
	int ch;

	memset(a, 0, sizeof(*a));
	a->config = CONF_DEFAULT_PATH;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", roll_longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_CONFIG:
			a->config = optarg;
			break;
		case OPT_LINEAGE:
			a->lineage = optarg;
			break;
		case OPT_DRY:
			a->dry_run = 1;
			break;
		case OPT_JSON:
			a->json = 1;
			break;
		case OPT_CERTBOT:
			a->certbot_dir = optarg;
			break;
		case OPT_CANCEL:
			a->cancel = 1;
			break;
		case 'h':
			return 1;
		default:
			return -1;
		}
	}
	return 0;
}

static const char *
roll_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (t == 0)
		return "unknown";
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static const char *
roll_short(const char *id)
{
	static char buf[4][20];
	static int n;

	n = (n + 1) % 4;
	snprintf(buf[n], sizeof(buf[n]), "%.16s", id[0] != '\0' ? id : "none");
	return buf[n];
}

static void
roll_print_plan(const struct run_lin *rl)
{
	const struct plan_action *a;
	char when[32];
	size_t i;

	for (i = 0; rl->plan != NULL && i < rl->plan->nacts; i++) {
		a = &rl->plan->acts[i];
		if (a->kind == PLAN_WAIT)
			printf("  wait until %s: %s\n", roll_time(a->until, when,
			    sizeof(when)), a->why);
		else if (a->kind == PLAN_DEPLOY)
			printf("  deploy %s: %s\n", rl->deploy_files != NULL ?
			    rl->deploy_files : "", a->why);
		else
			printf("  %s%s%s: %s\n", plan_kind_name(a->kind),
			    a->rec != NULL ? " " : "", a->rec != NULL ? a->rec : "",
			    a->why);
	}
	if (rl->plan != NULL && rl->plan->nacts == 0 && !rl->failed)
		printf("  nothing to do\n");
}

/* The hand-off's failures and backoff, and an open journal. */
static void
roll_print_failures(const struct run_lin *rl)
{
	char when[32];

	if (rl->failures > 0)
		printf("  hand-off failed %d time%s in a row (runs fail from %ld); "
		    "next attempt after %s; last error: %s\n", rl->failures,
		    rl->failures == 1 ? "" : "s", rl->max_failures,
		    roll_time(rl->next_attempt, when, sizeof(when)),
		    rl->last_error != NULL ? rl->last_error : "unknown");
	if (rl->handoff_started != 0)
		printf("  hand-off journal: started %s by a run that was killed; "
		    "the next run finishes or undoes it\n",
		    roll_time(rl->handoff_started, when, sizeof(when)));
}

static void
roll_print_lin(const struct run_lin *rl, int status)
{
	const struct authns_addr *ad;
	size_t i, j;

	printf("lineage %s: current %s, source %s, next %s\n", rl->name,
	    roll_short(rl->cur), roll_short(rl->src), roll_short(rl->next));
	if (rl->adopted)
		printf("  adopt: no deployed files yet, and every endpoint "
		    "presents the source's key %s already: it is deployed at "
		    "once, without a hold\n", roll_short(rl->src));
	for (i = 0; i < rl->ndone; i++)
		printf("  done: %s\n", rl->done[i]);
	roll_print_failures(rl);
	if (status) {
		if (rl->hold_why != NULL)
			printf("  %s\n", rl->hold_why);
		else
			printf("  hold: %ld s\n", rl->hold);
		if (rl->next[0] != '\0')
			printf("  next key file: %s\n", rl->next_path);
		for (i = 0; i < rl->nat_provider; i++)
			printf("  provider has: %s\n", rl->at_provider[i]);
		if (rl->auth_error != NULL)
			printf("  authoritative servers: %s\n", rl->auth_error);
		for (i = 0; rl->auth != NULL && i < rl->auth->naddrs; i++) {
			ad = &rl->auth->addrs[i];
			printf("  server %s (%s):%s%s\n", ad->ns, ad->addr,
			    ad->error != NULL ? " " : "",
			    ad->error != NULL ? ad->error : "");
			for (j = 0; j < ad->nrecs; j++)
				printf("    serves %s\n", ad->recs[j]);
		}
	}
	roll_print_plan(rl);
}

static json_t *
roll_json_list(char *const *list, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(list[i]));
	return a;
}

static json_t *
roll_json_lin(const struct run_lin *rl)
{
	json_t *o = json_object(), *servers = json_array(), *plan = json_array();
	const struct authns_addr *ad;
	const struct plan_action *a;
	json_t *s, *pa;
	size_t i;

	json_object_set_new(o, "name", json_string(rl->name));
	json_object_set_new(o, "current", rl->cur[0] ? json_string(rl->cur) :
	    json_null());
	json_object_set_new(o, "source", rl->src[0] ? json_string(rl->src) :
	    json_null());
	json_object_set_new(o, "next", rl->next[0] ? json_string(rl->next) :
	    json_null());
	json_object_set_new(o, "hold_seconds", json_integer(rl->hold));
	json_object_set_new(o, "hold_why", rl->hold_why != NULL ?
	    json_string(rl->hold_why) : json_null());
	json_object_set_new(o, "adopted", json_boolean(rl->adopted));
	json_object_set_new(o, "next_key_file", rl->next[0] != '\0' ?
	    json_string(rl->next_path) : json_null());
	json_object_set_new(o, "provider_records",
	    roll_json_list(rl->at_provider, rl->nat_provider));
	for (i = 0; rl->auth != NULL && i < rl->auth->naddrs; i++) {
		ad = &rl->auth->addrs[i];
		s = json_object();
		json_object_set_new(s, "ns", json_string(ad->ns));
		json_object_set_new(s, "address", json_string(ad->addr));
		json_object_set_new(s, "error", ad->error != NULL ?
		    json_string(ad->error) : json_null());
		json_object_set_new(s, "records", roll_json_list(ad->recs,
		    ad->nrecs));
		json_array_append_new(servers, s);
	}
	json_object_set_new(o, "authoritative", servers);
	json_object_set_new(o, "authoritative_error", rl->auth_error != NULL ?
	    json_string(rl->auth_error) : json_null());
	for (i = 0; rl->plan != NULL && i < rl->plan->nacts; i++) {
		a = &rl->plan->acts[i];
		pa = json_object();
		json_object_set_new(pa, "action", json_string(
		    plan_kind_name(a->kind)));
		json_object_set_new(pa, "record", a->rec != NULL ?
		    json_string(a->rec) : json_null());
		json_object_set_new(pa, "key", a->key != NULL ?
		    json_string(a->key) : json_null());
		json_object_set_new(pa, "until", a->kind == PLAN_WAIT &&
		    a->until != 0 ? json_integer(a->until) : json_null());
		json_object_set_new(pa, "why", json_string(a->why));
		json_array_append_new(plan, pa);
	}
	json_object_set_new(o, "plan", plan);
	json_object_set_new(o, "failures", json_integer(rl->failures));
	json_object_set_new(o, "last_error", rl->last_error != NULL ?
	    json_string(rl->last_error) : json_null());
	json_object_set_new(o, "next_attempt", rl->next_attempt != 0 ?
	    json_integer(rl->next_attempt) : json_null());
	json_object_set_new(o, "handoff_started", rl->handoff_started != 0 ?
	    json_integer(rl->handoff_started) : json_null());
	json_object_set_new(o, "blocked", json_boolean(rl->blocked));
	/* this run's error, else the hand-off's while it keeps failing */
	json_object_set_new(o, "error", rl->failed ?
	    json_string(rl->err.msg) : rl->failures > 0 &&
	    rl->last_error != NULL ? json_string(rl->last_error) :
	    json_null());
	return o;
}

static int
roll_print_json(const struct run_report *r)
{
	json_t *root = json_object(), *lins = json_array();
	size_t i;
	char *text;

	for (i = 0; i < r->nlins; i++)
		json_array_append_new(lins, roll_json_lin(&r->lins[i]));
	json_object_set_new(root, "lineages", lins);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (text == NULL)
		return -1;
	printf("%s\n", text);
	free(text);
	return 0;
}

/*
 * A run that left a lineage blocked, or whose hand-off keeps failing, must
 * fail the timer's unit (exit 1) even though it waits safely.
 */
static int
roll_stuck(const struct run_lin *rl)
{
	if (rl->blocked) {
		cmd_error("roll", "lineage %s is blocked: see the plan; the "
		    "services keep the deployed files", rl->name);
		return 1;
	}
	if (rl->failures > 0 && rl->failures >= rl->max_failures) {
		cmd_error("roll", "lineage %s: the hand-off failed %d times in a "
		    "row (max_failures %ld); last error: %s", rl->name,
		    rl->failures, rl->max_failures, rl->last_error != NULL ?
		    rl->last_error : "unknown");
		return 1;
	}
	return 0;
}

/* Print a report; the exit status from the lineages' errors. */
static int
roll_report(const struct run_report *r, int status, int json, int execute)
{
	size_t i;
	int rc = EXIT_PASS, x, stuck = 0;

	if (json && roll_print_json(r) < 0) {
		cmd_error("roll", "cannot encode JSON");
		return EXIT_UNCHECKED;
	}
	for (i = 0; i < r->nlins; i++) {
		if (!json)
			roll_print_lin(&r->lins[i], status);
		if (execute && roll_stuck(&r->lins[i]))
			stuck = 1;
		if (!r->lins[i].failed)
			continue;
		cmd_error("roll", "lineage %s: %s%s", r->lins[i].name,
		    r->lins[i].err.msg, r->lins[i].err.kind == ERR_TEMP ?
		    "; the run stopped safely with its state saved: the next "
		    "run resumes from here" : "");
		x = exitcode_for(r->lins[i].err.kind);
		if (x == EXIT_USAGE)
			x = EXIT_UNCHECKED;
		if (rc == EXIT_PASS || x == EXIT_UNCHECKED)
			rc = x;
	}
	/* 3 (fix something) before 1 (stuck) before 75 (try again) */
	if (stuck && rc != EXIT_UNCHECKED)
		rc = EXIT_FAILED;
	return rc;
}

static int
roll_walk(struct conf *c, const struct roll_args *a, int execute, int status)
{
	struct run_opts o = { execute, a->lineage };
	struct run_report *r = NULL;
	struct lock *lk = NULL;
	struct err e;
	int rc;

	err_clear(&e);
	if (execute) {
		/* The state directory usually holds the lock file. */
		if (mkdir(c->state_dir, 0700) < 0 && errno != EEXIST) {
			cmd_error("roll", "%s: cannot create: %s", c->state_dir,
			    strerror(errno));
			return EXIT_UNCHECKED;
		}
		if ((lk = lock_take(c->lock_file, &e)) == NULL) {
			cmd_error("roll", "%s", e.msg);
			return exitcode_for(e.kind);
		}
	}
	/* A configuration without lineages (the package's example) is
	 * said, never silent: run has nothing to do, which is no failure
	 * of a timer or certbot hook; plan and status have nothing to show. */
	if (c->nlineages == 0) {
		cmd_error("roll", "%s: no [lineage NAME] section: nothing to "
		    "roll", a->config);
		lock_free(lk);
		return execute ? EXIT_PASS : EXIT_UNCHECKED;
	}
	if (run_roll(c, &o, &r, &e) < 0) {
		lock_free(lk);
		cmd_error("roll", "%s", e.msg);
		return exitcode_for(e.kind);
	}
	rc = roll_report(r, status, a->json, execute);
	run_report_free(r);
	lock_free(lk);
	return rc;
}

/* c may be NULL: init only edits certbot's file and needs no configuration. */
static int
roll_init(struct conf *c, const struct roll_args *a, const char *name)
{
	struct conf_lineage *l = c != NULL ? conf_lineage_find(c, name) : NULL;
	const char *dir = a->certbot_dir != NULL ? a->certbot_dir :
	    c != NULL ? c->certbot_dir : CONF_CERTBOT_DIR;
	const char *cb = l != NULL && l->certbot != NULL ? l->certbot : name;
	struct err e;

	err_clear(&e);
	if (certbot_reuse_key(dir, cb, &e) < 0) {
		cmd_error("roll", "init %s: %s", name, e.msg);
		return exitcode_for(e.kind) == EXIT_USAGE ? EXIT_UNCHECKED :
		    exitcode_for(e.kind);
	}
	printf("%s/renewal/%s.conf: reuse_key = True\n", dir, cb);
	return EXIT_PASS;
}

static int
roll_newkey(struct conf *c, const char *name, int cancel)
{
	struct lock *lk;
	struct err e;
	char *what = NULL;
	int rc;

	err_clear(&e);
	if (mkdir(c->state_dir, 0700) < 0 && errno != EEXIST) {
		cmd_error("roll", "%s: cannot create: %s", c->state_dir,
		    strerror(errno));
		return EXIT_UNCHECKED;
	}
	if ((lk = lock_take(c->lock_file, &e)) == NULL) {
		cmd_error("roll", "%s", e.msg);
		return exitcode_for(e.kind);
	}
	rc = handoff_request(c, name, cancel, &what, &e);
	lock_free(lk);
	if (rc < 0) {
		cmd_error("roll", "newkey %s: %s", name, e.msg);
		rc = exitcode_for(e.kind);
		return rc == EXIT_USAGE && e.kind != ERR_USAGE ? EXIT_UNCHECKED :
		    rc;
	}
	printf("lineage %s: %s\n", name, what);
	free(what);
	return EXIT_PASS;
}

int
cmd_roll(int argc, char **argv)
{
	struct roll_args a;
	struct conf *c;
	const char *sub;
	struct err e;
	int rc, nargs;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(roll_usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_PASS;
	}
	sub = argv[1];
	if ((rc = roll_parse(&a, argc - 1, argv + 1)) != 0) {
		fputs(roll_usage_text, rc > 0 ? stdout : stderr);
		return rc > 0 ? EXIT_PASS : EXIT_USAGE;
	}
	nargs = argc - 1 - optind;
	if ((strcmp(sub, "init") == 0 || strcmp(sub, "newkey") == 0) ?
	    nargs != 1 : nargs != 0) {
		cmd_error("roll", "%s: wrong number of arguments", sub);
		return EXIT_USAGE;
	}
	if (a.cancel && strcmp(sub, "newkey") != 0) {
		cmd_error("roll", "%s: --cancel is for newkey", sub);
		return EXIT_USAGE;
	}
	err_clear(&e);
	if (strcmp(sub, "init") == 0 && access(a.config, F_OK) < 0 &&
	    errno == ENOENT)
		return roll_init(NULL, &a, argv[1 + optind]);
	if ((c = conf_load(a.config, &e)) == NULL) {
		cmd_error("roll", "%s", e.msg);
		return EXIT_UNCHECKED;
	}
	if (strcmp(sub, "plan") == 0)
		rc = roll_walk(c, &a, 0, 0);
	else if (strcmp(sub, "run") == 0)
		rc = roll_walk(c, &a, !a.dry_run, 0);
	else if (strcmp(sub, "status") == 0)
		rc = roll_walk(c, &a, 0, 1);
	else if (strcmp(sub, "init") == 0)
		rc = roll_init(c, &a, argv[1 + optind]);
	else if (strcmp(sub, "newkey") == 0)
		rc = roll_newkey(c, argv[1 + optind], a.cancel);
	else {
		cmd_error("roll", "unknown subcommand '%s'", sub);
		fputs(roll_usage_text, stderr);
		rc = EXIT_USAGE;
	}
	conf_free(c);
	return rc;
}
