/*
 * reports.h - batch grading: per-student report files, the summary of a
 * batch, and the `grade` and `merge` commands' building blocks.
 */
#ifndef IPCGRADE_REPORTS_H
#define IPCGRADE_REPORTS_H

#include "grader.h"

/* Per-student files, each a malloc'd string (NULL when out of memory). */
char *report_gradescope(const struct grade_report *r);	/* results.json */
char *report_junit(const struct grade_report *r);	/* junit.xml */
char *report_feedback(const struct grade_report *r);	/* feedback.md */
/* report.json, with "complete" set (a resumed batch skips complete ones). */
char *report_full_json(const struct grade_report *r, bool complete);

/* The summary of a batch, rebuilt from OUTDIR/STUDENT/report.json files:
 * summary.csv (RFC 4180), summary.json, and the terminal summary. */
int summary_write(const char *outdir, FILE *terminal, char *err, size_t errlen);

/* One submission of a batch. */
struct submission {
	char *id;		/* the student, safe as a folder name */
	char *path;		/* a folder, or a single .c file */
	bool single_file;
};
/* Find the submissions named by paths (see README: the naming rules);
 * 0, or -1 with a message (ambiguous ids, nothing found). */
int submissions_find(const struct spec *s, const char *const *paths, size_t n,
		     struct submission **out, size_t *nout, char *err, size_t errlen);
void submissions_free(struct submission *v, size_t n);
/* Whether a student belongs to shard k of n (1-based), by a stable hash. */
bool shard_has(const char *id, unsigned k, unsigned n);

#endif
