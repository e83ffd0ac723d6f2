/*
 * spec.h - an assignment's spec (spec.yaml), loaded and checked.
 *
 * spec_load reads the YAML, checks every key (unknown keys, wrong types
 * and values out of range are errors, each at FILE:LINE:COL, all of them
 * collected) and fills a struct spec that owns everything in it. The
 * reference for the keys is assignments/SPEC.md.
 */
#ifndef IPCGRADE_SPEC_H
#define IPCGRADE_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checker.h"
#include "diag.h"
#include "fds_expect.h"
#include "harness.h"
#include "ipc_expect.h"
#include "match.h"
#include "reasons.h"
#include "symbols.h"

/* What a spec gets for the keys it leaves out (SPEC.md says the same). */
#define SPEC_BUILD_TIMEOUT_MS 20000		/* build.timeout_ms */
#define SPEC_CHECKER_TIMEOUT_MS 10000		/* checker.timeout_ms */
#define SPEC_MAX_BYTES ((size_t)4 << 20)	/* the spec file itself */
#define SPEC_EXACT_FILE_MAX ((size_t)64 << 20)	/* a file named by exact_file */

enum visibility { VIS_VISIBLE = 0, VIS_HIDDEN, VIS_AFTER_DUE_DATE };

/* A file the program must leave in its working directory. */
struct file_expect {
	char *name;
	struct matcher m;
};

/* expect.processes: how every process of the run must end. */
struct processes_expect {
	bool has_crashed;
	enum ipc_op crashed_op;		/* crashed: a condition on their number */
	long long crashed;
	char *crashed_text;		/* as written */
	bool has_exit;
	int exit;			/* every process that ended by itself exits so */
};

struct expect {
	/* any_of: alternatives, each a whole expectation (no any_of of its
	 * own); the run passes when the rest holds and one of them does. */
	struct expect *any_of;
	size_t nany;
	bool exit_any;
	int exit;
	struct matcher out, err;
	struct file_expect *files;
	size_t nfiles;
	bool has_checker;
	struct checker checker;
	bool has_ipc;
	struct ipc_expect ipc;
	bool has_symbols;
	struct symbols_expect symbols;
	bool cleanup;
	bool has_processes;
	struct processes_expect processes;

	bool has_fds;
	struct fds_expect fds;
};

struct test {
	char *name;
	double points;
	enum visibility visibility;
	char **args;			/* a string vector, never NULL */
	size_t nargs;
	char *stdin_data;
	size_t stdin_len;
	struct hx_limits limits;	/* the spec's, overridden per test; 0 = default */
	/* runs: N runs every one (runs_min = runs); runs: {min, max,
	 * time_ms} at least runs_min, then more while they pass, until
	 * runs (the max) or runs_time_ms of wall time since the first. */
	unsigned runs, runs_min, runs_time_ms;
	bool jitter;
	unsigned jitter_max_us;
	uint64_t jitter_seed;		/* 0: fresh per run */
	unsigned cpus;
	double time_scale;		/* sleeps shortened by this (1: not) */
	char **files_in;		/* absolute paths inside the spec's folder */
	size_t nfiles_in;
	struct expect expect;
	char *hint;			/* the hint, or the map's default */
	char *hints[REASON_COUNT];	/* hint: {REASON: text}, NULL where none */
	int line;			/* where it starts in the spec */
	bool needs_trace, needs_hot, needs_fds;
	/* checks: a test of the spec with checks is one test here per
	 * check, named TEST.CHECK, in a row; they share their runs. group is
	 * the index of the first of them (its own index when not a check),
	 * ngroup how many there are (1 when not a check). */
	size_t group, ngroup;
	char *check;			/* the check's own name, or NULL */
};

struct build_spec {
	char **sources;			/* globs */
	size_t nsources;
	char **required;
	size_t nrequired;
	char **cflags;
	size_t ncflags;
	char **ldflags;
	size_t nldflags;
	unsigned timeout_ms;
	bool fail_on_warnings;
	char *command;			/* run instead of gcc, e.g. "make" */
	char *binary;			/* what it builds ("prog" for gcc) */
};

struct spec {
	char *path;
	char *dir;			/* the folder of the spec */
	char *assignment;
	char *title;
	struct build_spec build;
	struct hx_limits limits;
	double time_scale;		/* every test's unless it says (1: not) */
	struct test *tests;
	size_t ntests;
	double total_points;
	char sha256[65];		/* of the spec file's bytes */
};

/* Load and check the spec at path. Returns 0 with *out a spec the
 * caller frees with spec_free, or -errno with *out NULL and every
 * problem in *d (FILE:LINE:COL: message): -EINVAL for a spec with
 * problems, the error of reading it otherwise. */
int spec_load(const char *path, struct spec **out, struct diag *d);
/* The same from memory (fuzzing, tests); name is used in messages, and
 * files next to the spec (exact_file, files_in, checker) are refused. */
int spec_load_buffer(const char *name, const char *data, size_t len, struct spec **out,
		     struct diag *d);
/* Free s and all it owns; accepts NULL. */
void spec_free(struct spec *s);

/* Free what *e owns (its alternatives too); accepts a zeroed one. */
void spec_expect_release(struct expect *e);

/* "visible", "hidden", "after_due_date"; never NULL. */
const char *spec_visibility_name(enum visibility v);

#endif
