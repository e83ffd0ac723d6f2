/*
 * str.h - malloc'd strings and NULL-terminated string vectors.
 *
 * A string vector (strv) is a char ** ending in NULL whose strings and
 * array are all malloc'd; a count kept beside it (size_t *n) is the
 * number of strings. strv_free releases one, whatever its length.
 */
#ifndef IPCGRADE_STR_H
#define IPCGRADE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* asprintf that returns the string: the caller frees it. NULL only when
 * out of memory. */
char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The end of a check that wrote its message to f, an open_memstream
 * over *buf: f is closed (it may be NULL), and the message is handed to
 * *msg when the check failed, else freed (*msg NULL). msg may be NULL.
 * Returns ok. */
bool str_check_result(FILE *f, char **buf, bool ok, char **msg);

/* Append a copy of s to *v (count *n), keeping it NULL-terminated; *v may
 * be NULL. Returns 0, or -ENOMEM with *v and *n unchanged. */
int strv_push(char ***v, size_t *n, const char *s);
/* The number of strings in v (NULL counts as empty). Can't fail. */
size_t strv_len(char *const *v);
/* Whether v (may be NULL) holds a string equal to s. */
bool strv_has(char *const *v, const char *s);
/* Sort the first n strings of v by strcmp. Can't fail. */
void strv_sort(char **v, size_t n);
/* Free every string and the array; accepts NULL. */
void strv_free(char **v);
/* For "did you mean": the word of known (NULL-terminated) closest to
 * word, at most 2 edits away (case aside); NULL when none is. */
const char *str_closest(const char *word, const char *const *known);

#endif
