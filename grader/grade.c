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
#include <errno.h>
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

static const char *const reason_names[R_COUNT] = {
	[R_BUILD] = "build", [R_TIMEOUT] = "timeout", [R_DEADLOCK] = "deadlock",
	[R_RUNTIME_ERROR] = "runtime_error", [R_MEMORY_LIMIT] = "memory_limit",
	[R_OUTPUT_LIMIT] = "output_limit", [R_FORBIDDEN_SYSCALL] = "forbidden_syscall",
	[R_INTERNAL] = "internal_error", [R_EXIT] = "exit", [R_STDOUT] = "stdout",
	[R_STDERR] = "stderr", [R_IPC] = "ipc", [R_SYMBOLS] = "symbols", [R_CLEANUP] = "cleanup",
};

const char *reason_name(enum reason r)
{
	return (unsigned)r < R_COUNT ? reason_names[r] : "?";
}

int reason_from_name(const char *name)
{
	for (int r = 0; r < R_COUNT; r++)
		if (strcmp(reason_names[r], name) == 0)
			return r;
	return -1;
}

static enum reason reason_of_verdict(enum hx_verdict v)
{
	switch (v) {
	case HX_VERDICT_TIMEOUT: return R_TIMEOUT;
	case HX_VERDICT_DEADLOCK: return R_DEADLOCK;
	case HX_VERDICT_MEMORY_LIMIT: return R_MEMORY_LIMIT;
	case HX_VERDICT_OUTPUT_LIMIT: return R_OUTPUT_LIMIT;
	case HX_VERDICT_FORBIDDEN_SYSCALL: return R_FORBIDDEN_SYSCALL;
	case HX_VERDICT_INTERNAL_ERROR: return R_INTERNAL;
	default: return R_RUNTIME_ERROR;
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
	mismatch_release(&why);
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

/* Judge one finished run against the test's expectations. */
static void judge(const struct test *t, const struct grade_report *rep, struct run_outcome *ro,
		  const char *symbols_msg)
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
			ro->reasons |= 1u << R_FORBIDDEN_SYSCALL;
			note(f, &first, "the program made system calls the sandbox forbids:");
			for (size_t i = 0; i < res->ndenied; i++)
				fprintf(f, "%s %s (%u time%s)", i ? "," : "", res->denied[i].call,
					res->denied[i].count, res->denied[i].count == 1 ? "" : "s");
		}
		if (res->signal) {
			ro->reasons |= 1u << R_RUNTIME_ERROR;
			note(f, &first, "the program crashed: killed by %s%s", res->verdict_detail[0] ? "" : "",
			     res->signal == 11 ? "SIGSEGV (a segmentation fault: an invalid memory access)"
			     : res->signal == 6 ? "SIGABRT (abort, e.g. a failed assert)"
			     : res->signal == 8 ? "SIGFPE (an arithmetic error, e.g. division by zero)"
			     : res->signal == 13 ? "SIGPIPE (it wrote to a pipe nobody reads)"
			     : res->verdict_detail);
		} else if (!e->exit_any && res->exit_code != e->exit) {
			ro->reasons |= 1u << R_EXIT;
			if (e->exit == 0)
				ro->reasons |= 1u << R_RUNTIME_ERROR;
			if (res->exit_code == 127 && res->verdict_detail[0])
				note(f, &first, "%s", res->verdict_detail);
			else
				note(f, &first, "the program exited with status %d, expected %d",
				     res->exit_code, e->exit);
		}
		judge_output(&e->out, &res->out, "stdout", R_STDOUT, ro, f, &first);
		judge_output(&e->err, &res->err, "stderr", R_STDERR, ro, f, &first);
		if (e->has_ipc) {
			char *msg = NULL;

			if (!ipc_check(&e->ipc, res, &msg)) {
				ro->reasons |= 1u << R_IPC;
				note(f, &first, "IPC: %s", msg ? msg : "the required IPC calls were not made");
			}
			free(msg);
		}
	}
	if (symbols_msg) {
		ro->reasons |= 1u << R_SYMBOLS;
		note(f, &first, "functions: %s", symbols_msg);
	}
	if (e->cleanup && (res->leftover_processes || res->nipc_left)) {
		ro->reasons |= 1u << R_CLEANUP;
		note(f, &first, "cleanup: the program left behind");
		for (size_t i = 0; i < res->nleftovers; i++)
			fprintf(f, "%s a running process (pid %d, %s)", i ? "," : "",
				res->leftovers[i].pid, res->leftovers[i].comm);
		for (size_t i = 0; i < res->nipc_left; i++)
			fprintf(f, "%s the %s %s", i || res->nleftovers ? "," : "",
				ipc_kind_words(res->ipc_left[i].kind), res->ipc_left[i].name);
		fprintf(f, " (wait for your children; unlink or remove what you create)");
	}
	if (f)
		fclose(f);
	ro->passed = ro->reasons == 0;
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

/* A fresh directory holding only the program. */
static int prepare_run_dir(const char *dir, const char *binary, char *err, size_t errlen)
{
	char *copy = strdup(binary);
	int src = -1, dst = -1, rc = -1;

	if (!copy)
		return -1;
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
	rc = copy_file_safely(src, "prog", dst, "prog", 0755, err, errlen);
out:
	if (src >= 0)
		close(src);
	if (dst >= 0)
		close(dst);
	free(copy);
	return rc;
}

static bool outputs_equal(const struct run_outcome *a, const struct run_outcome *b)
{
	return a->res.out.len == b->res.out.len &&
	       memcmp(a->res.out.data, b->res.out.data, a->res.out.len) == 0;
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
		if (prepare_run_dir(dir, rep->build.binary, err, errlen) < 0) {
			free(dir);
			free(argv);
			rc = -1;
			break;
		}
		argv[0] = "./prog";
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
		remove_tree(dir);
		free(dir);
		if (hrc == -ECANCELED) {
			snprintf(err, errlen, "cancelled");
			rc = -1;
			break;
		}
		if (hrc < 0) {
			/* Our failure, not the student's: the run is marked as an
			 * internal error and the batch goes on. */
			ro->reasons |= 1u << R_INTERNAL;
			ro->message = strdup(herr);
		} else {
			judge(t, rep, ro, symbols_msg);
		}
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
		if (!ro->passed && (ro->reasons & ((1u << R_TIMEOUT) | (1u << R_DEADLOCK) |
						   (1u << R_MEMORY_LIMIT) | (1u << R_INTERNAL))))
			break;
	}
	free(symbols_msg);
	to->passed = rc == 0 && to->npassed == t->runs;
	to->score = to->passed ? t->points : 0;
	for (size_t i = 1; i < to->nruns; i++)
		if (!outputs_equal(&to->runs[0], &to->runs[i]))
			to->outputs_differ = true;
	return rc;
}

int grade_submission(const struct spec *s, const char *subdir, const struct grade_opts *o,
		     struct grade_report *rep, char *err, size_t errlen)
{
	char *tmp = NULL, *builddir = NULL;
	uint64_t t0 = now_ms();
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

	tmp = make_temp_dir("grade");
	builddir = tmp ? path_join(tmp, "build") : NULL;
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
			to->reasons = 1u << R_BUILD;
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
		remove_tree(tmp);
	free(tmp);
	free(builddir);
	rep->ms = (unsigned long)(now_ms() - t0);
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
		}
		free(to->runs);
	}
	free(r->tests);
	build_result_release(&r->build);
	free(r->student);
	free(r->submission);
	free(r->problem);
	memset(r, 0, sizeof(*r));
}
