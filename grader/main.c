/*
 * main.c - the ipcgrade command: argument parsing and exit codes only.
 * Everything else lives in the grader and harness libraries.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "faulty.h"
#include "gradebook.h"
#include "harness.h"
#include "jobs.h"
#include "limit_keys.h"

static const char usage_main[] =
	"usage: ipcgrade COMMAND [OPTIONS]\n"
	"\n"
	"Grades C programs that use processes and inter-process communication.\n"
	"\n"
	"commands:\n"
	"  run [LIMITS] [--trace] [--json] -- PROGRAM [ARGS...]\n"
	"                          run one program in the sandbox and report what it did\n"
	"  check [--spec FILE | ASSIGNMENT] [DIR] [--test NAME [--run K] [--seed S]]\n"
	"                          self-check a submission against the visible tests\n"
	"  grade (--spec FILE | ASSIGNMENT) [-j N] [-o OUTDIR] [--resume] [--shard K/N] SUBMISSION...\n"
	"                          grade a whole class into reports and a summary\n"
	"  merge OUTDIR... -o FINAL [--roster FILE] [--due DATE] ...\n"
	"                          combine the results of sharded grade runs\n"
	"  export ASSIGNMENT DIR   the students' copy: spec (visible tests), handout, starter\n"
	"  validate SPEC...        check specs; problems as FILE:LINE:COL: message\n"
	"  list                    the bundled assignments\n"
	"  init NAME [FOLDER]      a new assignment folder to start from\n"
	"  doctor                  what this machine offers the sandbox\n"
	"  selftest ASSIGNMENT_DIR...\n"
	"                          grade each assignment's solution and faulty submissions\n"
	"                          and compare with faulty/EXPECTED\n"
	"  selftest --materialise DEST ASSIGNMENT_DIR/faulty/NAME\n"
	"                          write one faulty submission out as a folder\n"
	"\n"
	"`ipcgrade COMMAND --help` describes a command. Exit codes: 0 success,\n"
	"1 some test failed (check) or a check failed (doctor, selftest),\n"
	"2 usage or spec error, 3 internal error of ipcgrade.\n";

/* The limits' defaults are the harness's own. */
static void print_usage_run(void)
{
	struct hx_limits d = { 0 };

	hx_limits_fill_defaults(&d);
	printf(
		"usage: ipcgrade run [OPTIONS] -- PROGRAM [ARGS...]\n"
		"\n"
		"Runs PROGRAM in the sandbox and prints its verdict, output and IPC use.\n"
		"A PROGRAM path outside the system folders is copied into the box.\n"
		"Standard input, when not a terminal, is passed to the program.\n"
		"\n"
		"limits (defaults in parentheses):\n"
		"  --timeout MS            wall-clock time (%u)\n"
		"  --cpu-ms MS             CPU time of all processes together (%u)\n"
		"  --memory-mb MB          memory of all processes together (%u)\n"
		"  --processes N           processes and threads at once (%u)\n"
		"  --output-kb KB          stdout + stderr (%u)\n"
		"  --deadlock-after-ms MS  how long everything must be blocked to call it a deadlock (%u)\n"
		"options:\n"
		"  --trace                 print the IPC timeline and a summary table\n"
		"  --trace-hot             --trace, and also read/write, futex, semop and queue traffic\n"
		"                          (slower)\n"
		"  --json                  print one JSON object instead\n"
		"  --jitter US             delay each traced call by a random 0..US microseconds\n"
		"  --seed S                the jitter's seed (printed by every jittered run)\n"
		"  --cpus N                pin the program to N CPUs\n"
		"  --isolation MODE        auto (default), full or reduced\n"
		"  --require-isolation     fail rather than run without full isolation\n"
		"  --time-scale F          shorten every sleep of the program by the factor F\n"
		"                          (0 < F <= 1, e.g. 0.01: a 1 s sleep takes 10 ms)\n"
		"  --file SRC[:DEST]       put the file SRC into the box's folder as DEST (default:\n"
		"                          its own name; DEST may name subfolders); repeatable\n"
		"  --keep DIR              after the run, copy the box's folder (the files the\n"
		"                          program wrote, and the program) into the new folder DIR\n"
		"\n"
		"Exit status: 0 when the program ran (whatever its verdict), 2 usage, 3 internal error.\n",
		d.wall_ms, d.cpu_ms, d.memory_mb, d.processes, d.output_kb, d.deadlock_after_ms);
}

