/*
 * cmd_grade.c - `ipcgrade grade` and `ipcgrade merge`: a whole class in
 * one command, resumably, in parallel, sharded across machines.
 *
 * Each submission is graded in a worker process (jobs.c), which writes
 * OUTDIR/STUDENT/{results.json, junit.xml, feedback.md} and then
 * report.json, each atomically; report.json with "complete": true is the
 * mark of a finished student, so after an interruption (even kill -9)
 * `--resume` grades only the others. Workers die with the batch
 * (PDEATHSIG), and their boxes with them. The summary is rebuilt from
 * the reports at the end (summary.c), so resumed and merged batches give
 * the same summary as one uninterrupted run.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "grader.h"
#include "jobs.h"
#include "reports.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* ---- finding submissions --------------------------------------------------- */

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

/*
 * Is this folder one student's submission, or a folder of submissions?
 * One student's when it holds a file the spec requires, or a Makefile, or
 * (when the spec requires nothing) .c files and no sub-folders. A folder
 * with both .c files and sub-folders under a spec that requires nothing
 * is ambiguous and refused (returns -1).
 */
static int is_student_dir(const struct spec *s, const char *path)
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
		return 1;
	if (s->build.nrequired == 0 && csrc && subdirs)
		return -1;
	return s->build.nrequired == 0 && csrc && !subdirs ? 1 : 0;
}

static int add(struct submission **v, size_t *n, const char *raw_id, const char *path, bool single,
	       char *err, size_t errlen)
{
	char *id = safe_id(raw_id);

	if (!id)
		return -1;
	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*v)[i].id, id) == 0) {
			snprintf(err, errlen, "two submissions would be graded as student '%s': %s and %s; "
				 "rename one (the student id is the folder name or the file name without .c)",
				 id, (*v)[i].path, path);
			free(id);
			return -1;
		}
	}
	struct submission *g = realloc(*v, (*n + 1) * sizeof(*g));

	if (!g) {
		free(id);
		return -1;
	}
	*v = g;
	g[*n] = (struct submission){ .id = id, .path = strdup(path), .single_file = single };
	if (!g[*n].path) {
		free(id);
		return -1;
	}
	(*n)++;
	return 0;
}

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct submission *)a)->id, ((const struct submission *)b)->id);
}

int sub_find(const struct spec *s, const char *const *paths, size_t np,
		     struct submission **out, size_t *nout, char *err, size_t errlen)
{
	struct submission *v = NULL;
	size_t n = 0;

	for (size_t i = 0; i < np; i++) {
		struct stat st;
		char *copy = strdup(paths[i]);
		size_t l = copy ? strlen(copy) : 0;

		while (l > 1 && copy[l - 1] == '/')
			copy[--l] = '\0';
		/* "." or "../x" name their student by the real folder. */
		char real[PATH_MAX];

		if (copy && realpath(copy, real) && strcmp(real, "/") != 0) {
			free(copy);
			copy = strdup(real);
		}
		if (!copy || stat(copy, &st) < 0) {
			snprintf(err, errlen, "cannot find the submission '%s': %s", paths[i], strerror(errno));
			free(copy);
			goto fail;
		}
		if (S_ISREG(st.st_mode)) {
			/* A single file, as LMS bulk downloads name them. */
			if (!ends_with(copy, ".c")) {
				snprintf(err, errlen, "'%s' is not a .c file nor a folder", paths[i]);
				free(copy);
				goto fail;
			}
			char *c2 = strdup(copy), *base = basename(c2);

			base[strlen(base) - 2] = '\0';
			int rc = add(&v, &n, base, copy, true, err, errlen);

			free(c2);
			free(copy);
			if (rc < 0)
				goto fail;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "'%s' is neither a folder nor a .c file", paths[i]);
			free(copy);
			goto fail;
		}
		int kind = is_student_dir(s, copy);

		if (kind < 0) {
			snprintf(err, errlen, "'%s' holds both .c files and folders: is it one student's "
				 "submission or a folder of submissions? Name the student folders or files "
				 "one by one", paths[i]);
			free(copy);
			goto fail;
		}
		if (kind == 1) {
			char *c2 = strdup(copy);
			int rc = add(&v, &n, basename(c2), copy, false, err, errlen);

			free(c2);
			free(copy);
			if (rc < 0)
				goto fail;
			continue;
		}
		/* A folder of submissions: its folders and .c files. */
		DIR *d = opendir(copy);
		struct dirent *e;
		int rc = 0;

