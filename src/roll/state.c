/*
 * state - per-lineage state in JSON (jansson), written atomically.
 */
#include "roll/state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "util/fileio.h"
#include "util/xalloc.h"

#define STATE_VERSION   1

void
state_set_str(char **slot, const char *val)
{
	char *copy = val != NULL ? xstrdup(val) : NULL;

	free(*slot);
	*slot = copy;
}

static const char *
state_json_str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* "handoff": null, or {"started": T, "key_file": P, "saved": P}. */
static int
state_handoff_from_json(struct state *s, json_t *h)
{
	const char *kf, *sv;

	if (h == NULL || json_is_null(h))
		return 0;
	kf = state_json_str(h, "key_file");
	sv = state_json_str(h, "saved");
	if (!json_is_object(h) || kf == NULL || sv == NULL || *kf != '/' ||
	    *sv != '/' || json_integer_value(json_object_get(h, "started")) <= 0)
		return -1;
	s->handoff.started = (time_t)json_integer_value(json_object_get(h,
	    "started"));
	state_set_str(&s->handoff.key_file, kf);
	state_set_str(&s->handoff.saved, sv);
	return 0;
}

static int
state_from_json(struct state *s, json_t *root, struct err *e)
{
	json_t *v, *seen, *pub;
	const char *k;
	size_t i;

	if (!json_is_object(root) ||
	    json_integer_value(json_object_get(root, "version")) != STATE_VERSION)
		return err_set(e, ERR_INPUT, "%s: damaged state file (not a "
		    "version %d daneops state); fix or move it away, do not "
		    "delete it blindly: it lists the records daneops published",
		    s->path, STATE_VERSION);
	state_set_str(&s->current, state_json_str(root, "current"));
	state_set_str(&s->verified, state_json_str(root, "verified"));
	s->need_reload = json_is_true(json_object_get(root, "need_reload"));
	s->handed_off = json_is_true(json_object_get(root, "handed_off"));
	s->rollover_requested = (time_t)json_integer_value(
	    json_object_get(root, "rollover_requested"));
	s->last_rollover = (time_t)json_integer_value(
	    json_object_get(root, "last_rollover"));
	if (state_handoff_from_json(s, json_object_get(root, "handoff")) < 0)
		goto bad;
	s->failures = (int)json_integer_value(json_object_get(root,
	    "failures"));
	s->next_attempt = (time_t)json_integer_value(json_object_get(root,
	    "next_attempt"));
	state_set_str(&s->last_error, state_json_str(root, "last_error"));
	seen = json_object_get(root, "seen");
	json_object_foreach(seen, k, v) {
		if (s->nseen >= STATE_MAX_SEEN || !json_is_integer(v))
			goto bad;
		s->seen[s->nseen].key = xstrdup(k);
		s->seen[s->nseen++].at = (time_t)json_integer_value(v);
	}
	pub = json_object_get(root, "published");
	if (pub != NULL && !json_is_array(pub))
		goto bad;
	json_array_foreach(pub, i, v) {
		if (!json_is_string(v) || s->npublished >= STATE_MAX_RECS)
			goto bad;
		s->published[s->npublished++] = xstrdup(json_string_value(v));
	}
	return 0;
bad:
	return err_set(e, ERR_INPUT, "%s: damaged state file (bad 'seen', "
	    "'published' or 'handoff'); fix or move it away", s->path);
}

struct state *
state_load(const char *path, struct err *e)
{
	struct state *s = xcalloc(1, sizeof(*s));
	json_error_t je;
	json_t *root;
	char *text;
	struct stat st;

	s->path = xstrdup(path);
	if (stat(path, &st) < 0 && errno == ENOENT)
		return s;
	if ((text = fileio_read(path, FILEIO_DEFAULT_MAX, NULL, e)) == NULL) {
		state_free(s);
		return NULL;
	}
	root = json_loads(text, 0, &je);
	free(text);
	if (root == NULL) {
		err_set(e, ERR_INPUT, "%s:%d: damaged state file: %s; fix or move "
		    "it away, do not delete it blindly: it lists the records "
		    "daneops published", path, je.line, je.text);
		state_free(s);
		return NULL;
	}
	if (state_from_json(s, root, e) < 0) {
		json_decref(root);
		state_free(s);
		return NULL;
	}
	json_decref(root);
	return s;
}

static json_t *
state_jstr(const char *v)
{
	return v != NULL ? json_string(v) : json_null();
}

