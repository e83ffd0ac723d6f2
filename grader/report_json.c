/*
 * report_json.c - a graded submission as JSON with jansson: report.json
 * and `check --json` (each run as run_json.c makes it). All text passes
 * through text_sanitize first, so the output is valid JSON whatever
 * bytes a program printed. Keys are added over time, never renamed (see
 * ../shared/DESIGN.md).
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reasons.h"
#include "report.h"
#include "run_json.h"

json_t *report_json_text(const char *s)
{
	return run_json_str(s, s ? strlen(s) : 0);
}

static json_t *reasons_json(unsigned reasons)
{
	json_t *a = json_array();
	enum reason list[REASON_COUNT];
	size_t n = reason_sorted(reasons, list);

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(reason_name(list[i])));
	return a;
}

static json_t *report_json_object(const struct grade_report *r)
{
	json_t *o = json_object(), *tests = json_array(), *build, *spec;

	json_object_set_new(o, "version", json_string(hx_version()));
	spec = json_pack("{s:o, s:o, s:s, s:o}", "assignment", report_json_text(r->spec->assignment),
			 "title", report_json_text(r->spec->title), "sha256", r->spec->sha256,
			 "path", report_json_text(r->spec->path));
	json_object_set_new(o, "spec", spec);
	json_object_set_new(o, "student", report_json_text(r->student));
	json_object_set_new(o, "submission", report_json_text(r->submission));
	json_object_set_new(o, "started", json_string(r->started));
	json_object_set_new(o, "isolation", json_string(hx_isolation_name(r->isolation)));
	json_object_set_new(o, "score", json_real(r->score));
	json_object_set_new(o, "max_score", json_real(r->max_score));
	json_object_set_new(o, "ms", json_integer((json_int_t)r->ms));
	if (r->problem)
		json_object_set_new(o, "problem", report_json_text(r->problem));
	build = json_pack("{s:b, s:b, s:I, s:o, s:o, s:b}", "ok", r->build.ok, "cached", r->build.cached,
			  "ms", (json_int_t)r->build.ms, "log", report_json_text(r->build.log),
			  "problem", r->build.problem ? report_json_text(r->build.problem) : json_null(),
			  "empty", r->build.empty);
	if (r->build.sources_key[0])
		json_object_set_new(build, "sources_sha256", json_string(r->build.sources_key));
	json_object_set_new(o, "build", build);
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_outcome *to = &r->tests[i];
		const struct test *t = to->test;
		json_t *jt = json_object(), *runs = json_array();
		const struct run_outcome *ff = to->first_failed >= 0 ? &to->runs[to->first_failed] : NULL;

		json_object_set_new(jt, "name", report_json_text(t->name));
		/* a check of a test (TEST.CHECK): its name, and that its runs are the test's */
		if (t->check)
			json_object_set_new(jt, "check", report_json_text(t->check));
		json_object_set_new(jt, "points", json_real(t->points));
		json_object_set_new(jt, "score", json_real(to->score));
		json_object_set_new(jt, "visibility", json_string(spec_visibility_name(t->visibility)));
		json_object_set_new(jt, "passed", json_boolean(to->passed));
		json_object_set_new(jt, "skipped", json_boolean(to->skipped));
		json_object_set_new(jt, "runs_planned", json_integer(t->runs));
		json_object_set_new(jt, "runs_done", json_integer((json_int_t)to->nruns));
		json_object_set_new(jt, "runs_passed", json_integer((json_int_t)to->npassed));
		if (t->runs_time_ms) {
			json_object_set_new(jt, "runs_min", json_integer(t->runs_min));
			json_object_set_new(jt, "runs_time_ms", json_integer(t->runs_time_ms));
		}
		if (to->passed && to->nruns > 1)
			json_object_set_new(jt, "rate_ruled_out_percent",
					    json_integer(report_rate_ruled_out(to->nruns)));
		json_object_set_new(jt, "flaky", json_boolean(grade_test_flaky(to)));
		if (to->differs_from_before)
			json_object_set_new(jt, "differs_from_previous_grading", json_true());
		json_object_set_new(jt, "outputs_differ", json_boolean(to->outputs_differ));
		json_object_set_new(jt, "reasons", reasons_json(to->reasons));
		json_object_set_new(jt, "message", ff && ff->message ? report_json_text(ff->message) : json_null());
		json_object_set_new(jt, "diff", ff && ff->diff ? report_json_text(ff->diff) : json_null());
		json_object_set_new(jt, "hint", t->hint && !to->passed ? report_json_text(t->hint) : json_null());
		for (size_t j = 0; to->runs && j < to->nruns; j++) {
			json_t *jr = run_json_object(&to->runs[j].res, REPORT_MAX_EVENTS);

			json_object_set_new(jr, "passed", json_boolean(to->runs[j].passed));
			json_object_set_new(jr, "reasons", reasons_json(to->runs[j].reasons));
			json_object_set_new(jr, "message", to->runs[j].message
					    ? report_json_text(to->runs[j].message) : json_null());
			json_object_set_new(jr, "fraction", json_real(to->runs[j].fraction));
			if (to->runs[j].checker_output)
				json_object_set_new(jr, "checker_output", report_json_text(to->runs[j].checker_output));
			json_array_append_new(runs, jr);
		}
		json_object_set_new(jt, "runs", runs);
		json_array_append_new(tests, jt);
	}
	json_object_set_new(o, "tests", tests);
	return o;
}

char *report_json_grade(const struct grade_report *r)
{
	return run_json_dump(report_json_object(r));
}

char *report_json_full(const struct grade_report *r, bool complete)
{
	json_t *o = report_json_object(r);

	json_object_set_new(o, "complete", json_boolean(complete));
	return run_json_dump(o);
}
