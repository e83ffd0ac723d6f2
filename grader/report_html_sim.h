/*
 * report_html_sim.h - the class report's similarity section, for
 * report_html.c.
 */
#ifndef IPCGRADE_REPORT_HTML_SIM_H
#define IPCGRADE_REPORT_HTML_SIM_H

#include <jansson.h>
#include <stdio.h>

/* The pairs of sim (OUTDIR/similarity.json's object) with both sides'
 * sources from outdir. */
void report_html_similarity(FILE *f, const char *outdir, json_t *sim);

#endif
