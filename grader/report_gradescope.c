/*
 * report_gradescope.c - results.json in Gradescope's autograder format:
 * the score, a summary, and one entry a test with its visibility.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static const char *gradescope_visibility(enum visibility v)
{
	/* Gradescope: hidden, after_due_date, after_published, visible. */
	switch (v) {
	case VIS_HIDDEN: return "hidden";
	case VIS_AFTER_DUE_DATE: return "after_due_date";
	case VIS_VISIBLE: break;
	}
	return "visible";
}

char *report_gradescope(const struct grade_report *r)
{
	json_t *o = json_object(), *tests = json_array();
	char *summary = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&summary, &len);

	if (f) {
		fprintf(f, "%s: %.4g / %.4g (graded by ipcgrade %s, %s isolation)\n", r->spec->assignment,
			r->score, r->max_score, hx_version(), hx_isolation_name(r->isolation));
		if (r->problem)
			fprintf(f, "\n%s\n", r->problem);
		if (!r->build.ok)
			fprintf(f, "\nThe program did not build: %s\n\n%s\n",
				r->build.problem ? r->build.problem : "", r->build.log ? r->build.log : "");
		fclose(f);
	}
	json_object_set_new(o, "score", json_real(r->score));
	json_object_set_new(o, "execution_time", json_integer((json_int_t)((r->ms + 999) / 1000)));
	json_object_set_new(o, "output", report_json_text(summary));
	json_object_set_new(o, "output_format", json_string("text"));
	json_object_set_new(o, "visibility", json_string("visible"));
	free(summary);
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_outcome *to = &r->tests[i];
		char *text = report_test_text(r, to, true);
		char num[16];

		snprintf(num, sizeof(num), "%zu", i + 1);
		json_array_append_new(tests, json_pack("{s:o, s:s, s:f, s:f, s:s, s:o, s:s}",
			"name", report_json_text(to->test->name), "number", num,
			"score", to->score, "max_score", to->test->points,
			"status", to->passed ? "passed" : "failed",
			"output", report_json_text(text),
			"visibility", gradescope_visibility(to->test->visibility)));
		free(text);
	}
	json_object_set_new(o, "tests", tests);
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	json_decref(o);
	return s;
}
