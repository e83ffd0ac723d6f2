/*
 * class_report.h - everything a batch writes beside its summary, for the
 * instructor: similarity.csv/.json, the gradebook exports and index.html
 * (the class report). Called by `grade` and `merge` after summary_write.
 */
#ifndef IPCGRADE_CLASS_REPORT_H
#define IPCGRADE_CLASS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "gradebook.h"
#include "similarity.h"
#include "spec.h"
#include "submissions.h"

struct class_report_opts {
	bool no_similarity;
	struct similarity_opts similarity;
	struct gradebook_opts gradebook;
};
/* Similarity (unless no_similarity), the gradebook exports (with a
 * roster or a due date) and index.html, in outdir. Says what it wrote,
 * or why not, on msgs. Returns 0 or -1. */
int class_report_write(const char *outdir, const struct class_report_opts *o, FILE *msgs);
/* `grade`: what was graded, for similarity and the late penalty
 * (similarity_snapshot for subs[which[0..n)]; the starter bundle).
 * Returns 0 or -1 with err. */
int class_snapshots_write(const struct spec *s, const char *outdir, const struct submission *subs,
			  const size_t *which, size_t n, char *err, size_t errlen);

#endif