		while (d && rc == 0 && (e = readdir(d))) {
			char *sub = e->d_name[0] == '.' ? NULL : fs_path_join(copy, e->d_name);
			struct stat ss;

			if (!sub || lstat(sub, &ss) < 0) {
				free(sub);
				continue;
			}
			if (S_ISDIR(ss.st_mode)) {
				rc = add(&v, &n, e->d_name, sub, false, err, errlen);
			} else if (S_ISREG(ss.st_mode) && ends_with(e->d_name, ".c")) {
				char *stem = strndup(e->d_name, strlen(e->d_name) - 2);

				rc = stem ? add(&v, &n, stem, sub, true, err, errlen) : -1;
				free(stem);
			}
			free(sub);
		}
		if (d)
			closedir(d);
		free(copy);
		if (rc < 0)
			goto fail;
	}
	if (n == 0) {
		snprintf(err, errlen, "no submissions found (a submission is a folder with the student's "
			 "files, a folder of such folders, or a .c file)");
		goto fail;
	}
	qsort(v, n, sizeof(*v), by_id);
	*out = v;
	*nout = n;
	return 0;
fail:
	sub_free(v, n);
	return -1;
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
	/* FNV-1a: stable across machines and versions. */
	uint64_t h = 0xcbf29ce484222325ull;

	for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ull;
	}
	return n <= 1 || h % n == k - 1;
}

/* ---- one student, in a worker ------------------------------------------------ */

struct batch {
	const struct spec *spec;
	const struct grade_cmd *cmd;
	struct submission *subs;
	size_t nsubs;
	size_t *todo;		/* indexes into subs */
	size_t ntodo;
	size_t done, failed, errors;
	uint64_t start_ms;
	bool tty;
	char *cache_dir;
	pid_t batch_pid;	/* the batch process the workers belong to */
};

/* The name a single-file submission is compiled under: the spec's one
 * required .c file, or its one literal source, or the file's own name. */
static const char *single_file_name(const struct spec *s, const char *path)
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

static int write_reports(const char *dir, const struct grade_report *r, bool complete)
{
	struct {
		const char *name;
		char *text;
	} files[] = {
		{ "results.json", report_gradescope(r) },
		{ "junit.xml", report_junit(r) },
		{ "feedback.md", report_feedback(r) },
		/* Last: its presence marks the student as done. */
		{ "report.json", report_json_full(r, complete) },
	};
	int rc = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = fs_path_join(dir, files[i].name);

		if (!files[i].text || !path || file_write_atomic(path, files[i].text, strlen(files[i].text)) < 0)
			rc = -1;
		free(path);
		free(files[i].text);
	}
	return rc;
}