static const char usage_check[] =
	"usage: ipcgrade check [--spec FILE | ASSIGNMENT] [DIR] [OPTIONS]\n"
	"\n"
	"Builds the submission in DIR (default: the current folder) and runs the\n"
	"assignment's visible tests, printing each test's result as it finishes.\n"
	"ASSIGNMENT is a bundled assignment's name (see `ipcgrade list`); --spec\n"
	"names a spec file, or a folder holding spec.yaml, instead.\n"
	"\n"
	"options:\n"
	"  --all                   run hidden tests too (for instructors)\n"
	"  --json                  print report.json instead of the report\n"
	"  --test NAME             run only the test NAME\n"
	"  --run K                 with --test: only its K-th run (as a failed run's replay says)\n"
	"  --seed S                with --run: the jitter seed of that run (1..18446744073709551615)\n"
	"  --trace                 print the timeline of each test's failed run (or its run)\n"
	"  --isolation MODE        auto (default), full or reduced\n"
	"  --require-isolation     fail rather than run without full isolation\n"
	"\n"
	"Exit status: 0 all tests passed, 1 some failed, 2 usage or spec error, 3 internal error.\n";

static const char usage_selftest[] =
	"usage: ipcgrade selftest [--repeat N [--load K]] [--only NAMES] [--isolation MODE]\n"
	"                         ASSIGNMENT_DIR...\n"
	"       ipcgrade selftest --materialise DEST ASSIGNMENT_DIR/(faulty|solutions)/NAME\n"
	"\n"
	"Grades every solution/ and solutions/NAME (full marks required) and faulty submission of\n"
	"each assignment folder, all tests included, and compares the outcome with\n"
	"faulty/EXPECTED. Prints the verdict matrix; exits 1 on any mismatch, 130\n"
	"when interrupted. A faulty submission is faulty/NAME.patch, a diff against\n"
	"solution/ (graded in a temporary copy of solution/ that GNU patch changes),\n"
	"or a folder faulty/NAME/.\n"
	"\n"
	"options:\n"
	"  --repeat N              grade everything N times; then print per faulty\n"
	"                          submission the fraction of gradings that caught it\n"
	"                          (it lost points), per solution the fraction with\n"
	"                          full marks (only mismatching rounds are shown)\n"
	"  --load K                meanwhile keep K processes spinning on the CPUs\n"
	"  --only NAMES            grade only these (comma-separated: solution,\n"
	"                          solutions/NAME, faulty/NAME or a bare NAME)\n"
	"  --isolation MODE        auto (default), full or reduced\n"
	"  --materialise DEST      grade nothing: write the faulty submission NAME into\n"
	"                          the new folder DEST (a copy of solution/ with the\n"
	"                          patch applied, or of the folder); exit 0, or 2 when\n"
	"                          there is no such submission or its patch does not apply\n";

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "ipcgrade: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see ipcgrade --help)\n");
	return EXIT_USAGE;
}

/* out/ is out: its files are then out/summary.csv, not out//summary.csv.
 * Changes s in place ("/" stays). */
static char *without_trailing_slashes(char *s)
{
	for (size_t l = s ? strlen(s) : 0; l > 1 && s[l - 1] == '/'; l--)
		s[l - 1] = '\0';
	return s;
}

static bool parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' && *out <= max;
}

static bool parse_isolation(const char *s, enum hx_isolation *out)
{
	if (strcmp(s, "auto") == 0)
		*out = HX_ISOLATION_AUTO;
	else if (strcmp(s, "full") == 0)
		*out = HX_ISOLATION_FULL;
	else if (strcmp(s, "reduced") == 0)
		*out = HX_ISOLATION_REDUCED;
	else
		return false;
	return true;
}

enum {
	/* The limits first, in enum limit_id order. */
	OPT_TIMEOUT = 1000, OPT_CPU, OPT_MEMORY, OPT_PROCESSES, OPT_OUTPUT, OPT_DEADLOCK,
	OPT_TRACE, OPT_TRACE_HOT, OPT_JSON, OPT_JITTER, OPT_SEED, OPT_CPUS, OPT_ISOLATION,
	OPT_REQUIRE, OPT_SPEC, OPT_ALL, OPT_HELP, OPT_REPEAT, OPT_TEST, OPT_RUN, OPT_LOAD, OPT_ONLY,
	OPT_VERBOSE, OPT_RESUME, OPT_SHARD,
	OPT_NO_CACHE, OPT_CACHE_DIR, OPT_MATERIALISE, OPT_NO_SIMILARITY, OPT_SIM_THRESHOLD, OPT_ROSTER,
	OPT_DUE, OPT_LATE_PENALTY, OPT_SUBMISSION_TIMES, OPT_TIME_SCALE, OPT_KEEP, OPT_FILE,
};

