/*
 * report_files.c - a student's reports as files: results.json for
 * Gradescope, junit.xml for CI, feedback.md for the student.
 *
 * Hidden tests keep their visibility in results.json; feedback.md shows
 * them by name, result and reason only, never the expected output.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grader.h"
#include "reports.h"

static json_t *jtext(const char *s)
{
	char *clean = text_sanitize(s ? s : "", s ? strlen(s) : 0);
	json_t *j = json_string(clean ? clean : "");

	free(clean);
	return j ? j : json_string("");
}

static void reasons_text(FILE *f, unsigned reasons)
{
	bool first = true;

	for (int r = 0; r < REASON_COUNT; r++)
		if (reasons & (1u << r)) {
			fprintf(f, "%s%s", first ? "" : ", ", reason_name(r));
			first = false;
		}
}

/* What a student reads about one test: the failure, the diff, the hint. */
static char *test_text(const struct test_outcome *to, bool details, const char *program)
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
			reasons_text(f, to->reasons);
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
	json_object_set_new(o, "output", jtext(summary));
	json_object_set_new(o, "output_format", json_string("text"));
	json_object_set_new(o, "visibility", json_string("visible"));
	free(summary);
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_outcome *to = &r->tests[i];
		char *text = test_text(to, true, r->program);
		char num[16];

		snprintf(num, sizeof(num), "%zu", i + 1);
		json_array_append_new(tests, json_pack("{s:o, s:s, s:f, s:f, s:s, s:o, s:s}",
			"name", jtext(to->test->name), "number", num,
			"score", to->score, "max_score", to->test->points,
			"status", to->passed ? "passed" : "failed",
			"output", jtext(text),
			"visibility", gradescope_visibility(to->test->visibility)));
		free(text);
	}
	json_object_set_new(o, "tests", tests);
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	json_decref(o);
	return s;
}

/* Text safe for XML 1.0: escapes, and no characters XML forbids. */
static void xml_text(FILE *f, const char *s)
{
	char *clean = text_sanitize(s ? s : "", s ? strlen(s) : 0);

	for (const unsigned char *p = (const unsigned char *)(clean ? clean : ""); *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
				fprintf(f, "\\x%02x", *p);	/* forbidden in XML 1.0 */
			else if (p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf)) {
				fputs("\xef\xbf\xbd", f);	/* U+FFFE/FFFF are not characters */
				p += 2;
			} else
				fputc(*p, f);
		}
	}
	free(clean);
}

char *report_junit(const struct grade_report *r)
{
	char *buf = NULL;
	size_t len = 0, failures = 0, errors = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < r->ntests; i++) {
		if (r->tests[i].passed)
			continue;
		if (r->tests[i].reasons & (1u << REASON_INTERNAL))
			errors++;
		else
			failures++;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"ipcgrade\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n",
		r->ntests, failures, errors, (double)r->ms / 1000.0);
	fprintf(f, "  <testsuite name=\"");
	xml_text(f, r->spec->assignment);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\" time=\"%.3f\" "
		"timestamp=\"%.19s\" hostname=\"ipcgrade\">\n", r->ntests, failures, errors,
		(double)r->ms / 1000.0, r->started);
	fprintf(f, "    <properties>\n");
	fprintf(f, "      <property name=\"student\" value=\"");
	xml_text(f, r->student);
	fprintf(f, "\"/>\n      <property name=\"score\" value=\"%.4g\"/>\n", r->score);
	fprintf(f, "      <property name=\"max_score\" value=\"%.4g\"/>\n", r->max_score);
	fprintf(f, "      <property name=\"isolation\" value=\"%s\"/>\n", hx_isolation_name(r->isolation));
	fprintf(f, "      <property name=\"ipcgrade_version\" value=\"%s\"/>\n", hx_version());
	fprintf(f, "      <property name=\"spec_sha256\" value=\"%s\"/>\n", r->spec->sha256);
	fprintf(f, "    </properties>\n");
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_outcome *to = &r->tests[i];
		double secs = 0;

		for (size_t k = 0; k < to->nruns; k++)
			secs += (double)to->runs[k].res.wall_ms / 1000.0;
		fprintf(f, "    <testcase name=\"");
		xml_text(f, to->test->name);
		fprintf(f, "\" classname=\"");
		xml_text(f, r->spec->assignment);
		fprintf(f, ".");
		xml_text(f, r->student);
		fprintf(f, "\" time=\"%.3f\"", secs);
		if (to->passed) {
			fprintf(f, "/>\n");
			continue;
		}
		bool internal = to->reasons & (1u << REASON_INTERNAL);
		char *text = test_text(to, to->test->visibility == VIS_VISIBLE, r->program);
		char kinds[200] = "";
		FILE *k = fmemopen(kinds, sizeof(kinds) - 1, "w");

		if (k) {
			reasons_text(k, to->reasons);
			fclose(k);
		}
		fprintf(f, ">\n      <%s type=\"%s\" message=\"", internal ? "error" : "failure",
			kinds[0] ? kinds : "failed");
		xml_text(f, to->skipped ? "the program did not build" : kinds);
		fprintf(f, "\">");
		xml_text(f, text);
		fprintf(f, "</%s>\n    </testcase>\n", internal ? "error" : "failure");
		free(text);
	}
	fprintf(f, "  </testsuite>\n</testsuites>\n");
	fclose(f);
	return buf;
}

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
		char *text = test_text(to, visible, r->program);

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
