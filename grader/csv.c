/*
 * csv.c - RFC 4180 fields out and rows in, for the summary, the
 * similarity list, the gradebook exports and the roster.
 *
 * Written fields are quoted when they hold a comma, a quote or a line
 * break, quotes doubled; a field a spreadsheet would take for a formula
 * (=, +, -, @) is quoted and prefixed with a quote. Read files may use
 * CRLF or LF line ends, a UTF-8 byte order mark, quoted fields with
 * doubled quotes and line breaks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "str.h"

void csv_field(FILE *f, const char *s)
{
	bool formula = *s == '=' || *s == '+' || *s == '-' || *s == '@';
	bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;

	if (!quote) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int push(char ***v, size_t *n, const char *s, size_t len)
{
	char **g = realloc(*v, (*n + 2) * sizeof(*g));

	if (!g)
		return -1;
	*v = g;
	g[*n] = strndup(s, len);
	if (!g[*n])
		return -1;
	g[++*n] = NULL;
	return 0;
}

void csv_free(struct csv *c)
{
	for (size_t r = 0; c && r < c->nrows; r++)
		strv_free(c->rows[r]);
	if (c) {
		free(c->rows);
		free(c->ncols);
		memset(c, 0, sizeof(*c));
	}
}

int csv_parse(const char *text, struct csv *out, char *err, size_t errlen)
{
	const char *p = text;
	char *field = NULL;
	size_t flen = 0, fcap = 0, line = 1;
	char **row = NULL;
	size_t nrow = 0;
	int rc = -EINVAL;

	memset(out, 0, sizeof(*out));
	if (strncmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (*p) {
		bool quoted = *p == '"';

		flen = 0;
		if (quoted) {
			for (p++;; p++) {
				if (!*p) {
					snprintf(err, errlen, "%zu: a quoted field is not closed", line);
					goto fail;
				}
				if (*p == '"' && p[1] != '"')
					break;
				if (*p == '"')
					p++;
				if (*p == '\n')
					line++;
				if (flen + 1 >= fcap) {
					char *g = realloc(field, fcap = fcap * 2 + 64);

					if (!g)
						goto oom;
					field = g;
				}
				field[flen++] = *p;
			}
			p++;
			if (*p && *p != ',' && *p != '\r' && *p != '\n') {
				snprintf(err, errlen, "%zu: text after a closing quote", line);
				goto fail;
			}
		} else {
			size_t n = strcspn(p, ",\r\n");

			if (memchr(p, '"', n)) {
				snprintf(err, errlen, "%zu: a quote inside an unquoted field", line);
				goto fail;
			}
			if (flen + n + 1 >= fcap) {
				char *g = realloc(field, fcap = flen + n + 64);

				if (!g)
					goto oom;
				field = g;
			}
			memcpy(field + flen, p, n);
			flen += n;
			p += n;
		}
		if (push(&row, &nrow, field ? field : "", flen) < 0)
			goto oom;
		if (*p == ',') {
			p++;
			if (!*p && push(&row, &nrow, "", 0) < 0)
				goto oom;
			if (*p)
				continue;
		}
		if (*p == '\r')
			p++;
		if (*p == '\n')
			p++;
		line++;
		char ***g = realloc(out->rows, (out->nrows + 1) * sizeof(*g));
		size_t *gc = realloc(out->ncols, (out->nrows + 1) * sizeof(*gc));

		if (g)
			out->rows = g;
		if (gc)
			out->ncols = gc;
		if (!g || !gc)
			goto oom;
		out->rows[out->nrows] = row;
		out->ncols[out->nrows++] = nrow;
		row = NULL;
		nrow = 0;
	}
	free(field);
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	rc = -ENOMEM;
fail:
	strv_free(row);
	free(field);
	csv_free(out);
	return rc;
}
