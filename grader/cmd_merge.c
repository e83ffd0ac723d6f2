/*
 * cmd_merge.c - `ipcgrade merge OUTDIR... -o FINAL`: the output folders
 * of sharded `grade` runs combined into one, and its summary (merge.c
 * checks and copies).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "class_report.h"
#include "commands.h"
#include "fs.h"
#include "gradebook.h"
#include "merge.h"
#include "summary.h"

/* The class report of the merged folder, with the options given to
 * merge; the starter bundle comes from the first shard that has one. */
static int merge_class_report(const char *const *dirs, size_t n, const char *final,
			      const struct class_args *a)
{
	struct class_report_opts o;
	char *starter = NULL;

	class_args_to_opts(a, &o);
	for (size_t i = 0; i < n && !starter; i++) {
		char *p = fs_path_join(dirs[i], SIMILARITY_STARTER);

		if (p && access(p, R_OK) == 0)
			starter = p;
		else
			free(p);
	}
	o.similarity.starter = starter;
	int rc = class_report_write(final, &o, stdout);

	free(starter);
	return rc;
}

int cmd_merge(const char *const *dirs, size_t n, const char *final, const struct class_args *a)
{
	char err[512] = "";
	size_t students = 0;
	int rc;

	{
		struct gradebook_opts g = { .roster = a->roster, .submission_times = a->submission_times };

		if (gradebook_check(&g, err, sizeof(err)) < 0) {
			fprintf(stderr, "ipcgrade: %s\n", err);
			return EXIT_USAGE;
		}
	}
	if (merge_check_shards(dirs, n, err, sizeof(err)) < 0) {
		fprintf(stderr, "ipcgrade: %s\n", err);
		return EXIT_USAGE;
	}
	rc = fs_mkdir_p(final);
	if (rc < 0) {
		fprintf(stderr, "ipcgrade: cannot create '%s': %s\n", final, strerror(-rc));
		return EXIT_INTERNAL;
	}
	rc = merge_students(dirs, n, final, &students, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "ipcgrade: %s\n", err);
		return rc == -EINVAL ? EXIT_USAGE : EXIT_INTERNAL;
	}
	fprintf(stderr, "merged %zu students from %zu folders into %s\n", students, n, final);
	rc = EXIT_OK;
	if (summary_write(final, stdout, err, sizeof(err)) < 0) {
		fprintf(stderr, "ipcgrade: %s\n", err);
		rc = EXIT_INTERNAL;
	}
	if (merge_class_report(dirs, n, final, a) < 0)
		rc = EXIT_INTERNAL;
	return rc;
}
