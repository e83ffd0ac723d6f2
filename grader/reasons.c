/*
 * reasons.c - the vocabulary of failure (see reasons.h).
 */
#include <string.h>

#include "reasons.h"

static const char *const reason_names[REASON_COUNT] = {
	[REASON_BUILD] = "build", [REASON_TIMEOUT] = "timeout", [REASON_DEADLOCK] = "deadlock",
	[REASON_RUNTIME_ERROR] = "runtime_error", [REASON_MEMORY_LIMIT] = "memory_limit",
	[REASON_OUTPUT_LIMIT] = "output_limit", [REASON_FORBIDDEN_SYSCALL] = "forbidden_syscall",
	[REASON_INTERNAL] = "internal_error", [REASON_EXIT] = "exit", [REASON_STDOUT] = "stdout",
	[REASON_STDERR] = "stderr", [REASON_IPC] = "ipc", [REASON_SYMBOLS] = "symbols",
	[REASON_CLEANUP] = "cleanup", [REASON_FILES] = "files", [REASON_CHECKER] = "checker",
	[REASON_FDS] = "fds",
};

/*
 * The order reports list reasons in: by usefulness to the student. Our
 * own failure first (not theirs), then what pinpoints the mistake (a
 * build error, a deadlock explained, a crash, a forbidden call, IPC that
 * was required and missing or forbidden, functions), then what differs
 * from the expected result, and last the symptoms of a run that was
 * stopped (a timeout or a limit says little about why) and cleanup.
 */
static const enum reason report_order[REASON_COUNT] = {
	REASON_INTERNAL, REASON_BUILD, REASON_DEADLOCK, REASON_RUNTIME_ERROR,
	REASON_FORBIDDEN_SYSCALL, REASON_IPC, REASON_SYMBOLS, REASON_EXIT, REASON_STDOUT,
	REASON_STDERR, REASON_FILES, REASON_FDS, REASON_CHECKER, REASON_TIMEOUT, REASON_MEMORY_LIMIT,
	REASON_OUTPUT_LIMIT, REASON_CLEANUP,
};

const char *reason_name(enum reason r)
{
	return (unsigned)r < REASON_COUNT ? reason_names[r] : "?";
}

int reason_from_name(const char *name)
{
	for (int r = 0; r < REASON_COUNT; r++)
		if (strcmp(reason_names[r], name) == 0)
			return r;
	return -1;
}

enum reason reason_of_verdict(enum hx_verdict v)
{
	switch (v) {
	case HX_VERDICT_TIMEOUT: return REASON_TIMEOUT;
	case HX_VERDICT_DEADLOCK: return REASON_DEADLOCK;
	case HX_VERDICT_MEMORY_LIMIT: return REASON_MEMORY_LIMIT;
	case HX_VERDICT_OUTPUT_LIMIT: return REASON_OUTPUT_LIMIT;
	case HX_VERDICT_FORBIDDEN_SYSCALL: return REASON_FORBIDDEN_SYSCALL;
	case HX_VERDICT_INTERNAL_ERROR: return REASON_INTERNAL;
	default: return REASON_RUNTIME_ERROR;
	}
}

int reason_rank(enum reason r)
{
	for (int i = 0; i < REASON_COUNT; i++)
		if (report_order[i] == r)
			return i;
	return REASON_COUNT;
}

size_t reason_sorted(unsigned set, enum reason out[REASON_COUNT])
{
	size_t n = 0;

	for (size_t i = 0; i < REASON_COUNT; i++)
		if (set & REASON_BIT(report_order[i]))
			out[n++] = report_order[i];
	return n;
}

void reason_print(FILE *f, unsigned set, const char *prefix, const char *sep)
{
	enum reason r[REASON_COUNT];
	size_t n = reason_sorted(set, r);

	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? sep : prefix, reason_name(r[i]));
}
