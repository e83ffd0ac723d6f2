/*
 * cmd_selftest.c - `ipcgrade selftest ASSIGNMENT_DIR...`: the verdict
 * matrix. Grades every solution (solution/ and solutions/NAME, which must
 * get full marks) and every
 * faulty submission (which must fail exactly the tests faulty/EXPECTED
 * names, for the reasons it names) and prints assignment x submission.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "faulty.h"
#include "fs.h"
#include "grade.h"
#include "jobs.h"
#include "reasons.h"
#include "selftest.h"
#include "spec.h"
#include "str.h"

struct job {
	const struct spec *spec;
	char *assignment;
	char *label;		/* "solution", "solutions/NAME" or "faulty/NAME" */
	char *dir;
	const struct expected *exp;	/* NULL for the solution */
	struct faulty_temp tmp;		/* where a patch was materialised */
};

struct selftest {
	struct job *jobs;
	size_t njobs;
	char **results;		/* per job, filled by the parent */
	int *status;
	enum hx_isolation isolation;
	/* per job, over the rounds of --repeat */
	unsigned *full, *matched, *graded;
};

/* A job's status: these bits (a worker's exit status). */
#define JOB_MISMATCH 1
#define JOB_FULL_MARKS 2
#define JOB_ERROR 4

/* SIGINT/SIGTERM/SIGHUP stop the runs (workers cancel theirs), then the
 * temporary folders are removed. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Grade one submission and compare: runs in a worker process. The text
 * is one matrix line, then indented problems; status 1 on a mismatch. */
static char *run_job(void *arg, size_t index, int *status)
{
	struct selftest *st = arg;
	const struct job *j = &st->jobs[index];
	struct grade_report rep;
	struct grade_opts o = { .isolation = st->isolation, .cancel = &interrupted };
	char err[512] = "";
	char *buf = NULL, *problems = NULL;
	size_t len = 0, plen = 0;
	FILE *f = open_memstream(&buf, &len), *p;
	bool ok;

	if (!f)
		return NULL;
	if (grade_submission(j->spec, j->dir, &o, &rep, err, sizeof(err)) < 0) {
		fprintf(f, "%-20s %-34s  ERROR  %s\n", j->assignment, j->label, err);
		fclose(f);
		grade_report_release(&rep);
		*status = JOB_MISMATCH | JOB_ERROR;
		return buf;
	}
	p = open_memstream(&problems, &plen);
	ok = p && selftest_compare(&rep, j->exp, p);
	if (p)
		fclose(p);
	/* One matrix line: the score and each failing test's reasons. */
	fprintf(f, "%-20s %-34s %5.4g/%-4.4g %s", j->assignment, j->label, rep.score, rep.max_score,
		ok ? "ok      " : "MISMATCH");
	for (size_t i = 0; i < rep.ntests; i++) {
		const struct test_outcome *to = &rep.tests[i];

		if (to->passed)
			continue;
		fprintf(f, " %s:", to->test->name);
		reason_print(f, to->reasons, "", "+");
	}
	fprintf(f, "\n%s", problems ? problems : "");
	fclose(f);
	free(problems);
	*status = (ok ? 0 : JOB_MISMATCH) | (rep.score >= rep.max_score ? JOB_FULL_MARKS : 0);
	grade_report_release(&rep);
	return buf;
}

static void job_done(void *arg, size_t index, const char *text, int status)
{
	struct selftest *st = arg;

	st->results[index] = strdup(text ? text : "(not run)\n");
	/* a cancelled or killed job: an error */
	st->status[index] = status < 0 || status > 7 ? JOB_MISMATCH | JOB_ERROR : status;
}

/* Add the jobs of one assignment folder. */
struct expected_set {
	struct expected *e;
	size_t n;
};

/* One variant of folder ("solutions" or "faulty") as a job, a patch
 * materialised in a temporary folder. Returns 0, -EINVAL when it could
 * not be materialised (said on stderr), -ENOMEM. */
static int add_variant_job(struct selftest *st, const char *dir, const struct spec *s,
			   const struct faulty_variant *v, const char *folder, const struct expected *x)
{
	struct faulty_temp tmp = { 0 };
	char ferr[1024];
	struct job *g;

	if (v->is_patch && faulty_temp_make(dir, v, &tmp, ferr, sizeof(ferr)) < 0) {
		fprintf(stderr, "%s\n", ferr);
		return -EINVAL;
	}
	g = realloc(st->jobs, (st->njobs + 1) * sizeof(*g));
	if (!g) {
		faulty_temp_release(&tmp);
		return -ENOMEM;
	}
	st->jobs = g;
	st->jobs[st->njobs++] = (struct job){ .spec = s, .assignment = strdup(s->assignment),
					      .label = str_printf("%s/%s", folder, v->name),
					      .dir = strdup(tmp.dir ? tmp.dir : v->path), .exp = x,
					      .tmp = tmp };
	return 0;
}

