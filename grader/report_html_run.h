/*
 * report_html_run.h - the drawing of one run in the class report, for
 * report_html.c.
 */
#ifndef IPCGRADE_REPORT_HTML_RUN_H
#define IPCGRADE_REPORT_HTML_RUN_H

#include <jansson.h>
#include <stdio.h>

/* The run (an element of a test's "runs" in report.json) as an SVG
 * timeline: one lane a process, its calls and IPC over time. */
void report_html_timeline(FILE *f, json_t *run);
/* A deadlock's wait-for graph (the run's "deadlock" object). */
void report_html_wait_for(FILE *f, json_t *deadlock);

#endif
