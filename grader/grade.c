/*
 * grade.c - grade one submission against a spec: build it, run every
 * test (every run of it) in a fresh box, and judge each run.
 *
 * A run fails for reasons (enum reason, the vocabulary of faulty/EXPECTED):
 * its verdict (timeout, deadlock, ...), a wrong exit status, an output
 * that does not match, missing or forbidden IPC calls or symbols, or
 * what it left behind. A test passes when all its runs pass. Every run
 * gets a directory of its own holding only the program.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "grader.h"

static const char *const reason_names[REASON_COUNT] = {
	[REASON_BUILD] = "build", [REASON_TIMEOUT] = "timeout", [REASON_DEADLOCK] = "deadlock",
	[REASON_RUNTIME_ERROR] = "runtime_error", [REASON_MEMORY_LIMIT] = "memory_limit",
	[REASON_OUTPUT_LIMIT] = "output_limit", [REASON_FORBIDDEN_SYSCALL] = "forbidden_syscall",
	[REASON_INTERNAL] = "internal_error", [REASON_EXIT] = "exit", [REASON_STDOUT] = "stdout",
	[REASON_STDERR] = "stderr", [REASON_IPC] = "ipc", [REASON_SYMBOLS] = "symbols", [REASON_CLEANUP] = "cleanup",
	[REASON_FILES] = "files", [REASON_CHECKER] = "checker",
};

const char *reason_name(enum reason r)
{
	return (unsigned)r < REASON_COUNT ? reason_names[r] : "?";
}

int reason_from_name(const char *name)
{
	for (int r = 0; r < REASON_COUNT; r++)
		if (strcmp(reason_names[r], name) == 0)
			return r;
	return -1;
}

static enum reason reason_of_verdict(enum hx_verdict v)
{
	switch (v) {
	case HX_VERDICT_TIMEOUT: return REASON_TIMEOUT;
	case HX_VERDICT_DEADLOCK: return REASON_DEADLOCK;
	case HX_VERDICT_MEMORY_LIMIT: return REASON_MEMORY_LIMIT;
	case HX_VERDICT_OUTPUT_LIMIT: return REASON_OUTPUT_LIMIT;
	case HX_VERDICT_FORBIDDEN_SYSCALL: return REASON_FORBIDDEN_SYSCALL;
	case HX_VERDICT_INTERNAL_ERROR: return REASON_INTERNAL;
	default: return REASON_RUNTIME_ERROR;
	}
}

/* A growing message, "; "-separated. */
static void note(FILE *f, bool *first, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(FILE *f, bool *first, const char *fmt, ...)
{
	va_list ap;

	if (!f)
		return;
	if (!*first)
		fputs("\n", f);
	*first = false;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
}

static void judge_output(const struct matcher *m, const struct hx_output *o, const char *stream,
			 enum reason r, struct run_outcome *ro, FILE *f, bool *first)
{
	struct mismatch why;

	if (match_output(m, o->data ? o->data : "", o->len, &why))
		return;
	ro->reasons |= 1u << r;
	note(f, first, "%s: %s%s", stream, why.what ? why.what : "does not match",
	     o->truncated ? " (the output was cut at the output limit)" : "");
	if (why.expected && !ro->diff)
		ro->diff = diff_unified(why.expected, strlen(why.expected), o->data ? o->data : "",
					o->len, 40);
	match_mismatch_release(&why);
}

static const char *ipc_kind_words(const char *kind)
{
	if (strcmp(kind, "posix_shm") == 0) return "POSIX shared memory";
	if (strcmp(kind, "posix_sem") == 0) return "POSIX named semaphore";
	if (strcmp(kind, "posix_mq") == 0) return "POSIX message queue";
	if (strcmp(kind, "sysv_shm") == 0) return "System V shared memory segment";
	if (strcmp(kind, "sysv_sem") == 0) return "System V semaphore set";
	if (strcmp(kind, "sysv_msg") == 0) return "System V message queue";
	return kind;
}

/* Read a file the program left, safely: never through a link, never a
 * FIFO, at most max bytes. NULL when missing (*why says so). */
static char *read_output_file(const char *dir, const char *name, size_t max, size_t *len,
			      const char **why)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd = dfd < 0 ? -1 : openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;

	*why = "the program did not create it";
	if (fd < 0) {
		if (errno == ELOOP)
			*why = "it is a symbolic link, not a file";
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*why = "it is not a regular file";
		goto out;
	}
	if ((size_t)st.st_size > max) {
		*why = "it is larger than the output limit";
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	*len = 0;
	while (buf && *len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + *len, (size_t)st.st_size - *len);

		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	if (buf)
		buf[*len] = '\0';
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	return buf;
}

static void judge_files(const struct expect *e, const char *rundir, struct run_outcome *ro, FILE *f,
			bool *first)
{
	for (size_t i = 0; i < e->nfiles; i++) {
		const struct file_expect *fe = &e->files[i];
		size_t len = 0;
		const char *why;
		char *data = read_output_file(rundir, fe->name, 64u << 20, &len, &why);

		if (!data) {
			ro->reasons |= 1u << REASON_FILES;
			note(f, first, "the file %s: %s", fe->name, why);
			continue;
		}
		struct hx_output o = { .data = data, .len = len };
		char label[300];

		snprintf(label, sizeof(label), "the file %s", fe->name);
		judge_output(&fe->m, &o, label, REASON_FILES, ro, f, first);
		free(data);
	}
}

/* Write data to dir/name; 0 or -1. */
static int put_file(const char *dir, const char *name, const void *data, size_t len)
{
	char *path = fs_path_join(dir, name);
	int rc = path ? file_write_atomic(path, data, len) : -1;

	free(path);
	return rc < 0 ? -1 : 0;
}

/* Copy the regular files the program left into dst (never following links). */
static void copy_outputs(const char *rundir, const char *dst)
{
	int s = open(rundir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int d = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = s >= 0 ? fdopendir(dup(s)) : NULL;
	struct dirent *e;
	char err[256];

	while (dir && (e = readdir(dir)))
		if (e->d_name[0] != '.' && e->d_type == DT_REG)
			fs_copy_file(s, e->d_name, d, e->d_name, 0644, err, sizeof(err));
	if (dir)
		closedir(dir);
	if (s >= 0)
		close(s);
	if (d >= 0)
		close(d);
}

/* The most of a spec's folder copied for a checker (reduced isolation). */
#define CHECKER_COPY_MAX ((size_t)64 << 20)

/* A copy of the word list v in which words naming a path below `from`
 * name the same path below `to`; NULL when out of memory. */
static char **strv_rebase(char *const *v, const char *from, const char *to)
{
	size_t n = 0, fl = strlen(from);

	while (v[n])
		n++;
	char **out = calloc(n + 1, sizeof(*out));

	for (size_t i = 0; out && i < n; i++) {
		bool below = strncmp(v[i], from, fl) == 0 && v[i][fl] == '/';

		out[i] = below ? str_printf("%s%s", to, v[i] + fl) : strdup(v[i]);
		if (!out[i]) {
			strv_free(out);
			return NULL;
		}
	}
	return out;
}

/*
 * Run the instructor's checker on a finished run, in a box of its own:
 * its working folder holds stdin, stdout, stderr, trace.json, args.json
 * and files/ (the program's output files); the environment points there.
 */
static void run_checker(const struct test *t, const struct spec *s, struct run_outcome *ro,
			const char *rundir, const struct grade_opts *o, FILE *f, bool *first,
			double *fraction)
{
	char *cdir = str_printf("%s.check", rundir), *files = NULL, *trace = NULL, *args = NULL;
	char *staged = NULL, **moved_argv = NULL;
	const struct hx_result *res = &ro->res;
	struct hx_result cr;
	char herr[256], cerr[256];
	bool full = res->isolation == HX_ISOLATION_FULL;
	const char *env[12];
	char *envs[8] = { 0 };
	int ne = 0;

	memset(&cr, 0, sizeof(cr));
	files = cdir ? fs_path_join(cdir, "files") : NULL;
	if (!cdir || !files || mkdir(cdir, 0755) < 0 || mkdir(files, 0755) < 0) {
		ro->reasons |= 1u << REASON_INTERNAL;
		note(f, first, "the checker could not be prepared: %s", strerror(errno));
		goto out;
	}
	copy_outputs(rundir, files);
	trace = report_json_run(res);
	{
		json_t *a = json_array();

		for (size_t i = 0; i < t->nargs; i++)
			json_array_append_new(a, json_string(t->args[i]));
		args = json_dumps(a, JSON_COMPACT);
		json_decref(a);
	}
	if (put_file(cdir, "stdout", res->out.data ? res->out.data : "", res->out.len) < 0 ||
	    put_file(cdir, "stderr", res->err.data ? res->err.data : "", res->err.len) < 0 ||
	    put_file(cdir, "stdin", t->stdin_data ? t->stdin_data : "", t->stdin_len) < 0 ||
	    put_file(cdir, "trace.json", trace ? trace : "{}", trace ? strlen(trace) : 2) < 0) {
		ro->reasons |= 1u << REASON_INTERNAL;
		note(f, first, "the checker could not be prepared: %s", strerror(errno));
		goto out;
	}
	/* Paths as the checker sees them: /box in full isolation. */
	const char *base = full ? "/box" : cdir;

	env[ne++] = "PATH=/usr/local/bin:/usr/bin:/bin";
	env[ne++] = "LANG=C.UTF-8";
	envs[0] = str_printf("IPCGRADE_TEST=%s", t->name);
	envs[1] = str_printf("IPCGRADE_ARGS=%s", args ? args : "[]");
	envs[2] = str_printf("IPCGRADE_STDIN=%s/stdin", base);
	envs[3] = str_printf("IPCGRADE_STDOUT=%s/stdout", base);
	envs[4] = str_printf("IPCGRADE_STDERR=%s/stderr", base);
	envs[5] = str_printf("IPCGRADE_FILES=%s/files", base);
	envs[6] = str_printf("IPCGRADE_TRACE=%s/trace.json", base);
	envs[7] = str_printf("IPCGRADE_EXIT_CODE=%d", res->exit_code);
	for (int i = 0; i < 8; i++)
		if (envs[i])
			env[ne++] = envs[i];
	env[ne] = NULL;

	/* In reduced isolation the checker reaches the spec's folder by its
	 * host path, under the box's uid when we are root: where others may
	 * not enter that folder, it runs from a copy (full isolation binds
	 * the folder itself, through an fd). */
	const char *const *argv = (const char *const *)t->expect.checker.argv;

	if (!full && geteuid() == 0 && s->dir && !fs_others_can_read(s->dir)) {
		staged = fs_path_join(cdir, "spec");
		int rc = staged ? fs_copy_tree(s->dir, staged, CHECKER_COPY_MAX) : -ENOMEM;

		if (rc == 0) {
			moved_argv = strv_rebase(t->expect.checker.argv, s->dir, staged);
			rc = moved_argv ? 0 : -ENOMEM;
		}
		if (rc < 0) {
			ro->reasons |= 1u << REASON_INTERNAL;
			note(f, first, "the checker's folder %s could not be copied for the box's user: %s",
			     s->dir, strerror(-rc));
			goto out;
		}
		argv = (const char *const *)moved_argv;
	}

	struct hx_config cfg;
	const char *ro_dirs[] = { staged ? staged : s->dir, NULL };

	hx_config_init(&cfg);
	cfg.argv = argv;
	cfg.workdir = cdir;
	cfg.readonly_dirs = ro_dirs;
	cfg.envp = env;
	cfg.purpose = HX_PURPOSE_CHECKER;
	cfg.isolation = full ? HX_ISOLATION_FULL : o->isolation;
	cfg.limits.wall_ms = t->expect.checker.timeout_ms;
	cfg.limits.cpu_ms = t->expect.checker.timeout_ms;
	cfg.limits.memory_mb = 512;
	cfg.limits.processes = 32;
	cfg.limits.output_kb = 64;
	cfg.cancel = o->cancel;
	if (hx_run(&cfg, &cr, herr, sizeof(herr)) < 0) {
		ro->reasons |= 1u << REASON_INTERNAL;
		note(f, first, "the checker could not run: %s", herr);
		goto out;
	}
	char *said = text_sanitize(cr.out.data ? cr.out.data : "", cr.out.len);

	/* A "score: X" line is a partial score; the rest is feedback. */
	double partial = -1;

	for (char *line = said; line && *line; ) {
		char *nl = strchr(line, '\n');
		double v;

		if (sscanf(line, "score: %lf", &v) == 1 && v >= 0 && v <= 1)
			partial = v;
		line = nl ? nl + 1 : NULL;
	}
	ro->checker_output = said;
	bool accepted = cr.verdict == HX_VERDICT_OK || (cr.exit_code == 42 && !cr.signal);
	bool rejected = !accepted && !cr.signal && (cr.exit_code == 1 || cr.exit_code == 43);

	if (accepted) {
		if (partial >= 0 && partial < 1) {
			/* Accepted, for part of the points. */
			*fraction = partial;
			ro->reasons |= 1u << REASON_CHECKER;
			note(f, first, "the checker gives partial credit (%.0f%%): %s", partial * 100,
			     said && *said ? said : "");
		}
	} else if (rejected) {
		ro->reasons |= 1u << REASON_CHECKER;
		*fraction = partial >= 0 ? partial : 0.0;
		note(f, first, "the checker says: %s", said && *said ? said : "the output is not correct");
	} else {
		/* The checker itself failed: the instructor's problem. */
		ro->reasons |= 1u << REASON_INTERNAL;
		snprintf(cerr, sizeof(cerr), "%s", cr.err.data ? cr.err.data : "");
		note(f, first, "the checker failed (%s%s%s): %s", hx_verdict_name(cr.verdict),
		     cr.verdict_detail[0] ? ", " : "", cr.verdict_detail, cerr);
	}
out:
	hx_result_release(&cr);
	if (cdir)
		fs_remove_tree(cdir);
	for (int i = 0; i < 8; i++)
		free(envs[i]);
	free(cdir);
	free(files);
	free(trace);
	free(args);
	free(staged);
	strv_free(moved_argv);
}

/* Judge one finished run against the test's expectations. */
static void judge(const struct test *t, const struct grade_report *rep, struct run_outcome *ro,
		  const char *symbols_msg, const char *rundir, const struct grade_opts *o)
{
	const struct hx_result *res = &ro->res;
	const struct expect *e = &t->expect;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool first = true;
	bool finished = res->verdict == HX_VERDICT_OK || res->verdict == HX_VERDICT_RUNTIME_ERROR ||
			res->verdict == HX_VERDICT_FORBIDDEN_SYSCALL;

	(void)rep;
	if (!finished) {
		ro->reasons |= 1u << reason_of_verdict(res->verdict);
		switch (res->verdict) {
		case HX_VERDICT_TIMEOUT:
			note(f, &first, "the program did not finish in time: %s", res->verdict_detail);
			break;
		case HX_VERDICT_DEADLOCK:
			note(f, &first, "%s", res->deadlock && res->deadlock->explanation
				 ? res->deadlock->explanation : "the processes deadlocked");
			break;
		case HX_VERDICT_MEMORY_LIMIT:
			note(f, &first, "the program used too much memory: %s", res->verdict_detail);
			break;
		case HX_VERDICT_OUTPUT_LIMIT:
			note(f, &first, "the program printed too much: %s", res->verdict_detail);
			break;
		default:
			note(f, &first, "ipcgrade could not run the test: %s", res->error);
			break;
		}
	} else {
		if (res->verdict == HX_VERDICT_FORBIDDEN_SYSCALL) {
			ro->reasons |= 1u << REASON_FORBIDDEN_SYSCALL;
			note(f, &first, "the program made system calls the sandbox forbids:");
			for (size_t i = 0; i < res->ndenied; i++)
				fprintf(f, "%s %s (%u time%s)", i ? "," : "", res->denied[i].call,
					res->denied[i].count, res->denied[i].count == 1 ? "" : "s");
		}
		if (res->signal) {
			ro->reasons |= 1u << REASON_RUNTIME_ERROR;
			note(f, &first, "the program crashed: killed by %s%s", res->verdict_detail[0] ? "" : "",
			     res->signal == 11 ? "SIGSEGV (a segmentation fault: an invalid memory access)"
			     : res->signal == 6 ? "SIGABRT (abort, e.g. a failed assert)"
			     : res->signal == 8 ? "SIGFPE (an arithmetic error, e.g. division by zero)"
			     : res->signal == 13 ? "SIGPIPE (it wrote to a pipe nobody reads)"
			     : res->verdict_detail);
		} else if (!e->exit_any && res->exit_code != e->exit) {
			ro->reasons |= 1u << REASON_EXIT;
			if (e->exit == 0)
				ro->reasons |= 1u << REASON_RUNTIME_ERROR;
			if (res->exit_code == 127 && res->verdict_detail[0])
				note(f, &first, "%s", res->verdict_detail);
			else
				note(f, &first, "the program exited with status %d, expected %d",
				     res->exit_code, e->exit);
		}
		judge_output(&e->out, &res->out, "stdout", REASON_STDOUT, ro, f, &first);
		judge_output(&e->err, &res->err, "stderr", REASON_STDERR, ro, f, &first);
		judge_files(e, rundir, ro, f, &first);
		if (e->has_ipc) {
			char *msg = NULL;

			if (!ipc_check(&e->ipc, res, &msg)) {
				ro->reasons |= 1u << REASON_IPC;
				note(f, &first, "IPC: %s", msg ? msg : "the required IPC calls were not made");
			}
			free(msg);
		}
	}
	if (symbols_msg) {
		ro->reasons |= 1u << REASON_SYMBOLS;
		note(f, &first, "functions: %s", symbols_msg);
	}
	if (e->cleanup && (res->leftover_processes || res->nipc_left)) {
		ro->reasons |= 1u << REASON_CLEANUP;
		note(f, &first, "cleanup: the program left behind");
		for (size_t i = 0; i < res->nleftovers; i++)
			fprintf(f, "%s a running process (pid %d, %s)", i ? "," : "",
				res->leftovers[i].pid, res->leftovers[i].comm);
		for (size_t i = 0; i < res->nipc_left; i++)
			fprintf(f, "%s the %s %s", i || res->nleftovers ? "," : "",
				ipc_kind_words(res->ipc_left[i].kind), res->ipc_left[i].name);
		fprintf(f, " (wait for your children; unlink or remove what you create)");
	}
	/* The checker judges last, and only runs that finished. */
	double fraction = 1.0;

	if (finished && e->has_checker)
		run_checker(t, rep->spec, ro, rundir, o, f, &first, &fraction);
	if (f)
		fclose(f);
	ro->passed = ro->reasons == 0;
	/* Only a checker's verdict can be worth part of the points. */
	ro->fraction = ro->passed ? 1.0 : (ro->reasons == (1u << REASON_CHECKER) ? fraction : 0.0);
	if (ro->passed)
		free(buf);
	else
		ro->message = buf;
}

static char *run_dir(const char *tmp, size_t test, unsigned run)
{
	char *s = NULL;

	if (asprintf(&s, "%s/run-%zu-%u", tmp, test, run) < 0)
		return NULL;
	return s;
}

/* A fresh directory holding only the program and the test's input files. */
static int prepare_run_dir(const char *dir, const char *binary, const struct test *t, char *err,
			   size_t errlen)
{
	char *copy = strdup(binary), *copy2 = strdup(binary);
	int src = -1, dst = -1, rc = -1;

	if (!copy || !copy2)
		goto out;
	if (mkdir(dir, 0755) < 0) {
		snprintf(err, errlen, "cannot create '%s': %s", dir, strerror(errno));
		goto out;
	}
	src = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dst = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (src < 0 || dst < 0) {
		snprintf(err, errlen, "cannot open run folders: %s", strerror(errno));
		goto out;
	}
	const char *base = basename(copy2);

	rc = fs_copy_file(src, base, dst, base, 0755, err, errlen);
	for (size_t i = 0; rc == 0 && i < t->nfiles_in; i++) {
		char *in = strdup(t->files_in[i]), *in2 = strdup(t->files_in[i]);
		int ifd = in ? open(dirname(in), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

		rc = ifd < 0 || !in2 ? -1
		     : fs_copy_file(ifd, basename(in2), dst, basename(in2), 0644, err, errlen);
		if (ifd >= 0)
			close(ifd);
		free(in);
		free(in2);
	}
out:
	if (src >= 0)
		close(src);
	if (dst >= 0)
		close(dst);
	free(copy);
	free(copy2);
	return rc;
}

static bool outputs_equal(const struct run_outcome *a, const struct run_outcome *b)
{
	return a->res.out.len == b->res.out.len &&
	       (a->res.out.len == 0 || memcmp(a->res.out.data, b->res.out.data, a->res.out.len) == 0);
}

static int run_test(const struct spec *s, const struct test *t, size_t index, const char *tmp,
		    const struct grade_opts *o, struct grade_report *rep, struct test_outcome *to,
		    char *err, size_t errlen)
{
	char *symbols_msg = NULL;
	int rc = 0;

	(void)s;
	to->test = t;
	to->first_failed = -1;
	to->runs = calloc(t->runs, sizeof(*to->runs));
	if (!to->runs) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* "./NAME", set with the binary when the build succeeded */
	const char *prog = rep->program;

	if (!prog || !rep->build.binary) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (t->expect.has_symbols)
		symbols_check(&t->expect.symbols, rep->build.binary, &symbols_msg);

	for (unsigned r = 0; r < t->runs; r++) {
		struct run_outcome *ro = &to->runs[r];
		char *dir = run_dir(tmp, index, r);
		const char **argv = calloc(t->nargs + 2, sizeof(*argv));
		char herr[256];

		if (!dir || !argv) {
			free(dir);
			free(argv);
			snprintf(err, errlen, "out of memory");
			rc = -1;
			break;
		}
		if (prepare_run_dir(dir, rep->build.binary, t, err, errlen) < 0) {
			free(dir);
			free(argv);
			rc = -1;
			break;
		}
		argv[0] = prog;
		for (size_t i = 0; i < t->nargs; i++)
			argv[i + 1] = t->args[i];

		struct hx_config cfg;

		hx_config_init(&cfg);
		cfg.argv = argv;
		cfg.workdir = dir;
		cfg.stdin_data = t->stdin_data;
		cfg.stdin_len = t->stdin_len;
		cfg.limits = t->limits;
		cfg.isolation = o->isolation;
		cfg.purpose = HX_PURPOSE_SUBMISSION;
		/* Always trace: it is nearly free, and reports show the IPC
		 * counts even when the spec does not check them. */
		cfg.trace = HX_TRACE_EVENTS | (t->needs_hot ? HX_TRACE_HOT : 0);
		if (t->jitter) {
			cfg.jitter_max_us = t->jitter_max_us;
			/* A fixed seed gives every run its own, reproducible one. */
			cfg.seed = t->jitter_seed ? t->jitter_seed + r : 0;
		}
		cfg.cpus = t->cpus;
		cfg.cancel = o->cancel;
		int hrc = hx_run(&cfg, &ro->res, herr, sizeof(herr));

		free(argv);
		if (hrc == -ECANCELED) {
			fs_remove_tree(dir);
			free(dir);
			snprintf(err, errlen, "cancelled");
			rc = -1;
			break;
		}
		if (hrc < 0) {
			/* Our failure, not the student's: the run is marked as an
			 * internal error and the batch goes on. */
			ro->reasons |= 1u << REASON_INTERNAL;
			ro->message = strdup(herr);
		} else {
			judge(t, rep, ro, symbols_msg, dir, o);
		}
		fs_remove_tree(dir);
		free(dir);
		to->nruns++;
		if (ro->passed) {
			to->npassed++;
		} else {
			to->reasons |= ro->reasons;
			if (to->first_failed < 0)
				to->first_failed = (int)r;
		}
		if (o->progress)
			o->progress(o->progress_arg, t, r + 1, t->runs);
		/* A hang costs seconds per run and says nothing new the
		 * second time: stop repeating after one. */
		if (!ro->passed && (ro->reasons & ((1u << REASON_TIMEOUT) | (1u << REASON_DEADLOCK) |
						   (1u << REASON_MEMORY_LIMIT) | (1u << REASON_INTERNAL))))
			break;
	}
	free(symbols_msg);
	to->passed = rc == 0 && to->npassed == t->runs;
	/* A checker's partial score counts; the worst run decides, and a
	 * test whose runs were cut short gets nothing. */
	double fraction = to->nruns == t->runs && rc == 0 ? 1.0 : 0.0;

	for (size_t i = 0; i < to->nruns; i++)
		if (to->runs[i].fraction < fraction)
			fraction = to->runs[i].fraction;
	to->score = t->points * fraction;
	for (size_t i = 1; i < to->nruns; i++)
		if (!outputs_equal(&to->runs[0], &to->runs[i]))
			to->outputs_differ = true;
	return rc;
}

int grade_submission(const struct spec *s, const char *subdir, const struct grade_opts *o,
		     struct grade_report *rep, char *err, size_t errlen)
{
	char *tmp = NULL, *builddir = NULL;
	uint64_t t0 = term_now_ms();
	int rc = 0;
	time_t now = time(NULL);
	struct tm tm;

	memset(rep, 0, sizeof(*rep));
	rep->spec = s;
	rep->submission = strdup(subdir);
	{
		char *copy = strdup(subdir);
		size_t l = copy ? strlen(copy) : 0;

		while (l > 1 && copy[l - 1] == '/')
			copy[--l] = '\0';
		rep->student = copy ? strdup(basename(copy)) : NULL;
		free(copy);
	}
	gmtime_r(&now, &tm);
	strftime(rep->started, sizeof(rep->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	rep->tests = calloc(s->ntests, sizeof(*rep->tests));
	if (!rep->tests) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < s->ntests; i++) {
		if (o->visible_only && s->tests[i].visibility != VIS_VISIBLE)
			continue;
		rep->max_score += s->tests[i].points;
	}

	tmp = fs_make_temp_dir("grade");
	builddir = tmp ? fs_path_join(tmp, "build") : NULL;
	if (!tmp || !builddir || mkdir(builddir, 0755) < 0) {
		snprintf(err, errlen, "cannot create a temporary folder: %s", strerror(errno));
		rc = -1;
		goto out;
	}
	struct build_opts bo = { .isolation = o->isolation, .cache_dir = o->cache_dir, .cancel = o->cancel };

	if (build_submission(s, subdir, builddir, &bo, &rep->build, err, errlen) < 0) {
		rc = -1;
		goto out;
	}
	rep->isolation = rep->build.isolation;
	if (rep->build.binary) {
		char *copy = strdup(rep->build.binary);

		rep->program = copy ? str_printf("./%s", basename(copy)) : NULL;
		free(copy);
	}
	for (size_t i = 0; i < s->ntests; i++) {
		const struct test *t = &s->tests[i];
		struct test_outcome *to = &rep->tests[rep->ntests];

		if (o->visible_only && t->visibility != VIS_VISIBLE)
			continue;
		rep->ntests++;
		if (!rep->build.ok) {
			to->test = t;
			to->skipped = true;
			to->first_failed = -1;
			to->reasons = 1u << REASON_BUILD;
			continue;
		}
		if (run_test(s, t, i, tmp, o, rep, to, err, errlen) < 0) {
			rc = -1;
			goto out;
		}
		if (to->nruns && to->runs[0].res.isolation)
			rep->isolation = to->runs[0].res.isolation;
		rep->score += to->score;
	}
out:
	if (tmp)
		fs_remove_tree(tmp);
	free(tmp);
	free(builddir);
	rep->ms = (unsigned long)(term_now_ms() - t0);
	return rc;
}

void grade_report_release(struct grade_report *r)
{
	for (size_t i = 0; i < r->ntests; i++) {
		struct test_outcome *to = &r->tests[i];

		for (size_t j = 0; j < to->nruns; j++) {
			hx_result_release(&to->runs[j].res);
			free(to->runs[j].message);
			free(to->runs[j].diff);
			free(to->runs[j].checker_output);
		}
		free(to->runs);
	}
	free(r->tests);
	build_result_release(&r->build);
	free(r->student);
	free(r->submission);
	free(r->problem);
	free(r->program);
	memset(r, 0, sizeof(*r));
}
