/*
 * cmd_grade.c - `ipcgrade grade`: a whole class in one command,
 * resumably, in parallel, sharded across machines (batch.c grades; this
 * is the command's flow: find the submissions, say what will happen,
 * show progress, write the summary, pick the exit code).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assignments.h"
#include "batch.h"
#include "class_report.h"
#include "commands.h"
#include "fs.h"
#include "gradebook.h"
#include "spec.h"
#include "submissions.h"
#include "summary.h"
#include "term.h"

#define PROGRESS_BAR_WIDTH 30

struct progress {
	uint64_t start_ms;
	bool tty;
	size_t failed;		/* submissions without full marks, or not graded */
};

/* A bar on a terminal, a line a student otherwise. */
static void show_progress(void *arg, const struct batch_done *d, const struct batch_stats *st)
{
	struct progress *p = arg;
	size_t total = st->todo;
	double secs = (double)(term_now_ms() - p->start_ms) / 1000.0;
	double rate = secs > 0 ? (double)st->done / secs : 0;
	double eta = rate > 0 ? (double)(total - st->done) / rate : 0;
	char line[400];

	switch (d->status) {
	case BATCH_GRADED:
		snprintf(line, sizeof(line), "%.4g/%.4g (%.1f s)", d->score, d->max_score,
			 (double)d->ms / 1000.0);
		break;
	case BATCH_BUILD_FAILED:
		snprintf(line, sizeof(line), "%.4g/%.4g, %s", d->score, d->max_score,
			 d->message[0] ? d->message : "did not build");
		break;
	case BATCH_INTERRUPTED:
		snprintf(line, sizeof(line), "interrupted");
		break;
	case BATCH_ERROR:
		snprintf(line, sizeof(line), "ERROR: %s", d->message);
		break;
	case BATCH_NOT_STARTED:
		snprintf(line, sizeof(line), "not graded (interrupted)");
		break;
	case BATCH_WORKER_DIED:
		snprintf(line, sizeof(line), "ERROR: the worker died (status %d)", d->worker_status);
		break;
	}
	if (d->status == BATCH_BUILD_FAILED || d->status == BATCH_ERROR ||
	    d->status == BATCH_WORKER_DIED || (d->status == BATCH_GRADED && d->score < d->max_score))
		p->failed++;
	if (p->tty) {
		int width = PROGRESS_BAR_WIDTH, filled = total ? (int)(width * st->done / total) : width;

		fprintf(stderr, "\r[%.*s%.*s] %zu/%zu  %.1f/s  ETA %d:%02d  failures %zu ", filled,
			"##############################", width - filled, "..............................",
			st->done, total, rate, (int)eta / 60, (int)eta % 60, p->failed);
		if (st->done == total)
			fputc('\n', stderr);
		fflush(stderr);
	} else {
		fprintf(stderr, "[%*zu/%zu] %s: %s\n", (int)snprintf(NULL, 0, "%zu", total), st->done, total,
			d->sub->id, line);
	}
}

void class_args_to_opts(const struct class_args *a, struct class_report_opts *o)
{
	*o = (struct class_report_opts){
		.no_similarity = a->no_similarity,
		.similarity = { .threshold = a->similarity_threshold > 0 ? a->similarity_threshold : 50,
				.min_run = 24, .sim_c = getenv("IPCGRADE_SIM_C") },
		.gradebook = { .roster = a->roster, .submission_times = a->submission_times,
			       .due = (time_t)a->due, .penalty_per_day = a->late_penalty },
	};
}

/* The class report beside the summary: this shard's snapshots, then
 * similarity, gradebook exports and index.html (class_report.c). */
