/*
 * report.h - a graded submission as files: report.json (everything),
 * results.json (Gradescope), junit.xml (CI), feedback.md (the student).
 *
 * Every text is valid in its format whatever bytes a program printed
 * (text_sanitize first, then the format's escaping). Hidden tests keep
 * their visibility in results.json; elsewhere students see them by
 * name, result and reason only, never the expected output. Each
 * function returns a malloc'd string the caller frees, NULL only when
 * out of memory.
 */
#ifndef IPCGRADE_REPORT_H
#define IPCGRADE_REPORT_H

#include <jansson.h>
#include <stdbool.h>

#include "grade.h"
#include "harness.h"

/* The files of one student, in OUTDIR/STUDENT (batch.c writes them,
 * report.json last: its presence marks the student as done). */
#define REPORT_FILE_GRADESCOPE "results.json"
#define REPORT_FILE_JUNIT "junit.xml"
#define REPORT_FILE_FEEDBACK "feedback.md"
#define REPORT_FILE_FULL "report.json"

char *report_gradescope(const struct grade_report *r);	/* results.json */
char *report_junit(const struct grade_report *r);	/* junit.xml */
char *report_feedback(const struct grade_report *r);	/* feedback.md */
/* Events kept per run in report.json (the first ones; "events_total"
 * counts all): enough to draw a run, bounded for a class of hundreds. */
#define REPORT_MAX_EVENTS 200

/* report.json, with "complete" set (a resumed batch skips complete ones;
 * the keys: DESIGN.md). */
char *report_json_full(const struct grade_report *r, bool complete);
/* The same without "complete": `check --json`. */
char *report_json_grade(const struct grade_report *r);

/* Shared by the formats. */
/* A JSON string of s (NULL: ""), sanitized; NULL only when out of memory. */
json_t *report_json_text(const char *s);
/* What a student reads about one test of r: passed, or the failure
 * (with details: the message, the diff, what a stopped run printed, the
 * command that replays the failed run, the hint; without: the reasons
 * only). */
char *report_test_text(const struct grade_report *r, const struct test_outcome *to, bool details);
/* The hint for a test that failed for reasons: the spec's hint for the
 * first of them (in report order) that has one, else its default hint;
 * NULL for none. */
const char *report_hint(const struct test *t, unsigned reasons);
/* The command that replays the first failed run of to, run from the
 * student's folder: `ipcgrade check ASSIGNMENT` (or --spec with the
 * spec's absolute path) `--test NAME`, with `--run K` for a test of
 * several runs and `--seed S` for a jittered one. It rebuilds and runs
 * exactly that run with the test's limits, CPUs, flags and jitter.
 * malloc'd; NULL when no run failed or out of memory. */
char *report_replay(const struct grade_report *r, const struct test_outcome *to);
/* What a passed test of several runs rules out: "20 runs, none failed: a
 * race that shows in 14% of runs would have been caught with 95%
 * probability" (no newline) to f; nothing for a single run. */
void report_test_confidence(FILE *f, const struct test_outcome *to);
/* The smallest per-run failure rate that n passing runs would have shown
 * with probability 0.95: 1 - 0.05^(1/n), as a whole percent rounded up. */
unsigned report_rate_ruled_out(size_t n);

#endif