_Static_assert(OPT_DEADLOCK - OPT_TIMEOUT == LIMIT_DEADLOCK && OPT_CPU - OPT_TIMEOUT == LIMIT_CPU,
	       "the limit options are in enum limit_id order");

static const struct option run_options[] = {
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "cpu-ms", required_argument, NULL, OPT_CPU },
	{ "memory-mb", required_argument, NULL, OPT_MEMORY },
	{ "processes", required_argument, NULL, OPT_PROCESSES },
	{ "output-kb", required_argument, NULL, OPT_OUTPUT },
	{ "deadlock-after-ms", required_argument, NULL, OPT_DEADLOCK },
	{ "trace", no_argument, NULL, OPT_TRACE },
	{ "trace-hot", no_argument, NULL, OPT_TRACE_HOT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "jitter", required_argument, NULL, OPT_JITTER },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "isolation", required_argument, NULL, OPT_ISOLATION },
	{ "require-isolation", no_argument, NULL, OPT_REQUIRE },
	{ "time-scale", required_argument, NULL, OPT_TIME_SCALE },
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "file", required_argument, NULL, OPT_FILE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* A factor 0 < f <= 1 (1: sleeps take their time). */
static bool parse_time_scale(const char *s, double *out)
{
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return errno == 0 && *end == '\0' && *out > 0 && *out <= 1;
}

static int main_run(int argc, char **argv)
{
	struct run_cmd c;
	unsigned long long v;
	int opt;

	memset(&c, 0, sizeof(c));
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+", run_options, NULL)) != -1) {
		switch (opt) {
		case OPT_TIMEOUT: case OPT_CPU: case OPT_MEMORY: case OPT_PROCESSES: case OPT_OUTPUT:
		case OPT_DEADLOCK: {
			/* The options are in enum limit_id order. */
			enum limit_id id = (enum limit_id)(opt - OPT_TIMEOUT);

			if (!parse_uint(optarg, limit_keys[id].run_max, &v) || v < limit_keys[id].min)
				return bad_usage("run: bad value '%s' (a whole number in range)", optarg);
			*limit_field(&c.limits, id) = (unsigned)v;
			break;
		}
		case OPT_TRACE: c.trace = true; break;
		case OPT_TRACE_HOT: c.trace_hot = c.trace = true; break;
		case OPT_JSON: c.json = true; break;
		case OPT_JITTER:
			if (!parse_uint(optarg, 1000000, &v))
				return bad_usage("run: bad --jitter '%s' (microseconds, at most 1000000)", optarg);
			c.jitter_max_us = (unsigned)v;
			break;
		case OPT_SEED:
			if (!parse_uint(optarg, ULLONG_MAX, &v) || v == 0)
				return bad_usage("run: bad --seed '%s' (a whole number from 1 to "
						 "18446744073709551615, as runs print it)", optarg);
			c.seed = v;
			break;
		case OPT_CPUS:
			if (!parse_uint(optarg, 1024, &v) || v == 0)
				return bad_usage("run: bad --cpus '%s'", optarg);
			c.cpus = (unsigned)v;
			break;
		case OPT_ISOLATION:
			if (!parse_isolation(optarg, &c.isolation))
				return bad_usage("run: --isolation must be auto, full or reduced, not '%s'", optarg);
			break;
		case OPT_REQUIRE: c.require_isolation = true; break;
		case OPT_TIME_SCALE:
			if (!parse_time_scale(optarg, &c.time_scale))
				return bad_usage("run: bad --time-scale '%s' (a factor above 0, at most 1, "
						 "e.g. 0.01)", optarg);
			break;
		case OPT_KEEP:
			if (!*optarg)
				return bad_usage("%s", "run: --keep needs a folder");
			c.keep = optarg;
			break;
		case OPT_FILE:
			if (c.nfiles >= RUN_FILES_MAX)
				return bad_usage("run: at most %s --file options", RUN_FILES_MAX_TEXT);
			if (!*optarg)
				return bad_usage("%s", "run: --file needs SRC[:DEST]");
			c.files[c.nfiles++] = optarg;
			break;
		case OPT_HELP: print_usage_run(); return EXIT_OK;
		default: return bad_usage("%s", "run: unknown option");
		}
	}
	if (optind >= argc)
		return bad_usage("%s", "run: no program given (ipcgrade run -- PROGRAM [ARGS...])");
	if (c.seed && !c.jitter_max_us)
		return bad_usage("%s", "run: --seed only makes sense with --jitter");
	c.argv = (const char *const *)argv + optind;
	return cmd_run(&c);
}

