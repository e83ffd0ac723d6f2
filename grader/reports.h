/*
 * reports.h - batch grading: per-student report files, the summary of a
 * batch, and the `grade` and `merge` commands' building blocks.
 */
#ifndef IPCGRADE_REPORTS_H
#define IPCGRADE_REPORTS_H

#include <time.h>

#include "grader.h"

/* Per-student files, each a malloc'd string (NULL when out of memory). */
char *report_gradescope(const struct grade_report *r);	/* results.json */
char *report_junit(const struct grade_report *r);	/* junit.xml */
char *report_feedback(const struct grade_report *r);	/* feedback.md */
/* Events kept per run in report.json (the first ones; "events_total"
 * counts all): enough to draw a run, bounded for a class of hundreds. */
#define REPORT_MAX_EVENTS 200

/* report.json, with "complete" set (a resumed batch skips complete ones). */
char *report_json_full(const struct grade_report *r, bool complete);

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
int sub_find(const struct spec *s, const char *const *paths, size_t n,
		     struct submission **out, size_t *nout, char *err, size_t errlen);
void sub_free(struct submission *v, size_t n);
/* Whether a student belongs to shard k of n (1-based), by a stable hash. */
bool sub_shard_has(const char *id, unsigned k, unsigned n);

/* ---- CSV (csv.c): RFC 4180 ----------------------------------------------------- */

/* One field, quoted where needed; formula-looking fields get a quote. */
void csv_field(FILE *f, const char *s);
struct csv {
	char ***rows;		/* rows[r] is a NULL-terminated list of ncols[r] fields */
	size_t *ncols;
	size_t nrows;
};
/* Parse a whole file's text; 0, or -1 with "LINE: ..." in err. */
int csv_parse(const char *text, struct csv *out, char *err, size_t errlen);
void csv_free(struct csv *c);

/* ---- the instructor's view of a class ---------------------------------------- */

/* OUTDIR/index.html from OUTDIR/STUDENT/report.json (and similarity.json):
 * one self-contained page (report_html.c). 0, or -1 with a message. */
int report_html_write(const char *outdir, char *err, size_t errlen);

/* Similarity (similarity.c). Each student's sources, bundled into one
 * file OUTDIR/STUDENT/SIMILARITY_SOURCES, and the assignment's starter
 * code into OUTDIR/SIMILARITY_STARTER, are what sim_c compares; merge
 * finds them in the shards' folders. */
#define SIMILARITY_SOURCES "sources.c"
#define SIMILARITY_STARTER ".starter.c"
/* What was graded, written by `grade` beside each student's reports:
 * SIMILARITY_SOURCES (the .c and .h files of the submission, a folder or
 * one .c file, in one file) and submission.json (their names, sizes and
 * modification times: the late penalty's "submitted at"). */
int similarity_snapshot(const char *submission, bool single_file, const char *studentdir,
			char *err, size_t errlen);
/* Bundle the spec's starter/ folder into OUTDIR/SIMILARITY_STARTER (no
 * file when there is none). */
int similarity_bundle_starter(const struct spec *s, const char *outdir, char *err, size_t errlen);
struct similarity_opts {
	double threshold;	/* percent; pairs at or above it are listed */
	unsigned min_run;	/* sim_c -r: tokens in the shortest run counted */
	const char *sim_c;	/* the program (NULL: "sim_c" on PATH; grade and merge
				 * take $IPCGRADE_SIM_C) */
	const char *starter;	/* a starter bundle (NULL: OUTDIR/SIMILARITY_STARTER) */
};
/* Compare every student of outdir with sim_c; write similarity.csv and
 * similarity.json. Returns 0, 1 when sim_c is missing (both files then
 * say so), or -1 with a message. Prints nothing. */
int similarity_run(const char *outdir, const struct similarity_opts *o, char *err, size_t errlen);

/* Gradebook exports (gradebook.c). */
struct gradebook_opts {
	const char *roster;		/* CSV: submission id -> LMS ids (see README) */
	const char *submission_times;	/* CSV: id,time (NULL: the files' mtimes) */
	time_t due;			/* 0: no late penalty */
	double penalty_per_day;		/* percent of the score per started day late */
	const char *assignment_column;	/* Canvas/Moodle column name (NULL: the assignment) */
};
int gradebook_write(const char *outdir, const struct gradebook_opts *o, char *err, size_t errlen);
/* Whether the roster and the times file can be used (before grading). */
int gradebook_check(const struct gradebook_opts *o, char *err, size_t errlen);
/* YYYY-MM-DD[(T| )HH:MM[:SS]][Z]: local time, UTC with Z; a bare date is
 * its last second. 0 or -1. */
int gradebook_parse_time(const char *s, time_t *out);

/* Everything a batch writes beside the summary (class_report.c), called
 * by `grade` and `merge` after summary_write: similarity.csv/.json
 * (unless no_similarity), the gradebook exports (with a roster or a due
 * date) and index.html. Says what it wrote, or why not, on msgs. */
struct class_report_opts {
	bool no_similarity;
	struct similarity_opts similarity;
	struct gradebook_opts gradebook;
};
int class_report_write(const char *outdir, const struct class_report_opts *o, FILE *msgs);
/* `grade`: what was graded, for similarity and the late penalty
 * (similarity_snapshot for each of subs; the starter bundle). */
int class_snapshots_write(const struct spec *s, const char *outdir, const struct submission *subs,
			  const size_t *which, size_t n, char *err, size_t errlen);

#endif
