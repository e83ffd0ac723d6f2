/*
 * match.c - output matchers: exact, normalized, regex (PCRE2), unordered
 * lines, contains-lines, ordering, empty/nonempty.
 *
 * Output is untrusted bytes: it may hold NULs, invalid UTF-8 and no final
 * newline. Everything here works on (pointer, length) and never assumes a
 * terminator. A failed matcher says what was expected in words a student
 * can act on, plus the text to diff against where a diff helps.
 */
#define _GNU_SOURCE
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"
#include "str.h"
#include "text.h"

#define QUOTE_MAX 200	/* bytes of a line quoted in a message, then "..." */

static char *quote_line(const char *s, size_t len)
{
	char *clean = text_sanitize(s, len > QUOTE_MAX ? QUOTE_MAX : len);
	char *q = NULL;

	if (!clean)
		return NULL;
	if (asprintf(&q, "'%s%s'", clean, len > QUOTE_MAX ? "..." : "") < 0)
		q = NULL;
	free(clean);
	return q;
}

static void set_why(struct mismatch *why, char *what, const char *expected)
{
	if (!why) {
		free(what);
		return;
	}
	if (why->what) {
		/* Keep the first reason; matchers run in a fixed order. */
		free(what);
		return;
	}
	why->what = what;
	why->expected = expected ? strdup(expected) : NULL;
}

static void *compile(const char *pattern, char *err, size_t errlen)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
				       PCRE2_MULTILINE | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
				       &code, &off, NULL);

	if (!re) {
		PCRE2_UCHAR msg[160];

		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(err, errlen, "invalid regex '%s': %s at offset %zu", pattern, (char *)msg,
			 (size_t)off);
		return NULL;
	}
	/* JIT where the machine allows it; the interpreter otherwise. */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

int match_compile(struct matcher *m, char *err, size_t errlen)
{
	if (m->regex && !m->regex_code && !(m->regex_code = compile(m->regex, err, errlen)))
		return -EINVAL;
	for (size_t i = 0; i < m->norder; i++) {
		struct order_rule *r = &m->order[i];

		if (r->before && !r->before_re && !(r->before_re = compile(r->before, err, errlen)))
			return -EINVAL;
		if (r->after && !r->after_re && !(r->after_re = compile(r->after, err, errlen)))
			return -EINVAL;
	}
	return 0;
}

/* Whether re matches somewhere in s[0..len). Errors (e.g. the match
 * limit on a pathological pattern) count as no match. */
static bool re_search(void *re, const char *s, size_t len)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	int rc;

	if (!md)
		return false;
	rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

static size_t strip_final_newline(const char *s, size_t len)
{
	return len && s[len - 1] == '\n' ? len - 1 : len;
}

static bool match_exact(const char *want, const char *out, size_t len, struct mismatch *why)
{
	size_t wl = strip_final_newline(want, strlen(want));
	size_t ol = strip_final_newline(out, len);

	if (wl == ol && memcmp(want, out, wl) == 0)
		return true;
	set_why(why, strdup("the output differs from what was expected"), want);
	return false;
}

static bool match_normalized(const char *want, const char *out, size_t len, struct mismatch *why)
{
	char *a = text_normalize(want, strlen(want));
	char *b = text_normalize(out, len);
	bool ok = a && b && strcmp(a, b) == 0 && strlen(b) == strlen(a);

	/* NULs in the output end b early; compare lengths of the raw text too. */
	if (ok && memchr(out, '\0', len))
		ok = false;
	if (!ok)
		set_why(why, strdup("the output differs from what was expected (extra spaces and "
				    "blank lines at the end are ignored)"), want);
	free(a);
	free(b);
	return ok;
}

static int cmp_line(const void *x, const void *y)
{
	const struct { const char *s; size_t len; } *a = x, *b = y;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->s, b->s, n);

	return c ? c : (a->len > b->len) - (a->len < b->len);
}

struct line_ref {
	const char *s;
	size_t len;
};

static struct line_ref *sorted_refs(const struct text_lines *l)
{
	struct line_ref *r = calloc(l->n ? l->n : 1, sizeof(*r));

	if (!r)
		return NULL;
	for (size_t i = 0; i < l->n; i++) {
		r[i].s = l->s[i];
		r[i].len = l->len[i];
	}
	qsort(r, l->n, sizeof(*r), cmp_line);
	return r;
}

static bool match_unordered(const char *want, const char *out, size_t len, struct mismatch *why)
{
	struct text_lines a = { 0 }, b = { 0 };
	struct line_ref *ra = NULL, *rb = NULL;
	bool ok = false;

	if (text_lines_split(want, strlen(want), &a) < 0 || text_lines_split(out, len, &b) < 0)
		goto out;
	ra = sorted_refs(&a);
	rb = sorted_refs(&b);
	if (!ra || !rb)
		goto out;
	/* Walk both sorted lists: what is only in one is missing or extra. */
	size_t i = 0, j = 0, missing = 0, extra = 0;
	char *first_missing = NULL, *first_extra = NULL;

	while (i < a.n || j < b.n) {
		int c = i == a.n ? 1 : j == b.n ? -1 : cmp_line(&ra[i], &rb[j]);

		if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			if (!first_missing)
				first_missing = quote_line(ra[i].s, ra[i].len);
			missing++;
			i++;
		} else {
			if (!first_extra)
				first_extra = quote_line(rb[j].s, rb[j].len);
			extra++;
			j++;
		}
	}
	ok = missing == 0 && extra == 0;
	if (!ok) {
		char *what = NULL;

		if (missing && extra)
			what = str_printf("the lines differ in any order: %zu expected line%s missing "
				 "(e.g. %s) and %zu unexpected (e.g. %s)", missing, missing == 1 ? " is" : "s are",
				 first_missing ? first_missing : "?", extra, first_extra ? first_extra : "?");
		else if (missing)
			what = str_printf("%zu expected line%s missing (in any order), e.g. %s", missing,
				 missing == 1 ? " is" : "s are", first_missing ? first_missing : "?");
		else
			what = str_printf("%zu line%s not expected (in any order), e.g. %s", extra,
				 extra == 1 ? " is" : "s are", first_extra ? first_extra : "?");
		set_why(why, what, want);
	}
	free(first_missing);
	free(first_extra);
