/*
 * cmd_validate.c - `ipcgrade validate SPEC...`: each spec checked, every
 * problem as FILE:LINE:COL: message.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "assignments.h"
#include "commands.h"
#include "spec.h"

int cmd_validate(const char *const *specs, size_t n)
{
	int rc = EXIT_OK;

	for (size_t i = 0; i < n; i++) {
		struct spec *s = NULL;
		struct diag d;
		char *path = assignment_spec_path(specs[i]);

		diag_init(&d);
		if (path && spec_load(path, &s, &d) == 0) {
			printf("%s: ok (%zu tests, %.4g points)\n", path, s->ntests, s->total_points);
			spec_free(s);
		} else {
			diag_print(&d, stdout);
			rc = EXIT_USAGE;
		}
		diag_release(&d);
		free(path);
	}
	return rc;
}
