/*
 * reasons.h - the vocabulary of failure: why a run or a test failed.
 *
 * These names are a contract: they appear in report.json ("reasons"),
 * junit.xml, feedback, faulty/EXPECTED and the keys of a spec's hint
 * map. A set of reasons is a bit set (REASON_BIT); whoever lists one
 * lists it in the order reason_sorted gives (by usefulness), so that
 * every report says them alike.
 */
#ifndef IPCGRADE_REASONS_H
#define IPCGRADE_REASONS_H

#include <stddef.h>
#include <stdio.h>

#include "harness.h"

enum reason {
	REASON_BUILD = 0, REASON_TIMEOUT, REASON_DEADLOCK, REASON_RUNTIME_ERROR,
	REASON_MEMORY_LIMIT, REASON_OUTPUT_LIMIT, REASON_FORBIDDEN_SYSCALL, REASON_INTERNAL,
	REASON_EXIT, REASON_STDOUT, REASON_STDERR, REASON_IPC, REASON_SYMBOLS, REASON_CLEANUP,
	REASON_FILES, REASON_CHECKER, REASON_FDS, REASON_COUNT
};

#define REASON_BIT(r) (1u << (r))

/* "build", "timeout", ..., "internal_error", ...; "?" for no reason. */
const char *reason_name(enum reason r);
/* The reason of that name, or -1 when there is none. */
int reason_from_name(const char *name);
/* The reason a harness verdict other than ok is: a timeout is
 * REASON_TIMEOUT, ..., a crash REASON_RUNTIME_ERROR. */
enum reason reason_of_verdict(enum hx_verdict v);
/* Where r comes in the order reports list reasons in (0 first, by
 * usefulness to the student: what pinpoints the mistake before the
 * symptoms of a stopped run); REASON_COUNT for no reason. */
int reason_rank(enum reason r);
/* The reasons in set, in the order reports list them; returns how many. */
size_t reason_sorted(unsigned set, enum reason out[REASON_COUNT]);
/* Print the names of the reasons in set to f in that order: prefix
 * before the first, sep between two; nothing for an empty set. */
void reason_print(FILE *f, unsigned set, const char *prefix, const char *sep);

#endif