static char *grade_one(void *arg, size_t index, int *status)
{
	struct batch *b = arg;
	const struct submission *sub = &b->subs[b->todo[index]];
	char *outdir = fs_path_join(b->cmd->outdir, sub->id);
	char *tmp = NULL, *dir = NULL;
	struct grade_report rep;
	struct grade_opts o;
	char err[512] = "";
	char *copy_problem = NULL;
	int rc;

	/* Die with the batch: a kill -9 of ipcgrade must not leave workers
	 * writing reports behind a resumed run's back. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != b->batch_pid)
		_exit(3);	/* the batch died before we could ask */
	memset(&rep, 0, sizeof(rep));
	memset(&o, 0, sizeof(o));
	o.isolation = b->cmd->require_isolation ? HX_ISOLATION_FULL : b->cmd->isolation;
	o.cache_dir = b->cache_dir;
	o.cancel = &interrupted;
	if (!outdir || (mkdir(outdir, 0755) < 0 && errno != EEXIST)) {
		*status = 3;
		return str_printf("3\tcannot create %s: %s", outdir ? outdir : "?", strerror(errno));
	}
	dir = sub->path;
	if (sub->single_file) {
		/* Put the one file in a folder of its own, under the name the
		 * spec expects. */
		char *src = strdup(sub->path), *src2 = strdup(sub->path);
		int sfd = src ? open(dirname(src), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1, dfd;

		tmp = fs_make_temp_dir("single");
		dfd = tmp ? open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
		if (sfd < 0 || dfd < 0 || !src2 ||
		    fs_copy_file(sfd, basename(src2), dfd, single_file_name(b->spec, sub->path), 0644,
				     err, sizeof(err)) < 0) {
			/* Graded as an empty submission; the report says why. */
			copy_problem = str_printf("the file %s could not be used: %s", sub->path, err);
		}
		if (sfd >= 0)
			close(sfd);
		if (dfd >= 0)
			close(dfd);
		free(src);
		free(src2);
		dir = tmp;
	}
	rc = dir ? grade_submission(b->spec, dir, &o, &rep, err, sizeof(err)) : -1;
	free(rep.student);
	rep.student = strdup(sub->id);
	free(rep.submission);
	rep.submission = sub->path ? strdup(sub->path) : NULL;
	if (copy_problem && !rep.problem) {
		rep.problem = copy_problem;
		copy_problem = NULL;
	}
	free(copy_problem);
	if (rc < 0 && interrupted) {
		/* Cancelled: no report, so --resume grades it again. */
		grade_report_release(&rep);
		if (tmp)
			fs_remove_tree(tmp);
		free(tmp);
		free(outdir);
		*status = 2;
		return str_printf("2\tinterrupted");
	}
	if (rc < 0) {
		/* ipcgrade's own failure: recorded, not complete, retried by --resume. */
		rep.problem = str_printf("ipcgrade could not grade this submission: %s", err);
		rep.spec = b->spec;
	}
	bool ok = write_reports(outdir, &rep, rc == 0) == 0;
	char *line = str_printf("%d\t%.4g\t%.4g\t%lu\t%s", rc < 0 || !ok ? 3 : rep.build.ok ? 0 : 1,
				rep.score, rep.max_score, rep.ms,
				rc < 0 ? err : !rep.build.ok ? "did not build" : "");

	*status = rc < 0 || !ok ? 3 : 0;
	grade_report_release(&rep);
	if (tmp)
		fs_remove_tree(tmp);
	free(tmp);
	free(outdir);
	return line;
}

static void progress(struct batch *b, const char *student, const char *text)
{
	size_t total = b->ntodo;
	double secs = (double)(term_now_ms() - b->start_ms) / 1000.0;
	double rate = secs > 0 ? (double)b->done / secs : 0;
	double eta = rate > 0 ? (double)(total - b->done) / rate : 0;

	if (b->tty) {
		int width = 30, filled = total ? (int)(width * b->done / total) : width;

		fprintf(stderr, "\r[%.*s%.*s] %zu/%zu  %.1f/s  ETA %d:%02d  failures %zu ", filled,
			"##############################", width - filled, "..............................",
			b->done, total, rate, (int)eta / 60, (int)eta % 60, b->failed + b->errors);
		if (b->done == total)
			fputc('\n', stderr);
		fflush(stderr);
	} else {
		fprintf(stderr, "[%*zu/%zu] %s: %s\n", (int)snprintf(NULL, 0, "%zu", total), b->done, total,
			student, text);
	}
}

static void graded(void *arg, size_t index, const char *text, int status)
{
	struct batch *b = arg;
	const struct submission *sub = &b->subs[b->todo[index]];
	int kind = 3;
	double score = 0, max = 0;
	unsigned long ms = 0;
	char msg[256] = "";
	char line[400];

	b->done++;
	if (!text) {
		snprintf(line, sizeof(line), "not graded (interrupted)");
	} else if (sscanf(text, "%d\t%lf\t%lf\t%lu\t%255[^\n]", &kind, &score, &max, &ms, msg) >= 4) {
		if (kind == 0)
			snprintf(line, sizeof(line), "%.4g/%.4g (%.1f s)", score, max, (double)ms / 1000.0);
		else if (kind == 1)
			snprintf(line, sizeof(line), "%.4g/%.4g, did not build", score, max);
		else if (kind == 2)
			snprintf(line, sizeof(line), "interrupted");
		else
			snprintf(line, sizeof(line), "ERROR: %s", msg);
	} else {
		kind = 3;
		snprintf(line, sizeof(line), "ERROR: the worker died (status %d)", status);
	}
	if (kind == 1)
		b->failed++;
	if (kind == 3)
		b->errors++;
	progress(b, sub->id, line);
}

/* A student whose report.json is complete and from this very spec. */
static bool already_graded(const struct grade_cmd *c, const struct spec *s, const char *id)
{
	char *path = str_printf("%s/%s/report.json", c->outdir, id);
	json_t *j = path ? json_load_file(path, 0, NULL) : NULL;
	bool done = j && json_is_true(json_object_get(j, "complete")) &&
		    strcmp(json_string_value(json_object_get(json_object_get(j, "spec"), "sha256")) ?: "",
			   s->sha256) == 0;

	json_decref(j);
	free(path);
	return done;
}

static char *default_cache_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (xdg && *xdg)
		return str_printf("%s/ipcgrade/builds", xdg);
	if (home && *home)
		return str_printf("%s/.cache/ipcgrade/builds", home);
	return NULL;
}

