/*
 * text.c - making program output safe to show and to compare (text.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

char *text_sanitize(const char *data, size_t len)
{
	/* Worst case: every byte becomes U+FFFD (3 bytes) or "\0" (2). */
	char *out = malloc(len * 3 + 1);
	size_t j = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; ) {
		const unsigned char *s = (const unsigned char *)data + i;

		if (s[0] == 0) {
			out[j++] = '\\';
			out[j++] = '0';
			i++;
			continue;
		}
		size_t n = utf8_len(s, len - i);

		if (n == 0) {
			memcpy(out + j, "\xef\xbf\xbd", 3);
			j += 3;
			i++;
			continue;
		}
		memcpy(out + j, s, n);
		j += n;
		i += n;
	}
	out[j] = '\0';
	return out;
}

char *text_normalize(const char *data, size_t len)
{
	char *out = malloc(len + 1);
	size_t j = 0, line_start = 0;
	bool space = false;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		char c = data[i];

		if (c == '\r')
			continue;
		if (c == ' ' || c == '\t') {
			space = j > line_start;	/* no leading blanks */
			continue;
		}
		if (c == '\n') {
			space = false;	/* no trailing blanks */
			out[j++] = '\n';
			line_start = j;
			continue;
		}
		if (space)
			out[j++] = ' ';
		space = false;
		out[j++] = c;
	}
	/* Blank lines at the end do not count. */
	while (j > 0 && out[j - 1] == '\n')
		j--;
	out[j] = '\0';
	return out;
}

int text_lines_split(const char *data, size_t len, struct text_lines *out)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (data[i] == '\n')
			n++;
	n += 1;
	out->s = calloc(n, sizeof(*out->s));
	out->len = calloc(n, sizeof(*out->len));
	out->n = 0;
	if (!out->s || !out->len)
		return -ENOMEM;
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i == len || data[i] == '\n') {
			if (i == len && start == len)
				break;	/* nothing after the last newline */
			out->s[out->n] = data + start;
			out->len[out->n] = i - start;
			out->n++;
			start = i + 1;
		}
	}
	return 0;
}

void text_lines_release(struct text_lines *l)
{
	free(l->s);
	free(l->len);
	l->s = NULL;
	l->len = NULL;
	l->n = 0;
}
