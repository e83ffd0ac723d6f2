/*
 * submissions.c - finding the students' submissions of a batch (see
 * submissions.h for the naming rules).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "hash.h"
#include "str.h"
#include "submissions.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* A student id usable as a folder name: as the LMS wrote it (commas,
 * quotes and non-ASCII letters included), but no '/', no control
 * characters, never hidden and never empty. */
static char *safe_id(const char *raw)
{
	char *id = strdup(raw);

	if (!id)
		return NULL;
	for (char *p = id; *p; p++)
		if (*p == '/' || (unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '_';
	if (id[0] == '.' || id[0] == '\0') {
		char *x = str_printf("_%s", id);

		free(id);
		return x;
	}
	return id;
}

enum folder_kind { FOLDER_OF_SUBMISSIONS, FOLDER_ONE_STUDENT, FOLDER_AMBIGUOUS };

/*
 * Is this folder one student's submission, or a folder of submissions?
 * One student's when it holds a file the spec requires, or a Makefile, or
 * (when the spec requires nothing) .c files and no sub-folders. A folder
 * with both .c files and sub-folders under a spec that requires nothing
 * is ambiguous and refused.
 */
static enum folder_kind folder_kind(const struct spec *s, const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool required = false, makefile = false, csrc = false, subdirs = false;

	while (d && (e = readdir(d))) {
		struct stat st;
		char *full;

		if (e->d_name[0] == '.')
			continue;
		for (size_t i = 0; i < s->build.nrequired; i++)
			required |= strcmp(e->d_name, s->build.required[i]) == 0;
		makefile |= strcmp(e->d_name, "Makefile") == 0 || strcmp(e->d_name, "makefile") == 0;
		csrc |= ends_with(e->d_name, ".c") || ends_with(e->d_name, ".h");
		full = fs_path_join(path, e->d_name);
		if (full && lstat(full, &st) == 0 && S_ISDIR(st.st_mode))
			subdirs = true;
		free(full);
	}
	if (d)
		closedir(d);
	if (required || makefile)
		return FOLDER_ONE_STUDENT;
	if (s->build.nrequired == 0 && csrc && subdirs)
		return FOLDER_AMBIGUOUS;
	return s->build.nrequired == 0 && csrc && !subdirs ? FOLDER_ONE_STUDENT : FOLDER_OF_SUBMISSIONS;
}

/* Whether the folder holds nothing (dot files aside). */
static bool folder_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool empty = d != NULL;

	while (d && empty && (e = readdir(d)))
		empty = e->d_name[0] == '.';
	if (d)
		closedir(d);
	return empty;
}

/* The submissions found so far. */
struct found {
	struct submission *v;
	size_t n;
};

static int add(struct found *f, const char *raw_id, const char *path, bool single, char *err,
	       size_t errlen)
{
	char *id = safe_id(raw_id);

	if (!id)
		return -ENOMEM;
	for (size_t i = 0; i < f->n; i++) {
		if (strcmp(f->v[i].id, id) == 0) {
			snprintf(err, errlen, "two submissions would be graded as student '%s': %s and %s; "
				 "rename one (the student id is the folder name or the file name without .c)",
				 id, f->v[i].path, path);
			free(id);
			return -EINVAL;
		}
	}
	struct submission *g = realloc(f->v, (f->n + 1) * sizeof(*g));

	if (!g) {
		free(id);
		return -ENOMEM;
	}
	f->v = g;
	g[f->n] = (struct submission){ .id = id, .path = strdup(path), .single_file = single };
	if (!g[f->n].path) {
		free(id);
		return -ENOMEM;
	}
	f->n++;
	return 0;
}

/* A .c file named stem.c: the student stem. */
static int add_file(struct found *f, const char *name, const char *path, char *err, size_t errlen)
{
	char *stem = strndup(name, strlen(name) - 2);
	int rc = stem ? add(f, stem, path, true, err, errlen) : -ENOMEM;

	free(stem);
	return rc;
}

/* The folders and .c files of a folder of submissions. */
static int add_folder_of_submissions(struct found *f, const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	while (d && rc == 0 && (e = readdir(d))) {
		char *sub = e->d_name[0] == '.' ? NULL : fs_path_join(dir, e->d_name);
		struct stat ss;

		if (!sub || lstat(sub, &ss) < 0) {
			free(sub);
			continue;
		}
		if (S_ISDIR(ss.st_mode))
			rc = add(f, e->d_name, sub, false, err, errlen);
		else if (S_ISREG(ss.st_mode) && ends_with(e->d_name, ".c"))
			rc = add_file(f, e->d_name, sub, err, errlen);
		free(sub);
	}
	if (d)
		closedir(d);
	return rc;
}

/* What the path named on the command line holds. */
static int add_path(const struct spec *s, struct found *f, const char *path, char *err,
		    size_t errlen)
{
	struct stat st;
	char *copy = strdup(path), real[PATH_MAX];
	size_t l = copy ? strlen(copy) : 0;
	int rc = 0;

	while (l > 1 && copy[l - 1] == '/')
		copy[--l] = '\0';
	/* "." or "../x" name their student by the real folder. */
	if (copy && realpath(copy, real) && strcmp(real, "/") != 0) {
		free(copy);
		copy = strdup(real);
	}
	if (!copy || stat(copy, &st) < 0) {
		rc = copy ? -errno : -ENOMEM;
		snprintf(err, errlen, "cannot find the submission '%s': %s", path, strerror(-rc));
	} else if (S_ISREG(st.st_mode)) {
		/* A single file, as LMS bulk downloads name them. */
		if (!ends_with(copy, ".c")) {
			snprintf(err, errlen, "'%s' is not a .c file nor a folder", path);
			rc = -EINVAL;
		} else {
			char *c2 = strdup(copy);

			rc = c2 ? add_file(f, basename(c2), copy, err, errlen) : -ENOMEM;
			free(c2);
		}
	} else if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "'%s' is neither a folder nor a .c file", path);
		rc = -EINVAL;
	} else {
		switch (folder_kind(s, copy)) {
		case FOLDER_AMBIGUOUS:
			snprintf(err, errlen, "'%s' holds both .c files and folders: is it one student's "
				 "submission or a folder of submissions? Name the student folders or files "
				 "one by one", path);
			rc = -EINVAL;
			break;
		case FOLDER_ONE_STUDENT: {
			char *c2 = strdup(copy);

			rc = c2 ? add(f, basename(c2), copy, false, err, errlen) : -ENOMEM;
			free(c2);
			break;
		}
		case FOLDER_OF_SUBMISSIONS:
			if (folder_is_empty(copy)) {
				/* A student who handed in nothing: still a row
				 * (no_submission), not silently dropped. */
				char *c2 = strdup(copy);

				rc = c2 ? add(f, basename(c2), copy, false, err, errlen) : -ENOMEM;
				free(c2);
				break;
			}
			rc = add_folder_of_submissions(f, copy, err, errlen);
			break;
		}
	}
	free(copy);
	return rc;
}

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct submission *)a)->id, ((const struct submission *)b)->id);
}