static int mkdir_p(const char *path)
{
	char *p = strdup(path);

	if (!p)
		return -1;
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		mkdir(p, 0755);
		*q = '/';
	}
	int rc = mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;

	free(p);
	return rc;
}

/* The class report beside the summary: this shard's snapshots, then
 * similarity, gradebook exports and index.html (class_report.c). */
static int class_report(const struct grade_cmd *c, const struct spec *s, const struct batch *b)
{
	struct class_report_opts o = {
		.no_similarity = c->no_similarity,
		.similarity = { .threshold = c->similarity_threshold > 0 ? c->similarity_threshold : 50,
				.min_run = 24, .sim_c = getenv("IPCGRADE_SIM_C") },
		.gradebook = { .roster = c->roster, .submission_times = c->submission_times,
			       .due = (time_t)c->due, .penalty_per_day = c->late_penalty },
	};
	size_t *mine = calloc(b->nsubs ? b->nsubs : 1, sizeof(*mine)), n = 0;
	char err[1024] = "";
	int rc = 0;

	for (size_t i = 0; mine && i < b->nsubs; i++)
		if (sub_shard_has(b->subs[i].id, c->shard_k, c->shard_n))
			mine[n++] = i;
	if (!mine || class_snapshots_write(s, c->outdir, b->subs, mine, n, err, sizeof(err)) < 0) {
		fprintf(stderr, "ipcgrade: %s\n", err[0] ? err : "out of memory");
		rc = -1;
	}
	free(mine);
	if (class_report_write(c->outdir, &o, stdout) < 0)
		rc = -1;
	return rc;
}

