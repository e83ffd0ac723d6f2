/*
 * grade.h - grading one submission against a spec: build it, run every
 * test (every run of it) in a fresh box, judge each run, add up points.
 */
#ifndef IPCGRADE_GRADE_H
#define IPCGRADE_GRADE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "build.h"
#include "harness.h"
#include "judge.h"
#include "spec.h"

/* One test: its runs and its score. Owns runs (grade_report_release). */
struct test_outcome {
	const struct test *test;
	struct run_outcome *runs;
	size_t nruns;
	unsigned wanted;	/* the runs asked for: the test's, 1 for a replay */
	size_t npassed;
	bool passed;
	double score;
	unsigned reasons;	/* union over failing runs (REASON_BIT) */
	int first_failed;	/* index of the first failing run, -1 */
	bool outputs_differ;	/* the runs disagree: a race */
	bool skipped;		/* not run (build failed) */
	/* a batch regrading the same sources under the same spec found
	 * the other verdict in its previous report (batch.c) */
	bool differs_from_before;
};

/* Flaky: some runs passed and others failed, or a regrade of the same
 * sources gave the other verdict. */
bool grade_test_flaky(const struct test_outcome *to);

/* Everything about one graded submission. Owns every pointer in it but
 * spec (grade_report_release). */
struct grade_report {
	const struct spec *spec;
	char *program;		/* what the tests run, e.g. "./prog" or "./barber" */
	char *student;
	char *submission;	/* path */
	struct build_result build;
	struct test_outcome *tests;
	size_t ntests;
	double score, max_score;
	unsigned long ms;
	enum hx_isolation isolation;
	char *problem;		/* a submission-level problem (missing file...) */
	char started[32];	/* ISO 8601 */
};

struct grade_opts {
	bool visible_only;
	enum hx_isolation isolation;
	bool require_isolation;
	const char *cache_dir;
	const volatile sig_atomic_t *cancel;
	/* A replay: only the test of this name (NULL: all), only its run
	 * number only_run (1-based; 0: all), with this jitter seed (0: the
	 * spec's, or a fresh one). */
	const char *only_test;
	unsigned only_run;
	uint64_t seed;
	/* Called as grading goes (each may be NULL), with progress_arg:
	 * after the build, before each test, after each run, after each
	 * test (to is complete then; check streams its lines from here). */
	void (*built)(void *arg, const struct grade_report *rep);
	void (*test_start)(void *arg, const struct test *t);
	void (*progress)(void *arg, const struct test *t, unsigned run, unsigned runs);
	void (*test_done)(void *arg, const struct grade_report *rep, const struct test_outcome *to);
	void *progress_arg;
};

/* Grade the submission in folder subdir. Returns 0 when it was graded
 * (whatever the score: a build failure is a result), or -errno when
 * ipcgrade itself failed: err says why, -ECANCELED when o->cancel was
 * set. Either way *rep must be released with grade_report_release. */
int grade_submission(const struct spec *s, const char *subdir, const struct grade_opts *o,
		     struct grade_report *rep, char *err, size_t errlen);
/* The jitter seed of run r (0-based) of t: a fixed seed S gives run r
 * the seed S + r (never 0, which picks a fresh one), no seed 0. */
uint64_t grade_run_seed(const struct test *t, unsigned r);
/* Free what *r owns; *r is left zeroed. Accepts a zeroed report. */
void grade_report_release(struct grade_report *r);

#endif