/* solutions/NAME.patch or solutions/NAME/: correct solutions in other
 * styles (another IPC mechanism), each graded for full marks like
 * solution/ (assignments/README.md). */
static int add_solution_variants(struct selftest *st, const char *dir, const struct spec *s)
{
	struct faulty_variant *vars = NULL;
	size_t nvars = 0;
	char ferr[1024];
	int rc = 0;

	if (faulty_list_in(dir, "solutions", &vars, &nvars, ferr, sizeof(ferr)) < 0) {
		fprintf(stderr, "%s\n", ferr);
		return -1;
	}
	for (size_t i = 0; i < nvars && !interrupted; i++) {
		int jrc = add_variant_job(st, dir, s, &vars[i], "solutions", NULL);

		if (jrc < 0)
			rc = -1;
		if (jrc == -ENOMEM)
			break;
	}
	faulty_list_free(vars, nvars);
	return rc;
}

static int add_assignment(struct selftest *st, const char *dir, struct spec **specs, size_t *nspecs,
			  struct expected_set *exps, size_t *nexps_total)
{
	char *specpath = fs_path_join(dir, "spec.yaml");
	struct spec *s = NULL;
	struct diag d;
	int rc = 0;

	diag_init(&d);
	if (!specpath || spec_load(specpath, &s, &d) < 0) {
		diag_print(&d, stderr);
		diag_release(&d);
		free(specpath);
		return -1;
	}
	diag_release(&d);
	free(specpath);
	specs[(*nspecs)++] = s;

	char *sol = fs_path_join(dir, "solution");
	struct job *g = realloc(st->jobs, (st->njobs + 1) * sizeof(*g));

	if (g)
		st->jobs = g;
	if (!g || !sol) {
		free(sol);
		return -1;
	}
	st->jobs[st->njobs++] = (struct job){ .spec = s, .assignment = strdup(s->assignment),
					      .label = strdup("solution"), .dir = sol };
	if (add_solution_variants(st, dir, s) < 0)
		rc = -1;

	char *faulty = fs_path_join(dir, "faulty");
	char *exppath = faulty ? fs_path_join(faulty, "EXPECTED") : NULL;
	struct expected *exp = NULL;
	size_t nexp = 0;
	struct stat sb;

	if (!faulty || !exppath) {
		rc = -1;
		goto out;
	}
	if (stat(faulty, &sb) < 0) {
		fprintf(stderr, "%s: no faulty/ folder\n", dir);
		goto out;
	}
	if (selftest_load_expected(exppath, &exp, &nexp, stderr) < 0)
		rc = -1;
	/* Every variant must be in EXPECTED, and the other way round. A patch
	 * is graded materialised, in a temporary folder removed at the end. */
	struct faulty_variant *vars = NULL;
	size_t nvars = 0;
	char ferr[1024];

	if (faulty_list(dir, &vars, &nvars, ferr, sizeof(ferr)) < 0) {
		fprintf(stderr, "%s\n", ferr);
		rc = -1;
	}
	for (size_t i = 0; i < nvars && !interrupted; i++) {
		const struct faulty_variant *v = &vars[i];
		const struct expected *x = NULL;

		for (size_t k = 0; k < nexp; k++)
			if (strcmp(exp[k].name, v->name) == 0)
				x = &exp[k];
		if (!x) {
			fprintf(stderr, "%s: faulty/%s%s has no entry in faulty/EXPECTED\n", dir, v->name,
				v->is_patch ? ".patch" : "");
			rc = -1;
			continue;
		}
		int jrc = add_variant_job(st, dir, s, v, "faulty", x);

		if (jrc < 0)
			rc = -1;
		if (jrc == -ENOMEM)
			break;
	}
	for (size_t k = 0; k < nexp; k++) {
		bool found = false;

		for (size_t i = 0; i < nvars; i++)
			found |= strcmp(vars[i].name, exp[k].name) == 0;
		if (!found) {
			fprintf(stderr, "%s: faulty/EXPECTED names '%s', which is neither faulty/%s.patch "
				"nor a folder faulty/%s/\n", dir, exp[k].name, exp[k].name, exp[k].name);
			rc = -1;
		}
	}
	faulty_list_free(vars, nvars);
out:
	exps[*nexps_total].e = exp;
	exps[*nexps_total].n = nexp;
	(*nexps_total)++;
	free(faulty);
	free(exppath);
	return rc;
}

