/*
 * judge.h - judging one finished run of a test against its expect:
 * verdict, exit status, outputs, files, IPC, symbols, cleanup, checker.
 *
 * A run fails for reasons (reasons.h): its verdict (timeout, deadlock,
 * ...), a wrong exit status, an output that does not match, missing or
 * forbidden IPC calls or symbols, what it left behind, or the checker's
 * verdict. Each reason comes with a line of the message for students.
 * A run the harness stopped (a timeout, a deadlock, a limit) is still
 * judged on what it did before the stop (IPC, symbols, denied calls);
 * its outputs are not compared (they are cut short) but their last
 * lines are kept, and what it left behind is no cleanup failure (the
 * grader killed it before it could clean up).
 */
#ifndef IPCGRADE_JUDGE_H
#define IPCGRADE_JUDGE_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "harness.h"
#include "spec.h"

/* Of a run that was stopped: the last lines of its stdout, of its
 * stderr, or of a file it was to write (at most JUDGE_TAIL_LINES lines
 * and JUDGE_TAIL_BYTES bytes, sanitized). */
#define JUDGE_TAIL_LINES 10
#define JUDGE_TAIL_BYTES 2048
/* The most of a file the program left that is read, to be matched or
 * kept as a tail. */
#define JUDGE_FILE_MAX ((size_t)64 << 20)
struct run_tail {
	char *label;		/* "stdout before the run was stopped (2 lines)" */
	char *text;		/* the lines, each ending with a newline; "" for none */
};

/* One run and what was judged of it. Owns res and the strings
 * (judge_release). */
struct run_outcome {
	struct hx_result res;
	bool passed;
	unsigned reasons;	/* a set of enum reason (REASON_BIT) */
	/* What went wrong, for students: one line a reason, in the order
	 * reasons are listed (reason_sorted), then notes that are no reason
	 * (what a stopped run left behind). */
	char *message;
	char *diff;		/* output diff, when output differs */
	double fraction;	/* of the points: 1 passed, 0 failed, or a checker's partial score */
	char *checker_output;	/* what the checker said, when there is one */
	unsigned run;		/* its number among the test's runs, 1-based */
	bool stopped;		/* the harness stopped it: timeout, deadlock, a limit */
	struct run_tail *tails;	/* a stopped run: what it had printed and written */
	size_t ntails;
	/* res is another outcome's (a check of the same run): not freed */
	bool res_borrowed;
};

/* What a run is judged against, and how to run its checker. */
struct judge_ctx {
	const struct spec *spec;
	const struct test *test;
	const char *rundir;		/* the run's folder, still holding its files */
	const char *symbols_msg;	/* why the binary's symbols fail the test, or NULL */
	enum hx_isolation isolation;	/* for the checker's box */
	const volatile sig_atomic_t *cancel;
};

/* Judge ro->res (a run that hx_run finished) and fill the rest of *ro.
 * Can't fail: ipcgrade's own failures (a checker that cannot run) are
 * recorded as REASON_INTERNAL in ro, with their message. */
void judge_run(const struct judge_ctx *c, struct run_outcome *ro);
/* Free what *ro owns; *ro is left zeroed. Accepts a zeroed outcome. */
void judge_release(struct run_outcome *ro);

#endif
