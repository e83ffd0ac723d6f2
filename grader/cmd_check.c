/*
 * cmd_check.c - `ipcgrade check [ASSIGNMENT] [DIR]`: a student's
 * self-check against the visible tests (all with --all), reported for a
 * terminal or as report.json.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assignments.h"
#include "commands.h"
#include "grade.h"
#include "report.h"
#include "report_text.h"
#include "spec.h"
#include "str.h"
#include "term.h"

/* The test named name, or NULL after saying which there are. */
static const struct test *find_test(const struct spec *s, const char *name, bool all)
{
	const char **names = calloc(s->ntests + 1, sizeof(*names));
	const char *best;

	for (size_t i = 0; i < s->ntests; i++)
		if (strcmp(s->tests[i].name, name) == 0) {
			if (!all && s->tests[i].visibility != VIS_VISIBLE)
				break;
			free(names);
			return &s->tests[i];
		}
	for (size_t i = 0, k = 0; names && i < s->ntests; i++)
		if (all || s->tests[i].visibility == VIS_VISIBLE)
			names[k++] = s->tests[i].name;
	best = names ? str_closest(name, names) : NULL;
	fprintf(stderr, "ipcgrade: no %stest named '%s'", all ? "" : "visible ", name);
	if (best)
		fprintf(stderr, " (did you mean '%s'?)", best);
	fprintf(stderr, "; the tests are:");
	for (size_t i = 0; names && names[i]; i++)
		fprintf(stderr, "%s %s", i ? "," : "", names[i]);
	fprintf(stderr, "\n");
	free(names);
	return NULL;
}

/* ---- streaming the report ------------------------------------------------ */

struct stream {
	bool color;
	bool tty;		/* stdout is a terminal: a "running" line while a test runs */
	bool live;		/* that line is on screen */
	const char *test;
	uint64_t t0;
};

static void clear_live(struct stream *st)
{
	if (st->live)
		fputs("\r\033[K", stdout);
	st->live = false;
}

static void on_built(void *arg, const struct grade_report *rep)
{
	struct stream *st = arg;

	report_text_header(stdout, rep, st->color);
	fflush(stdout);
}

static void on_test_start(void *arg, const struct test *t)
{
	struct stream *st = arg;

	st->test = t->name;
	st->t0 = term_now_ms();
	if (st->tty) {
		printf("  .... %s: running%s", t->name, t->runs > 1 ? "" : " ...");
		st->live = true;
		fflush(stdout);
	}
}

static void on_progress(void *arg, const struct test *t, unsigned run, unsigned runs)
{
	struct stream *st = arg;

	if (!st->tty || runs < 2 || run >= runs)
		return;
	clear_live(st);
	printf("  .... %s: running, %u of %u runs done (%.1f s)", t->name, run, runs,
	       (double)(term_now_ms() - st->t0) / 1000.0);
	st->live = true;
	fflush(stdout);
}

static void on_test_done(void *arg, const struct grade_report *rep, const struct test_outcome *to)
{
	struct stream *st = arg;

	clear_live(st);
	report_text_test(stdout, rep, to, st->color);
	fflush(stdout);
}

/* With --trace: the timeline of each test's failed run (its only run
 * when it passed). */
static void print_traces(const struct grade_report *rep)
{
	for (size_t i = 0; i < rep->ntests; i++) {
		const struct test_outcome *to = &rep->tests[i];
		int k = to->first_failed >= 0 ? to->first_failed : 0;

		if (!to->nruns || !to->runs[k].res.traced)
			continue;
		printf("\n%s, run %u: ", to->test->name, to->runs[k].run);
		report_text_trace(stdout, &to->runs[k].res);
	}
}

int cmd_check(const struct check_cmd *c)
{
	struct spec *s = cmd_spec_load(c->spec, c->spec_is_path, NULL);
	struct grade_report rep;
	struct grade_opts o;
	struct stream st = { .color = term_color(stdout), .tty = isatty(STDOUT_FILENO) == 1 };
	char err[512] = "";
	struct stat sb;

	if (!s)
		return EXIT_USAGE;
	if (stat(c->dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "ipcgrade: '%s' is not a folder with your submission\n", c->dir);
		spec_free(s);
		return EXIT_USAGE;
	}
	if (c->test && !find_test(s, c->test, c->all_tests)) {
		spec_free(s);
		return EXIT_USAGE;
	}
	memset(&o, 0, sizeof(o));
	o.visible_only = !c->all_tests;
	o.isolation = c->require_isolation ? HX_ISOLATION_FULL : c->isolation;
	o.cancel = term_catch_interrupts();
	o.only_test = c->test;
	o.only_run = c->run;
	o.seed = c->seed;
	if (!c->json) {
		o.built = on_built;
		o.test_start = on_test_start;
		o.progress = on_progress;
		o.test_done = on_test_done;
		o.progress_arg = &st;
	}
	if (grade_submission(s, c->dir, &o, &rep, err, sizeof(err)) < 0) {
		clear_live(&st);
		fprintf(stderr, "ipcgrade: %s\n", *o.cancel ? "interrupted" : err);
		grade_report_release(&rep);
		spec_free(s);
		return *o.cancel ? EXIT_INTERRUPTED : EXIT_INTERNAL;
	}
	bool all_passed = rep.build.ok;

	for (size_t i = 0; i < rep.ntests; i++)
		all_passed = all_passed && rep.tests[i].passed;
	if (c->json) {
		char *j = report_json_grade(&rep);

		if (j)
			printf("%s\n", j);
		free(j);
	} else {
		report_text_summary(stdout, &rep, st.color, o.visible_only);
		if (c->trace)
			print_traces(&rep);
	}
	grade_report_release(&rep);
	spec_free(s);
	return all_passed ? EXIT_OK : EXIT_FAILED;
}
