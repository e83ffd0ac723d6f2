/*
 * match.h - output matchers: exact, normalized, regex (PCRE2), unordered
 * lines, contains-lines, ordering, empty/nonempty.
 *
 * A spec's stdout:, stderr: and files: entries each become a struct
 * matcher (spec.c fills it); match_output judges an output against it and
 * says, in words a student can act on, why it failed.
 */
#ifndef IPCGRADE_MATCH_H
#define IPCGRADE_MATCH_H

#include <stdbool.h>
#include <stddef.h>

/* "A line matching before comes before every line matching after." */
struct order_rule {
	char *before, *after;
	void *before_re, *after_re;	/* pcre2_code *, set by match_compile */
};

/* An output matcher: every part that is present must hold. Owns every
 * string and compiled pattern in it (match_release frees them). */
struct matcher {
	bool present;
	char *exact;
	char *normalized;
	char *regex;
	void *regex_code;		/* pcre2_code * */
	char *unordered;
	char **contains;		/* a string vector (str.h) */
	size_t ncontains;
	struct order_rule *order;
	size_t norder;
	bool empty, nonempty;
};

/* Why a matcher failed, for students. Owns both strings. */
struct mismatch {
	char *what;		/* "the output differs", "line 'x' is missing", ... */
	char *expected;		/* the text to diff against, or NULL */
};

/* Compile the regexes of m that are not compiled yet. Returns 0, or
 * -EINVAL with err naming the pattern and PCRE2's complaint; the
 * patterns compiled so far stay in m (match_release frees them). */
int match_compile(struct matcher *m, char *err, size_t errlen);
/* Whether output (len bytes, any content) satisfies m. On failure *why
 * (may be NULL) is filled: release it with match_mismatch_release. A
 * pathological pattern that hits PCRE2's match limit counts as no match. */
bool match_output(const struct matcher *m, const char *output, size_t len, struct mismatch *why);
/* Free what *m owns; *m is left zeroed. Accepts a zeroed mismatch. */
void match_mismatch_release(struct mismatch *m);
/* Free what *m owns; *m is left zeroed. Accepts a zeroed matcher. */
void match_release(struct matcher *m);

#endif
