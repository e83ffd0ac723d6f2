/*
 * report_html.h - OUTDIR/index.html, the class report: one self-contained
 * page made from OUTDIR/STUDENT/report.json (and similarity.json) only,
 * so that merge can write it for sharded runs too.
 */
#ifndef IPCGRADE_REPORT_HTML_H
#define IPCGRADE_REPORT_HTML_H

#include <stddef.h>

/* Write OUTDIR/index.html. Returns 0, or -1 with a message in err. */
int report_html_write(const char *outdir, char *err, size_t errlen);

#endif