/* --load K: K processes that only spin, so that the gradings run on a
 * busy machine. Each dies with us (PR_SET_PDEATHSIG) and is killed and
 * reaped by stop_load, by its pid. Returns how many were started. */
static size_t start_load(pid_t *pids, unsigned k)
{
	size_t n = 0;

	for (unsigned i = 0; i < k; i++) {
		pid_t pid = fork();

		if (pid < 0)
			break;
		if (pid == 0) {
			volatile unsigned long spin = 0;

			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(0);
			for (;;)
				spin++;
		}
		pids[n++] = pid;
	}
	return n;
}

static void stop_load(const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (size_t i = 0; i < n; i++)
		while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
			;
}

/* --only: a job is kept when its label ("solution", "solutions/NAME",
 * "faulty/NAME") or its NAME is one of the comma-separated names. */
static bool wanted(const char *only, const char *label)
{
	const char *slash = strchr(label, '/');
	const char *name = slash ? slash + 1 : label;

	if (!only)
		return true;
	for (const char *p = only; *p;) {
		size_t n = strcspn(p, ",");

		if ((strlen(label) == n && strncmp(p, label, n) == 0) ||
		    (strlen(name) == n && strncmp(p, name, n) == 0))
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

static void keep_only(struct selftest *st, const char *only)
{
	size_t k = 0;

	for (size_t i = 0; i < st->njobs; i++) {
		if (wanted(only, st->jobs[i].label)) {
			st->jobs[k++] = st->jobs[i];
			continue;
		}
		free(st->jobs[i].assignment);
		free(st->jobs[i].label);
		free(st->jobs[i].dir);
		faulty_temp_release(&st->jobs[i].tmp);
	}
	st->njobs = k;
}

/* After the rounds of --repeat: per faulty submission how often a
 * grading caught it (it lost points), per solution how often it had full
 * marks, and how often each matched EXPECTED. */
static void print_rates(const struct selftest *st, unsigned rounds, unsigned load)
{
	printf("\ndetection over %u grading%s%s:\n", rounds, rounds == 1 ? "" : "s",
	       load ? " with the machine loaded" : "");
	if (load)
		printf("(%u busy process%s beside the gradings)\n", load, load == 1 ? "" : "es");
	printf("%-20s %-34s %-22s %s\n", "assignment", "submission", "rate", "matched EXPECTED");
	for (size_t i = 0; i < st->njobs; i++) {
		const struct job *j = &st->jobs[i];
		unsigned g = st->graded[i], hit = j->exp ? g - st->full[i] : st->full[i];
		char rate[64];

		snprintf(rate, sizeof(rate), "%s %u/%u %.1f%%", j->exp ? "caught" : "full marks", hit, g,
			 g ? 100.0 * hit / g : 0.0);
		printf("%-20s %-34s %-22s %u/%u\n", j->assignment, j->label, rate, st->matched[i], g);
	}
}

int cmd_selftest(const char *const *dirs, size_t n, const struct selftest_opts *opts)
{
	enum hx_isolation isolation = opts->isolation;
	unsigned repeat = opts->repeat;
	struct selftest st = { .isolation = isolation };
	pid_t *load = NULL;
	size_t nload = 0;
	struct spec **specs = calloc(n ? n : 1, sizeof(struct spec *));
	struct expected_set *exps = calloc(n ? n : 1, sizeof(struct expected_set));
	size_t nspecs = 0, nexps = 0, mismatches = 0, setup_errors = 0;
	bool workers_failed = false;
	struct sigaction sa = { .sa_handler = on_signal };
	int rc = EXIT_OK;

	if (!specs || !exps) {
		rc = EXIT_INTERNAL;
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	hx_probe();	/* once, before the workers fork */
	for (size_t i = 0; i < n && !interrupted; i++) {
		char *sp = fs_path_join(dirs[i], "spec.yaml");
		struct stat sb;

		if (!sp || stat(sp, &sb) < 0) {
			free(sp);
			continue;	/* not an assignment folder (e.g. a README) */
		}
		free(sp);
		if (add_assignment(&st, dirs[i], specs, &nspecs, exps, &nexps) < 0)
			setup_errors++;
	}
	if (nspecs == 0 && setup_errors == 0) {
		fprintf(stderr, "ipcgrade: no assignment folder (a folder with a spec.yaml) among the %zu "
			"given\n", n);
		rc = EXIT_USAGE;
		goto out;
	}
	if (repeat < 1)
		repeat = 1;
	keep_only(&st, opts->only);
	if (st.njobs == 0) {
		fprintf(stderr, "ipcgrade: --only '%s' names no solution or faulty submission\n",
			opts->only ? opts->only : "");
		rc = EXIT_USAGE;
		goto out;
	}
	st.full = calloc(st.njobs, sizeof(*st.full));
	st.matched = calloc(st.njobs, sizeof(*st.matched));
	st.graded = calloc(st.njobs, sizeof(*st.graded));
	load = calloc(opts->load ? opts->load : 1, sizeof(*load));
	if (!st.full || !st.matched || !st.graded || !load) {
		rc = EXIT_INTERNAL;
		goto out;
	}
	nload = start_load(load, opts->load);
	if (nload < opts->load)
		fprintf(stderr, "ipcgrade: only %zu of the %u load processes started\n", nload, opts->load);
	printf("%-20s %-34s %10s %s\n", "assignment", "submission", "score", "result (failing tests: reasons)");
	unsigned rounds = 0;

	for (unsigned round = 0; round < repeat && !interrupted; round++) {
		st.results = calloc(st.njobs ? st.njobs : 1, sizeof(*st.results));
		st.status = calloc(st.njobs ? st.njobs : 1, sizeof(*st.status));
		if (!st.results || !st.status) {
			free(st.results);
			free(st.status);
			rc = EXIT_INTERNAL;
			goto out;
		}
		if (repeat > 1)
			printf("-- round %u of %u\n", round + 1, repeat);
		int jrc = jobs_run(st.njobs, jobs_default_parallel(), run_job, &st, job_done, &interrupted);

		if (jrc < 0) {
			fprintf(stderr, "ipcgrade: cannot start the workers: %s\n", strerror(-jrc));
			workers_failed = true;
		}
		for (size_t i = 0; i < st.njobs; i++) {
			/* Many rounds: only what did not match is shown. */
			if (repeat == 1 || (st.status[i] & JOB_MISMATCH))
				fputs(st.results[i] ? st.results[i] : "(no result)\n", stdout);
			if (st.status[i] & JOB_MISMATCH)
				mismatches++;
			/* An interrupted round counts for nothing. */
			if (!interrupted) {
				st.graded[i]++;
				st.matched[i] += !(st.status[i] & JOB_MISMATCH);
				st.full[i] += (st.status[i] & JOB_FULL_MARKS) != 0;
			}
			free(st.results[i]);
		}
		rounds += !interrupted;
		free(st.results);
		free(st.status);
		fflush(stdout);
	}
	stop_load(load, nload);
	nload = 0;
	if (repeat > 1 && rounds)
		print_rates(&st, rounds, opts->load);
	if (interrupted) {
		fprintf(stderr, "interrupted: selftest stopped, its temporary folders are removed\n");
		rc = EXIT_INTERRUPTED;
		goto out;
	}
	printf("\n%zu submission%s graded%s, %zu mismatch%s%s\n", st.njobs * repeat,
	       st.njobs * repeat == 1 ? "" : "s", repeat > 1 ? " (all rounds)" : "", mismatches,
	       mismatches == 1 ? "" : "es", setup_errors ? ", and errors in the assignment folders above" : "");
	if (mismatches || setup_errors)
		rc = EXIT_FAILED;
	if (workers_failed)
		rc = EXIT_INTERNAL;
out:
	stop_load(load, nload);
	free(load);
	free(st.full);
	free(st.matched);
	free(st.graded);
	for (size_t i = 0; i < st.njobs; i++) {
		free(st.jobs[i].assignment);
		free(st.jobs[i].label);
		free(st.jobs[i].dir);
		faulty_temp_release(&st.jobs[i].tmp);
	}
	free(st.jobs);
	for (size_t i = 0; i < nspecs; i++)
		spec_free(specs[i]);
	free(specs);
	for (size_t i = 0; i < nexps; i++)
		selftest_free_expected(exps[i].e, exps[i].n);
	free(exps);
	return rc;
}
