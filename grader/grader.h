/*
 * grader.h - the grader library in one include: specs, building,
 * matching, scoring, reports, batches, the commands.
 *
 * The grader sits on the harness (harness.h) and knows what the harness
 * does not: assignments, tests, points, feedback. Each module has its
 * own header, which states its contract (who frees what, what is left
 * on error); the library's files include only the headers they need.
 * This umbrella is for the tests and for code that uses much of it.
 *
 * Error convention: a function that can fail returns 0 or -errno and,
 * where a message helps, writes it to a caller-supplied char *err,
 * size_t errlen (spec problems: struct diag). A function returning a
 * pointer returns NULL only when out of memory, unless its header says
 * otherwise. Release functions accept a zeroed or NULL object.
 */
#ifndef IPCGRADE_GRADER_H
#define IPCGRADE_GRADER_H

#include "harness.h"

#include "assignments.h"	/* bundled assignments by name */
#include "batch.h"		/* a class: workers, resume, shards */
#include "build.h"		/* compiling a submission in the box */
#include "checker.h"		/* an instructor's checker on a finished run */
#include "class_report.h"	/* beside the summary: similarity, gradebooks, index.html */
#include "commands.h"		/* the cmd_* functions main.c calls, exit codes */
#include "csv.h"			/* RFC 4180 fields and files */
#include "diag.h"		/* spec problems as FILE:LINE:COL */
#include "diff.h"		/* expected vs actual output, for students */
#include "faulty.h"		/* faulty submissions: patches and folders */
#include "fds_expect.h"		/* expect.fds: fds left open at exit */
#include "file.h"		/* whole files: capped reads, atomic writes */
#include "fs.h"			/* folders and trees, without following links */
#include "grade.h"		/* one submission: build, run, judge, score */
#include "gradebook.h"		/* Canvas and Moodle exports, late penalties */
#include "hash.h"		/* SHA-256, FNV-1a */
#include "ipc_expect.h"		/* expect.ipc conditions */
#include "jobs.h"		/* forked workers */
#include "judge.h"		/* one run against its expectations */
#include "limit_keys.h"		/* the limits a spec and `run` may set, their ranges */
#include "match.h"		/* output matchers */
#include "merge.h"		/* combining shards */
#include "reasons.h"		/* the vocabulary of failure */
#include "report.h"		/* report.json, results.json, junit.xml, feedback.md */
#include "report_html.h"		/* index.html, the class report */
#include "report_text.h"	/* terminal reports */
#include "run_json.h"		/* one run as JSON: run --json */
#include "selftest.h"		/* solutions and faulty submissions vs faulty/EXPECTED */
#include "spec.h"		/* spec.yaml loaded and checked */
#include "similarity.h"		/* sim_c over a class */
#include "str.h"		/* malloc'd strings, string vectors */
#include "submissions.h"	/* finding a class's submissions */
#include "summary.h"		/* summary.csv, summary.json */
#include "symbols.h"		/* imported functions (libelf), expect.symbols */
#include "term.h"		/* colour, Ctrl-C, the clock */
#include "text.h"		/* output made safe to show and compare */

#endif
