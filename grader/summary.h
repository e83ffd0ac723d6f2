/*
 * summary.h - the summary of a batch, rebuilt from its reports on disk.
 */
#ifndef IPCGRADE_SUMMARY_H
#define IPCGRADE_SUMMARY_H

#include <stddef.h>
#include <stdio.h>

/* Read every OUTDIR/STUDENT/report.json and write OUTDIR/summary.csv
 * (RFC 4180) and OUTDIR/summary.json; with terminal not NULL, print the
 * class summary there (mean, median, histogram, most failed tests).
 * Returns 0, or -errno with err saying what could not be read or
 * written. */
int summary_write(const char *outdir, FILE *terminal, char *err, size_t errlen);

#endif
