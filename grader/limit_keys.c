/*
 * limit_keys.c - the limits a spec and `run` may set (see limit_keys.h).
 */
#include "limit_keys.h"

const struct limit_range limit_keys[LIMIT_COUNT] = {
	[LIMIT_WALL] = { "wall_ms", 1, 600000, 3600000 },
	[LIMIT_CPU] = { "cpu_ms", 1, 600000, 3600000 },
	[LIMIT_MEMORY] = { "memory_mb", 4, 65536, 65536 },
	[LIMIT_PROCESSES] = { "processes", 1, 4096, 4096 },
	[LIMIT_OUTPUT] = { "output_kb", 1, 1u << 20, 1u << 20 },
	[LIMIT_DEADLOCK] = { "deadlock_after_ms", 50, 60000, 600000 },
};

unsigned *limit_field(struct hx_limits *l, enum limit_id id)
{
	switch (id) {
	case LIMIT_WALL: return &l->wall_ms;
	case LIMIT_CPU: return &l->cpu_ms;
	case LIMIT_MEMORY: return &l->memory_mb;
	case LIMIT_PROCESSES: return &l->processes;
	case LIMIT_OUTPUT: return &l->output_kb;
	case LIMIT_DEADLOCK: return &l->deadlock_after_ms;
	case LIMIT_COUNT: break;
	}
	return &l->wall_ms;
}
