/*
 * diff.c - a unified diff of expected vs actual output (see diff.h).
 *
 * The common prefix and suffix are cut first; the middle is diffed
 * with an LCS table when it is small (at most DIFF_LCS_MAX lines each
 * side) and shown as all removed then all added otherwise.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "text.h"

#define DIFF_LCS_MAX 400	/* lines on each side of the differing middle */
#define DIFF_CONTEXT 3		/* unchanged lines shown around it */
#define DIFF_LINE_MAX 500	/* bytes of one line shown, then "..." */

struct hunk_out {
	char *buf;
	size_t len, cap;
	size_t lines, max_lines;
	bool cut;
};

static void emit(struct hunk_out *h, char tag, const char *s, size_t len)
{
	if (h->lines >= h->max_lines) {
		h->cut = true;
		return;
	}
	char *clean = text_sanitize(s, len > DIFF_LINE_MAX ? DIFF_LINE_MAX : len);
	size_t cl = clean ? strlen(clean) : 0;
	/* Trailing blanks are invisible in a diff: show them. */
	bool trailing = len && (s[len - 1] == ' ' || s[len - 1] == '\t');
	const char *mark = trailing ? "\xc2\xb7 <- trailing space" : "";
	size_t need = h->len + cl + strlen(mark) + 8;

	if (need > h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 1024;

		while (cap < need)
			cap *= 2;
		char *g = realloc(h->buf, cap);

		if (!g) {
			free(clean);
			return;
		}
		h->buf = g;
		h->cap = cap;
	}
	h->len += (size_t)snprintf(h->buf + h->len, h->cap - h->len, "%c%s%s%s\n", tag,
				   clean ? clean : "", len > DIFF_LINE_MAX ? "..." : "", mark);
	free(clean);
	h->lines++;
}

char *diff_unified(const char *expected, size_t elen, const char *actual, size_t alen,
		   size_t max_lines)
{
	struct text_lines a = { 0 }, b = { 0 };
	struct hunk_out h = { .max_lines = max_lines };
	char *result = NULL;

	if (text_lines_split(expected, elen, &a) < 0 || text_lines_split(actual, alen, &b) < 0)
		goto out;
	size_t pre = 0, suf = 0;

	while (pre < a.n && pre < b.n && text_line_eq(a.s[pre], a.len[pre], b.s[pre], b.len[pre]))
		pre++;
	while (suf < a.n - pre && suf < b.n - pre &&
	       text_line_eq(a.s[a.n - 1 - suf], a.len[a.n - 1 - suf], b.s[b.n - 1 - suf], b.len[b.n - 1 - suf]))
		suf++;
	size_t na = a.n - pre - suf, nb = b.n - pre - suf;
	size_t ctx_before = pre < DIFF_CONTEXT ? pre : DIFF_CONTEXT;
	size_t ctx_after = suf < DIFF_CONTEXT ? suf : DIFF_CONTEXT;
	char header[128];

	snprintf(header, sizeof(header), "--- expected\n+++ your output\n@@ -%zu,%zu +%zu,%zu @@\n",
		 pre - ctx_before + 1, na + ctx_before + ctx_after, pre - ctx_before + 1,
		 nb + ctx_before + ctx_after);
	for (size_t i = pre - ctx_before; i < pre; i++)
		emit(&h, ' ', a.s[i], a.len[i]);
	if (na <= DIFF_LCS_MAX && nb <= DIFF_LCS_MAX && na && nb) {
		/* LCS table over the differing middle: small by construction. */
		unsigned short *t = calloc((na + 1) * (nb + 1), sizeof(*t));

		if (t) {
#define T(i, j) t[(i) * (nb + 1) + (j)]
			for (size_t i = na; i-- > 0;)
				for (size_t j = nb; j-- > 0;)
					T(i, j) = text_line_eq(a.s[pre + i], a.len[pre + i], b.s[pre + j], b.len[pre + j])
						  ? (unsigned short)(T(i + 1, j + 1) + 1)
						  : (T(i + 1, j) > T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
			size_t i = 0, j = 0;

			while (i < na || j < nb) {
				if (i < na && j < nb &&
				    text_line_eq(a.s[pre + i], a.len[pre + i], b.s[pre + j], b.len[pre + j])) {
					emit(&h, ' ', a.s[pre + i], a.len[pre + i]);
					i++, j++;
				} else if (i < na && (j == nb || T(i + 1, j) >= T(i, j + 1))) {
					emit(&h, '-', a.s[pre + i], a.len[pre + i]);
					i++;
				} else {
					emit(&h, '+', b.s[pre + j], b.len[pre + j]);
					j++;
				}
			}
#undef T
			free(t);
		}
	} else {
		for (size_t i = 0; i < na; i++)
			emit(&h, '-', a.s[pre + i], a.len[pre + i]);
		for (size_t j = 0; j < nb; j++)
			emit(&h, '+', b.s[pre + j], b.len[pre + j]);
	}
	for (size_t i = a.n - suf; i < a.n - suf + ctx_after; i++)
		emit(&h, ' ', a.s[i], a.len[i]);
	if (na == 0 && nb == 0) {
		/* Same lines: the difference is a final newline or a NUL. */
		free(h.buf);
		result = strdup("(the lines are the same; the difference is invisible: a missing or extra "
				"final newline, a carriage return, or a NUL byte)\n");
		goto out;
	}
	if (asprintf(&result, "%s%s%s", header, h.buf ? h.buf : "",
		     h.cut ? "... (diff cut short)\n" : "") < 0)
		result = NULL;
	free(h.buf);
out:
	text_lines_release(&a);
	text_lines_release(&b);
	return result;
}
