/*
 * assignments.c - finding bundled assignments by name.
 *
 * ASSIGNMENT resolves to NAME/spec.yaml in the first of: $IPCGRADE_ASSIGNMENTS,
 * the source tree next to the binary (build/ipcgrade -> assignments/), the
 * installed data directory.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assignments.h"
#include "str.h"

#ifndef IPCGRADE_DATADIR
#define IPCGRADE_DATADIR "/usr/local/share/ipcgrade"
#endif

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *assignment_dir(void)
{
	static char found[PATH_MAX];
	char exe[PATH_MAX], cand[PATH_MAX + 32];
	const char *env = getenv("IPCGRADE_ASSIGNMENTS");

	if (found[0])
		return found;
	if (env && is_dir(env)) {
		snprintf(found, sizeof(found), "%s", env);
		return found;
	}
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = '\0';
		char *d = dirname(exe);

		/* build/ipcgrade and build/asan/ipcgrade in a source tree, and
		 * PREFIX/bin/ipcgrade next to PREFIX/share/ipcgrade (installed
		 * anywhere, whatever DATADIR the build was told). */
		static const char *const rel[] = { "..", "../..", "../share/ipcgrade" };

		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			snprintf(cand, sizeof(cand), "%s/%s/assignments", d, rel[i]);
			if (is_dir(cand) && realpath(cand, found))
				return found;
		}
	}
	snprintf(found, sizeof(found), "%s/assignments", IPCGRADE_DATADIR);
	return found;
}

char *assignment_spec_path(const char *name)
{
	size_t len = strlen(name);
	char *inside = is_dir(name) ? str_printf("%s/spec.yaml", name) : NULL;
	struct stat st;

	if (inside && stat(inside, &st) == 0 && S_ISREG(st.st_mode))
		return inside;
	free(inside);
	if (strchr(name, '/') || (len > 5 && strcmp(name + len - 5, ".yaml") == 0) ||
	    (len > 4 && strcmp(name + len - 4, ".yml") == 0))
		return strdup(name);
	return str_printf("%s/%s/spec.yaml", assignment_dir(), name);
}

bool assignment_is_bundled(const char *name, const char *spec_path)
{
	char *bundled = name && *name && !strchr(name, '/') ? str_printf("%s/%s/spec.yaml", assignment_dir(), name)
							   : NULL;
	char a[PATH_MAX], b[PATH_MAX];
	bool same = bundled && spec_path && realpath(bundled, a) && realpath(spec_path, b) && strcmp(a, b) == 0;

	free(bundled);
	return same;
}

int assignment_list(char ***names, size_t *n)
{
	const char *dir = assignment_dir();
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	*names = NULL;
	*n = 0;
	if (!d)
		return -errno;
	while (rc == 0 && (e = readdir(d))) {
		char *spec = str_printf("%s/%s/spec.yaml", dir, e->d_name);
		struct stat st;

		if (!spec)
			rc = -ENOMEM;
		else if (e->d_name[0] != '.' && stat(spec, &st) == 0)
			rc = strv_push(names, n, e->d_name);
		free(spec);
	}
	closedir(d);
	if (rc < 0) {
		strv_free(*names);
		*names = NULL;
		*n = 0;
		return rc;
	}
	strv_sort(*names, *n);
	return 0;
}
