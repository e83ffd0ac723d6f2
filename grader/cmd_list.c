/*
 * cmd_list.c - `ipcgrade list`: the bundled assignments and their titles.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "assignments.h"
#include "commands.h"
#include "spec.h"
#include "str.h"

int cmd_list(void)
{
	const char *dir = assignment_dir();
	char **names = NULL;
	size_t n = 0;

	if (assignment_list(&names, &n) < 0) {
		fprintf(stderr, "ipcgrade: no assignments folder at %s\n", dir);
		return EXIT_INTERNAL;
	}
	for (size_t i = 0; i < n; i++) {
		char *path = str_printf("%s/%s/spec.yaml", dir, names[i]);
		struct spec *s = NULL;
		struct diag dg;

		diag_init(&dg);
		if (path && spec_load(path, &s, &dg) == 0)
			printf("%-22s %s\n", names[i], s->title);
		else
			printf("%-22s (invalid spec: run ipcgrade validate %s)\n", names[i], names[i]);
		spec_free(s);
		diag_release(&dg);
		free(path);
	}
	strv_free(names);
	return EXIT_OK;
}
