/*
 * assignments.h - finding bundled assignments by name.
 *
 * ASSIGNMENT resolves to NAME/spec.yaml in the first of:
 * $IPCGRADE_ASSIGNMENTS, the source tree next to the binary
 * (build/ipcgrade -> assignments/), the installed data directory.
 */
#ifndef IPCGRADE_ASSIGNMENTS_H
#define IPCGRADE_ASSIGNMENTS_H

#include <stdbool.h>
#include <stddef.h>

/* NAME -> .../assignments/NAME/spec.yaml; a folder holding a spec.yaml
 * -> FOLDER/spec.yaml; another path (with a '/', or ending in .yaml or
 * .yml) is returned as it is. The caller frees the result; NULL only
 * when out of memory. */
char *assignment_spec_path(const char *name_or_path);
/* Whether `ipcgrade check NAME` finds this very spec (a bundled one). */
bool assignment_is_bundled(const char *name, const char *spec_path);
/* The folder of bundled assignments (found once, then cached; it may
 * not exist). Never NULL. */
const char *assignment_dir(void);
/* The names of the bundled assignments (folders with a spec.yaml),
 * sorted. Returns 0 with *names a string vector the caller frees with
 * strv_free (*n its length), or -errno (no folder to read). */
int assignment_list(char ***names, size_t *n);

#endif
