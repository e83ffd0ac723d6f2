/*
 * diag.h - spec problems as "FILE:LINE:COL: message", collected so that
 * `validate` can show all of them at once.
 */
#ifndef IPCGRADE_DIAG_H
#define IPCGRADE_DIAG_H

#include <stddef.h>
#include <stdio.h>

/* Collecting stops after this many problems (diag_print says so). */
#define DIAG_MAX_DEFAULT 50

/* Owns its messages (diag_release). */
struct diag {
	char **msgs;
	size_t n;
	size_t max;		/* stop collecting after this many */
};
/* An empty collection. Can't fail. */
void diag_init(struct diag *d);
/* Add "FILE:LINE:COL: message" ("FILE: message" for line <= 0). A
 * message that does not fit in memory, or comes after d->max, is
 * dropped. */
void diag_add(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* One message a line. */
void diag_print(const struct diag *d, FILE *f);
/* Free the messages; *d is then empty, ready for diag_add again. */
void diag_release(struct diag *d);

#endif
