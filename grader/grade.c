/*
 * grade.c - grade one submission against a spec (see grade.h): build it,
 * run every test (every run of it) in a fresh box, judge each run
 * (judge.c), and score.
 *
 * Every run gets a folder of its own holding only the program and the
 * test's input files, removed after the run. A test passes when all its
 * runs pass; a run that hangs or hits a limit is not repeated.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "grade.h"
#include "reasons.h"
#include "str.h"
#include "symbols.h"
#include "term.h"

/* Failures that cost seconds per run and say nothing new the second
 * time: a test stops repeating after one. */
#define STOP_REPEATING (REASON_BIT(REASON_TIMEOUT) | REASON_BIT(REASON_DEADLOCK) | \
			REASON_BIT(REASON_MEMORY_LIMIT) | REASON_BIT(REASON_INTERNAL))

uint64_t grade_run_seed(const struct test *t, unsigned r)
{
	uint64_t seed = t->jitter_seed + r;

	if (!t->jitter_seed)
		return 0;
	/* Past the largest seed it goes on at 1: 0 would mean "fresh". */
	return seed < t->jitter_seed ? seed + 1 : seed;
}

/* Whether o asks for test t: visible (unless all are wanted), and the
 * one replayed. */
static bool grade_wants_test(const struct grade_opts *o, const struct test *t)
{
	if (o->visible_only && t->visibility != VIS_VISIBLE)
		return false;
	return !o->only_test || strcmp(o->only_test, t->name) == 0;
}

static char *run_dir(const char *tmp, size_t test, unsigned run)
{
	char *s = NULL;

	if (asprintf(&s, "%s/run-%zu-%u", tmp, test, run) < 0)
		return NULL;
	return s;
}

/* A fresh folder holding only the program and the test's input files.
 * Returns 0 or -errno with err set. */
static int prepare_run_dir(const char *dir, const char *binary, const struct test *t, char *err,
			   size_t errlen)
{
	int dst, rc;

	if (mkdir(dir, 0755) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create '%s': %s", dir, strerror(errno));
		return rc;
	}
	dst = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dst < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open run folders: %s", strerror(errno));
		return rc;
	}
	rc = fs_copy_file_into(binary, dst, NULL, 0755, err, errlen);
	for (size_t i = 0; rc == 0 && i < t->nfiles_in; i++)
		rc = fs_copy_file_into(t->files_in[i], dst, NULL, 0644, err, errlen);
	close(dst);
	return rc;
}

static bool outputs_equal(const struct run_outcome *a, const struct run_outcome *b)
{
	return a->res.out.len == b->res.out.len &&
	       (a->res.out.len == 0 || memcmp(a->res.out.data, b->res.out.data, a->res.out.len) == 0);
}

/* Run r of test t (index in the spec) in a fresh folder below tmp and
 * judge it into *tos[0]'s run r, and for t's checks (t->ngroup of them,
 * t the first) into each one's (their res borrowed from the first).
 * Returns 0 (the run is judged, even when ipcgrade failed it: then it
 * is an internal error), or -errno when the test cannot go on (err says
 * why; -ECANCELED when cancelled). */
static int run_once(const struct grade_report *rep, const struct test *t, size_t index, unsigned r,
		    const char *tmp, const struct grade_opts *o, char *const *symbols_msg,
		    struct test_outcome *tos, size_t slot, char *err, size_t errlen)
{
	struct run_outcome *ro = &tos[0].runs[slot];
	char *dir = run_dir(tmp, index, r);
	const char **argv = calloc(t->nargs + 2, sizeof(*argv));
	char herr[256];
	int rc = 0;

	if (!dir || !argv) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	rc = prepare_run_dir(dir, rep->build.binary, t, err, errlen);
	if (rc < 0)
		goto out;
	argv[0] = rep->program;
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
	cfg.trace = HX_TRACE_EVENTS | (t->needs_hot ? HX_TRACE_HOT : 0) |
		    (t->needs_fds ? HX_TRACE_FDS : 0);
	if (t->jitter) {
		cfg.jitter_max_us = t->jitter_max_us;
		cfg.seed = o->seed ? o->seed : grade_run_seed(t, r);
	}
	cfg.cpus = t->cpus;
	cfg.time_scale = t->time_scale < 1 ? t->time_scale : 0;
	cfg.cancel = o->cancel;
	int hrc = hx_run(&cfg, &ro->res, herr, sizeof(herr));

