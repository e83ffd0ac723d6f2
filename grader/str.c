/*
 * str.c - malloc'd strings and NULL-terminated string vectors.
 */
#define _GNU_SOURCE
#include <errno.h>
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
