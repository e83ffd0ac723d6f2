/*
 * batch.c - grading a whole class (see batch.h).
 *
 * A worker says how its student ended in one line, "STATUS\tSCORE\tMAX\t
 * MS\tMESSAGE" (STATUS an enum batch_status, also its exit status); the
 * batch turns that line back into a struct batch_done. A worker that
 * dies without a line is BATCH_WORKER_DIED.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "file.h"
#include "fs.h"
#include "grade.h"
#include "jobs.h"
#include "report.h"
#include "str.h"

struct batch {
	const struct spec *spec;
	const struct batch_opts *o;
	const struct submission *subs;
	const size_t *todo;
	struct batch_stats stats;
	batch_done_fn done;
	void *arg;
	pid_t batch_pid;	/* the batch process the workers belong to */
};

char *batch_cache_dir(const char *asked, bool no_cache)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *dir = NULL;

	if (no_cache)
		return NULL;
	if (asked)
		dir = strdup(asked);
	else if (xdg && *xdg)
		dir = str_printf("%s/ipcgrade/builds", xdg);
	else if (home && *home)
		dir = str_printf("%s/.cache/ipcgrade/builds", home);
	if (dir && fs_mkdir_p(dir) < 0) {
		free(dir);
		dir = NULL;
	}
	return dir;
}

/* A student whose report.json is complete and from this very spec. */
static bool already_graded(const char *outdir, const struct spec *s, const char *id)
{
	char *path = str_printf("%s/%s/" REPORT_FILE_FULL, outdir, id);
	json_t *j = path ? json_load_file(path, 0, NULL) : NULL;
	bool done = j && json_is_true(json_object_get(j, "complete")) &&
		    strcmp(json_string_value(json_object_get(json_object_get(j, "spec"), "sha256")) ?: "",
			   s->sha256) == 0;

	json_decref(j);
	free(path);
	return done;
}

int batch_select(const struct spec *s, const struct submission *subs, size_t nsubs,
		 const struct batch_opts *o, size_t **todo, size_t *ntodo, size_t *resumed,
		 size_t *other_shards)
{
	*ntodo = *resumed = *other_shards = 0;
	*todo = calloc(nsubs ? nsubs : 1, sizeof(**todo));
	if (!*todo)
		return -ENOMEM;
	for (size_t i = 0; i < nsubs; i++) {
		if (!sub_shard_has(subs[i].id, o->shard_k, o->shard_n))
			(*other_shards)++;
		else if (o->resume && already_graded(o->outdir, s, subs[i].id))
			(*resumed)++;
		else
			(*todo)[(*ntodo)++] = i;
	}
	return 0;
}

int batch_write_meta(const struct spec *s, const char *specpath, const struct batch_opts *o,
		     size_t nsubs, size_t ntodo)
{
	time_t now = time(NULL);
	char when[32];
	json_t *meta;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	meta = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:b}",
			 "version", hx_version(), "assignment", s->assignment,
			 "spec", specpath, "spec_sha256", s->sha256, "started", when,
			 "shard", (int)o->shard_k, "shards", (int)o->shard_n,
			 "submissions", (int)nsubs, "to_grade", (int)ntodo, "resume", o->resume);
	char *text = meta ? json_dumps(meta, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	int rc = text ? file_write_in(o->outdir, BATCH_META_FILE, text, strlen(text)) : -ENOMEM;

	free(text);
	json_decref(meta);
	return rc;
}

/* A student's four files in dir, each atomically, report.json last: its
 * presence marks the student as done. Returns 0 or the -errno of the
 * first that failed (the others are still tried). */
static int write_reports(const char *dir, const struct grade_report *r, bool complete)
{
	struct {
		const char *name;
		char *text;
	} files[] = {
		{ REPORT_FILE_GRADESCOPE, report_gradescope(r) },
		{ REPORT_FILE_JUNIT, report_junit(r) },
		{ REPORT_FILE_FEEDBACK, report_feedback(r) },
		{ REPORT_FILE_FULL, report_json_full(r, complete) },
	};
	int rc = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		int wrc = files[i].text ? file_write_in(dir, files[i].name, files[i].text,
							strlen(files[i].text)) : -ENOMEM;

		if (wrc < 0 && rc == 0)
			rc = wrc;
		free(files[i].text);
	}
	return rc;
}

/* A regrade into the same folder: a test whose verdict differs from the
 * previous complete report of the same sources under the same spec is
 * flaky (a race that showed once and not the other time). */
static void compare_with_before(const char *outdir, struct grade_report *rep)
{
	char *path = fs_path_join(outdir, REPORT_FILE_FULL);
	json_t *old = path ? json_load_file(path, 0, NULL) : NULL;
	const char *osha = json_string_value(json_object_get(json_object_get(old, "spec"), "sha256"));
	const char *osrc = json_string_value(json_object_get(json_object_get(old, "build"), "sources_sha256"));

	free(path);
	if (!old || !json_is_true(json_object_get(old, "complete")) || !osha || !osrc ||
	    !rep->spec || strcmp(osha, rep->spec->sha256) != 0 || !rep->build.sources_key[0] ||
	    strcmp(osrc, rep->build.sources_key) != 0) {
		json_decref(old);
		return;
	}
	json_t *tests = json_object_get(old, "tests"), *x;
	size_t k;

	for (size_t i = 0; i < rep->ntests; i++) {
		struct test_outcome *to = &rep->tests[i];

		json_array_foreach(tests, k, x) {
			const char *name = json_string_value(json_object_get(x, "name"));

			if (name && !to->skipped && strcmp(name, to->test->name) == 0 &&
			    json_is_true(json_object_get(x, "passed")) != to->passed)
				to->differs_from_before = true;
		}
	}
	json_decref(old);
}