	if (hrc == -ECANCELED) {
		snprintf(err, errlen, "cancelled");
		rc = hrc;
	} else {
		for (size_t k = 0; k < t->ngroup; k++) {
			struct run_outcome *cro = &tos[k].runs[slot];
			struct judge_ctx jc = {
				.spec = rep->spec, .test = t + k, .rundir = dir, .symbols_msg = symbols_msg[k],
				.isolation = o->isolation, .cancel = o->cancel,
			};

			if (k > 0) {
				cro->res = ro->res;
				cro->res_borrowed = true;
			}
			if (hrc < 0) {
				/* Our failure, not the student's: the run is marked
				 * as an internal error and the batch goes on. */
				cro->reasons |= REASON_BIT(REASON_INTERNAL);
				cro->message = strdup(herr);
			} else {
				judge_run(&jc, cro);
			}
		}
	}
out:
	if (dir)
		(void)fs_remove_tree(dir);	/* inside tmp, which goes too */
	free(dir);
	free(argv);
	return rc;
}

/* The test's score: a checker's partial score counts, the worst run
 * decides, and a test whose runs were cut short gets nothing. */
static void score_test(const struct test *t, struct test_outcome *to, unsigned wanted, bool complete)
{
	/* A budget needs at least runs.min runs (a replay: its one run). */
	unsigned need = t->runs_time_ms ? (wanted < t->runs_min ? wanted : t->runs_min) : wanted;
	bool enough = to->nruns >= need;
	double fraction = enough && complete ? 1.0 : 0.0;

	to->passed = complete && enough && to->npassed == to->nruns;
	for (size_t i = 0; i < to->nruns; i++)
		if (to->runs[i].fraction < fraction)
			fraction = to->runs[i].fraction;
	to->score = t->points * fraction;
	for (size_t i = 1; i < to->nruns; i++)
		if (!outputs_equal(&to->runs[0], &to->runs[i]))
			to->outputs_differ = true;
}

/* Run every run of test t, and judge each for its checks too (t is the
 * first of t->ngroup, tos has as many outcomes). Returns 0 or -errno
 * (err says why). */
static int run_test(const struct test *t, size_t index, const char *tmp, const struct grade_opts *o,
		    const struct grade_report *rep, struct test_outcome *tos, char *err, size_t errlen)
{
	char **symbols_msg = calloc(t->ngroup, sizeof(*symbols_msg));
	int rc = 0;
	/* A replay runs one run, its number only_run. */
	unsigned first = o->only_run && o->only_run <= t->runs ? o->only_run - 1 : 0;
	unsigned end = o->only_run && o->only_run <= t->runs ? o->only_run : t->runs;
	bool oom = !symbols_msg;

	for (size_t k = 0; k < t->ngroup; k++) {
		tos[k].test = t + k;
		tos[k].first_failed = -1;
		tos[k].wanted = end - first;
		tos[k].runs = calloc(t->runs, sizeof(*tos[k].runs));
		oom |= !tos[k].runs;
	}
	/* rep->program ("./NAME") is set with the binary when the build
	 * succeeded: without it, memory ran out. */
	if (oom || !rep->program || !rep->build.binary) {
		free(symbols_msg);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t k = 0; k < t->ngroup; k++)
		if (t[k].expect.has_symbols)
			(void)symbols_check(&t[k].expect.symbols, rep->build.binary, &symbols_msg[k]);
	uint64_t t0 = term_now_ms();

	for (unsigned r = first; r < end; r++) {
		size_t slot = tos[0].nruns;	/* the runs made so far: every check has as many */
		bool stop = false;

		/* A budget: past its minimum, a passing test runs on while
		 * its time lasts. */
		if (t->runs_time_ms && r - first >= t->runs_min && term_now_ms() - t0 >= t->runs_time_ms)
			break;
		rc = run_once(rep, t, index, r, tmp, o, symbols_msg, tos, slot, err, errlen);
		if (rc < 0) {
			/* Not a run: what it holds goes now (the first's res last). */
			for (size_t k = t->ngroup; k-- > 0;)
				judge_release(&tos[k].runs[slot]);
			break;
		}
		for (size_t k = 0; k < t->ngroup; k++) {
			struct test_outcome *to = &tos[k];
			struct run_outcome *ro = &to->runs[slot];

			ro->run = r + 1;
			to->nruns++;
			if (ro->passed) {
				to->npassed++;
			} else {
				to->reasons |= ro->reasons;
				if (to->first_failed < 0)
					to->first_failed = (int)slot;
			}
			/* a failing run of a budget is the proof: enough */
			stop |= !ro->passed && (t->runs_time_ms || (ro->reasons & STOP_REPEATING));
		}
		if (o->progress)
			o->progress(o->progress_arg, t, r + 1, t->runs);
		if (stop)
			break;
	}
	for (size_t k = 0; k < t->ngroup; k++) {
		free(symbols_msg[k]);
		score_test(t + k, &tos[k], tos[k].wanted, rc == 0);
	}
	free(symbols_msg);
	return rc;
}

