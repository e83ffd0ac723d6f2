/*
 * csv.h - CSV as RFC 4180 writes and reads it (summary.csv, rosters,
 * submission times, gradebook exports).
 */
#ifndef IPCGRADE_CSV_H
#define IPCGRADE_CSV_H

#include <stddef.h>
#include <stdio.h>

/* One field, quoted where needed; a field a spreadsheet would read as a
 * formula (=, +, -, @) gets a leading quote. */
void csv_field(FILE *f, const char *s);

/* A parsed file. Owns every string (csv_free). */
struct csv {
	char ***rows;		/* rows[r] is a NULL-terminated list of ncols[r] fields */
	size_t *ncols;
	size_t nrows;
};
/* Parse a whole file's text. Returns 0, or -EINVAL with "LINE: ..." in
 * err (-ENOMEM: "out of memory");
 * either way *out may be released with csv_free. */
int csv_parse(const char *text, struct csv *out, char *err, size_t errlen);
void csv_free(struct csv *c);

#endif
