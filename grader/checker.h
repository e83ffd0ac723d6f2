/*
 * checker.h - running an instructor's checker on a finished run.
 *
 * A checker is a program of the spec's folder (see SPEC.md) that judges
 * what a run did. It runs in a box of its own whose working folder holds
 * stdin, stdout, stderr, trace.json and files/ (the files the
 * program left); IPCGRADE_* environment variables point there. It says
 * its verdict by its exit status, and may print "score: X" (0..1) for
 * partial credit; the rest of what it prints is feedback for students.
 */
#ifndef IPCGRADE_CHECKER_H
#define IPCGRADE_CHECKER_H

#include <signal.h>
#include <stddef.h>

#include "harness.h"

/* Exit statuses of a checker: the Kattis/DOMjudge output-validator
 * convention. 0 also accepts and 1 also rejects (plain scripts); any
 * other status, or a signal, means the checker itself failed. */
enum checker_exit {
	CHECKER_EXIT_ACCEPTED = 42,
	CHECKER_EXIT_REJECTED = 43,
};

/* A checker as the spec describes it. Owns argv (checker_release). */
/* What a checker does with a run the harness stopped (timeout, deadlock,
 * a limit): on_stopped false, true or partial in the spec. */
enum checker_on_stopped {
	CHECKER_STOPPED_SKIP = 0,	/* it does not run */
	CHECKER_STOPPED_FEEDBACK,	/* it runs; its feedback is shown, the run earns nothing */
	CHECKER_STOPPED_PARTIAL,	/* ... and its score is the run's */
};

struct checker {
	char **argv;		/* a string vector; paths inside the spec's folder made absolute */
	unsigned timeout_ms;	/* its wall and CPU time limit */
	enum checker_on_stopped on_stopped;
};
/* Free what *c owns; *c is left zeroed. Accepts a zeroed checker. */
void checker_release(struct checker *c);

/* What the checker judges: one run of a test (IPCGRADE_VERDICT says
 * whether it finished). Nothing here is
 * owned: it must outlive checker_run. */
struct checker_input {
	const char *test_name;
	char *const *args;		/* the test's arguments */
	size_t nargs;
	const char *stdin_data;		/* NULL: empty */
	size_t stdin_len;
	const char *spec_dir;		/* visible read-only to the checker */
	const char *rundir;		/* the run's folder: the program's files */
	const struct hx_result *res;	/* the run */
	enum hx_isolation isolation;	/* asked for; the checker gets full when the run had it */
	const volatile sig_atomic_t *cancel;
};

enum checker_outcome {
	CHECKER_ACCEPTED,	/* full marks */
	CHECKER_PARTIAL,	/* accepted with a score below 1 */
	CHECKER_REJECTED,	/* the run is wrong */
	CHECKER_BROKEN,		/* the checker itself failed: the instructor's problem */
};

/* Owns output and message (checker_verdict_release). */
struct checker_verdict {
	enum checker_outcome outcome;
	double fraction;	/* of the test's points this run earns */
	char *output;		/* what the checker printed, sanitized; NULL when out of memory */
	char *message;		/* for students; NULL when accepted (and when out of memory) */
};

/* Run c on the run in in (its box's folder is made next to in->rundir
 * and removed again). Returns 0 with *v filled, or -errno when the
 * checker could not be prepared or started: err then says why, for
 * students ("the checker could not run: ...") and *v is zeroed. */
int checker_run(const struct checker *c, const struct checker_input *in, struct checker_verdict *v,
		char *err, size_t errlen);
/* Free what *v owns; *v is left zeroed. Accepts a zeroed verdict. */
void checker_verdict_release(struct checker_verdict *v);

#endif
