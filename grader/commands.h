/*
 * commands.h - the ipcgrade commands, called by grader/main.c.
 *
 * main.c parses a command's options into its struct (or arguments) and
 * calls cmd_*; each returns the process's exit code. A command prints
 * what it has to say (stdout for results, stderr for progress and
 * problems) and calls the grader library for everything else.
 */
#ifndef IPCGRADE_COMMANDS_H
#define IPCGRADE_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

/* Exit codes of the CLI. */
enum exit_code {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	/* check: some test failed; doctor, selftest: a check failed */
	EXIT_USAGE = 2,		/* bad arguments, bad spec */
	EXIT_INTERNAL = 3,	/* ipcgrade itself failed */
	EXIT_INTERRUPTED = 130,	/* SIGINT/SIGTERM (128 + SIGINT, as shells say) */
};

struct spec;
/* The spec that name names: an assignment's name, or (always with
 * is_path, as --spec gives it) a spec file or a folder holding
 * spec.yaml. NULL after printing why to stderr (no such assignment,
 * with a did-you-mean; unreadable; FILE:LINE:COL problems). With
 * path_out, the spec file's path there (the caller frees it). The
 * caller frees the spec with spec_free. */
struct spec *cmd_spec_load(const char *name, bool is_path, char **path_out);

/* The most --file options of one `run`. */
#define RUN_FILES_MAX 64
#define RUN_FILES_MAX_TEXT "64"

struct run_cmd {
	const char *const *argv;
	struct hx_limits limits;
	bool trace, trace_hot, json;
	unsigned jitter_max_us;
	uint64_t seed;
	unsigned cpus;
	enum hx_isolation isolation;
	bool require_isolation;
	double time_scale;		/* 0: sleeps take their time */
	const char *keep;		/* --keep DIR, or NULL */
	const char *files[RUN_FILES_MAX];	/* --file SRC[:DEST] */
	size_t nfiles;
};
int cmd_run(const struct run_cmd *c);

struct check_cmd {
	const char *spec;	/* path or assignment name */
	bool spec_is_path;	/* given with --spec: a file, or a folder holding spec.yaml */
	const char *dir;
	enum hx_isolation isolation;
	bool require_isolation;
	bool all_tests;		/* hidden tests too (instructors) */
	bool json;
	/* A replay: only this test, only its run number run (0: all), with
	 * this jitter seed (0: the spec's); trace prints the run's timeline. */
	const char *test;
	unsigned run;
	uint64_t seed;
	bool trace;
};
int cmd_check(const struct check_cmd *c);

/* What `grade` and `merge` ask of the class report (class_report.c):
 * similarity and gradebook exports. */
struct class_args {
	bool no_similarity;
	double similarity_threshold;	/* percent; 0: the default */
	const char *roster;		/* NULL: no gradebook exports */
	const char *submission_times;	/* NULL: the files' modification times */
	int64_t due;			/* seconds since the epoch; 0: no late penalty */
	double late_penalty;		/* percent per day late */
};

struct grade_cmd {
	const char *spec;	/* path or assignment name */
	bool spec_is_path;	/* given with --spec */
	const char *const *paths;	/* submissions */
	size_t npaths;
	const char *outdir;
	unsigned jobs;
	bool resume;
	unsigned shard_k, shard_n;	/* 1-based; 0/0 for all */
	enum hx_isolation isolation;
	bool require_isolation;
	bool no_cache;
	const char *cache_dir;
	struct class_args class_report;
};
int cmd_grade(const struct grade_cmd *c);
struct class_report_opts;
/* The class report's options for what was asked (cmd_grade.c). */
void class_args_to_opts(const struct class_args *a, struct class_report_opts *o);

/* `merge OUTDIR... -o FINAL`: the shards' folders combined, and the class
 * report of the whole (cmd_merge.c). */
int cmd_merge(const char *const *dirs, size_t n, const char *final, const struct class_args *a);
/* `export ASSIGNMENT DIR`: the students' copy (cmd_export.c). */
int cmd_export(const char *assignment, const char *dir);
int cmd_validate(const char *const *specs, size_t n);
/* `init NAME`: a new assignment folder under parent (NULL: here). */
int cmd_init(const char *name, const char *parent);
int cmd_list(void);
int cmd_doctor(bool json);
/* selftest: repeat rounds (rates printed when > 1), while load busy
 * processes spin; only, when set, a comma-separated list of the labels or
 * names of the submissions to grade. */
struct selftest_opts {
	enum hx_isolation isolation;
	unsigned repeat, load;
	const char *only;
};
int cmd_selftest(const char *const *dirs, size_t n, const struct selftest_opts *opts);

#endif
