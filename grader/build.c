/*
 * build.c - compile a submission, in the box like everything it touches.
 *
 * The submission's files are copied (never followed: a symlink is refused
 * with a message) into a fresh build directory, which is all the compiler
 * sees of the host besides the system directories. gcc runs under its
 * own limits, so `#include "/dev/zero"` ends as "the compiler exceeded its
 * limits" and `#include "/etc/shadow"` as a file-not-found, with no
 * secret in any log. A cache keyed by the sources, the flags and the
 * compiler's version (build_cache.c) skips the compiler for unchanged
 * submissions.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "build_cache.h"
#include "file.h"
#include "fs.h"
#include "hash.h"
#include "str.h"
#include "text.h"

#define MAX_SOURCE_FILES 200
#define MAX_SOURCE_BYTES (2u << 20)	/* per file */
#define MAX_TREE_FILES 500		/* a build with its own command */
#define MAX_TREE_BYTES (32u << 20)
#define MAX_TREE_DEPTH 4

/* The compiler's box; its wall and CPU time come from the spec. */
#define COMPILER_MEMORY_MB 1024
#define COMPILER_PROCESSES 32
#define COMPILER_OUTPUT_KB 256
#define COMPILER_FILE_SIZE_KB 65536
#define COMPILER_TMPFS_MB 256

/* File names a submission may use: letters, digits, '_', '.', '-', not
 * starting with '.' or '-', never "..". Anything else (control
 * characters, "$(...)", "-o..c") is refused with a message: names end up
 * on the compiler's command line and in reports. */
static bool safe_name(const char *s)
{
	if (!*s || *s == '.' || *s == '-' || strstr(s, ".."))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '.' || *s == '-'))
			return false;
	return true;
}

struct file_list {
	char **names;		/* relative to the submission */
	size_t n;
};

/* The files of one folder level of the submission that match pattern
 * (no wildcards in the folder part). Symlinks and non-regular files are
 * problems, reported by name. */
static int match_pattern(int subfd, const char *pattern, struct file_list *out, char **problem)
{
	const char *slash = strrchr(pattern, '/');
	char *dirpart = slash ? strndup(pattern, (size_t)(slash - pattern)) : strdup(".");
	const char *base = slash ? slash + 1 : pattern;
	int dfd = -1, rc = 0;
	DIR *d = NULL;
	struct dirent *e;

	if (!dirpart)
		return -ENOMEM;
	dfd = openat(subfd, dirpart, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		free(dirpart);
		return 0;	/* no such folder: nothing matches */
	}
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		free(dirpart);
		return -errno;
	}
	while ((e = readdir(d))) {
		struct stat st;

		if (e->d_name[0] == '.' || fnmatch(base, e->d_name, FNM_PERIOD) != 0)
			continue;
		if (!safe_name(e->d_name)) {
			char *clean = text_sanitize(e->d_name, strlen(e->d_name));

			*problem = str_printf("the file name '%s' is not allowed: use letters, digits, '_', "
					      "'.' and '-'", clean ? clean : "?");
			free(clean);
			rc = -EINVAL;
			break;
		}
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		char *rel = slash ? str_printf("%s/%s", dirpart, e->d_name) : strdup(e->d_name);

		if (S_ISLNK(st.st_mode)) {
			*problem = str_printf("'%s' is a symbolic link; submit the file itself", rel ? rel : "?");
			free(rel);
			rc = -EINVAL;
			break;
		}
		if (!S_ISREG(st.st_mode)) {
			*problem = str_printf("'%s' is not a regular file", rel ? rel : "?");
			free(rel);
			rc = -EINVAL;
			break;
		}
		if (st.st_size > MAX_SOURCE_BYTES) {
			*problem = str_printf("'%s' is larger than %u MB", rel ? rel : "?", MAX_SOURCE_BYTES >> 20);
			free(rel);
			rc = -EFBIG;
			break;
		}
		if (rel && out->n < MAX_SOURCE_FILES)
			strv_push(&out->names, &out->n, rel);
		free(rel);
	}
	closedir(d);
	free(dirpart);
	return rc;
}

