/*
 * spec_node.c - reading the spec's YAML nodes (see spec_node.h): typed
 * values, unknown and duplicate keys with "did you mean", problems at
 * FILE:LINE:COL.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "spec_node.h"
#include "str.h"


yaml_node_t *node_at(struct spec_loader *L, int id)
{
	return yaml_document_get_node(&L->doc, id);
}

void node_problem(struct spec_loader *L, const yaml_node_t *n, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	L->errors++;
	if (!L->quiet)
		diag_add(L->d, L->file, n ? (int)n->start_mark.line + 1 : 1,
		 n ? (int)n->start_mark.column + 1 : 1, "%s", msg ? msg : "out of memory");
	free(msg);
}

const char *node_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

bool node_plain(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}


/* Report unknown and duplicate keys of a mapping. */
void node_check_keys(struct spec_loader *L, yaml_node_t *map, const char *const *allowed,
		       const char *where)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node_at(L, p->key);
		const char *key = node_scalar(k);
		bool known = false;

		if (!key) {
			node_problem(L, k, "a key in %s must be a plain word", where);
			continue;
		}
		for (const char *const *a = allowed; *a && !known; a++)
			known = strcmp(*a, key) == 0;
		if (!known) {
			const char *best = str_closest(key, allowed);

			if (best)
				node_problem(L, k, "unknown key '%s' in %s (did you mean '%s'?)", key, where, best);
			else
				node_problem(L, k, "unknown key '%s' in %s", key, where);
		}
		for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
			const char *other = node_scalar(node_at(L, q->key));

			if (other && strcmp(other, key) == 0) {
				node_problem(L, k, "duplicate key '%s' in %s", key, where);
				break;
			}
		}
	}
}

yaml_node_t *node_get(struct spec_loader *L, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = node_scalar(node_at(L, p->key));

		if (k && strcmp(k, key) == 0)
			return node_at(L, p->value);
	}
	return NULL;
}

bool node_want_mapping(struct spec_loader *L, yaml_node_t *n, const char *what)
{
	if (n && n->type == YAML_MAPPING_NODE)
		return true;
	node_problem(L, n, "'%s' must be a mapping (key: value lines)", what);
	return false;
}

bool node_string(struct spec_loader *L, yaml_node_t *n, const char *what, char **out)
{
	const char *v = node_scalar(n);

	if (!v) {
		node_problem(L, n, "'%s' must be a string", what);
		return false;
	}
	free(*out);
	*out = strdup(v);
	return *out != NULL;
}

bool node_parse_u64(const char *v, unsigned long long *out)
{
	char *end;

	if (!v || !isdigit((unsigned char)v[0]))
		return false;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return errno == 0 && *end == '\0';
}

bool node_uint(struct spec_loader *L, yaml_node_t *n, const char *what, unsigned *out,
		    unsigned min, unsigned max)
{
	unsigned long long v;

	if (!node_plain(n) || !node_parse_u64(node_scalar(n), &v)) {
		node_problem(L, n, "'%s' must be a whole number", what);
		return false;
	}
	if (v < min || v > max) {
		node_problem(L, n, "'%s' must be between %u and %u, not %llu", what, min, max, v);
		return false;
	}
	*out = (unsigned)v;
	return true;
}

bool node_bool(struct spec_loader *L, yaml_node_t *n, const char *what, bool *out)
{
	const char *v = node_plain(n) ? node_scalar(n) : NULL;

	if (v && strcmp(v, "true") == 0)
		*out = true;
	else if (v && strcmp(v, "false") == 0)
		*out = false;
	else {
		node_problem(L, n, "'%s' must be true or false", what);
		return false;
	}
	return true;
}

bool node_time_scale(struct spec_loader *L, yaml_node_t *n, double *out)
{
	const char *v = node_plain(n) ? node_scalar(n) : NULL;
	char *end = NULL;
	double d = 0;

	if (v && *v) {
		errno = 0;
		d = strtod(v, &end);
	}
	if (!v || !*v || errno || *end || !(d > 0 && d <= 1)) {
		node_problem(L, n, "'time_scale' must be a factor above 0 and at most 1 (e.g. 0.01: "
			     "a 1 s sleep takes 10 ms), not '%s'", v ? v : "");
		return false;
	}
	*out = d;
	return true;
}

bool node_points(struct spec_loader *L, yaml_node_t *n, const char *what, double *out)
{
	const char *v = node_plain(n) ? node_scalar(n) : NULL;
	char *end;

	if (!v || !*v) {
		node_problem(L, n, "'%s' must be a number", what);
		return false;
	}
	errno = 0;
	double d = strtod(v, &end);

	if (errno || *end || d != d) {
		node_problem(L, n, "'%s' must be a number, not '%s'", what, v);
		return false;
	}
	if (d < 0 || d > 1e6) {
		node_problem(L, n, "'%s' must be between 0 and 1000000", what);
		return false;
	}
	*out = d;
	return true;
}

/* A list of strings; with split, a single string is split on blanks. */
bool node_string_list(struct spec_loader *L, yaml_node_t *n, const char *what, char ***out,
			   size_t *nout, bool split)
{
	if (split && n && n->type == YAML_SCALAR_NODE) {
		char *copy = strdup(node_scalar(n)), *save = NULL;

		for (char *tok = copy ? strtok_r(copy, " \t\n", &save) : NULL; tok;
		     tok = strtok_r(NULL, " \t\n", &save))
			strv_push(out, nout, tok);
		free(copy);
		return true;
	}
	if (!n || n->type != YAML_SEQUENCE_NODE) {
		node_problem(L, n, "'%s' must be a list%s", what, split ? " or a string" : " (e.g. [a, b])");
		return false;
	}
	bool ok = true;

	for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
		yaml_node_t *item = node_at(L, *i);
		const char *v = node_scalar(item);

		if (!v) {
			node_problem(L, item, "each item of '%s' must be a string", what);
			ok = false;
			continue;
		}
		strv_push(out, nout, v);
	}
	if (!*out)
		*out = calloc(1, sizeof(char *));
	return ok;
}

/* A file of the spec's folder named in the spec: relative, inside the
 * folder, existing. Returns the absolute path, or NULL after a problem. */
char *node_spec_file(struct spec_loader *L, yaml_node_t *n, const char *what, const char *rel)
{
	struct stat st;

	if (!L->dir) {
		node_problem(L, n, "'%s' names a file, which needs a spec loaded from a file", what);
		return NULL;
	}
	if (!*rel || rel[0] == '/' || strstr(rel, "..")) {
		node_problem(L, n, "'%s': '%s' must be a path inside the spec's folder (no leading '/', no '..')",
			what, rel);
		return NULL;
	}
	char *abs = str_printf("%s/%s", L->dir, rel);

	if (!abs || stat(abs, &st) < 0 || !S_ISREG(st.st_mode)) {
		node_problem(L, n, "'%s': there is no file '%s' next to the spec", what, rel);
		free(abs);
		return NULL;
	}
	return abs;
}
