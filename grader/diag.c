/*
 * diag.c - spec problems as "FILE:LINE:COL: message", collected.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

void diag_init(struct diag *d)
{
	memset(d, 0, sizeof(*d));
	d->max = DIAG_MAX_DEFAULT;
}

void diag_add(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
{
	char *msg = NULL, *full = NULL;
	va_list ap;

	if (d->n >= d->max)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;
	if (line > 0 && asprintf(&full, "%s:%d:%d: %s", file, line, col, msg) < 0)
		full = NULL;
	else if (line <= 0 && asprintf(&full, "%s: %s", file, msg) < 0)
		full = NULL;
	free(msg);
	if (!full)
		return;
	char **grown = realloc(d->msgs, (d->n + 1) * sizeof(*grown));

	if (!grown) {
		free(full);
		return;
	}
	d->msgs = grown;
	d->msgs[d->n++] = full;
}

void diag_print(const struct diag *d, FILE *f)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(f, "%s\n", d->msgs[i]);
	if (d->n >= d->max)
		fprintf(f, "(stopped after %zu problems)\n", d->n);
}

void diag_release(struct diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->msgs[i]);
	free(d->msgs);
	d->msgs = NULL;
	d->n = 0;
}
