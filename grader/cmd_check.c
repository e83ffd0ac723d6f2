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

#include "assignments.h"
#include "commands.h"
#include "grade.h"
#include "report.h"
#include "report_text.h"
#include "spec.h"
#include "term.h"

static struct spec *load_spec_or_complain(const char *name)
{
	char *path = assignment_spec_path(name);
	struct spec *s = NULL;
	struct diag d;
	struct stat st;

	diag_init(&d);
	if (!path)
		return NULL;
	if (!strchr(name, '/') && stat(path, &st) < 0) {
		fprintf(stderr, "ipcgrade: no assignment named '%s' (looked for %s); "
			"`ipcgrade list` shows the bundled ones\n", name, path);
		free(path);
		return NULL;
	}
	if (spec_load(path, &s, &d) < 0)
		diag_print(&d, stderr);
	diag_release(&d);
	free(path);
	return s;
}

int cmd_check(const struct check_cmd *c)
{
	struct spec *s = load_spec_or_complain(c->spec);
	struct grade_report rep;
	struct grade_opts o;
	char err[512] = "";
	struct stat st;

	if (!s)
		return EXIT_USAGE;
	if (stat(c->dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "ipcgrade: '%s' is not a folder with your submission\n", c->dir);
		spec_free(s);
		return EXIT_USAGE;
	}
	memset(&o, 0, sizeof(o));
	o.visible_only = !c->all_tests;
	o.isolation = c->require_isolation ? HX_ISOLATION_FULL : c->isolation;
	o.cancel = term_catch_interrupts();
	o.verbose = c->verbose;
	if (grade_submission(s, c->dir, &o, &rep, err, sizeof(err)) < 0) {
		fprintf(stderr, "ipcgrade: %s\n", err);
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
		report_text_grade(stdout, &rep, term_color(stdout), o.visible_only);
	}
	grade_report_release(&rep);
	spec_free(s);
	return all_passed ? EXIT_OK : EXIT_FAILED;
}
