/*
 * similarity.h - similarity between submissions, with Dick Grune's
 * similarity tester (sim_c), the assignment's starter code left out.
 *
 * Each student's sources, bundled into one file OUTDIR/STUDENT/
 * SIMILARITY_SOURCES, and the assignment's starter code in
 * OUTDIR/SIMILARITY_STARTER, are what sim_c compares; merge finds them
 * in the shards' folders.
 */
#ifndef IPCGRADE_SIMILARITY_H
#define IPCGRADE_SIMILARITY_H

#include <stdbool.h>
#include <stddef.h>

#include "spec.h"

#define SIMILARITY_SOURCES "sources.c"
#define SIMILARITY_STARTER ".starter.c"

/* What was graded, written by `grade` beside each student's reports:
 * SIMILARITY_SOURCES (the .c and .h files of the submission, a folder or
 * one .c file, in one file) and submission.json (their names, sizes and
 * modification times: the late penalty's "submitted at"). Returns 0 or
 * -1 with err. */
int similarity_snapshot(const char *submission, bool single_file, const char *studentdir,
			char *err, size_t errlen);
/* Bundle the spec's starter/ folder into OUTDIR/SIMILARITY_STARTER (no
 * file when there is none). Returns 0 or -1 with err. */
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

#endif