int sub_find(const struct spec *s, const char *const *paths, size_t np, struct submission **out,
	     size_t *nout, char *err, size_t errlen)
{
	struct found f = { 0 };
	int rc = 0;

	*out = NULL;
	*nout = 0;
	for (size_t i = 0; i < np && rc == 0; i++)
		rc = add_path(s, &f, paths[i], err, errlen);
	if (rc == 0 && f.n == 0) {
		snprintf(err, errlen, "no submissions found (a submission is a folder with the student's "
			 "files, a folder of such folders, or a .c file)");
		rc = -EINVAL;
	}
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (rc < 0) {
		sub_free(f.v, f.n);
		return rc;
	}
	if (f.n)
		qsort(f.v, f.n, sizeof(*f.v), by_id);
	*out = f.v;
	*nout = f.n;
	return 0;
}

void sub_free(struct submission *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].path);
	}
	free(v);
}

bool sub_shard_has(const char *id, unsigned k, unsigned n)
{
	return n <= 1 || hash_fnv1a64(id) % n == k - 1;
}

const char *sub_single_file_name(const struct spec *s, const char *path)
{
	const char *only = NULL;
	size_t c = 0;

	for (size_t i = 0; i < s->build.nrequired; i++)
		if (ends_with(s->build.required[i], ".c")) {
			only = s->build.required[i];
			c++;
		}
	if (c == 1)
		return only;
	if (s->build.nsources == 1 && !strpbrk(s->build.sources[0], "*?[") &&
	    ends_with(s->build.sources[0], ".c"))
		return s->build.sources[0];
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}


int sub_stage(const struct spec *s, const struct submission *sub, const char **dir, char **tmp,
	      char **problem)
{
	char err[512] = "";
	int dfd, rc;

	*dir = sub->path;
	*tmp = NULL;
	*problem = NULL;
	if (!sub->single_file)
		return 0;
	rc = fs_make_temp_dir("single", tmp);
	if (rc < 0)
		return rc;
	*dir = *tmp;
	dfd = open(*tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		rc = -errno;
		snprintf(err, sizeof(err), "%s", strerror(errno));
	} else {
		rc = fs_copy_file_into(sub->path, dfd, sub_single_file_name(s, sub->path), 0644, err,
				       sizeof(err));
		close(dfd);
	}
	/* Graded as an empty submission; the report says why. */
	if (rc < 0)
		*problem = str_printf("the file %s could not be used: %s", sub->path, err);
	return 0;
}
