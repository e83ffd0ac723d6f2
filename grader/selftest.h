/*
 * selftest.h - what `ipcgrade selftest` checks: every solution/ gets full
 * marks, and every faulty submission fails exactly the tests
 * faulty/EXPECTED names, for the reasons it names, with feedback that
 * mentions what EXPECTED says it must.
 *
 * faulty/EXPECTED is YAML: NAME: {mistake: TEXT, fails: {TEST: REASON},
 * message: TEXT}, REASON one of reasons.h's names.
 */
#ifndef IPCGRADE_SELFTEST_H
#define IPCGRADE_SELFTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "grade.h"

struct expected_fail {
	char *test;
	char *reason;
};

/* What must happen to one faulty submission. Owns its strings. */
struct expected {
	char *name;		/* faulty folder */
	char *mistake;
	struct expected_fail *fails;
	size_t nfails;
	char *message;		/* the feedback must mention it (any case) */
};

/* Load faulty/EXPECTED. Returns 0 with *out an array of *nout (the
 * caller frees it with selftest_free_expected), or -errno with every
 * problem printed to problems (PATH:LINE: message): -EINVAL for a file
 * with problems, and then *out holds the entries that could be read. */
int selftest_load_expected(const char *path, struct expected **out, size_t *nout, FILE *problems);
/* Free the n entries of e and e; accepts NULL. */
void selftest_free_expected(struct expected *e, size_t n);

/* What the student reads of rep, unwrapped (a phrase must not miss for
 * falling across a line break of the terminal report): the caller frees
 * it; NULL only when out of memory. */
char *selftest_feedback(const struct grade_report *rep);
/* Whether rep is what must happen: with exp NULL, rep is a solution's.
 * Each problem is an indented line printed to problems. */
bool selftest_compare(const struct grade_report *rep, const struct expected *exp, FILE *problems);

#endif