/* The student's id of a folder: its name. NULL only when out of memory. */
static char *folder_name(const char *path)
{
	char *copy = strdup(path), *name;
	size_t l = copy ? strlen(copy) : 0;

	while (l > 1 && copy[l - 1] == '/')
		copy[--l] = '\0';
	name = copy ? strdup(basename(copy)) : NULL;
	free(copy);
	return name;
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
	rep->student = folder_name(subdir);
	gmtime_r(&now, &tm);
	strftime(rep->started, sizeof(rep->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	rep->tests = calloc(s->ntests, sizeof(*rep->tests));
	if (!rep->tests) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < s->ntests; i++) {
		if (!grade_wants_test(o, &s->tests[i]))
			continue;
		rep->max_score += s->tests[i].points;
	}

	rc = fs_make_temp_dir("grade", &tmp);
	if (rc == 0 && !(builddir = fs_path_join(tmp, "build")))
		rc = -ENOMEM;
	if (rc == 0 && mkdir(builddir, 0755) < 0)
		rc = -errno;
	if (rc != 0) {
		snprintf(err, errlen, "cannot create a temporary folder: %s", strerror(-rc));
		goto out;
	}
	struct build_opts bo = { .isolation = o->isolation, .cache_dir = o->cache_dir, .cancel = o->cancel };

	rc = build_submission(s, subdir, builddir, &bo, &rep->build, err, errlen);
	if (rc < 0)
		goto out;
	rep->isolation = rep->build.isolation;
	if (rep->build.binary) {
		char *copy = strdup(rep->build.binary);

		rep->program = copy ? str_printf("./%s", basename(copy)) : NULL;
		free(copy);
	}
	if (o->built)
		o->built(o->progress_arg, rep);
	for (size_t i = 0; i < s->ntests; i++) {
		const struct test *t = &s->tests[i];
		struct test_outcome *to = &rep->tests[rep->ntests];

		if (!grade_wants_test(o, t))
			continue;
		if (t->group != i && rep->build.ok)
			continue;	/* a check, judged with the first of its test */
		rep->ntests++;
		if (!rep->build.ok) {
			to->test = t;
			to->skipped = true;
			to->first_failed = -1;
			to->reasons = REASON_BIT(REASON_BUILD);
			if (o->test_done)
				o->test_done(o->progress_arg, rep, to);
			continue;
		}
		if (o->test_start)
			o->test_start(o->progress_arg, t);
		/* its checks' outcomes follow it (visibility is the test's) */
		rep->ntests += t->ngroup - 1;
		rc = run_test(t, i, tmp, o, rep, to, err, errlen);
		if (rc < 0)
			goto out;
		for (size_t k = 0; o->test_done && k < t->ngroup; k++)
			o->test_done(o->progress_arg, rep, to + k);
		if (to->nruns && to->runs[0].res.isolation)
			rep->isolation = to->runs[0].res.isolation;
		for (size_t k = 0; k < t->ngroup; k++)
			rep->score += to[k].score;
	}
out:
	if (tmp)
		(void)fs_remove_tree(tmp);	/* what cannot be removed is the host's to see */
	free(tmp);
	free(builddir);
	rep->ms = (unsigned long)(term_now_ms() - t0);
	return rc;
}

bool grade_test_flaky(const struct test_outcome *to)
{
	return (to->npassed > 0 && to->npassed < to->nruns) || to->differs_from_before;
}

void grade_report_release(struct grade_report *r)
{
	for (size_t i = 0; i < r->ntests; i++) {
		struct test_outcome *to = &r->tests[i];

		for (size_t j = 0; j < to->nruns; j++)
			judge_release(&to->runs[j]);
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