static int main_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "spec", required_argument, NULL, OPT_SPEC },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "isolation", required_argument, NULL, OPT_ISOLATION },
		{ "require-isolation", no_argument, NULL, OPT_REQUIRE },
		{ "test", required_argument, NULL, OPT_TEST },
		{ "run", required_argument, NULL, OPT_RUN },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "trace", no_argument, NULL, OPT_TRACE },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct check_cmd c;
	unsigned long long v;
	int opt;

	memset(&c, 0, sizeof(c));
	c.dir = ".";
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_SPEC: c.spec = optarg; c.spec_is_path = true; break;
		case OPT_ALL: c.all_tests = true; break;
		case OPT_JSON: c.json = true; break;
		case OPT_TEST: c.test = optarg; break;
		case OPT_TRACE: c.trace = true; break;
		case OPT_RUN:
			if (!parse_uint(optarg, 100000, &v) || v == 0)
				return bad_usage("check: bad --run '%s' (a run's number, from 1)", optarg);
			c.run = (unsigned)v;
			break;
		case OPT_SEED:
			if (!parse_uint(optarg, ULLONG_MAX, &v) || v == 0)
				return bad_usage("check: bad --seed '%s' (a whole number from 1 to "
						 "18446744073709551615, as runs print it)", optarg);
			c.seed = v;
			break;
		case OPT_ISOLATION:
			if (!parse_isolation(optarg, &c.isolation))
				return bad_usage("check: --isolation must be auto, full or reduced, not '%s'", optarg);
			break;
		case OPT_REQUIRE: c.require_isolation = true; break;
		case OPT_HELP: fputs(usage_check, stdout); return EXIT_OK;
		default: return bad_usage("%s", "check: unknown option");
		}
	}
	int rest = argc - optind;

	if (!c.spec) {
		if (rest < 1)
			return bad_usage("%s", "check: which assignment? (ipcgrade check ASSIGNMENT [DIR], "
					 "or --spec FILE)");
		c.spec = argv[optind++];
		rest--;
	}
	if (rest > 1)
		return bad_usage("check: unexpected argument '%s'", argv[optind + 1]);
	if (rest == 1)
		c.dir = argv[optind];
	if (c.run && !c.test)
		return bad_usage("%s", "check: --run needs --test NAME");
	if (c.seed && !c.run)
		return bad_usage("%s", "check: --seed needs --test NAME --run K");
	return cmd_check(&c);
}

/* The class report's options, which `grade` and `merge` share: 1 when
 * OPT was one of them, 0 when not, or bad_usage()'s status (< 0 never:
 * *status is set and 2 returned) when its value is wrong. */
#define CLASS_REPORT_OPTIONS \
		{ "no-similarity", no_argument, NULL, OPT_NO_SIMILARITY }, \
		{ "similarity-threshold", required_argument, NULL, OPT_SIM_THRESHOLD }, \
		{ "roster", required_argument, NULL, OPT_ROSTER }, \
		{ "due", required_argument, NULL, OPT_DUE }, \
		{ "late-penalty", required_argument, NULL, OPT_LATE_PENALTY }, \
		{ "submission-times", required_argument, NULL, OPT_SUBMISSION_TIMES }

#define CLASS_REPORT_USAGE \
	"  --no-similarity         do not compare the submissions with sim_c\n" \
	"  --similarity-threshold PCT  list pairs at least this similar (default 50)\n" \
	"  --roster FILE           CSV mapping submission ids to LMS users: writes canvas.csv\n" \
	"                          and moodle.csv (columns: see README)\n" \
	"  --due DATE              the deadline, YYYY-MM-DD[THH:MM[:SS]][Z] (local time; Z: UTC)\n" \
	"  --late-penalty PCT      percent of the score lost per started day late (with --due)\n" \
	"  --submission-times FILE CSV of id,time (default: the newest file's modification time)\n"

