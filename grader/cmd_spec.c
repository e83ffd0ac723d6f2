/*
 * cmd_spec.c - the spec a command names (an assignment's name, a spec
 * file, or a folder holding spec.yaml), loaded with friendly errors: a
 * misspelt name gets a did-you-mean, a folder named where an assignment
 * was expected says so, problems in the spec come as FILE:LINE:COL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "assignments.h"
#include "commands.h"
#include "spec.h"
#include "str.h"

/* The bundled assignments' names as a sentence, for a message. */
static void print_bundled(FILE *f)
{
	char **names = NULL;
	size_t n = 0;

	if (assignment_list(&names, &n) < 0 || n == 0) {
		fprintf(f, "`ipcgrade list` shows the bundled ones");
	} else {
		fprintf(f, "the bundled ones are");
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%s %s", i ? "," : "", names[i]);
	}
	strv_free(names);
}

/* name is no assignment: say so, with the closest bundled name. */
static void complain_no_assignment(const char *name, const char *path)
{
	char **names = NULL;
	size_t n = 0;
	struct stat st;
	const char *best;

	if (stat(name, &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "ipcgrade: '%s' is a folder, not an assignment (it holds no spec.yaml): "
			"name the assignment first, e.g. ipcgrade check ASSIGNMENT %s (", name, name);
		print_bundled(stderr);
		fprintf(stderr, ")\n");
		return;
	}
	(void)assignment_list(&names, &n);
	best = names ? str_closest(name, (const char *const *)names) : NULL;
	if (best)
		fprintf(stderr, "ipcgrade: no assignment named '%s' (did you mean '%s'?)\n", name, best);
	else {
		fprintf(stderr, "ipcgrade: no assignment named '%s' (looked for %s); ", name, path);
		print_bundled(stderr);
		fprintf(stderr, "\n");
	}
	strv_free(names);
}

struct spec *cmd_spec_load(const char *name, bool is_path, char **path_out)
{
	char *path = assignment_spec_path(name);
	struct spec *s = NULL;
	struct diag d;
	struct stat st;

	diag_init(&d);
	if (!path)
		return NULL;
	if (stat(path, &st) < 0) {
		if (!is_path && !strchr(name, '/'))
			complain_no_assignment(name, path);
		else
			fprintf(stderr, "ipcgrade: cannot read the spec '%s': %s\n", path, strerror(errno));
		free(path);
		return NULL;
	}
	if (spec_load(path, &s, &d) < 0)
		diag_print(&d, stderr);
	diag_release(&d);
	if (s && path_out)
		*path_out = path;
	else
		free(path);
	return s;
}