out:
	free(ra);
	free(rb);
	text_lines_release(&a);
	text_lines_release(&b);
	return ok;
}

static bool match_contains(char *const *want, size_t n, const char *out, size_t len,
			   struct mismatch *why)
{
	struct text_lines b = { 0 };
	bool ok = true;

	if (text_lines_split(out, len, &b) < 0)
		return false;
	for (size_t k = 0; k < n && ok; k++) {
		bool found = false;

		for (size_t i = 0; i < b.n && !found; i++)
			found = text_line_eq(want[k], strlen(want[k]), b.s[i], b.len[i]);
		if (!found) {
			char *q = quote_line(want[k], strlen(want[k])), *what = NULL;

			what = str_printf("the line %s is missing from the output", q ? q : "?");
			free(q);
			set_why(why, what, NULL);
			ok = false;
		}
	}
	text_lines_release(&b);
	return ok;
}

static bool match_order(const struct order_rule *r, const char *out, size_t len,
			struct mismatch *why)
{
	struct text_lines b = { 0 };
	long last_before = -1, first_after = -1;
	bool any_before = false, any_after = false, ok = true;

	if (text_lines_split(out, len, &b) < 0)
		return false;
	for (size_t i = 0; i < b.n; i++) {
		if (re_search(r->before_re, b.s[i], b.len[i])) {
			any_before = true;
			last_before = (long)i;
		}
		if (first_after < 0 && re_search(r->after_re, b.s[i], b.len[i])) {
			any_after = true;
			first_after = (long)i;
		}
	}
	char *what = NULL;

	if (!any_before || !any_after) {
		what = str_printf("no line matches /%s/, so the order cannot be checked",
			 !any_before ? r->before : r->after);
		ok = false;
	} else if (last_before > first_after) {
		char *qa = quote_line(b.s[first_after], b.len[first_after]);
		char *qb = quote_line(b.s[last_before], b.len[last_before]);

		what = str_printf("wrong order: line %ld %s (matching /%s/) comes after line %ld %s "
			 "(matching /%s/)", last_before + 1, qb ? qb : "?", r->before, first_after + 1,
			 qa ? qa : "?", r->after);
		free(qa);
		free(qb);
		ok = false;
	}
	if (!ok)
		set_why(why, what, NULL);
	else
		free(what);
	text_lines_release(&b);
	return ok;
}

static bool is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return false;
	return true;
}

bool match_output(const struct matcher *m, const char *out, size_t len, struct mismatch *why)
{
	bool ok = true;

	if (why)
		memset(why, 0, sizeof(*why));
	if (!m->present)
		return true;
	if (m->empty && len > 0) {
		set_why(why, strdup("nothing was expected here, but the program printed something"), "");
		ok = false;
	}
	if (m->nonempty && is_blank(out, len)) {
		set_why(why, strdup("a message was expected here, but the program printed nothing"), NULL);
		ok = false;
	}
	if (m->exact && !match_exact(m->exact, out, len, why))
		ok = false;
	if (m->normalized && !match_normalized(m->normalized, out, len, why))
		ok = false;
	if (m->regex_code && !re_search(m->regex_code, out, len)) {
		char *what = NULL;

		what = str_printf("the output does not match the pattern /%s/", m->regex);
		set_why(why, what, NULL);
		ok = false;
	}
	if (m->unordered && !match_unordered(m->unordered, out, len, why))
		ok = false;
	if (m->ncontains && !match_contains(m->contains, m->ncontains, out, len, why))
		ok = false;
	for (size_t i = 0; i < m->norder; i++)
		if (m->order[i].before_re && m->order[i].after_re &&
		    !match_order(&m->order[i], out, len, why))
			ok = false;
	return ok;
}

void match_mismatch_release(struct mismatch *m)
{
	if (!m)
		return;
	free(m->what);
	free(m->expected);
	m->what = m->expected = NULL;
}

void match_release(struct matcher *m)
{
	free(m->exact);
	free(m->normalized);
	free(m->regex);
	pcre2_code_free(m->regex_code);
	free(m->unordered);
	strv_free(m->contains);
	for (size_t i = 0; i < m->norder; i++) {
		free(m->order[i].before);
		free(m->order[i].after);
		pcre2_code_free(m->order[i].before_re);
		pcre2_code_free(m->order[i].after_re);
	}
	free(m->order);
	memset(m, 0, sizeof(*m));
}
