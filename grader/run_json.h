/*
 * run_json.h - one run (struct hx_result) as JSON: `ipcgrade run --json`,
 * each run in report.json, and a checker's trace.json. The keys are the
 * contract of DESIGN.md: added over time, never renamed.
 */
#ifndef IPCGRADE_RUN_JSON_H
#define IPCGRADE_RUN_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

/* `run --json`: the run with its events and the version, indented. The
 * caller frees it; NULL only when out of memory. */
char *run_json_text(const struct hx_result *res);
/* The run's object, for a caller that adds keys, with the first
 * max_events events of its trace (0: none; SIZE_MAX: all, else
 * "events_total" counts all); NULL only when out of memory. */
json_t *run_json_object(const struct hx_result *res, size_t max_events);
/* A JSON string of len bytes of any content (s may be NULL: ""), made
 * valid UTF-8; NULL only when out of memory. */
json_t *run_json_str(const char *s, size_t len);
/* A run's seed as JSON: a string of its decimal digits. Seeds are
 * unsigned 64-bit, and JSON readers keep integers exactly only up to
 * 2^53 (JavaScript, jq) or 2^63 (jansson, which refuses bigger ones), so
 * a number would not survive them. NULL only when out of memory. */
json_t *run_json_seed(uint64_t seed);
/* The seed of a run object (the string, or a positive number as older
 * reports have it); false when it has none. */
bool run_json_get_seed(json_t *run, uint64_t *seed);
/* o as indented ASCII JSON in insertion order, o's reference dropped.
 * The caller frees the text; NULL when o is NULL or out of memory. */
char *run_json_dump(json_t *o);

#endif
