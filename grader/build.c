/*
 * build.c - compile a submission, in the box like everything it touches.
 *
 * The submission's files are copied (never followed: a symlink is refused
 * with a message) into a fresh build directory, which is all the compiler
 * sees of the host besides the system directories. gcc runs under its
 * own limits, so `#include "/dev/zero"` ends as "the compiler exceeded its
 * limits" and `#include "/etc/shadow"` as a file-not-found, with no
 * secret in any log. A cache keyed by the sources, the flags and the
 * compiler's version skips the compiler for unchanged submissions.
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

#include "grader.h"

#define MAX_SOURCE_FILES 200
#define MAX_SOURCE_BYTES (2u << 20)	/* per file */
#define BINARY_NAME "prog"

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

static void list_push(struct file_list *l, const char *name)
{
	char **g = realloc(l->names, (l->n + 2) * sizeof(*g));

	if (!g)
		return;
	l->names = g;
	l->names[l->n] = strdup(name);
	if (l->names[l->n])
		l->n++;
	l->names[l->n] = NULL;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

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
			list_push(out, rel);
		free(rel);
	}
	closedir(d);
	free(dirpart);
	return rc;
}

#define MAX_TREE_FILES 500
#define MAX_TREE_BYTES (32u << 20)

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

			if (depth >= 4 || sub < 0) {
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
				list_push(out, rel);
			}
		}
		free(rel);
	}
	closedir(d);
	return rc;
}

static int mkdirs_at(int dfd, const char *rel)
{
	char *copy = strdup(rel);

	if (!copy)
		return -ENOMEM;
	for (char *p = copy; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdirat(dfd, copy, 0755) < 0 && errno != EEXIST) {
			free(copy);
			return -errno;
		}
		*p = '/';
	}
	free(copy);
	return 0;
}

static const char *compiler_version(void)
{
	static char version[256];

	if (!version[0]) {
		FILE *p = popen("gcc --version 2>/dev/null", "r");

		if (!p || !fgets(version, sizeof(version), p))
			snprintf(version, sizeof(version), "unknown");
		if (p)
			pclose(p);
		version[strcspn(version, "\n")] = '\0';
	}
	return version;
}

/* The cache key: the compiler, the flags, and every file by name and content. */
static void cache_key(const struct spec *s, int subfd, const struct file_list *files, char out[65])
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		out[0] = '\0';
		return;
	}
	fprintf(f, "ipcgrade-build-1\n%s\n", compiler_version());
	for (size_t i = 0; i < s->build.ncflags; i++)
		fprintf(f, "c:%s\n", s->build.cflags[i]);
	for (size_t i = 0; i < s->build.nldflags; i++)
		fprintf(f, "l:%s\n", s->build.ldflags[i]);
	if (s->build.command)
		fprintf(f, "cmd:%s\nbin:%s\n", s->build.command, s->build.binary ? s->build.binary : "");
	for (size_t i = 0; i < files->n; i++) {
		int fd = openat(subfd, files->names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		char chunk[65536];
		ssize_t n;

		fprintf(f, "f:%zu:%s\n", strlen(files->names[i]), files->names[i]);
		while (fd >= 0 && (n = read(fd, chunk, sizeof(chunk))) > 0) {
			fprintf(f, "%zd:", n);
			fwrite(chunk, 1, (size_t)n, f);
		}
		if (fd >= 0)
			close(fd);
	}
	fclose(f);
	hash_sha256_hex(buf, len, out);
	free(buf);
}

