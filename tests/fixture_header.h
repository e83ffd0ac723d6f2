/*
 * fixture_header.h - the one parser of the header comment that opens every
 * test program (tests/fixtures/KIND/NAME.c, tests/hostile/NAME.c). The C
 * tests include it (through testutil.h); the scripts (the hostile runner,
 * check-compile.sh, the Python checkers) run tests/fixture_header.c, which
 * prints what it reads. Plain C and libc only, for that reason.
 *
 * The format:
 *
 *	/ * KIND: title            line 1: the comment opens the file; "KIND:"
 *	 *           more title      (a lower-case word, '_' allowed) is optional
 *	 * key: value              a key line: " * ", a lower-case word (a-z and
 *	 *   more of the value       '-'), ": ", the value; a line indented by three
 *	 *                           or more spaces right after it continues it
 *	 * Free text.              every other line up to the closing star-slash
 *	 * /                         is free text, but must start with " *"
 *
 * Values have their surrounding blanks removed, and a note for readers
 * after them: two blanks or more, then "(" ("expect: deadlock   (or: ok)").
 * Continuation lines are joined with one space. A key may appear more
 * than once (hostile `check:`).
 */
#ifndef IPCGRADE_FIXTURE_HEADER_H
#define IPCGRADE_FIXTURE_HEADER_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define FH_MAX_TEXT 8192	/* the header comment, at most */
#define FH_MAX_ITEMS 64
#define FH_MAX_KEY 32

struct fixture_header {
	char kind[32];		/* "trace", "hostile", ...; "" when line 1 has none */
	char title[512];	/* the rest of line 1 */
	size_t n;
	struct fh_item {
		char key[FH_MAX_KEY];
		const char *value;	/* points into text */
		unsigned line;		/* 1-based, in the file */
	} item[FH_MAX_ITEMS];
	char text[FH_MAX_TEXT];	/* the values, NUL-terminated one after another */
	size_t used;
};

static inline bool fh_is_word(const char *s, size_t n, bool underscore)
{
	if (n == 0 || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '-' || (underscore && s[i] == '_')))
			return false;
	return true;
}

/* s[0..n) without leading and trailing blanks. */
static inline void fh_trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
		(*n)--;
}

/* The length of a value without its note: two blanks or more, then "(". */
static inline size_t fh_without_note(const char *v, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (v[i] != ' ' || v[i + 1] != ' ')
			continue;
		size_t j = i;

		while (j < n && v[j] == ' ')
			j++;
		if (j < n && v[j] == '(')
			return i;
	}
	return n;
}

/* Append s[0..n) to the value being built, which ends at h->used. */
static inline int fh_append(struct fixture_header *h, const char *sep, const char *s, size_t n)
{
	size_t k = strlen(sep);

	if (h->used + k + n + 1 > sizeof(h->text))
		return -1;
	memcpy(h->text + h->used, sep, k);
	memcpy(h->text + h->used + k, s, n);
	h->used += k + n;
	h->text[h->used] = '\0';
	return 0;
}

/* Line 1 after the comment's opening: "KIND: title" or "title". */
static inline void fh_first_line(struct fixture_header *h, const char *t, size_t n)
{
	const char *colon;

	fh_trim(&t, &n);
	colon = memchr(t, ':', n);
	if (colon && colon + 1 < t + n && colon[1] == ' ' && (size_t)(colon - t) < sizeof(h->kind) &&
	    fh_is_word(t, (size_t)(colon - t), true)) {
		snprintf(h->kind, sizeof(h->kind), "%.*s", (int)(colon - t), t);
		n -= (size_t)(colon + 1 - t);
		t = colon + 1;
		fh_trim(&t, &n);
	}
	snprintf(h->title, sizeof(h->title), "%.*s", (int)n, t);
}

/* The key of a key line (t: the line after its " *"), or 0 when it is none. */
static inline size_t fh_key_length(const char *t, size_t n)
{
	const char *colon = n > 1 ? memchr(t + 1, ':', n - 1) : NULL;

	if (t[0] != ' ' || !colon || colon + 1 >= t + n || colon[1] != ' ')
		return 0;
	size_t k = (size_t)(colon - t - 1);

	return k < FH_MAX_KEY && fh_is_word(t + 1, k, false) ? k : 0;
}

/*
 * Parse the header of the file at path into h. Returns 0, or -1 with
 * "PATH:LINE: what is wrong" (or "PATH: ...") in err.
 */
static inline int fh_parse(const char *path, struct fixture_header *h, char *err, size_t errlen)
{
	char buf[FH_MAX_TEXT + 1];
	FILE *f = fopen(path, "r");
	bool in_value = false;
	unsigned line = 1;

	memset(h, 0, sizeof(*h));
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	size_t len = fread(buf, 1, sizeof(buf) - 1, f);

	fclose(f);
	buf[len] = '\0';
	if (strncmp(buf, "/*", 2) != 0) {
		snprintf(err, errlen, "%s:1: the file does not start with a header comment", path);
		return -1;
	}
	char *end = strstr(buf + 2, "*/");

	if (!end) {
		snprintf(err, errlen, "%s: the header comment is not closed in its first %d bytes", path,
			 FH_MAX_TEXT);
		return -1;
	}
	*end = '\0';
	for (const char *p = buf + 2; p; line++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *t = p + 2;
		size_t tn = n >= 2 ? n - 2 : 0, k;

		if (line == 1) {
			fh_first_line(h, p, n);
		} else if (!nl && strspn(p, " ") == n) {
			break;	/* the " " before the closing star-slash */
		} else if (n < 2 || p[0] != ' ' || p[1] != '*' || (n > 2 && p[2] != ' ')) {
			snprintf(err, errlen, "%s:%u: header lines start with \" * \": '%.*s'", path, line,
				 (int)(n > 60 ? 60 : n), p);
			return -1;
		} else if (in_value && tn > 3 && strncmp(t, "   ", 3) == 0) {
			const char *v = t;

			fh_trim(&v, &tn);
			tn = fh_without_note(v, tn);
			if (fh_append(h, h->item[h->n - 1].value[0] ? " " : "", v, tn) < 0)
				goto too_long;
		} else if ((k = fh_key_length(t, tn))) {
			const char *v = t + k + 2;
			size_t vn = tn - k - 2;

			if (h->n == FH_MAX_ITEMS) {
				snprintf(err, errlen, "%s:%u: more than %d keys", path, line, FH_MAX_ITEMS);
				return -1;
			}
			if (h->n > 0)
				h->used++;	/* past the previous value's NUL */
			struct fh_item *it = &h->item[h->n++];

			snprintf(it->key, sizeof(it->key), "%.*s", (int)k, t + 1);
			it->line = line;
			it->value = h->text + h->used;
			fh_trim(&v, &vn);
			vn = fh_without_note(v, vn);
			if (fh_append(h, "", v, vn) < 0)
				goto too_long;
			in_value = true;
		} else {
			in_value = false;
		}
		p = nl ? nl + 1 : NULL;
	}
	return 0;
too_long:
	snprintf(err, errlen, "%s: header values longer than %d bytes", path, FH_MAX_TEXT);
	return -1;
}

/* The first value of key (NULL when the header has none). */
static inline const char *fh_get(const struct fixture_header *h, const char *key)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->item[i].key, key) == 0)
			return h->item[i].value;
	return NULL;
}

/* Copy the first value of key into out; false (out "") when there is none. */
static inline bool fh_copy(const struct fixture_header *h, const char *key, char *out, size_t size)
{
	const char *v = fh_get(h, key);

	snprintf(out, size, "%s", v ? v : "");
	return v != NULL;
}

#endif
