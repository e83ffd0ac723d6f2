/*
 * text.h - making program output safe to show and to compare.
 *
 * Output is untrusted bytes: it may hold NULs, invalid UTF-8 and no
 * final newline, so everything here takes (pointer, length).
 */
#ifndef IPCGRADE_TEXT_H
#define IPCGRADE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* A copy with invalid UTF-8 replaced by U+FFFD and NULs by "\0": always
 * valid UTF-8 text. The caller frees it; NULL only when out of memory. */
char *text_sanitize(const char *data, size_t len);
/* A copy with lines trimmed, runs of spaces and tabs collapsed, CRs and
 * trailing blank lines dropped. The caller frees it; NULL only when out
 * of memory. */
char *text_normalize(const char *data, size_t len);

/* The lines of a text, pointing into it (not copied, not terminated). */
struct text_lines {
	const char **s;
	size_t *len;
	size_t n;
};
/* Split data into lines; a final newline does not start another line.
 * Returns 0 or -ENOMEM; release *out with text_lines_release either way. */
int text_lines_split(const char *data, size_t len, struct text_lines *out);
void text_lines_release(struct text_lines *l);

static inline bool text_line_eq(const char *a, size_t la, const char *b, size_t lb)
{
	return la == lb && memcmp(a, b, la) == 0;
}

#endif
