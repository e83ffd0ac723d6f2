/*
 * report_test.c - what a student reads about one test, shared by
 * results.json, junit.xml and feedback.md (see report.h).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reasons.h"
#include "report.h"

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
		fputs("passed", f);
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
			for (size_t k = 0; ro && k < ro->ntails; k++) {
				fprintf(f, "\n%s%s\n", ro->tails[k].label, *ro->tails[k].text ? ":" : "");
				for (const char *l = ro->tails[k].text; *l; ) {
					size_t n = strcspn(l, "\n");

					fprintf(f, "    %.*s\n", (int)n, l);
					l += n + (l[n] == '\n');
				}
			}
			if (ro && ro->res.jitter_max_us && t->runs > 1) {
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
