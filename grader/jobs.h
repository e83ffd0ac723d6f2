/*
 * jobs.h - independent jobs in forked worker processes.
 *
 * The harness must be driven from a single-threaded process, so
 * parallelism is processes: each job runs in a child that hands a text
 * back through a pipe and exits. A crash of one job is one failed job,
 * never the end of the batch.
 */
#ifndef IPCGRADE_JOBS_H
#define IPCGRADE_JOBS_H

#include <signal.h>
#include <stddef.h>

/* Runs in a child: returns a malloc'd text result (may be NULL) and sets
 * *status (0..255), the child's exit status. */
typedef char *(*job_fn)(void *arg, size_t index, int *status);
/* Runs in the parent as each job ends, in completion order. text is NULL
 * and status -1 for a job cancelled before it started; status >= 128 is
 * a job killed by signal status-128. text is valid during the call. */
typedef void (*job_done_fn)(void *arg, size_t index, const char *text, int status);

/* Run jobs 0..njobs-1, at most parallel at once; done is called once for
 * each. When *cancel becomes set, jobs not started are reported as
 * cancelled and running ones get SIGTERM. Returns 0 when every job was
 * reported; -ENOMEM when none was started, -EAGAIN when workers could
 * not be forked (the jobs not started are then not reported). */
int jobs_run(size_t njobs, unsigned parallel, job_fn fn, void *arg, job_done_fn done,
	     const volatile sig_atomic_t *cancel);
/* The number of CPUs online (at least 1). */
unsigned jobs_default_parallel(void);

#endif