static int class_report(const struct grade_cmd *c, const struct spec *s,
			const struct submission *subs, size_t nsubs)
{
	struct class_report_opts o;
	size_t *mine = calloc(nsubs ? nsubs : 1, sizeof(*mine)), n = 0;
	char err[1024] = "";
	int rc = 0;

	class_args_to_opts(&c->class_report, &o);
	for (size_t i = 0; mine && i < nsubs; i++)
		if (sub_shard_has(subs[i].id, c->shard_k, c->shard_n))
			mine[n++] = i;
	if (!mine || class_snapshots_write(s, c->outdir, subs, mine, n, err, sizeof(err)) < 0) {
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
	struct submission *subs = NULL;
	size_t nsubs = 0, *todo = NULL, ntodo = 0, resumed = 0, other_shards = 0;
	struct batch_opts bo = {
		.outdir = c->outdir, .jobs = c->jobs, .resume = c->resume,
		.shard_k = c->shard_k, .shard_n = c->shard_n,
		.isolation = c->require_isolation ? HX_ISOLATION_FULL : c->isolation,
	};
	struct batch_stats stats = { 0 };
	char err[1024] = "", *cache_dir = NULL;
	char *specpath = NULL;
	int rc = EXIT_OK, frc;

	s = cmd_spec_load(c->spec, c->spec_is_path, &specpath);
	if (!s)
		return EXIT_USAGE;
	{
		struct gradebook_opts g = { .roster = c->class_report.roster,
					    .submission_times = c->class_report.submission_times };

		if (gradebook_check(&g, err, sizeof(err)) < 0) {
			fprintf(stderr, "ipcgrade: %s\n", err);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (sub_find(s, c->paths, c->npaths, &subs, &nsubs, err, sizeof(err)) < 0) {
		fprintf(stderr, "ipcgrade: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	frc = fs_mkdir_p(c->outdir);
	if (frc < 0) {
		fprintf(stderr, "ipcgrade: cannot create the output folder '%s': %s\n", c->outdir,
			strerror(-frc));
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
	if (batch_select(s, subs, nsubs, &bo, &todo, &ntodo, &resumed, &other_shards) < 0) {
		rc = EXIT_INTERNAL;
		goto out;
	}
	cache_dir = batch_cache_dir(c->cache_dir, c->no_cache);
	bo.cache_dir = cache_dir;
	/* What was asked, for whoever reads the results later (merge). */
	frc = batch_write_meta(s, specpath, &bo, nsubs, ntodo);
	if (frc < 0)
		fprintf(stderr, "ipcgrade: cannot write %s in %s: %s\n", BATCH_META_FILE, c->outdir,
			strerror(-frc));
	fprintf(stderr, "grading %zu submission%s of %s with %u worker%s into %s/%s%s\n", ntodo,
		ntodo == 1 ? "" : "s", s->assignment, c->jobs, c->jobs == 1 ? "" : "s", c->outdir,
		resumed ? " (resumed: the others are done)" : "",
		other_shards ? " (the others belong to other shards)" : "");

	bo.cancel = term_catch_interrupts();
	hx_probe();	/* once, before the workers fork */
	struct progress p = { .start_ms = term_now_ms(), .tty = isatty(STDERR_FILENO) == 1 };

	frc = batch_run(s, subs, todo, ntodo, &bo, show_progress, &p, &stats);
	if (frc < 0) {
		fprintf(stderr, "ipcgrade: cannot start the workers: %s\n", strerror(-frc));
		rc = EXIT_INTERNAL;
	}
	if (summary_write(c->outdir, stdout, err, sizeof(err)) < 0) {
		fprintf(stderr, "ipcgrade: %s\n", err);
		rc = EXIT_INTERNAL;
	}
	if (!*bo.cancel && class_report(c, s, subs, nsubs) < 0)
		rc = EXIT_INTERNAL;
	if (*bo.cancel) {
		fprintf(stderr, "interrupted: finished reports are kept; `ipcgrade grade --resume ...` "
			"grades the rest\n");
		rc = EXIT_INTERRUPTED;
	} else if (stats.errors) {
		fprintf(stderr, "%zu submission%s could not be graded (see their report.json); "
			"--resume retries them\n", stats.errors, stats.errors == 1 ? "" : "s");
	}
out:
	free(todo);
	free(cache_dir);
	sub_free(subs, nsubs);
	spec_free(s);
	free(specpath);
	return rc;
}
