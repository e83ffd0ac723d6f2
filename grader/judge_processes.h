/*
 * judge_processes.h - how the processes of a run ended: a crash in words a
 * student knows, the children a signal killed, and `expect.processes`.
 */
#ifndef IPCGRADE_JUDGE_PROCESSES_H
#define IPCGRADE_JUDGE_PROCESSES_H

#include <stdbool.h>
#include <stdio.h>

#include "harness.h"
#include "judge.h"
#include "judge_message.h"
#include "spec.h"

/* A crash by signal sig in words a student knows ("SIGSEGV (a
 * segmentation fault: an invalid memory access)"); detail (the harness's
 * words) for other signals. Static strings or detail itself. */
const char *judge_crash_words(int sig, const char *detail);
/* Sentences naming the box's child processes a signal killed (not the
 * grader's kill), one per signal, separated by sep: "2 child processes
 * were killed by SIGFPE (arithmetic error: division by zero?): pids 3
 * (calc), 4 (calc)". Nothing when none did. */
void judge_describe_crashes(FILE *f, const struct hx_result *res, const char *sep);
/* expect.processes against how every process ended: each failure as a
 * reason of ro and a line of m. Returns whether it told the children's
 * crashes (then they are not told again). */
bool judge_processes(const struct processes_expect *pe, const struct hx_result *res,
		     struct run_outcome *ro, struct judge_message *m);

#endif