/* A bad class-report option of command CMD: "CMD: MSG", MSG holding one
 * %s for ARG (or none). */
static int class_opt_bad(const char *cmd, const char *msg, const char *arg)
{
	char fmt[160];

	snprintf(fmt, sizeof(fmt), "%s: %s", cmd, msg);
	return bad_usage(fmt, arg ? arg : "");
}

static int parse_class_report_opt(const char *cmd, int opt, const char *arg, struct class_args *a,
				  int *status)
{
	char *end;

	switch (opt) {
	case OPT_NO_SIMILARITY: a->no_similarity = true; return 1;
	case OPT_SIM_THRESHOLD:
		a->similarity_threshold = strtod(arg, &end);
		if (*end || end == arg || !(a->similarity_threshold > 0 && a->similarity_threshold <= 100))
			*status = class_opt_bad(cmd, "bad --similarity-threshold '%s' (a percent above 0)", arg);
		return 1;
	case OPT_ROSTER: a->roster = arg; return 1;
	case OPT_SUBMISSION_TIMES: a->submission_times = arg; return 1;
	case OPT_DUE: {
		time_t due;

		if (gradebook_parse_time(arg, &due) < 0)
			*status = class_opt_bad(cmd, "bad --due '%s' (YYYY-MM-DD[THH:MM[:SS]][Z])", arg);
		a->due = due;
		return 1;
	}
	case OPT_LATE_PENALTY:
		a->late_penalty = strtod(arg, &end);
		if (*end || end == arg || !(a->late_penalty >= 0 && a->late_penalty <= 100))
			*status = class_opt_bad(cmd, "bad --late-penalty '%s' (percent per day, 0 to 100)", arg);
		return 1;
	default: return 0;
	}
}

/* What only makes sense together; 0 when all is well. */
static int check_class_report_args(const char *cmd, const struct class_args *a)
{
	if (a->late_penalty > 0 && !a->due)
		return class_opt_bad(cmd, "--late-penalty needs --due", NULL);
	if (a->submission_times && !a->due)
		return class_opt_bad(cmd, "--submission-times needs --due", NULL);
	return 0;
}

static const char usage_grade[] =
	"usage: ipcgrade grade (--spec FILE | ASSIGNMENT) [OPTIONS] SUBMISSION...\n"
	"\n"
	"Grades a whole class. A SUBMISSION is a folder holding one student's files\n"
	"(the student id is the folder's name), a folder of such folders, or a .c file\n"
	"(the id is the file name without .c, as LMS bulk downloads name them:\n"
	"lastname_12345_67890_queue.c); two submissions with one id are refused.\n"
	"\n"
	"Writes OUTDIR/STUDENT/{report.json, results.json, junit.xml, feedback.md}\n"
	"and OUTDIR/{summary.csv, summary.json, batch.json, index.html (the class report),\n"
	"similarity.csv}; with --roster, OUTDIR/{canvas.csv, moodle.csv}; with --due, late.csv.\n"
	"\n"
	"options:\n"
	"  -o, --output OUTDIR     where the results go (default: ipcgrade-results)\n"
	"  -j, --jobs N            submissions graded at once (default: the number of CPUs)\n"
	"  --resume                grade only the submissions without a complete report\n"
	"  --shard K/N             grade the K-th of N deterministic parts (by student id)\n"
	"  --no-cache              always compile (default: reuse builds of identical sources)\n"
	"  --cache-dir DIR         the build cache (default: $XDG_CACHE_HOME/ipcgrade/builds)\n"
	"  --isolation MODE        auto (default), full or reduced\n"
	"  --require-isolation     refuse to grade without full isolation\n"
	CLASS_REPORT_USAGE
	"\n"
	"Exit status: 0 the batch finished (whatever the scores), 2 usage or spec error,\n"
	"3 internal error, 130 interrupted (finished reports are kept).\n";