/* Every regular file of the submission, for builds with their own
 * command. Hidden entries are skipped; links and devices are refused. */
static int collect_tree(int dfd, const char *prefix, int depth, struct file_list *out,
			size_t *bytes, char **problem)
{
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	int rc = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while (rc == 0 && (e = readdir(d))) {
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		char *rel = *prefix ? str_printf("%s/%s", prefix, e->d_name) : strdup(e->d_name);

		if (!rel) {
			rc = -ENOMEM;
			break;
		}
		if (!safe_name(e->d_name)) {
			char *clean = text_sanitize(rel, strlen(rel));

			*problem = str_printf("the file name '%s' is not allowed: use letters, digits, '_', "
					      "'.' and '-'", clean ? clean : "?");
			free(clean);
			rc = -EINVAL;
		} else if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = -errno;
		} else if (S_ISLNK(st.st_mode)) {
			*problem = str_printf("'%s' is a symbolic link; submit the file itself", rel);
			rc = -EINVAL;
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (depth >= MAX_TREE_DEPTH || sub < 0) {
				*problem = str_printf("'%s' is nested too deeply", rel);
				rc = -EINVAL;
			} else {
				rc = collect_tree(sub, rel, depth + 1, out, bytes, problem);
			}
			if (sub >= 0)
				close(sub);
		} else if (!S_ISREG(st.st_mode)) {
			*problem = str_printf("'%s' is not a regular file", rel);
			rc = -EINVAL;
		} else {
			*bytes += (size_t)st.st_size;
			if (out->n >= MAX_TREE_FILES || *bytes > MAX_TREE_BYTES) {
				*problem = str_printf("the submission has more than %d files or %u MB",
						      MAX_TREE_FILES, MAX_TREE_BYTES >> 20);
				rc = -EFBIG;
			} else {
				strv_push(&out->names, &out->n, rel);
			}
		}
		free(rel);
	}
	closedir(d);
	return rc;
}

/* What the submission folder holds, for a student looking for a missing
 * file: "found: a.c, b.c, notes/" (the first FOUND_MAX names, sorted);
 * NULL when it holds nothing (dot files aside) or out of memory. */
