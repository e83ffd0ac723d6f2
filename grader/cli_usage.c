/*
 * cli_usage.c - the ipcgrade command's help texts: the main usage and
 * each command's `--help` (see cli_usage.h). main.c parses the
 * arguments; what each option means to a user is said here, once.
 */
#include <stdio.h>
#include <string.h>

#include "cli_usage.h"
#include "harness.h"

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

#define CLASS_REPORT_USAGE \
	"  --no-similarity         do not compare the submissions with sim_c\n" \
	"  --similarity-threshold PCT  list pairs at least this similar (default 50)\n" \
	"  --roster FILE           CSV mapping submission ids to LMS users: writes canvas.csv\n" \
	"                          and moodle.csv (columns: see README)\n" \
	"  --due DATE              the deadline, YYYY-MM-DD[THH:MM[:SS]][Z] (local time; Z: UTC)\n" \
	"  --late-penalty PCT      percent of the score lost per started day late (with --due)\n" \
	"  --submission-times FILE CSV of id,time (default: the newest file's modification time)\n"

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

static const char usage_merge[] =
	"usage: ipcgrade merge OUTDIR... -o FINAL [OPTIONS]\n\nCombines the output "
	"folders of `grade --shard K/N` runs into FINAL\nand writes its summary and "
	"class report. Shards must come from one batch (one spec).\n\noptions "
	"(as for grade):\n" CLASS_REPORT_USAGE;

static const char usage_init[] =
	"usage: ipcgrade init NAME [FOLDER]\n\nCreates FOLDER/NAME (default: ./NAME), a "
	"new assignment that works at once:\nspec.yaml with every section commented, "
	"README.md (the handout), starter/,\nsolution/ and faulty/ with EXPECTED; "
	"`ipcgrade selftest NAME/` passes.\n";

static const char usage_export[] =
	"usage: ipcgrade export ASSIGNMENT DIR\n\nWrites the students' copy of ASSIGNMENT "
	"(a bundled name, a spec file or its folder)\ninto the new folder DIR: spec.yaml "
	"with the visible tests only, README.md, starter/\nand the files those tests use; "
	"never solution/, faulty/ or what only hidden\ntests use. Then: ipcgrade check "
	"--spec DIR/spec.yaml SUBMISSION.\n";

static const char usage_validate[] =
	"usage: ipcgrade validate SPEC...\n\nChecks each spec (a file or an assignment "
	"name); prints FILE:LINE:COL: message\nfor every problem. Exit 0 when all are "
	"valid, 2 otherwise.\n";

static const char usage_list[] =
	"usage: ipcgrade list\n\nLists the bundled assignments with their titles.\n";

static const char usage_doctor[] =
	"usage: ipcgrade doctor [--json]\n\nPrints what this machine offers the sandbox "
	"and the isolation runs will use.\nExit 0 when full isolation is available, 1 "
	"otherwise.\n";

void cli_usage_print(const char *cmd)
{
	static const struct {
		const char *cmd, *text;
	} usages[] = {
		{ "check", usage_check }, { "selftest", usage_selftest }, { "grade", usage_grade },
		{ "merge", usage_merge }, { "init", usage_init }, { "export", usage_export },
		{ "validate", usage_validate }, { "list", usage_list }, { "doctor", usage_doctor },
	};

	if (cmd && strcmp(cmd, "run") == 0) {
		print_usage_run();
		return;
	}
	for (size_t i = 0; cmd && i < sizeof(usages) / sizeof(usages[0]); i++)
		if (strcmp(cmd, usages[i].cmd) == 0) {
			fputs(usages[i].text, stdout);
			return;
		}
	fputs(usage_main, stdout);
}
