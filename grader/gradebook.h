/*
 * gradebook.h - gradebook exports: Canvas's and Moodle's grade import
 * CSVs from a roster, and a late penalty from submission times.
 */
#ifndef IPCGRADE_GRADEBOOK_H
#define IPCGRADE_GRADEBOOK_H

#include <stddef.h>
#include <time.h>

struct gradebook_opts {
	const char *roster;		/* CSV: submission id -> LMS ids (see README) */
	const char *submission_times;	/* CSV: id,time (NULL: the files' mtimes) */
	time_t due;			/* 0: no late penalty */
	double penalty_per_day;		/* percent of the score per started day late */
	const char *assignment_column;	/* Canvas/Moodle column name (NULL: the assignment) */
};
/* Write OUTDIR's canvas.csv and moodle.csv (with a roster) and late.csv
 * (with a due date). Returns 0 or -1 with err. */
int gradebook_write(const char *outdir, const struct gradebook_opts *o, char *err, size_t errlen);
/* Whether the roster and the times file can be used (before grading).
 * Returns 0 or -1 with err. */
int gradebook_check(const struct gradebook_opts *o, char *err, size_t errlen);
/* YYYY-MM-DD[(T| )HH:MM[:SS]][Z]: local time, UTC with Z; a bare date is
 * its last second. Returns 0 or -EINVAL. */
int gradebook_parse_time(const char *s, time_t *out);

#endif
