/*
 * build.h - compiling a submission, in the box like everything it
 * touches, with a cache of earlier builds.
 */
#ifndef IPCGRADE_BUILD_H
#define IPCGRADE_BUILD_H

#include <signal.h>
#include <stdbool.h>

#include "harness.h"
#include "spec.h"

/* The exit status of a program that could not be started: the box's
 * exec failed (127, as a shell reports a missing command). */
#define EXIT_STATUS_NOT_STARTED 127

/* Owns binary, log and problem (build_result_release). */
struct build_result {
	bool ok;
	bool cached;
	char *binary;		/* host path of the built program when ok */
	char *log;		/* compiler output (sanitized), never NULL after a build */
	char *problem;		/* one line for students: why there is no binary */
	bool empty;		/* the folder holds no files: no submission */
	unsigned long ms;
	enum hx_isolation isolation;
	char sources_key[65];	/* SHA-256 of compiler, flags and sources; "" when unknown */
};

struct build_opts {
	enum hx_isolation isolation;
	const char *cache_dir;	/* NULL: no cache */
	const volatile sig_atomic_t *cancel;
};

/* Copy the submission's sources from subdir into workdir (an existing,
 * empty folder) and compile them there in the box. Returns 0 when the
 * build was judged: res->ok says whether there is a program, and when
 * not res->problem says why (a student's problem: a missing file, a
 * compile error, ...). Returns -errno when ipcgrade itself failed (err
 * says why; -ECANCELED when o->cancel was set). Either way *res must be
 * released with build_result_release. */
int build_submission(const struct spec *s, const char *subdir, const char *workdir,
		     const struct build_opts *o, struct build_result *res, char *err, size_t errlen);
/* Free what *r owns; *r is left zeroed. Accepts a zeroed result. */
void build_result_release(struct build_result *r);

#endif