static int main_grade(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "spec", required_argument, NULL, OPT_SPEC },
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "resume", no_argument, NULL, OPT_RESUME },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
		{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
		{ "isolation", required_argument, NULL, OPT_ISOLATION },
		{ "require-isolation", no_argument, NULL, OPT_REQUIRE },
		CLASS_REPORT_OPTIONS,
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct grade_cmd c;
	unsigned long long v;
	int opt;

	memset(&c, 0, sizeof(c));
	c.outdir = "ipcgrade-results";
	c.jobs = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:j:", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_SPEC: c.spec = optarg; c.spec_is_path = true; break;
		case 'o': c.outdir = without_trailing_slashes(optarg); break;
		case 'j':
			if (!parse_uint(optarg, 256, &v) || v == 0)
				return bad_usage("grade: bad -j '%s' (1 to 256)", optarg);
			c.jobs = (unsigned)v;
			break;
		case OPT_RESUME: c.resume = true; break;
		case OPT_SHARD: {
			unsigned k = 0, n = 0;
			char extra;

			if (sscanf(optarg, "%u/%u%c", &k, &n, &extra) != 2 || n == 0 || k == 0 || k > n)
				return bad_usage("grade: --shard must be K/N with 1 <= K <= N, not '%s'", optarg);
			c.shard_k = k;
			c.shard_n = n;
			break;
		}
		case OPT_NO_CACHE: c.no_cache = true; break;
		case OPT_CACHE_DIR: c.cache_dir = optarg; break;
		case OPT_ISOLATION:
			if (!parse_isolation(optarg, &c.isolation))
				return bad_usage("grade: --isolation must be auto, full or reduced, not '%s'", optarg);
			break;
		case OPT_REQUIRE: c.require_isolation = true; break;
		case OPT_HELP: fputs(usage_grade, stdout); return EXIT_OK;
		default: {
			int status = 0;

			if (!parse_class_report_opt("grade", opt, optarg, &c.class_report, &status))
				return bad_usage("%s", "grade: unknown option");
			if (status)
				return status;
		}
		}
	}
	if (!c.spec) {
		if (optind >= argc)
			return bad_usage("%s", "grade: which assignment? (ipcgrade grade ASSIGNMENT SUBMISSION...)");
		c.spec = argv[optind++];
	}
	if (optind >= argc)
		return bad_usage("%s", "grade: name at least one submission");
	int bad = check_class_report_args("grade", &c.class_report);

	if (bad)
		return bad;
	c.paths = (const char *const *)argv + optind;
	c.npaths = (size_t)(argc - optind);
	if (!c.jobs)
		c.jobs = jobs_default_parallel();
	return cmd_grade(&c);
}

static int main_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		CLASS_REPORT_OPTIONS,
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *final = NULL;
	struct class_args a = { 0 };
	int opt, status = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': final = optarg; break;
		case OPT_HELP:
			fputs("usage: ipcgrade merge OUTDIR... -o FINAL [OPTIONS]\n\nCombines the output "
			      "folders of `grade --shard K/N` runs into FINAL\nand writes its summary and "
			      "class report. Shards must come from one batch (one spec).\n\noptions "
			      "(as for grade):\n" CLASS_REPORT_USAGE, stdout);
			return EXIT_OK;
		default:
			if (!parse_class_report_opt("merge", opt, optarg, &a, &status))
				return bad_usage("%s", "merge: unknown option");
			if (status)
				return status;
		}
	}
	status = check_class_report_args("merge", &a);
	if (status)
		return status;
	if (!final)
		return bad_usage("%s", "merge: name the result folder with -o FINAL");
	if (optind >= argc)
		return bad_usage("%s", "merge: name the shards' output folders");
	return cmd_merge((const char *const *)argv + optind, (size_t)(argc - optind), final, &a);
}

