/*
 * check_json - the documented JSON model of one check (docs/check-json.md).
 *
 * Built here, in the engine, so that check and a later survey print the
 * same schema; printing is the front end's business.  Bump
 * CHECK_JSON_SCHEMA on any incompatible change.
 *
 * Ownership: check_json returns a new reference the caller json_decref()s;
 * the result is borrowed.
 */
#ifndef DANEOPS_CHECK_JSON_H
#define DANEOPS_CHECK_JSON_H

#include <jansson.h>

#include "dane/check.h"

#define CHECK_JSON_SCHEMA "daneops-check/1"

json_t *check_json(const struct check_result *res);

#endif