static bool from_cache(const char *cache_dir, const char *key, const char *workdir,
		       const char *binary, struct build_result *res)
{
	char *dir = str_printf("%s/%s", cache_dir, key);
	int cfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	int wfd = open(workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char err[256];
	bool ok = false;

	if (cfd >= 0 && wfd >= 0) {
		unlinkat(wfd, binary, 0);
		ok = mkdirs_at(wfd, binary) == 0 &&
		     fs_copy_file(cfd, BINARY_NAME, wfd, binary, 0755, err, sizeof(err)) == 0;
		if (ok) {
			char *log = dir ? str_printf("%s/log", dir) : NULL;
			size_t len = 0;
			char *raw = log ? file_read_all(log, &len, 1 << 20) : NULL;

			res->log = raw ? text_sanitize(raw, len) : strdup("");
			free(raw);
			free(log);
		}
	}
	if (cfd >= 0)
		close(cfd);
	if (wfd >= 0)
		close(wfd);
	free(dir);
	return ok;
}

static void to_cache(const char *cache_dir, const char *key, const char *workdir,
		     const char *binary, const char *log)
{
	char *dir = str_printf("%s/%s", cache_dir, key), *tmp = str_printf("%s/.tmp-%s-%d", cache_dir, key, (int)getpid());
	int wfd = open(workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char err[256];

	if (!dir || !tmp || wfd < 0 || (mkdir(cache_dir, 0700) < 0 && errno != EEXIST))
		goto out;
	fs_remove_tree(tmp);
	if (mkdir(tmp, 0700) < 0)
		goto out;
	int tfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (tfd >= 0) {
		bool ok = fs_copy_file(wfd, binary, tfd, BINARY_NAME, 0755, err, sizeof(err)) == 0;
		char *logpath = str_printf("%s/log", tmp);

		if (ok && logpath)
			ok = file_write_atomic(logpath, log, strlen(log)) == 0;
		free(logpath);
		close(tfd);
		/* Entries appear whole or not at all. */
		if (!ok || rename(tmp, dir) < 0)
			fs_remove_tree(tmp);
	}
out:
	if (wfd >= 0)
		close(wfd);
	free(dir);
	free(tmp);
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
	for (size_t i = 0; i < s->build.nrequired; i++) {
		struct stat st;
		const char *name = s->build.required[i];

		if (fstatat(subfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			res->problem = str_printf("the required file '%s' is missing", name);
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
	if (sources.n)
		qsort(sources.names, sources.n, sizeof(char *), by_name);
	if (headers.n)
		qsort(headers.names, headers.n, sizeof(char *), by_name);

	wfd = open(workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (wfd < 0) {
		rc = -1;
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
			if (mkdirs_at(wfd, name) < 0 ||
			    fs_copy_file(subfd, name, wfd, name, 0644, cerr, sizeof(cerr)) < 0) {
				res->problem = strdup(cerr);
				goto out;
			}
		}
	}

	struct file_list all = { 0 };

	for (size_t i = 0; i < sources.n; i++)
		list_push(&all, sources.names[i]);
	for (size_t i = 0; i < headers.n; i++)
		list_push(&all, headers.names[i]);
	if (o->cache_dir)
		cache_key(s, subfd, &all, key);
	strv_free(all.names);
	if (key[0] && from_cache(o->cache_dir, key, workdir, binary, res)) {
		res->ok = true;
		res->cached = true;
		res->binary = fs_path_join(workdir, binary);
		goto out;
	}

	/* gcc CFLAGS -o prog SOURCES LDFLAGS, or sh -c COMMAND */
	size_t argc = 0, cap = 4 + s->build.ncflags + sources.n + s->build.nldflags;

	argv = calloc(cap + 1, sizeof(*argv));
	if (!argv) {
		rc = -1;
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
	cfg.limits.memory_mb = 1024;
	cfg.limits.processes = 32;
	cfg.limits.output_kb = 256;
	cfg.limits.file_size_kb = 65536;
	cfg.limits.tmpfs_mb = 256;
	if (hx_run(&cfg, &hr, herr, sizeof(herr)) < 0) {
		rc = -1;
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
			res->problem = hr.exit_code == 127 && !hr.signal
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
	if (key[0])
		to_cache(o->cache_dir, key, workdir, binary, res->log ? res->log : "");
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