int cmd_grade(const struct grade_cmd *c)
{
	struct spec *s = NULL;
	struct diag d;
	struct batch b = { .cmd = c };
	char err[1024] = "";
	char *specpath = assignment_spec_path(c->spec);
	int rc = EXIT_OK;
	struct sigaction sa;

	diag_init(&d);
	if (!specpath || spec_load(specpath, &s, &d) < 0) {
		diag_print(&d, stderr);
		diag_release(&d);
		free(specpath);
		return EXIT_USAGE;
	}
	diag_release(&d);
	b.spec = s;
	{
		struct gradebook_opts g = { .roster = c->roster, .submission_times = c->submission_times };

		if (gradebook_check(&g, err, sizeof(err)) < 0) {
			fprintf(stderr, "ipcgrade: %s\n", err);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (sub_find(s, c->paths, c->npaths, &b.subs, &b.nsubs, err, sizeof(err)) < 0) {
		fprintf(stderr, "ipcgrade: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (mkdir_p(c->outdir) < 0) {
		fprintf(stderr, "ipcgrade: cannot create the output folder '%s': %s\n", c->outdir,
			strerror(errno));
		rc = EXIT_INTERNAL;
		goto out;
	}
	if (c->isolation != HX_ISOLATION_REDUCED && (c->require_isolation || c->isolation == HX_ISOLATION_FULL) &&
	    hx_probe()->best != HX_ISOLATION_FULL) {
		fprintf(stderr, "ipcgrade: full isolation is required but not available here: %s\n"
			"(run `ipcgrade doctor`)\n", hx_probe()->namespaces_why);
		rc = EXIT_INTERNAL;
		goto out;
	}
	b.todo = calloc(b.nsubs, sizeof(*b.todo));
	if (!b.todo) {
		rc = EXIT_INTERNAL;
		goto out;
	}
	size_t skipped = 0, other_shards = 0;

	for (size_t i = 0; i < b.nsubs; i++) {
		if (!sub_shard_has(b.subs[i].id, c->shard_k, c->shard_n)) {
			other_shards++;
			continue;
		}
		if (c->resume && already_graded(c, s, b.subs[i].id)) {
			skipped++;
			continue;
		}
		b.todo[b.ntodo++] = i;
	}
	b.cache_dir = c->no_cache ? NULL : c->cache_dir ? strdup(c->cache_dir) : default_cache_dir();
	if (b.cache_dir && mkdir_p(b.cache_dir) < 0) {
		free(b.cache_dir);
		b.cache_dir = NULL;
	}
	/* What was asked, for whoever reads the results later. */
	{
		time_t now = time(NULL);
		char when[32];
		json_t *meta;

		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
		meta = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:b}",
				 "version", hx_version(), "assignment", s->assignment,
				 "spec", specpath, "spec_sha256", s->sha256, "started", when,
				 "shard", (int)c->shard_k, "shards", (int)c->shard_n,
				 "submissions", (int)b.nsubs, "to_grade", (int)b.ntodo, "resume", c->resume);
		char *text = meta ? json_dumps(meta, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
		char *path = fs_path_join(c->outdir, "batch.json");

		if (text && path)
			file_write_atomic(path, text, strlen(text));
		free(text);
		free(path);
		json_decref(meta);
	}
	fprintf(stderr, "grading %zu submission%s of %s with %u worker%s into %s/%s%s\n", b.ntodo,
		b.ntodo == 1 ? "" : "s", s->assignment, c->jobs, c->jobs == 1 ? "" : "s", c->outdir,
		skipped ? " (resumed: the others are done)" : "",
		other_shards ? " (the others belong to other shards)" : "");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	hx_probe();	/* once, before the workers fork */
	b.tty = isatty(STDERR_FILENO) == 1;
	b.start_ms = term_now_ms();
	b.batch_pid = getpid();
	jobs_run(b.ntodo, c->jobs, grade_one, &b, graded, &interrupted);

	if (summary_write(c->outdir, stdout, err, sizeof(err)) < 0) {
		fprintf(stderr, "ipcgrade: %s\n", err);
		rc = EXIT_INTERNAL;
	}
	if (!interrupted && class_report(c, s, &b) < 0)
		rc = EXIT_INTERNAL;
	if (interrupted) {
		fprintf(stderr, "interrupted: finished reports are kept; `ipcgrade grade --resume ...` "
			"grades the rest\n");
		rc = 130;
	} else if (b.errors) {
		fprintf(stderr, "%zu submission%s could not be graded (see their report.json); "
			"--resume retries them\n", b.errors, b.errors == 1 ? "" : "s");
	}
out:
	free(b.todo);
	free(b.cache_dir);
	sub_free(b.subs, b.nsubs);
	spec_free(s);
	free(specpath);
	return rc;
}

/* ---- merge ------------------------------------------------------------------------ */

static int copy_dir_files(const char *from, const char *to, char *err, size_t errlen)
{
	int s = open(from, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int d = s < 0 ? -1 : (mkdir(to, 0755), open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	DIR *dir = s >= 0 ? fdopendir(dup(s)) : NULL;
	struct dirent *e;
	int rc = 0;

	if (s < 0 || d < 0 || !dir) {
		snprintf(err, errlen, "cannot copy %s to %s: %s", from, to, strerror(errno));
		rc = -1;
	}
	while (rc == 0 && (e = readdir(dir)))
		if (e->d_name[0] != '.' && e->d_type == DT_REG) {
			unlinkat(d, e->d_name, 0);
			rc = fs_copy_file(s, e->d_name, d, e->d_name, 0644, err, errlen);
		}
	if (dir)
		closedir(dir);
	if (s >= 0)
		close(s);
	if (d >= 0)
		close(d);
	return rc;
}

/* The shards named must be all of one batch: K of N, each K once. Each
 * shard's batch.json says which it is. */
static int check_shards(const char *const *dirs, size_t n)
{
	int total = 0;
	bool have[1024] = { false };

	for (size_t i = 0; i < n; i++) {
		char *path = fs_path_join(dirs[i], "batch.json");
		json_t *j = path ? json_load_file(path, 0, NULL) : NULL;
		int k = (int)json_integer_value(json_object_get(j, "shard"));
		int of = (int)json_integer_value(json_object_get(j, "shards"));

		free(path);
		json_decref(j);
		if (!j) {
			fprintf(stderr, "ipcgrade: %s has no batch.json: is it an output folder of "
				"`ipcgrade grade`?\n", dirs[i]);
			return -1;
		}
		if (of <= 1)
			continue;	/* an unsharded batch: nothing to complete */
		if (total && of != total) {
			fprintf(stderr, "ipcgrade: %s is a shard of %d, the others of %d\n", dirs[i], of, total);
			return -1;
		}
		total = of;
		if (k < 1 || k > of || of > 1023 || have[k]) {
			fprintf(stderr, "ipcgrade: shard %d/%d is named twice (or is invalid): %s\n", k, of, dirs[i]);
			return -1;
		}
		have[k] = true;
	}
	for (int k = 1; k <= total; k++)
		if (!have[k]) {
			fprintf(stderr, "ipcgrade: shard %d/%d is missing: the merged summary would leave "
				"its students out\n", k, total);
			return -1;
		}
	return 0;
}

/* The class report of the merged folder; the starter bundle comes from
 * the first shard that has one. */
static int merge_class_report(const char *const *dirs, size_t n, const char *final)
{
	struct class_report_opts o = { .similarity = { .threshold = 50, .min_run = 24,
						       .sim_c = getenv("IPCGRADE_SIM_C") } };
	char *starter = NULL;

	for (size_t i = 0; i < n && !starter; i++) {
		char *p = fs_path_join(dirs[i], SIMILARITY_STARTER);

		if (p && access(p, R_OK) == 0)
			starter = p;
		else
			free(p);
	}
	o.similarity.starter = starter;
	int rc = class_report_write(final, &o, stdout);

	free(starter);
	return rc;
}

int cmd_merge(const char *const *dirs, size_t n, const char *final)
{
	char err[512] = "";
	char *sha = NULL;
	char **seen = NULL;
	size_t students = 0;
	int rc = EXIT_OK;

	if (check_shards(dirs, n) < 0)
		return EXIT_USAGE;
	if (mkdir_p(final) < 0) {
		fprintf(stderr, "ipcgrade: cannot create '%s': %s\n", final, strerror(errno));
		return EXIT_INTERNAL;
	}
	for (size_t i = 0; i < n && rc == EXIT_OK; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;

		if (!d) {
			fprintf(stderr, "ipcgrade: cannot read '%s': %s\n", dirs[i], strerror(errno));
			rc = EXIT_USAGE;
			break;
		}
		while (rc == EXIT_OK && (e = readdir(d))) {
			char *rp = e->d_name[0] == '.' ? NULL : str_printf("%s/%s/report.json", dirs[i], e->d_name);
			json_t *j = rp ? json_load_file(rp, 0, NULL) : NULL;

			free(rp);
			if (!j)
				continue;	/* not a student folder */
			const char *h = json_string_value(json_object_get(json_object_get(j, "spec"), "sha256"));

			if (!sha)
				sha = strdup(h ? h : "");
			if (!h || strcmp(h, sha) != 0) {
				fprintf(stderr, "ipcgrade: %s/%s was graded with another spec than the others; "
					"merge only the shards of one batch\n", dirs[i], e->d_name);
				rc = EXIT_USAGE;
			}
			json_decref(j);
			for (size_t k = 0; rc == EXIT_OK && k < students; k++)
				if (strcmp(seen[k], e->d_name) == 0) {
					fprintf(stderr, "ipcgrade: student '%s' appears in more than one shard\n",
						e->d_name);
					rc = EXIT_USAGE;
				}
			if (rc != EXIT_OK)
				break;
			char *src = fs_path_join(dirs[i], e->d_name), *dst = fs_path_join(final, e->d_name);
			char **g = realloc(seen, (students + 1) * sizeof(*g));

			if (g)
				seen = g;
			if (!src || !dst || !g || copy_dir_files(src, dst, err, sizeof(err)) < 0) {
				fprintf(stderr, "ipcgrade: %s\n", err[0] ? err : strerror(errno));
				rc = EXIT_INTERNAL;
			} else {
				seen[students++] = strdup(e->d_name);
			}
			free(src);
			free(dst);
		}
		closedir(d);
	}
	if (rc == EXIT_OK) {
		fprintf(stderr, "merged %zu students from %zu folders into %s\n", students, n, final);
		if (summary_write(final, stdout, err, sizeof(err)) < 0) {
			fprintf(stderr, "ipcgrade: %s\n", err);
			rc = EXIT_INTERNAL;
		}
		if (merge_class_report(dirs, n, final) < 0)
			rc = EXIT_INTERNAL;
	}
	for (size_t k = 0; k < students; k++)
		free(seen[k]);
	free(seen);
	free(sha);
	return rc;
}
