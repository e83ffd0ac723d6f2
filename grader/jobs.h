/*
 * jobs.h - independent jobs in forked worker processes (see jobs.c).
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
 * a job killed by signal status-128. */
typedef void (*job_done_fn)(void *arg, size_t index, const char *text, int status);

int jobs_run(size_t njobs, unsigned parallel, job_fn fn, void *arg, job_done_fn done,
	     const volatile sig_atomic_t *cancel);
unsigned jobs_default_parallel(void);

#endif
