/*
 * submissions.h - finding the students' submissions of a batch: folders,
 * folders of folders, and single .c files as LMS bulk downloads name
 * them (lastname_12345_67890_queue.c); student ids; shards.
 *
 * The naming rules (README, `ipcgrade grade --help`): a folder is one
 * student's when it holds a file the spec requires, or a Makefile, or
 * (when the spec requires nothing) .c files and no folders; its name is
 * the id. Otherwise it is a folder of submissions: its folders and .c
 * files, each one student's. A .c file's id is its name without .c.
 */
#ifndef IPCGRADE_SUBMISSIONS_H
#define IPCGRADE_SUBMISSIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "spec.h"

/* One submission of a batch. Owns id and path (sub_free). */
struct submission {
	char *id;		/* the student, safe as a folder name */
	char *path;		/* a folder, or a single .c file */
	bool single_file;
};

/* Find the submissions named by paths, sorted by id. Returns 0 with *out
 * an array of *nout (the caller frees it with sub_free), or -errno with
 * err saying why: a path that does not exist (-ENOENT...), two
 * submissions with one id, an ambiguous folder, nothing found
 * (-EINVAL). */
int sub_find(const struct spec *s, const char *const *paths, size_t n, struct submission **out,
	     size_t *nout, char *err, size_t errlen);
/* Free the n submissions of v and v; accepts NULL. */
void sub_free(struct submission *v, size_t n);

/* Whether a student belongs to shard k of n (1-based; n <= 1: all), by
 * a hash of the id that is stable across machines and versions. */
bool sub_shard_has(const char *id, unsigned k, unsigned n);

/* The folder to grade sub from: its own path, or for a single file a new
 * temporary folder holding just that file under the name the spec
 * expects (see sub_single_file_name). Returns 0 with *dir set (not to be
 * freed) and *tmp the temporary folder or NULL (the caller removes it
 * with fs_remove_tree and frees it); when the file cannot be used, the
 * folder stays empty (graded as an empty submission) and *problem says
 * why (malloc'd). Returns -errno when no temporary folder can be made. */
int sub_stage(const struct spec *s, const struct submission *sub, const char **dir, char **tmp,
	      char **problem);
/* The name a single-file submission is compiled under: the spec's one
 * required .c file, or its one literal source, or the file's own name.
 * Points into s or path. */
const char *sub_single_file_name(const struct spec *s, const char *path);

#endif
