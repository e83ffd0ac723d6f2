/*
 * batch.h - grading a whole class: one worker process a submission,
 * resumably, sharded across machines.
 *
 * Each submission is graded in a worker (jobs.c) that writes
 * OUTDIR/STUDENT/{results.json, junit.xml, feedback.md} and then
 * report.json, each atomically; report.json with "complete": true is the
 * mark of a finished student, so after an interruption (even kill -9)
 * a resumed batch grades only the others. Workers die with the batch
 * (PDEATHSIG), and their boxes with them. OUTDIR/batch.json records what
 * was asked. The summary is rebuilt from the reports afterwards
 * (summary.h), so resumed and merged batches give the same summary as
 * one uninterrupted run.
 */
#ifndef IPCGRADE_BATCH_H
#define IPCGRADE_BATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness.h"
#include "spec.h"
#include "submissions.h"

#define BATCH_META_FILE "batch.json"

/* How a batch grades (from `ipcgrade grade`'s options). Nothing here is
 * owned. */
struct batch_opts {
	const char *outdir;		/* exists */
	unsigned jobs;			/* workers at once */
	bool resume;			/* skip students with a complete report */
	unsigned shard_k, shard_n;	/* 1-based; 0/0 for all */
	enum hx_isolation isolation;
	const char *cache_dir;		/* the build cache; NULL: none */
	const volatile sig_atomic_t *cancel;	/* set: stop (finished reports are kept) */
};

/* How one student's grading ended. */
enum batch_status {
	BATCH_GRADED = 0,
	BATCH_BUILD_FAILED = 1,		/* graded: the program did not build */
	BATCH_INTERRUPTED = 2,		/* cancelled; no report, so resuming grades it */
	BATCH_ERROR = 3,		/* ipcgrade's own failure; recorded, retried by resuming */
	BATCH_NOT_STARTED = 4,		/* cancelled before its worker started */
	BATCH_WORKER_DIED = 5,		/* the worker ended without saying (see worker_status) */
};

/* One student done, as batch_run reports it. Valid during the callback. */
struct batch_done {
	const struct submission *sub;
	enum batch_status status;
	double score, max_score;
	unsigned long ms;
	const char *message;		/* BATCH_ERROR: why; "" otherwise */
	int worker_status;		/* BATCH_WORKER_DIED: its exit status (128 + signal) */
};

/* The batch so far. */
struct batch_stats {
	size_t todo;		/* students this run grades */
	size_t done;		/* of them, finished (whatever the outcome) */
	size_t build_failed;
	size_t errors;		/* BATCH_ERROR, BATCH_NOT_STARTED, BATCH_WORKER_DIED */
};

typedef void (*batch_done_fn)(void *arg, const struct batch_done *d, const struct batch_stats *st);

/* The build cache a batch uses: the one asked for, else
 * $XDG_CACHE_HOME/ipcgrade/builds or ~/.cache/ipcgrade/builds, created
 * when missing. The caller frees it; NULL when there is none (no_cache,
 * no home, or it cannot be created: builds are then not cached). */
char *batch_cache_dir(const char *asked, bool no_cache);

/* The submissions this run grades: those of its shard and, when
 * resuming, without a complete report from this very spec. Returns 0
 * with *todo an array of *ntodo indexes into subs (the caller frees it)
 * and how many were left out for each cause, or -ENOMEM. */
int batch_select(const struct spec *s, const struct submission *subs, size_t nsubs,
		 const struct batch_opts *o, size_t **todo, size_t *ntodo, size_t *resumed,
		 size_t *other_shards);

/* Write OUTDIR/batch.json: version, assignment, spec (specpath) and its
 * hash, time, shard, counts, resume. Returns 0 or -errno. */
int batch_write_meta(const struct spec *s, const char *specpath, const struct batch_opts *o,
		     size_t nsubs, size_t ntodo);

/* Grade subs[todo[0..ntodo)] with o->jobs workers, calling done (in this
 * process, in completion order) as each ends. Call hx_probe() before, so
 * that the workers do not each probe. Returns 0 with *stats the final
 * counts, or -errno when the workers could not be started. */
int batch_run(const struct spec *s, const struct submission *subs, const size_t *todo, size_t ntodo,
	      const struct batch_opts *o, batch_done_fn done, void *arg, struct batch_stats *stats);

#endif
