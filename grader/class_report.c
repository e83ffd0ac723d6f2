/*
 * class_report.c - what `grade` and `merge` write about the class as a
 * whole, beside summary.csv: similarity, gradebook exports, index.html.
 *
 * All of it is computed from the output folder (the students' reports
 * and the snapshots `grade` took of their sources), never from the
 * submissions themselves, so merged shards get the same files as one
 * unsharded batch.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "class_report.h"
#include "fs.h"
#include "report_html.h"
#include "str.h"
#include "term.h"

int class_snapshots_write(const struct spec *s, const char *outdir, const struct submission *subs,
			  const size_t *which, size_t n, char *err, size_t errlen)
{
	if (similarity_bundle_starter(s, outdir, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct submission *sub = &subs[which[i]];
		char *dir = fs_path_join(outdir, sub->id);
		int rc = dir ? similarity_snapshot(sub->path, sub->single_file, dir, err, errlen) : -1;

		free(dir);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int class_report_write(const char *outdir, const struct class_report_opts *o, FILE *msgs)
{
	char err[1024] = "";
	int rc = 0;

	if (!o->no_similarity) {
		uint64_t t0 = term_now_ms();
		int s = similarity_run(outdir, &o->similarity, err, sizeof(err));

		if (s < 0) {
			fprintf(msgs, "similarity: %s\n", err);
			rc = -1;
		} else if (s == 1) {
			fprintf(msgs, "similarity: not checked: sim_c is not installed (Debian package "
				"similarity-tester; --no-similarity silences this)\n");
		} else {
			fprintf(msgs, "similarity: %s/similarity.csv (%.1f s)\n", outdir,
				(double)(term_now_ms() - t0) / 1000.0);
		}
	}
	if (o->gradebook.roster || o->gradebook.due) {
		if (gradebook_write(outdir, &o->gradebook, err, sizeof(err)) < 0) {
			fprintf(msgs, "gradebook: %s\n", err);
			rc = -1;
		} else {
			fprintf(msgs, "gradebook:%s%s\n", o->gradebook.roster ? " canvas.csv, moodle.csv" : "",
				o->gradebook.due ? " late.csv" : "");
		}
	}
	uint64_t t0 = term_now_ms();

	if (report_html_write(outdir, err, sizeof(err)) < 0) {
		fprintf(msgs, "report: %s\n", err);
		rc = -1;
	} else {
		char *path = fs_path_join(outdir, "index.html");
		struct stat st;

		fprintf(msgs, "report: %s (%lld KB, %.2f s)\n", path ? path : "index.html",
			path && stat(path, &st) == 0 ? (long long)st.st_size / 1024 : 0LL,
			(double)(term_now_ms() - t0) / 1000.0);
		free(path);
	}
	return rc;
}
