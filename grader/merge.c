/*
 * merge.c - combining the output folders of sharded `grade` runs (see
 * merge.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "fs.h"
#include "merge.h"
#include "report.h"
#include "str.h"

int merge_check_shards(const char *const *dirs, size_t n, char *err, size_t errlen)
{
	int total = 0;
	bool have[MERGE_MAX_SHARDS + 1] = { false };

	for (size_t i = 0; i < n; i++) {
		char *path = fs_path_join(dirs[i], BATCH_META_FILE);
		json_t *j = path ? json_load_file(path, 0, NULL) : NULL;
		int k = (int)json_integer_value(json_object_get(j, "shard"));
		int of = (int)json_integer_value(json_object_get(j, "shards"));

		free(path);
		json_decref(j);
		if (!j) {
			snprintf(err, errlen, "%s has no batch.json: is it an output folder of "
				 "`ipcgrade grade`?", dirs[i]);
			return -EINVAL;
		}
		if (of <= 1)
			continue;	/* an unsharded batch: nothing to complete */
		if (total && of != total) {
			snprintf(err, errlen, "%s is a shard of %d, the others of %d", dirs[i], of, total);
			return -EINVAL;
		}
		total = of;
		if (k < 1 || k > of || of > MERGE_MAX_SHARDS || have[k]) {
			snprintf(err, errlen, "shard %d/%d is named twice (or is invalid): %s", k, of, dirs[i]);
			return -EINVAL;
		}
		have[k] = true;
	}
	for (int k = 1; k <= total; k++)
		if (!have[k]) {
			snprintf(err, errlen, "shard %d/%d is missing: the merged summary would leave "
				 "its students out", k, total);
			return -EINVAL;
		}
	return 0;
}

/* The students merged so far, and the spec that graded them. */
struct merged {
	char **seen;		/* a string vector */
	size_t n;
	char *sha;
};

/* Copy dir/name (a student folder of a shard) into final. */
static int merge_one(struct merged *m, const char *dir, const char *name, const char *final,
		     char *err, size_t errlen)
{
	char *rp = str_printf("%s/%s/" REPORT_FILE_FULL, dir, name);
	json_t *j = rp ? json_load_file(rp, 0, NULL) : NULL;
	int rc = 0;

	free(rp);
	if (!j)
		return 0;	/* not a student folder */
	const char *h = json_string_value(json_object_get(json_object_get(j, "spec"), "sha256"));

	if (!m->sha && !(m->sha = strdup(h ? h : ""))) {
		json_decref(j);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (!h || strcmp(h, m->sha) != 0) {
		snprintf(err, errlen, "%s/%s was graded with another spec than the others; "
			 "merge only the shards of one batch", dir, name);
		rc = -EINVAL;
	}
	json_decref(j);
	if (rc == 0 && strv_has(m->seen, name)) {
		snprintf(err, errlen, "student '%s' appears in more than one shard", name);
		rc = -EINVAL;
	}
	if (rc < 0)
		return rc;
	char *src = fs_path_join(dir, name), *dst = fs_path_join(final, name);

	err[0] = '\0';
	rc = src && dst ? fs_copy_dir_files(src, dst, FS_COPY_REPLACE, err, errlen) : -ENOMEM;
	if (rc == -EINVAL)
		rc = -EIO;	/* a file that will not copy is not the caller's mistake */
	if (rc == 0)
		rc = strv_push(&m->seen, &m->n, name);
	if (rc < 0 && !err[0])
		snprintf(err, errlen, "%s", strerror(-rc));
	free(src);
	free(dst);
	return rc;
}

int merge_students(const char *const *dirs, size_t n, const char *final, size_t *students,
		   char *err, size_t errlen)
{
	struct merged m = { 0 };
	int rc = 0;

	*students = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;

		if (!d) {
			snprintf(err, errlen, "cannot read '%s': %s", dirs[i], strerror(errno));
			rc = -EINVAL;
			break;
		}
		while (rc == 0 && (e = readdir(d)))
			if (e->d_name[0] != '.')
				rc = merge_one(&m, dirs[i], e->d_name, final, err, errlen);
		closedir(d);
	}
	*students = m.n;
	strv_free(m.seen);
	free(m.sha);
	return rc;
}
