/*
 * report.c - a student's report files (see report.h): which files, how
 * they are written, and the text about one test that the formats share.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "reasons.h"
#include "report.h"

int report_write_files(const char *dir, const struct grade_report *r, bool complete)
{
	struct {
		const char *name;
		char *text;
	} files[] = {
		{ REPORT_FILE_GRADESCOPE, report_gradescope(r) },
		{ REPORT_FILE_JUNIT, report_junit(r) },
		{ REPORT_FILE_FEEDBACK, report_feedback(r) },
		/* Last: its presence marks the student as done. */
		{ REPORT_FILE_FULL, report_json_full(r, complete) },
	};
	int rc = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		int wrc = files[i].text ? file_write_in(dir, files[i].name, files[i].text,
							strlen(files[i].text)) : -ENOMEM;

		if (wrc < 0 && rc == 0)
			rc = wrc;
		free(files[i].text);
	}
	return rc;
}

/* What a student reads about one test: the failure, the diff, the hint. */
char *report_test_text(const struct test_outcome *to, bool details, const char *program)
{
	const struct test *t = to->test;
	const struct run_outcome *ro = to->first_failed >= 0 ? &to->runs[to->first_failed] : NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (to->passed) {
		fprintf(f, "passed%s", t->runs > 1 ? "" : "");
		if (t->runs > 1)
			fprintf(f, " (%u of %u runs)", t->runs, t->runs);
	} else if (to->skipped) {
		fprintf(f, "not run: the program did not build");
	} else {
		if (t->runs > 1) {
			fprintf(f, "%zu of %u runs passed", to->npassed, t->runs);
			if (to->outputs_differ && to->npassed)
				fprintf(f, "; the output differs between runs, which points to a race");
			fprintf(f, "\n");
		}
		if (!details) {
			fprintf(f, "failed (");
			reason_print(f, to->reasons, "", ", ");
			fprintf(f, ")");
		} else {
			if (ro && ro->message)
				fprintf(f, "%s\n", ro->message);
			if (ro && ro->diff)
				fprintf(f, "\n%s", ro->diff);
			if (ro && ro->res.jitter_max_us && t->runs > 1)
			{
				fprintf(f, "\nreplay: ipcgrade run --trace --jitter %u --seed %llu -- %s",
					ro->res.jitter_max_us, (unsigned long long)ro->res.seed,
					program ? program : "./prog");
				for (size_t a = 0; a < t->nargs; a++)
					fprintf(f, " %s", t->args[a]);
				fprintf(f, "\n");
			}
			if (t->hint)
				fprintf(f, "\nhint: %s\n", t->hint);
		}
	}
	fclose(f);
	return buf;
}
