/*
 * report_text.h - what people read in a terminal: `run` summaries, the
 * trace timeline, and the student report of `check`.
 */
#ifndef IPCGRADE_REPORT_TEXT_H
#define IPCGRADE_REPORT_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "grade.h"
#include "harness.h"

/* `run`: verdict, resources, outputs, what was left, the trace with
 * trace; colours with color. */
void report_text_run(FILE *f, const struct hx_result *res, bool color, bool trace);
/* The trace timeline and the table of counts per process. */
void report_text_trace(FILE *f, const struct hx_result *res);
/* `check`: each test passed or failed, why, and the score;
 * visible_only says that hidden tests were left out. It is the three
 * below in a row, which `check` calls as grading goes: the assignment
 * and the build, one test (its line, and why it failed), the score. */
void report_text_grade(FILE *f, const struct grade_report *r, bool color, bool visible_only);
void report_text_header(FILE *f, const struct grade_report *r, bool color);
void report_text_test(FILE *f, const struct grade_report *r, const struct test_outcome *to,
		      bool color);
void report_text_summary(FILE *f, const struct grade_report *r, bool color, bool visible_only);

#endif
