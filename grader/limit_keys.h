/*
 * limit_keys.h - the limits a spec (limits:) and `ipcgrade run --LIMIT` may
 * set, and the range of each. Their defaults are the harness's
 * (hx_limits_fill_defaults).
 */
#ifndef IPCGRADE_LIMIT_KEYS_H
#define IPCGRADE_LIMIT_KEYS_H

#include "harness.h"

enum limit_id {
	LIMIT_WALL, LIMIT_CPU, LIMIT_MEMORY, LIMIT_PROCESSES, LIMIT_OUTPUT, LIMIT_DEADLOCK,
	LIMIT_COUNT
};

struct limit_range {
	const char *key;	/* in a spec: "wall_ms", ... */
	unsigned min;
	unsigned spec_max;	/* a spec's limit (a test of a class) */
	unsigned run_max;	/* `run`'s (one program, by hand) */
};

/* In enum limit_id order, which is the order a spec's keys are checked. */
extern const struct limit_range limit_keys[LIMIT_COUNT];
/* The field of l that id names. */
unsigned *limit_field(struct hx_limits *l, enum limit_id id);

#endif
