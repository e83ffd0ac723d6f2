/*
 * report_feedback.c - feedback.md, what the student reads: the score,
 * the build's problems, a table of tests, and each failure with what
 * went wrong (hidden tests: their result only).
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assignments.h"
#include "report.h"
#include "text.h"

/* A Markdown code fence longer than any run of backticks in text, so
 * that program output can never close it early. */
static void fenced(FILE *f, const char *text)
{
	int longest = 0, run = 0;

	for (const char *p = text ? text : ""; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	int n = longest >= 3 ? longest + 1 : 3;

	fprintf(f, "%.*s\n%s\n%.*s\n\n", n, "````````````````````````````````", text ? text : "", n,
		"````````````````````````````````");
}

char *report_feedback(const struct grade_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	double hidden_score = 0, hidden_max = 0;
	size_t hidden = 0, hidden_passed = 0;

	if (!f)
		return NULL;
	fprintf(f, "# %s: %s\n\n", r->spec->assignment, r->spec->title);
	fprintf(f, "**Score: %.4g / %.4g**\n\n", r->score, r->max_score);
	if (r->problem)
		fprintf(f, "%s\n\n", r->problem);
	if (!r->build.ok) {
		fprintf(f, "## Your program did not build\n\n%s\n\n", r->build.problem ? r->build.problem : "");
		fenced(f, r->build.log);
	} else if (r->build.log && strstr(r->build.log, "warning:")) {
		fprintf(f, "The compiler warns (warnings often point at real bugs):\n\n");
		fenced(f, r->build.log);
	}
	fprintf(f, "| test | result | points |\n|---|---|---|\n");
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_outcome *to = &r->tests[i];
		char *name = text_sanitize(to->test->name, strlen(to->test->name));

		fprintf(f, "| %s%s | %s | %.4g / %.4g |\n", name ? name : "",
			to->test->visibility == VIS_VISIBLE ? "" : " (hidden)",
			to->passed ? "passed" : "**failed**", to->score, to->test->points);
		free(name);
		if (to->test->visibility != VIS_VISIBLE) {
			hidden++;
			hidden_passed += to->passed;
			hidden_score += to->score;
			hidden_max += to->test->points;
		}
	}
	fprintf(f, "\n");
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_outcome *to = &r->tests[i];

		if (to->passed || to->skipped)
			continue;
		bool visible = to->test->visibility == VIS_VISIBLE;
		char *text = report_test_text(r, to, visible);

		fprintf(f, "## %s%s\n\n", to->test->name, visible ? "" : " (hidden test)");
		if (to->test->nargs && visible) {
			fprintf(f, "Arguments:");
			for (size_t a = 0; a < to->test->nargs; a++)
				fprintf(f, " `%s`", to->test->args[a]);
			fprintf(f, "\n\n");
		}
		fenced(f, text);
		free(text);
	}
	if (hidden)
		fprintf(f, "Hidden tests: %zu of %zu passed (%.4g / %.4g points). Their details stay "
			"hidden; the visible tests and the handout say what is checked.\n\n",
			hidden_passed, hidden, hidden_score, hidden_max);
	fprintf(f, "_Graded by ipcgrade %s (%s isolation) on %s. ", hx_version(),
		hx_isolation_name(r->isolation), r->started);
	/* Only a bundled assignment is found by its name; for another, the
	 * students have the copy their instructor exported. */
	if (assignment_is_bundled(r->spec->assignment, r->spec->path))
		fprintf(f, "Check your work any time with `ipcgrade check %s .`_\n", r->spec->assignment);
	else
		fprintf(f, "Check your work against the visible tests with `ipcgrade check --spec "
			"SPEC .`, SPEC being the spec.yaml of the assignment's student copy from your "
			"instructor (`ipcgrade export`)._\n");
	fclose(f);
	return buf;
}
