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
/* o as indented ASCII JSON in insertion order, o's reference dropped.
 * The caller frees the text; NULL when o is NULL or out of memory. */
char *run_json_dump(json_t *o);

#endif