#define FOUND_MAX 12
static char *found_files(int subfd)
{
	int fd = dup(subfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	char **names = NULL, *buf = NULL;
	size_t n = 0, len = 0;
	FILE *f;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	rewinddir(d);	/* the offset is shared with subfd's other readers */
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && strv_push(&names, &n, e->d_name) < 0)
			break;
	rewinddir(d);	/* and left at the start for them */
	closedir(d);
	if (n == 0 || !(f = open_memstream(&buf, &len))) {
		strv_free(names);
		return NULL;
	}
	strv_sort(names, n);
	fputs("found: ", f);
	for (size_t i = 0; i < n && i < FOUND_MAX; i++) {
		struct stat st;
		bool dir = fstatat(subfd, names[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
		char *clean = text_sanitize(names[i], strlen(names[i]));

		fprintf(f, "%s%s%s", i ? ", " : "", clean ? clean : "?", dir ? "/" : "");
		free(clean);
	}
	if (n > FOUND_MAX)
		fprintf(f, " and %zu more", n - FOUND_MAX);
	fclose(f);
	strv_free(names);
	return buf;
}

int build_submission(const struct spec *s, const char *subdir, const char *workdir,
		     const struct build_opts *o, struct build_result *res, char *err, size_t errlen)
{
	struct file_list sources = { 0 }, headers = { 0 };
	char **argv = NULL;
	int subfd = -1, wfd = -1, rc = 0;
	char *problem = NULL;
	char key[65] = "";
	struct hx_result hr;
	char herr[256];
	const char *binary = s->build.command && s->build.binary ? s->build.binary : BINARY_NAME;

	memset(res, 0, sizeof(*res));
	memset(&hr, 0, sizeof(hr));
	subfd = open(subdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (subfd < 0) {
		res->problem = str_printf("the submission folder '%s' cannot be opened: %s", subdir, strerror(errno));
		goto out;
	}
	{
		char *found = found_files(subfd);

		res->empty = !found;
		free(found);
	}
	if (res->empty) {
		res->problem = strdup("no submission: the folder is empty");
		goto out;
	}
	for (size_t i = 0; i < s->build.nrequired; i++) {
		struct stat st;
		const char *name = s->build.required[i];

		if (fstatat(subfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			char *found = found_files(subfd);

			res->problem = str_printf("the required file '%s' is missing (%s)", name,
						  found ? found : "the folder is empty");
			free(found);
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			res->problem = str_printf("'%s' is a symbolic link; submit the file itself", name);
			goto out;
		}
		if (!S_ISREG(st.st_mode)) {
			res->problem = str_printf("'%s' is not a regular file", name);
			goto out;
		}
	}
	if (s->build.command) {
		/* Its own Makefile: every file of the submission takes part. */
		size_t bytes = 0;

		if (collect_tree(subfd, "", 0, &sources, &bytes, &problem) < 0) {
			res->problem = problem ? problem : str_printf("cannot read the submission: %s",
								      strerror(errno));
			goto out;
		}
		if (sources.n == 0) {
			res->problem = strdup("the submission is empty");
			goto out;
		}
	} else {
		for (size_t i = 0; i < s->build.nsources; i++) {
			if (match_pattern(subfd, s->build.sources[i], &sources, &problem) < 0) {
				res->problem = problem;
				goto out;
			}
		}
		if (sources.n == 0) {
			res->problem = str_printf("no source files: nothing matches %s%s", s->build.sources[0],
						  s->build.nsources > 1 ? " (or the other source patterns)" : "");
			goto out;
		}
		/* Headers next to the sources are part of the submission too. */
		if (match_pattern(subfd, "*.h", &headers, &problem) < 0) {
			res->problem = problem;
			goto out;
		}
	}
	strv_sort(sources.names, sources.n);
	strv_sort(headers.names, headers.n);

	wfd = open(workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (wfd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open the build folder '%s': %s", workdir, strerror(errno));
		goto out;
	}
	struct file_list *lists[] = { &sources, &headers };

	for (size_t l = 0; l < 2; l++) {
		for (size_t i = 0; i < lists[l]->n; i++) {
			char cerr[256];
			const char *name = lists[l]->names[i];
			struct stat st;

			if (fstatat(wfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
				continue;	/* a header that is also a source */
			if (fs_mkdirs_at(wfd, name) < 0 ||
			    fs_copy_file(subfd, name, wfd, name, 0644, cerr, sizeof(cerr)) < 0) {
				res->problem = strdup(cerr);
				goto out;
			}
		}
	}

	struct file_list all = { 0 };

	for (size_t i = 0; i < sources.n; i++)
		(void)strv_push(&all.names, &all.n, sources.names[i]);	/* a shorter list: no cache */
	for (size_t i = 0; i < headers.n; i++)
		(void)strv_push(&all.names, &all.n, headers.names[i]);
	/* The key also names the sources in the report (a regrade of the
	 * same sources is told from a resubmission). */
	if (all.n == sources.n + headers.n)
		build_cache_key(s, subfd, all.names, all.n, key);
	strv_free(all.names);
	memcpy(res->sources_key, key, sizeof(res->sources_key));
	if (o->cache_dir && key[0] && build_cache_get(o->cache_dir, key, workdir, binary, &res->log)) {
		res->ok = true;
		res->cached = true;
		res->binary = fs_path_join(workdir, binary);
		goto out;
	}

	/* gcc CFLAGS -o prog SOURCES LDFLAGS, or sh -c COMMAND */
	size_t argc = 0, cap = 4 + s->build.ncflags + sources.n + s->build.nldflags;

	argv = calloc(cap + 1, sizeof(*argv));
	if (!argv) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (s->build.command) {
		argv[argc++] = "/bin/sh";
		argv[argc++] = "-c";
		argv[argc++] = s->build.command;
		goto have_argv;
	}
	argv[argc++] = "gcc";
	for (size_t i = 0; i < s->build.ncflags; i++)
		argv[argc++] = s->build.cflags[i];
	argv[argc++] = "-o";
	argv[argc++] = BINARY_NAME;
	for (size_t i = 0; i < sources.n; i++)
		argv[argc++] = sources.names[i];
	for (size_t i = 0; i < s->build.nldflags; i++)
		argv[argc++] = s->build.ldflags[i];
have_argv:;
	struct hx_config cfg;

	hx_config_init(&cfg);
	cfg.argv = (const char *const *)argv;
	cfg.workdir = workdir;
	cfg.purpose = HX_PURPOSE_BUILD;
	cfg.isolation = o->isolation;
	cfg.cancel = o->cancel;
	cfg.limits.wall_ms = s->build.timeout_ms;
	cfg.limits.cpu_ms = s->build.timeout_ms;
	cfg.limits.memory_mb = COMPILER_MEMORY_MB;
	cfg.limits.processes = COMPILER_PROCESSES;
	cfg.limits.output_kb = COMPILER_OUTPUT_KB;
	cfg.limits.file_size_kb = COMPILER_FILE_SIZE_KB;
	cfg.limits.tmpfs_mb = COMPILER_TMPFS_MB;
	rc = hx_run(&cfg, &hr, herr, sizeof(herr));
	if (rc < 0) {
		snprintf(err, errlen, "cannot run the compiler: %s", herr);
		goto out;
	}
	res->ms = hr.wall_ms;
	res->isolation = hr.isolation;
	{
		char *buf = NULL;
		size_t blen = 0;
		FILE *f = open_memstream(&buf, &blen);

		if (f) {
			fwrite(hr.out.data, 1, hr.out.len, f);
			fwrite(hr.err.data, 1, hr.err.len, f);
			fclose(f);
		}
		res->log = buf ? text_sanitize(buf, blen) : strdup("");
		free(buf);
	}
	switch (hr.verdict) {
	case HX_VERDICT_OK:
		if (s->build.fail_on_warnings && res->log && strstr(res->log, "warning:")) {
			res->problem = strdup("the compiler printed warnings, and this assignment treats "
					      "warnings as errors");
			goto out;
		}
		break;
	case HX_VERDICT_RUNTIME_ERROR:
		if (s->build.command)
			res->problem = str_printf("the build command '%s' failed (%s): see its output below",
						  s->build.command, hr.verdict_detail);
		else
			res->problem = hr.exit_code == EXIT_STATUS_NOT_STARTED && !hr.signal
				? str_printf("the compiler could not be started (%s)", hr.verdict_detail)
				: strdup("the program does not compile: see the compiler's messages below");
		goto out;
	case HX_VERDICT_TIMEOUT:
	case HX_VERDICT_MEMORY_LIMIT:
	case HX_VERDICT_OUTPUT_LIMIT:
	case HX_VERDICT_DEADLOCK:
		res->problem = str_printf("the compiler exceeded its limits (%s: %s); does the code include a "
				   "device or a huge file?", hx_verdict_name(hr.verdict), hr.verdict_detail);
		goto out;
	case HX_VERDICT_FORBIDDEN_SYSCALL:
	case HX_VERDICT_INTERNAL_ERROR:
		res->problem = str_printf("the compiler was stopped (%s)", hx_verdict_name(hr.verdict));
		goto out;
	}
	struct stat st;

	if (fstatat(wfd, binary, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) {
		res->problem = s->build.command
			? str_printf("'%s' did not produce the program '%s'", s->build.command, binary)
			: strdup("the compiler produced no program");
		goto out;
	}
	res->ok = true;
	res->binary = fs_path_join(workdir, binary);
	if (o->cache_dir && key[0])
		build_cache_put(o->cache_dir, key, workdir, binary, res->log ? res->log : "");
out:
	hx_result_release(&hr);
	free(argv);
	strv_free(sources.names);
	strv_free(headers.names);
	if (subfd >= 0)
		close(subfd);
	if (wfd >= 0)
		close(wfd);
	if (!res->log)
		res->log = strdup("");
	return rc;
}

void build_result_release(struct build_result *r)
{
	free(r->binary);
	free(r->log);
	free(r->problem);
	memset(r, 0, sizeof(*r));
}
