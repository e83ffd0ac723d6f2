/*
 * main.c - the ipcgrade command: argument parsing and exit codes only.
 * Everything else lives in the grader and harness libraries; the help
 * texts are in cli_usage.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_usage.h"
#include "commands.h"
#include "faulty.h"
#include "gradebook.h"
#include "harness.h"
#include "jobs.h"
#include "limit_keys.h"





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
		case OPT_HELP: cli_usage_print("run"); return EXIT_OK;
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
		case OPT_HELP: cli_usage_print("check"); return EXIT_OK;
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
		case OPT_HELP: cli_usage_print("grade"); return EXIT_OK;
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
		case OPT_HELP: cli_usage_print("merge"); return EXIT_OK;
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
		case OPT_HELP: cli_usage_print("selftest"); return EXIT_OK;
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

/* `ipcgrade CMD --help`, for the commands without options of their own:
 * prints CMD's help and says so. */
static bool asks_help(int argc, char **argv, const char *cmd)
{
	if (argc < 2 || strcmp(argv[1], "--help") != 0)
		return false;
	cli_usage_print(cmd);
	return true;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return bad_usage("%s", "no command given");
	const char *cmd = argv[1];

	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		cli_usage_print(NULL);
		return EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("ipcgrade %s\n", hx_version());
		return EXIT_OK;
	}
	/* A forced tracer that cannot be had is an error before anything
	 * runs (auto falls back to the notify tracer silently). */
	const char *forced = getenv("IPCGRADE_TRACER");
	char why[384];

	if (forced && *forced && strcmp(forced, "auto") != 0 && strcmp(cmd, "doctor") != 0 &&
	    !hx_trace_backend(why, sizeof(why))) {
		fprintf(stderr, "ipcgrade: error: %s\n", why);
		return EXIT_USAGE;
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
		if (asks_help(argc, argv, "init"))
			return EXIT_OK;
		if (argc < 2 || argc > 3)
			return bad_usage("%s", "init: ipcgrade init NAME [FOLDER]");
		return cmd_init(argv[1], argc == 3 ? argv[2] : NULL);
	}
	if (strcmp(cmd, "merge") == 0)
		return main_merge(argc, argv);
	if (strcmp(cmd, "export") == 0) {
		if (asks_help(argc, argv, "export"))
			return EXIT_OK;
		if (argc != 3)
			return bad_usage("%s", "export: ipcgrade export ASSIGNMENT DIR");
		return cmd_export(argv[1], argv[2]);
	}
	if (strcmp(cmd, "validate") == 0) {
		if (asks_help(argc, argv, "validate"))
			return EXIT_OK;
		if (argc < 2)
			return bad_usage("%s", "validate: name at least one spec");
		return cmd_validate((const char *const *)argv + 1, (size_t)(argc - 1));
	}
	if (strcmp(cmd, "list") == 0) {
		if (asks_help(argc, argv, "list"))
			return EXIT_OK;
		return cmd_list();
	}
	if (strcmp(cmd, "doctor") == 0) {
		if (asks_help(argc, argv, "doctor"))
			return EXIT_OK;
		return cmd_doctor(argc >= 2 && strcmp(argv[1], "--json") == 0);
	}
	return bad_usage("unknown command '%s'", cmd);
}