/* Grade one student into OUTDIR/ID: runs in a worker. */
static char *grade_one(void *arg, size_t index, int *status)
{
	struct batch *b = arg;
	const struct submission *sub = &b->subs[b->todo[index]];
	char *outdir = fs_path_join(b->o->outdir, sub->id);
	char *tmp = NULL, *stage_problem = NULL;
	const char *dir = NULL;
	struct grade_report rep;
	struct grade_opts o;
	char err[512] = "";
	int rc;

	/* Die with the batch: a kill -9 of ipcgrade must not leave workers
	 * writing reports behind a resumed run's back. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != b->batch_pid)
		_exit(BATCH_ERROR);	/* the batch died before we could ask */
	memset(&rep, 0, sizeof(rep));
	memset(&o, 0, sizeof(o));
	o.isolation = b->o->isolation;
	o.cache_dir = b->o->cache_dir;
	o.cancel = b->o->cancel;
	if (!outdir || (mkdir(outdir, 0755) < 0 && errno != EEXIST)) {
		*status = BATCH_ERROR;
		return str_printf("%d\tcannot create %s: %s", BATCH_ERROR, outdir ? outdir : "?",
				  strerror(errno));
	}
	rc = sub_stage(b->spec, sub, &dir, &tmp, &stage_problem);
	if (rc < 0)
		snprintf(err, sizeof(err), "cannot create a temporary folder: %s", strerror(-rc));
	else
		rc = grade_submission(b->spec, dir, &o, &rep, err, sizeof(err));
	free(rep.student);
	rep.student = strdup(sub->id);
	free(rep.submission);
	rep.submission = sub->path ? strdup(sub->path) : NULL;
	if (stage_problem && !rep.problem) {
		rep.problem = stage_problem;
		stage_problem = NULL;
	}
	free(stage_problem);
	char *line;

	if (rc < 0 && b->o->cancel && *b->o->cancel) {
		/* Cancelled: no report, so --resume grades it again. */
		*status = BATCH_INTERRUPTED;
		line = str_printf("%d\tinterrupted", BATCH_INTERRUPTED);
	} else {
		if (rc < 0) {
			/* ipcgrade's own failure: recorded, not complete, retried by --resume. */
			free(rep.problem);
			rep.problem = str_printf("ipcgrade could not grade this submission: %s", err);
			rep.spec = b->spec;
		}
		if (rc == 0)
			compare_with_before(outdir, &rep);
		bool ok = write_reports(outdir, &rep, rc == 0) == 0;

		*status = rc < 0 || !ok ? BATCH_ERROR : rep.build.ok ? BATCH_GRADED : BATCH_BUILD_FAILED;
		line = str_printf("%d\t%.4g\t%.4g\t%lu\t%s", *status, rep.score, rep.max_score, rep.ms,
				  rc < 0 ? err : rep.build.empty ? "no submission" : !rep.build.ok ? "did not build" : "");
	}
	grade_report_release(&rep);
	if (tmp)
		(void)fs_remove_tree(tmp);	/* in $TMPDIR: the host's to see if it stays */
	free(tmp);
	free(outdir);
	return line;
}

/* A worker ended: back from its line to a struct batch_done. */
static void graded(void *arg, size_t index, const char *text, int status)
{
	struct batch *b = arg;
	struct batch_done d = { .sub = &b->subs[b->todo[index]], .message = "" };
	int kind = BATCH_ERROR;
	char msg[256] = "";

	b->stats.done++;
	if (!text) {
		d.status = BATCH_NOT_STARTED;
	} else if (sscanf(text, "%d\t%lf\t%lf\t%lu\t%255[^\n]", &kind, &d.score, &d.max_score, &d.ms,
			  msg) >= 4) {
		d.status = kind >= BATCH_GRADED && kind <= BATCH_ERROR ? (enum batch_status)kind : BATCH_ERROR;
		d.message = msg;
	} else if (sscanf(text, "%d\tinterrupted", &kind) == 1 && kind == BATCH_INTERRUPTED) {
		d.status = BATCH_INTERRUPTED;
	} else {
		/* No line, or a line without the numbers. */
		d.status = BATCH_WORKER_DIED;
		d.worker_status = status;
	}
	if (d.status == BATCH_BUILD_FAILED)
		b->stats.build_failed++;
	if (d.status == BATCH_ERROR || d.status == BATCH_NOT_STARTED || d.status == BATCH_WORKER_DIED)
		b->stats.errors++;
	b->done(b->arg, &d, &b->stats);
}

int batch_run(const struct spec *s, const struct submission *subs, const size_t *todo, size_t ntodo,
	      const struct batch_opts *o, batch_done_fn done, void *arg, struct batch_stats *stats)
{
	struct batch b = {
		.spec = s, .o = o, .subs = subs, .todo = todo, .done = done, .arg = arg,
		.stats = { .todo = ntodo }, .batch_pid = getpid(),
	};
	int rc = jobs_run(ntodo, o->jobs, grade_one, &b, graded, o->cancel);

	*stats = b.stats;
	return rc;
}
