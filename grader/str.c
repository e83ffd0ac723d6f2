/*
 * str.c - malloc'd strings and NULL-terminated string vectors.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

char *str_printf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

bool str_check_result(FILE *f, char **buf, bool ok, char **msg)
{
	if (f)
		fclose(f);
	if (msg)
		*msg = ok ? NULL : *buf;
	if (ok || !msg)
		free(*buf);
	*buf = NULL;
	return ok;
}

int strv_push(char ***v, size_t *n, const char *s)
{
	char *copy = strdup(s);
	char **grown = copy ? realloc(*v, (*n + 2) * sizeof(**v)) : NULL;

	if (!grown) {
		free(copy);
		return -ENOMEM;
	}
	*v = grown;
	(*v)[(*n)++] = copy;
	(*v)[*n] = NULL;
	return 0;
}

size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

bool strv_has(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

static int by_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_sort(char **v, size_t n)
{
	if (n)
		qsort(v, n, sizeof(*v), by_strcmp);
}

void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* Suggest a known word this close (in edits) to an unknown one. */
#define DID_YOU_MEAN_MAX_DISTANCE 2
/* Words longer than this are never close to anything. */
#define DISTANCE_MAX_LEN 62

/* Levenshtein distance, for "did you mean". */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[DISTANCE_MAX_LEN + 2];

	if (la > DISTANCE_MAX_LEN || lb > DISTANCE_MAX_LEN)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t best = prev + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

const char *str_closest(const char *word, const char *const *known)
{
	const char *best = NULL;
	size_t bd = DID_YOU_MEAN_MAX_DISTANCE + 1;

	for (const char *const *a = known; a && *a; a++) {
		size_t d = distance(word, *a);

		if (d < bd) {
			bd = d;
			best = *a;
		}
	}
	return best;
}