static int main_selftest(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "repeat", required_argument, NULL, OPT_REPEAT },
		{ "load", required_argument, NULL, OPT_LOAD },
		{ "only", required_argument, NULL, OPT_ONLY },
		{ "isolation", required_argument, NULL, OPT_ISOLATION },
		{ "materialise", required_argument, NULL, OPT_MATERIALISE },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	enum hx_isolation iso = HX_ISOLATION_AUTO;
	unsigned long long repeat = 1, load = 0;
	const char *dest = NULL, *only = NULL;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_REPEAT:
			if (!parse_uint(optarg, 100000, &repeat) || repeat == 0)
				return bad_usage("selftest: bad --repeat '%s'", optarg);
			break;
		case OPT_LOAD:
			if (!parse_uint(optarg, 256, &load))
				return bad_usage("selftest: bad --load '%s' (0 to 256 processes)", optarg);
			break;
		case OPT_ONLY: only = optarg; break;
		case OPT_ISOLATION:
			if (!parse_isolation(optarg, &iso))
				return bad_usage("selftest: bad --isolation '%s'", optarg);
			break;
		case OPT_MATERIALISE: dest = optarg; break;
		case OPT_HELP: fputs(usage_selftest, stdout); return EXIT_OK;
		default: return bad_usage("%s", "selftest: unknown option");
		}
	}
	if (dest) {
		char err[1024];
		int rc;

		if (optind + 1 != argc)
			return bad_usage("%s", "selftest: --materialise DEST takes one ASSIGNMENT_DIR/faulty/NAME");
		rc = faulty_materialise_path(argv[optind], dest, err, sizeof(err));
		if (rc < 0)
			fprintf(stderr, "ipcgrade: %s\n", err);
		return rc == 0 ? EXIT_OK : rc == -ENOMEM || rc == -ENOEXEC ? EXIT_INTERNAL : EXIT_USAGE;
	}
	if (optind >= argc)
		return bad_usage("%s", "selftest: name the assignment folders (e.g. assignments/*/)");
	struct selftest_opts so = { .isolation = iso, .repeat = (unsigned)repeat,
				    .load = (unsigned)load, .only = only };

	return cmd_selftest((const char *const *)argv + optind, (size_t)(argc - optind), &so);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return bad_usage("%s", "no command given");
	const char *cmd = argv[1];

	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage_main, stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("ipcgrade %s\n", hx_version());
		return EXIT_OK;
	}
	/* Subcommands see their own argv, argv[0] being the command. */
	argc--;
	argv++;
	if (strcmp(cmd, "run") == 0)
		return main_run(argc, argv);
	if (strcmp(cmd, "check") == 0)
		return main_check(argc, argv);
	if (strcmp(cmd, "selftest") == 0)
		return main_selftest(argc, argv);
	if (strcmp(cmd, "grade") == 0)
		return main_grade(argc, argv);
	if (strcmp(cmd, "init") == 0) {
		if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
			puts("usage: ipcgrade init NAME [FOLDER]\n\nCreates FOLDER/NAME (default: ./NAME), a "
			     "new assignment that works at once:\nspec.yaml with every section commented, "
			     "README.md (the handout), starter/,\nsolution/ and faulty/ with EXPECTED; "
			     "`ipcgrade selftest NAME/` passes.");
			return EXIT_OK;
		}
		if (argc < 2 || argc > 3)
			return bad_usage("%s", "init: ipcgrade init NAME [FOLDER]");
		return cmd_init(argv[1], argc == 3 ? argv[2] : NULL);
	}
	if (strcmp(cmd, "merge") == 0)
		return main_merge(argc, argv);
	if (strcmp(cmd, "export") == 0) {
		if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
			puts("usage: ipcgrade export ASSIGNMENT DIR\n\nWrites the students' copy of ASSIGNMENT "
			     "(a bundled name, a spec file or its folder)\ninto the new folder DIR: spec.yaml "
			     "with the visible tests only, README.md, starter/\nand the files those tests use; "
			     "never solution/, faulty/ or what only hidden\ntests use. Then: ipcgrade check "
			     "--spec DIR/spec.yaml SUBMISSION.");
			return EXIT_OK;
		}
		if (argc != 3)
			return bad_usage("%s", "export: ipcgrade export ASSIGNMENT DIR");
		return cmd_export(argv[1], argv[2]);
	}
	if (strcmp(cmd, "validate") == 0) {
		if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
			puts("usage: ipcgrade validate SPEC...\n\nChecks each spec (a file or an assignment "
			     "name); prints FILE:LINE:COL: message\nfor every problem. Exit 0 when all are "
			     "valid, 2 otherwise.");
			return EXIT_OK;
		}
		if (argc < 2)
			return bad_usage("%s", "validate: name at least one spec");
		return cmd_validate((const char *const *)argv + 1, (size_t)(argc - 1));
	}
	if (strcmp(cmd, "list") == 0) {
		if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
			puts("usage: ipcgrade list\n\nLists the bundled assignments with their titles.");
			return EXIT_OK;
		}
		return cmd_list();
	}
	if (strcmp(cmd, "doctor") == 0) {
		if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
			puts("usage: ipcgrade doctor [--json]\n\nPrints what this machine offers the sandbox "
			     "and the isolation runs will use.\nExit 0 when full isolation is available, 1 "
			     "otherwise.");
			return EXIT_OK;
		}
		return cmd_doctor(argc >= 2 && strcmp(argv[1], "--json") == 0);
	}
	return bad_usage("unknown command '%s'", cmd);
}
