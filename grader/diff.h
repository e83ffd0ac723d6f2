/*
 * diff.h - a unified diff of expected vs actual output, for students.
 */
#ifndef IPCGRADE_DIFF_H
#define IPCGRADE_DIFF_H

#include <stddef.h>

/* One hunk around the lines that differ, at most max_lines lines (then
 * "... (diff cut short)"); invisible differences (final newline, CR,
 * NUL) are said in words. Lines are sanitized for showing. The caller
 * frees the result; NULL only when out of memory. */
char *diff_unified(const char *expected, size_t elen, const char *actual, size_t alen,
		   size_t max_lines);

#endif
