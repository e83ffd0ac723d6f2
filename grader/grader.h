/*
 * grader.h - specs, building, matching, scoring and reports.
 *
 * The grader library sits on the harness (harness.h) and knows what the
 * harness does not: assignments, tests, points, feedback. grader/main.c
 * parses the command line and calls the cmd_* functions at the bottom of
 * this header; everything else here is the library they are built from.
 */
#ifndef IPCGRADE_GRADER_H
#define IPCGRADE_GRADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness.h"

/* Exit codes of the CLI (grader/main.c maps results onto them). */
enum exit_code {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	/* check: some test failed */
	EXIT_USAGE = 2,		/* bad arguments, bad spec */
	EXIT_INTERNAL = 3,	/* ipcgrade itself failed */
};

/* ---- diagnostics (diag.c) ----------------------------------------------- */

/* Spec errors, each "FILE:LINE:COL: message", collected so that
 * `validate` can show all of them at once. */
struct diag {
	char **msgs;
	size_t n;
	size_t max;		/* stop collecting after this many (default 50) */
};
void diag_init(struct diag *d);
void diag_add(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void diag_print(const struct diag *d, FILE *f);
void diag_release(struct diag *d);

/* ---- the spec (spec.c) -------------------------------------------------- */

enum visibility { VIS_VISIBLE = 0, VIS_HIDDEN, VIS_AFTER_DUE_DATE };
const char *spec_visibility_name(enum visibility v);

struct order_rule {
	char *before, *after;
	void *before_re, *after_re;	/* pcre2_code * */
};

/* An output matcher: every part that is present must hold. */
struct matcher {
	bool present;
	char *exact;
	char *normalized;
	char *regex;
	void *regex_code;		/* pcre2_code * */
	char *unordered;
	char **contains;
	size_t ncontains;
	struct order_rule *order;
	size_t norder;
	bool empty, nonempty;
};

enum ipc_op { IPC_OP_EQ, IPC_OP_NE, IPC_OP_GE, IPC_OP_LE, IPC_OP_GT, IPC_OP_LT };
const char *ipc_op_text(enum ipc_op op);
bool ipc_op_holds(enum ipc_op op, long long seen, long long want);

struct ipc_cond {
	char *key;		/* a group, "processes", "threads", or a call name */
	enum ipc_op op;
	long long value;	/* evaluated with the test's args at load time */
	char *text;		/* as written, e.g. ">= args[0] + 1" */
	bool hot;		/* needs hot-call tracing */
};

struct ipc_expect {
	struct ipc_cond *conds;
	size_t nconds;
	struct ipc_expect *any_of;	/* alternatives, at least one must pass */
	size_t nany;
};

struct symbols_expect {
	char **requires;
	size_t nrequires;
	char **forbids;
	size_t nforbids;
	char ***requires_any;	/* alternatives, each a NULL-terminated list */
	size_t nrequires_any;
};

/* A file the program must leave in its working directory. */
struct file_expect {
	char *name;
	struct matcher m;
};

/* An instructor's program that judges a run (see SPEC.md). */
struct checker {
	char **argv;		/* paths made absolute (inside the spec's folder) */
	unsigned timeout_ms;
};

struct expect {
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
};

struct test {
	char *name;
	double points;
	enum visibility visibility;
	char **args;
	size_t nargs;
	char *stdin_data;
	size_t stdin_len;
	struct hx_limits limits;	/* the spec's, overridden per test; 0 = default */
	unsigned runs;
	bool jitter;
	unsigned jitter_max_us;
	uint64_t jitter_seed;		/* 0: fresh per run */
	unsigned cpus;
	char **files_in;		/* absolute paths inside the spec's folder */
	size_t nfiles_in;
	struct expect expect;
	char *hint;
	int line;			/* where it starts in the spec */
	bool needs_trace, needs_hot;
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
	struct test *tests;
	size_t ntests;
	double total_points;
	char sha256[65];		/* of the spec file's bytes */
};

/* Load and check a spec. Returns 0, or -1 with every problem in *d
 * (FILE:LINE:COL: message). On success *out is owned by the caller. */
int spec_load(const char *path, struct spec **out, struct diag *d);
/* The same from memory (fuzzing, tests); name is used in messages. */
int spec_load_buffer(const char *name, const char *data, size_t len, struct spec **out,
		     struct diag *d);
void spec_free(struct spec *s);

/* ---- output matching (match.c) ------------------------------------------ */

/* Why a matcher failed, for students: what was expected, and a diff. */
struct mismatch {
	char *what;		/* "the output differs", "line 'x' is missing", ... */
	char *expected;		/* text to diff against, or NULL */
};
/* Whether output (len bytes, any content) satisfies m. On failure fills
 * *why (release with match_mismatch_release). */
bool match_output(const struct matcher *m, const char *output, size_t len, struct mismatch *why);
void match_mismatch_release(struct mismatch *m);
/* Compile the regexes of a matcher; returns 0 or -1 with a message. */
int match_compile(struct matcher *m, char *err, size_t errlen);
void match_release(struct matcher *m);

/* A unified diff of expected vs actual lines, at most max_lines long.
 * Returns a malloc'd string. */
char *diff_unified(const char *expected, size_t elen, const char *actual, size_t alen,
		   size_t max_lines);

/* ---- text helpers (text.c) ----------------------------------------------- */

/* Copy with invalid UTF-8 replaced by U+FFFD and NULs by "\0": the
 * result is always valid UTF-8 text. */
char *text_sanitize(const char *data, size_t len);
/* Trim, collapse spaces/tabs, drop trailing blank lines. */
char *text_normalize(const char *data, size_t len);

/* ---- IPC expectations (ipc_expect.c) -------------------------------------- */

/* Parse "OP EXPR" (or a bare integer) with args[] known; 0 or -1 + err. */
int ipc_cond_parse(const char *text, char *const *args, size_t nargs, enum ipc_op *op,
		   long long *value, char *err, size_t errlen);
/* Whether key is a known group, "processes", "threads", or call name. */
bool ipc_key_valid(const char *key, bool *hot);
/* How many events of this key the run made. */
long long ipc_count(const struct hx_result *res, const char *key);
/* Check; on failure *msg says what was required, seen and where. */
bool ipc_check(const struct ipc_expect *e, const struct hx_result *res, char **msg);

/* ---- symbols (symbols.c) ------------------------------------------------ */

/* Check the binary's imported (undefined dynamic) symbols with libelf. */
bool symbols_check(const struct symbols_expect *e, const char *binary, char **msg);
/* The binary's undefined dynamic symbols, NULL-terminated; NULL on error. */
char **symbols_imported(const char *binary, char *err, size_t errlen);
void strv_free(char **v);

/* ---- building (build.c) ----------------------------------------------- */

struct build_result {
	bool ok;
	bool cached;
	char *binary;		/* host path of the built program when ok */
	char *log;		/* compiler output (sanitized) */
	char *problem;		/* one line: why there is no binary */
	unsigned long ms;
	enum hx_isolation isolation;
};
struct build_opts {
	enum hx_isolation isolation;
	const char *cache_dir;	/* NULL: no cache */
	const volatile sig_atomic_t *cancel;
};
/* Copy the submission's sources into workdir and compile them in the box.
 * Returns 0 (look at res->ok) or -1 on an internal error (err). */
int build_submission(const struct spec *s, const char *subdir, const char *workdir,
		     const struct build_opts *o, struct build_result *res, char *err, size_t errlen);
void build_result_release(struct build_result *r);

/* ---- grading (grade.c) ---------------------------------------------------- */

/* Reasons a run fails, in the vocabulary of faulty/EXPECTED. */
enum reason {
	REASON_BUILD = 0, REASON_TIMEOUT, REASON_DEADLOCK, REASON_RUNTIME_ERROR, REASON_MEMORY_LIMIT, REASON_OUTPUT_LIMIT,
	REASON_FORBIDDEN_SYSCALL, REASON_INTERNAL, REASON_EXIT, REASON_STDOUT, REASON_STDERR, REASON_IPC, REASON_SYMBOLS,
	REASON_CLEANUP, REASON_FILES, REASON_CHECKER, REASON_COUNT
};
const char *reason_name(enum reason r);
int reason_from_name(const char *name);

struct run_outcome {
	struct hx_result res;
	bool passed;
	unsigned reasons;	/* bit set of enum reason */
	char *message;		/* what went wrong, for students */
	char *diff;		/* output diff, when output differs */
	double fraction;	/* of the points: 1 passed, 0 failed, or a checker's partial score */
	char *checker_output;	/* what the checker said, when there is one */
};

struct test_outcome {
	const struct test *test;
	struct run_outcome *runs;
	size_t nruns;
	size_t npassed;
	bool passed;
	double score;
	unsigned reasons;	/* union over failing runs */
	int first_failed;	/* index of the first failing run, -1 */
	bool outputs_differ;	/* the runs disagree: a race */
	bool skipped;		/* not run (build failed) */
};

struct grade_report {
	const struct spec *spec;
	char *program;		/* what the tests run, e.g. "./prog" or "./barber" */
	char *student;
	char *submission;	/* path */
	struct build_result build;
	struct test_outcome *tests;
	size_t ntests;
	double score, max_score;
	unsigned long ms;
	enum hx_isolation isolation;
	char *problem;		/* a submission-level problem (missing file...) */
	char started[32];	/* ISO 8601 */
};

struct grade_opts {
	bool visible_only;
	enum hx_isolation isolation;
	bool require_isolation;
	const char *cache_dir;
	bool verbose;
	const volatile sig_atomic_t *cancel;
	/* Called after each run (progress); may be NULL. */
	void (*progress)(void *arg, const struct test *t, unsigned run, unsigned runs);
	void *progress_arg;
};
int grade_submission(const struct spec *s, const char *subdir, const struct grade_opts *o,
		     struct grade_report *rep, char *err, size_t errlen);
void grade_report_release(struct grade_report *r);

/* ---- reports --------------------------------------------------------------- */

/* `run --json`: one object (json.c). */
char *report_json_run(const struct hx_result *res);
/* Human output of `run` (report_text.c). */
void report_text_run(FILE *f, const struct hx_result *res, bool color, bool trace);
/* The trace timeline and the counts table (report_text.c). */
void report_text_trace(FILE *f, const struct hx_result *res);
/* Student-facing report of check (report_text.c). */
void report_text_grade(FILE *f, const struct grade_report *r, bool color, bool visible_only);
/* report.json: everything (json.c). */
char *report_json_grade(const struct grade_report *r);

/* ---- assignments (assignments.c) ------------------------------------------- */

/* NAME -> .../assignments/NAME/spec.yaml; a folder holding a spec.yaml
 * -> FOLDER/spec.yaml; another path is returned as is. */
char *assignment_spec_path(const char *name_or_path);
/* Whether `ipcgrade check NAME` finds this very spec (a bundled one). */
bool assignment_is_bundled(const char *name, const char *spec_path);
/* The directories searched for bundled assignments, in order. */
const char *assignment_dir(void);

/* ---- files (files.c) ---------------------------------------------------------- */

char *fs_path_join(const char *a, const char *b);
char *file_read_all(const char *path, size_t *len, size_t max);
int file_write_atomic(const char *path, const char *data, size_t len);
char *fs_make_temp_dir(const char *prefix);
int fs_remove_tree(const char *path);
/* Copy a regular file, refusing symlinks and non-regular files. */
int fs_copy_file(int srcdir, const char *name, int dstdir, const char *dstname, mode_t mode,
		     char *err, size_t errlen);
/* Copy a folder's regular files and folders (no links), at most max_bytes. */
int fs_copy_tree(const char *src, const char *dst, size_t max_bytes);
/* Can a user who is neither owner nor in the group list path's folder? */
bool fs_others_can_read(const char *path);
void hash_sha256_hex(const void *data, size_t len, char out[65]);
bool term_color(FILE *f);
uint64_t term_now_ms(void);
/* asprintf that returns the string (NULL when out of memory). */
char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- commands (cmd_*.c), called by main.c ---------------------------------- */

struct run_cmd {
	const char *const *argv;
	struct hx_limits limits;
	bool trace, trace_hot, json;
	unsigned jitter_max_us;
	uint64_t seed;
	unsigned cpus;
	enum hx_isolation isolation;
	bool require_isolation;
};
int cmd_run(const struct run_cmd *c);

struct check_cmd {
	const char *spec;	/* path or assignment name */
	const char *dir;
	enum hx_isolation isolation;
	bool require_isolation;
	bool all_tests;		/* hidden tests too (instructors) */
	bool json;
	bool verbose;
};
int cmd_check(const struct check_cmd *c);
struct grade_cmd {
	const char *spec;	/* path or assignment name */
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
	/* The class report (class_report.c): similarity, gradebook exports. */
	bool no_similarity;
	double similarity_threshold;	/* percent; 0: the default */
	const char *roster;		/* NULL: no gradebook exports */
	const char *submission_times;	/* NULL: the files' modification times */
	int64_t due;			/* seconds since the epoch; 0: no late penalty */
	double late_penalty;		/* percent per day late */
};
int cmd_grade(const struct grade_cmd *c);
int cmd_merge(const char *const *dirs, size_t n, const char *final);
/* `export ASSIGNMENT DIR`: the students' copy (cmd_export.c). */
int cmd_export(const char *assignment, const char *dir);
int cmd_validate(const char *const *specs, size_t n);
/* `init NAME`: a new assignment folder under parent (NULL: here). */
int cmd_init(const char *name, const char *parent);
int cmd_list(void);
int cmd_doctor(bool json);
int cmd_selftest(const char *const *dirs, size_t n, enum hx_isolation isolation, unsigned repeat);

#endif