int
state_save(const struct state *s, struct err *e)
{
	json_t *root = json_object(), *seen = json_object(), *pub = json_array();
	char *text;
	size_t i;
	int rc;

	json_object_set_new(root, "version", json_integer(STATE_VERSION));
	json_object_set_new(root, "current", state_jstr(s->current));
	json_object_set_new(root, "need_reload", json_boolean(s->need_reload));
	json_object_set_new(root, "verified", state_jstr(s->verified));
	json_object_set_new(root, "handed_off", json_boolean(s->handed_off));
	json_object_set_new(root, "rollover_requested",
	    json_integer(s->rollover_requested));
	json_object_set_new(root, "last_rollover", json_integer(s->last_rollover));
	json_object_set_new(root, "handoff", s->handoff.started == 0 ?
	    json_null() : json_pack("{s:I, s:s, s:s}", "started",
	    (json_int_t)s->handoff.started, "key_file", s->handoff.key_file,
	    "saved", s->handoff.saved));
	json_object_set_new(root, "failures", json_integer(s->failures));
	json_object_set_new(root, "next_attempt", json_integer(s->next_attempt));
	json_object_set_new(root, "last_error", state_jstr(s->last_error));
	for (i = 0; i < s->nseen; i++)
		json_object_set_new(seen, s->seen[i].key,
		    json_integer(s->seen[i].at));
	json_object_set_new(root, "seen", seen);
	for (i = 0; i < s->npublished; i++)
		json_array_append_new(pub, json_string(s->published[i]));
	json_object_set_new(root, "published", pub);
	text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(root);
	if (text == NULL)
		return err_set(e, ERR_SYSTEM, "%s: cannot encode state", s->path);
	rc = fileio_write_atomic(s->path, text, strlen(text), 0600, e);
	free(text);
	return rc;
}

void
state_free(struct state *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nseen; i++)
		free(s->seen[i].key);
	for (i = 0; i < s->npublished; i++)
		free(s->published[i]);
	free(s->current);
	free(s->verified);
	free(s->handoff.key_file);
	free(s->handoff.saved);
	free(s->last_error);
	free(s->path);
	free(s);
}

time_t
state_seen_at(const struct state *s, const char *key)
{
	size_t i;

	for (i = 0; key != NULL && i < s->nseen; i++)
		if (strcmp(s->seen[i].key, key) == 0)
			return s->seen[i].at;
	return 0;
}

/* at == 0 forgets the key; a full table drops the oldest entry. */
void
state_set_seen(struct state *s, const char *key, time_t at)
{
	size_t i;

	for (i = 0; i < s->nseen; i++)
		if (strcmp(s->seen[i].key, key) == 0)
			break;
	if (i < s->nseen && at == 0) {
		free(s->seen[i].key);
		memmove(&s->seen[i], &s->seen[i + 1],
		    (s->nseen - i - 1) * sizeof(s->seen[0]));
		s->nseen--;
		return;
	}
	if (at == 0)
		return;
	if (i == s->nseen) {
		if (s->nseen == STATE_MAX_SEEN) {
			free(s->seen[0].key);
			memmove(&s->seen[0], &s->seen[1],
			    (STATE_MAX_SEEN - 1) * sizeof(s->seen[0]));
			s->nseen--;
			i = s->nseen;
		}
		s->seen[i].key = xstrdup(key);
		s->nseen++;
	}
	s->seen[i].at = at;
}

int
state_published_has(const struct state *s, const char *rec)
{
	size_t i;

	for (i = 0; i < s->npublished; i++)
		if (strcmp(s->published[i], rec) == 0)
			return 1;
	return 0;
}

int
state_published_add(struct state *s, const char *rec, struct err *e)
{
	if (state_published_has(s, rec))
		return 0;
	if (s->npublished >= STATE_MAX_RECS)
		return err_set(e, ERR_INPUT, "%s: more than %d published records",
		    s->path, STATE_MAX_RECS);
	s->published[s->npublished++] = xstrdup(rec);
	return 0;
}

void
state_published_del(struct state *s, const char *rec)
{
	size_t i;

	for (i = 0; i < s->npublished; i++) {
		if (strcmp(s->published[i], rec) != 0)
			continue;
		free(s->published[i]);
		memmove(&s->published[i], &s->published[i + 1],
		    (s->npublished - i - 1) * sizeof(s->published[0]));
		s->npublished--;
		return;
	}
}
