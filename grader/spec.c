/*
 * spec.c - loading and checking an assignment spec (spec.yaml).
 *
 * libyaml's document API gives every node its position, so every problem
 * is reported as FILE:LINE:COL and names the key. Unknown keys are errors
 * (with a "did you mean" when one is close), as are wrong types and
 * values out of range: a typo must never pass silently. All problems are
 * collected, not just the first. The reference is assignments/SPEC.md.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "grader.h"

#define MAX_SPEC_BYTES (4u << 20)

struct loader {
	const char *file;
	const char *dir;	/* the spec's folder (absolute), NULL for a buffer */
	yaml_document_t doc;
	struct diag *d;
	struct spec *s;
	int errors;
};

static yaml_node_t *node_at(struct loader *L, int id)
{
	return yaml_document_get_node(&L->doc, id);
}

static void problem(struct loader *L, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct loader *L, const yaml_node_t *n, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	L->errors++;
	diag_add(L->d, L->file, n ? (int)n->start_mark.line + 1 : 1,
		 n ? (int)n->start_mark.column + 1 : 1, "%s", msg ? msg : "out of memory");
	free(msg);
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static bool plain(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* Levenshtein distance, for "did you mean". */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];

	if (la >= 63 || lb >= 63)
		return 99;
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

/* Report unknown and duplicate keys of a mapping. */
static void check_keys(struct loader *L, yaml_node_t *map, const char *const *allowed,
		       const char *where)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node_at(L, p->key);
		const char *key = scalar(k);
		bool known = false;

		if (!key) {
			problem(L, k, "a key in %s must be a plain word", where);
			continue;
		}
		for (const char *const *a = allowed; *a && !known; a++)
			known = strcmp(*a, key) == 0;
		if (!known) {
			const char *best = NULL;
			size_t bd = 3;

			for (const char *const *a = allowed; *a; a++) {
				size_t dist = distance(key, *a);

				if (dist < bd) {
					bd = dist;
					best = *a;
				}
			}
			if (best)
				problem(L, k, "unknown key '%s' in %s (did you mean '%s'?)", key, where, best);
			else
				problem(L, k, "unknown key '%s' in %s", key, where);
		}
		for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
			const char *other = scalar(node_at(L, q->key));

			if (other && strcmp(other, key) == 0) {
				problem(L, k, "duplicate key '%s' in %s", key, where);
				break;
			}
		}
	}
}

static yaml_node_t *get(struct loader *L, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = scalar(node_at(L, p->key));

		if (k && strcmp(k, key) == 0)
			return node_at(L, p->value);
	}
	return NULL;
}

static bool want_mapping(struct loader *L, yaml_node_t *n, const char *what)
{
	if (n && n->type == YAML_MAPPING_NODE)
		return true;
	problem(L, n, "'%s' must be a mapping (key: value lines)", what);
	return false;
}

static bool as_string(struct loader *L, yaml_node_t *n, const char *what, char **out)
{
	const char *v = scalar(n);

	if (!v) {
		problem(L, n, "'%s' must be a string", what);
		return false;
	}
	free(*out);
	*out = strdup(v);
	return *out != NULL;
}

static bool parse_u64(const char *v, unsigned long long *out)
{
	char *end;

	if (!v || !isdigit((unsigned char)v[0]))
		return false;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return errno == 0 && *end == '\0';
}

static bool as_uint(struct loader *L, yaml_node_t *n, const char *what, unsigned *out,
		    unsigned min, unsigned max)
{
	unsigned long long v;

	if (!plain(n) || !parse_u64(scalar(n), &v)) {
		problem(L, n, "'%s' must be a whole number", what);
		return false;
	}
	if (v < min || v > max) {
		problem(L, n, "'%s' must be between %u and %u, not %llu", what, min, max, v);
		return false;
	}
	*out = (unsigned)v;
	return true;
}

static bool as_bool(struct loader *L, yaml_node_t *n, const char *what, bool *out)
{
	const char *v = plain(n) ? scalar(n) : NULL;

	if (v && strcmp(v, "true") == 0)
		*out = true;
	else if (v && strcmp(v, "false") == 0)
		*out = false;
	else {
		problem(L, n, "'%s' must be true or false", what);
		return false;
	}
	return true;
}

static bool as_points(struct loader *L, yaml_node_t *n, const char *what, double *out)
{
	const char *v = plain(n) ? scalar(n) : NULL;
	char *end;

	if (!v || !*v) {
		problem(L, n, "'%s' must be a number", what);
		return false;
	}
	errno = 0;
	double d = strtod(v, &end);

	if (errno || *end || d != d) {
		problem(L, n, "'%s' must be a number, not '%s'", what, v);
		return false;
	}
	if (d < 0 || d > 1e6) {
		problem(L, n, "'%s' must be between 0 and 1000000", what);
		return false;
	}
	*out = d;
	return true;
}

static void strv_push(char ***v, size_t *n, const char *s)
{
	char **grown = realloc(*v, (*n + 2) * sizeof(**v));

	if (!grown)
		return;
	*v = grown;
	(*v)[*n] = strdup(s);
	if ((*v)[*n])
		(*n)++;
	(*v)[*n] = NULL;
}

/* A list of strings; with split, a single string is split on blanks. */
static bool as_string_list(struct loader *L, yaml_node_t *n, const char *what, char ***out,
			   size_t *nout, bool split)
{
	if (split && n && n->type == YAML_SCALAR_NODE) {
		char *copy = strdup(scalar(n)), *save = NULL;

		for (char *tok = copy ? strtok_r(copy, " \t\n", &save) : NULL; tok;
		     tok = strtok_r(NULL, " \t\n", &save))
			strv_push(out, nout, tok);
		free(copy);
		return true;
	}
	if (!n || n->type != YAML_SEQUENCE_NODE) {
		problem(L, n, "'%s' must be a list%s", what, split ? " or a string" : " (e.g. [a, b])");
		return false;
	}
	bool ok = true;

	for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
		yaml_node_t *item = node_at(L, *i);
		const char *v = scalar(item);

		if (!v) {
			problem(L, item, "each item of '%s' must be a string", what);
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
static char *spec_file(struct loader *L, yaml_node_t *n, const char *what, const char *rel)
{
	struct stat st;

	if (!L->dir) {
		problem(L, n, "'%s' names a file, which needs a spec loaded from a file", what);
		return NULL;
	}
	if (!*rel || rel[0] == '/' || strstr(rel, "..")) {
		problem(L, n, "'%s': '%s' must be a path inside the spec's folder (no leading '/', no '..')",
			what, rel);
		return NULL;
	}
	char *abs = str_printf("%s/%s", L->dir, rel);

	if (!abs || stat(abs, &st) < 0 || !S_ISREG(st.st_mode)) {
		problem(L, n, "'%s': there is no file '%s' next to the spec", what, rel);
		free(abs);
		return NULL;
	}
	return abs;
}

/* ---- limits ---------------------------------------------------------------- */

static void load_limits(struct loader *L, yaml_node_t *n, struct hx_limits *lim, const char *where)
{
	static const char *const keys[] = {
		"wall_ms", "cpu_ms", "memory_mb", "processes", "output_kb", "deadlock_after_ms", NULL,
	};
	yaml_node_t *v;

	if (!want_mapping(L, n, where))
		return;
	check_keys(L, n, keys, where);
	if ((v = get(L, n, "wall_ms")))
		as_uint(L, v, "wall_ms", &lim->wall_ms, 1, 600000);
	if ((v = get(L, n, "cpu_ms")))
		as_uint(L, v, "cpu_ms", &lim->cpu_ms, 1, 600000);
	if ((v = get(L, n, "memory_mb")))
		as_uint(L, v, "memory_mb", &lim->memory_mb, 4, 65536);
	if ((v = get(L, n, "processes")))
		as_uint(L, v, "processes", &lim->processes, 1, 4096);
	if ((v = get(L, n, "output_kb")))
		as_uint(L, v, "output_kb", &lim->output_kb, 1, 1 << 20);
	if ((v = get(L, n, "deadlock_after_ms")))
		as_uint(L, v, "deadlock_after_ms", &lim->deadlock_after_ms, 50, 60000);
}

static void merge_limits(struct hx_limits *dst, const struct hx_limits *over)
{
#define MERGE(f) do { if (over->f) dst->f = over->f; } while (0)
	MERGE(wall_ms);
	MERGE(cpu_ms);
	MERGE(memory_mb);
	MERGE(processes);
	MERGE(output_kb);
	MERGE(deadlock_after_ms);
#undef MERGE
}

/* ---- matchers ---------------------------------------------------------------- */

static void load_matcher(struct loader *L, yaml_node_t *n, struct matcher *m, const char *what)
{
	static const char *const keys[] = {
		"exact", "exact_file", "normalized", "regex", "unordered_lines", "contains", "order",
		"empty", "nonempty", NULL,
	};
	yaml_node_t *v;
	char err[256];

	m->present = true;
	if (n->type == YAML_SCALAR_NODE) {
		const char *s = scalar(n);

		/* Unquoted `empty`/`nonempty` are the keywords; quote them to
		 * mean the text. */
		if (plain(n) && strcmp(s, "empty") == 0)
			m->empty = true;
		else if (plain(n) && strcmp(s, "nonempty") == 0)
			m->nonempty = true;
		else
			m->exact = strdup(s);
		return;
	}
	if (n->type != YAML_MAPPING_NODE) {
		problem(L, n, "'%s' must be a string (exact output), empty, nonempty, or a mapping of "
			"matchers (exact, normalized, regex, unordered_lines, contains, order)", what);
		return;
	}
	check_keys(L, n, keys, what);
	if (n->data.mapping.pairs.top == n->data.mapping.pairs.start)
		problem(L, n, "'%s' has no matcher", what);
	if ((v = get(L, n, "exact")))
		as_string(L, v, "exact", &m->exact);
	char *rel = NULL;

	if ((v = get(L, n, "exact_file")) && as_string(L, v, "exact_file", &rel)) {
		char *abs = spec_file(L, v, "exact_file", rel);
		size_t len = 0;

		if (abs) {
			free(m->exact);
			m->exact = file_read_all(abs, &len, 64u << 20);
			if (!m->exact || strlen(m->exact) != len)
				problem(L, v, "'exact_file': '%s' cannot be read as text", rel);
		}
		free(abs);
	}
	free(rel);
	if ((v = get(L, n, "normalized")))
		as_string(L, v, "normalized", &m->normalized);
	if ((v = get(L, n, "unordered_lines")))
		as_string(L, v, "unordered_lines", &m->unordered);
	if ((v = get(L, n, "regex")) && as_string(L, v, "regex", &m->regex)) {
		/* compiled below, with the others */
	}
	if ((v = get(L, n, "contains"))) {
		if (v->type == YAML_SCALAR_NODE) {
			/* One string: each of its lines must appear. */
			char *copy = strdup(scalar(v)), *save = NULL;

			for (char *tok = copy ? strtok_r(copy, "\n", &save) : NULL; tok;
			     tok = strtok_r(NULL, "\n", &save))
				strv_push(&m->contains, &m->ncontains, tok);
			free(copy);
		} else {
			as_string_list(L, v, "contains", &m->contains, &m->ncontains, false);
		}
	}
	if ((v = get(L, n, "order"))) {
		if (v->type != YAML_SEQUENCE_NODE) {
			problem(L, v, "'order' must be a list of {before: REGEX, after: REGEX}");
		} else {
			size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);

			m->order = calloc(cnt ? cnt : 1, sizeof(*m->order));
			for (yaml_node_item_t *i = v->data.sequence.items.start;
			     m->order && i < v->data.sequence.items.top; i++) {
				static const char *const okeys[] = { "before", "after", NULL };
				yaml_node_t *item = node_at(L, *i);
				struct order_rule *r = &m->order[m->norder++];
				yaml_node_t *b, *a;

				if (!want_mapping(L, item, "an order rule"))
					continue;
				check_keys(L, item, okeys, "an order rule");
				b = get(L, item, "before");
				a = get(L, item, "after");
				if (!b || !a) {
					problem(L, item, "an order rule needs both 'before' and 'after'");
					continue;
				}
				as_string(L, b, "before", &r->before);
				as_string(L, a, "after", &r->after);
			}
		}
	}
	if ((v = get(L, n, "empty")))
		as_bool(L, v, "empty", &m->empty);
	if ((v = get(L, n, "nonempty")))
		as_bool(L, v, "nonempty", &m->nonempty);
	if (m->empty && m->nonempty)
		problem(L, n, "'%s' cannot be both empty and nonempty", what);
	if (match_compile(m, err, sizeof(err)) < 0)
		problem(L, n, "in '%s': %s", what, err);
}

/* ---- IPC conditions ------------------------------------------------------------ */

static void load_ipc(struct loader *L, yaml_node_t *n, struct ipc_expect *e, const struct test *t,
		     bool *hot, int depth)
{
	char err[256];

	if (!want_mapping(L, n, depth ? "an any_of alternative" : "ipc"))
		return;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node_at(L, p->key), *v = node_at(L, p->value);
		const char *key = scalar(k);
		bool key_hot = false;

		if (!key)
			continue;
		if (strcmp(key, "any_of") == 0 && depth == 0) {
			if (!v || v->type != YAML_SEQUENCE_NODE) {
				problem(L, v, "'any_of' must be a list of mappings");
				continue;
			}
			size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);

			e->any_of = calloc(cnt ? cnt : 1, sizeof(*e->any_of));
			for (yaml_node_item_t *i = v->data.sequence.items.start;
			     e->any_of && i < v->data.sequence.items.top; i++)
				load_ipc(L, node_at(L, *i), &e->any_of[e->nany++], t, hot, depth + 1);
			if (cnt == 0)
				problem(L, v, "'any_of' needs at least one alternative");
			continue;
		}
		if (!ipc_key_valid(key, &key_hot)) {
			problem(L, k, "unknown IPC group or call '%s' in ipc (groups: fork, thread, exec, "
				"wait, kill, pipe, shm, sem, mq, socket, futex, io, processes, threads)", key);
			continue;
		}
		for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
			const char *other = scalar(node_at(L, q->key));

			if (other && strcmp(other, key) == 0)
				problem(L, k, "duplicate key '%s' in ipc", key);
		}
		const char *text = scalar(v);

		if (!text) {
			problem(L, v, "'%s' must be a count (e.g. 0) or a condition (e.g. \">= 2\")", key);
			continue;
		}
		struct ipc_cond c = { 0 };

		if (ipc_cond_parse(text, t->args, t->nargs, &c.op, &c.value, err, sizeof(err)) < 0) {
			problem(L, v, "ipc.%s: %s", key, err);
			continue;
		}
		struct ipc_cond *grown = realloc(e->conds, (e->nconds + 1) * sizeof(*grown));

		if (!grown)
			continue;
		e->conds = grown;
		c.key = strdup(key);
		c.text = strdup(text);
		c.hot = key_hot;
		e->conds[e->nconds++] = c;
		*hot |= key_hot;
	}
}

static void load_symbols(struct loader *L, yaml_node_t *n, struct symbols_expect *e)
{
	static const char *const keys[] = { "requires", "forbids", "requires_any", NULL };
	yaml_node_t *v;

	if (!want_mapping(L, n, "symbols"))
		return;
	check_keys(L, n, keys, "symbols");
	if ((v = get(L, n, "requires")))
		as_string_list(L, v, "requires", &e->requires, &e->nrequires, false);
	if ((v = get(L, n, "forbids")))
		as_string_list(L, v, "forbids", &e->forbids, &e->nforbids, false);
	if ((v = get(L, n, "requires_any"))) {
		if (v->type != YAML_SEQUENCE_NODE) {
			problem(L, v, "'requires_any' must be a list of alternatives");
			return;
		}
		size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);

		e->requires_any = calloc(cnt ? cnt : 1, sizeof(*e->requires_any));
		for (yaml_node_item_t *i = v->data.sequence.items.start;
		     e->requires_any && i < v->data.sequence.items.top; i++) {
			yaml_node_t *alt = node_at(L, *i);
			char **names = NULL;
			size_t nn = 0;

			/* An alternative is one name, or a list of names that
			 * must all be imported. */
			if (alt->type == YAML_SCALAR_NODE)
				strv_push(&names, &nn, scalar(alt));
			else
				as_string_list(L, alt, "requires_any alternative", &names, &nn, false);
			if (names)
				e->requires_any[e->nrequires_any++] = names;
		}
		if (cnt == 0)
			problem(L, v, "'requires_any' needs at least one alternative");
	}
}

static void load_checker(struct loader *L, yaml_node_t *n, struct checker *c, bool *has)
{
	static const char *const keys[] = { "command", "timeout_ms", NULL };
	char **words = NULL;
	size_t nwords = 0;
	yaml_node_t *cmd = n;

	c->timeout_ms = 10000;
	if (n->type == YAML_MAPPING_NODE) {
		yaml_node_t *v;

		check_keys(L, n, keys, "checker");
		if ((v = get(L, n, "timeout_ms")))
			as_uint(L, v, "timeout_ms", &c->timeout_ms, 100, 600000);
		cmd = get(L, n, "command");
		if (!cmd) {
			problem(L, n, "'checker' needs a 'command'");
			return;
		}
	}
	if (cmd->type == YAML_SCALAR_NODE) {
		/* One path: the checker program itself. */
		char *abs = spec_file(L, cmd, "checker", scalar(cmd));

		if (!abs)
			return;
		strv_push(&words, &nwords, abs);
		free(abs);
	} else if (as_string_list(L, cmd, "checker command", &words, &nwords, false)) {
		/* Words that are files of the spec's folder become absolute;
		 * the others (python3, --strict) stay as they are. */
		for (size_t i = 0; i < nwords; i++) {
			struct stat st;
			char *abs = L->dir && words[i][0] != '/' && !strstr(words[i], "..")
				? str_printf("%s/%s", L->dir, words[i]) : NULL;

			if (abs && stat(abs, &st) == 0 && S_ISREG(st.st_mode)) {
				free(words[i]);
				words[i] = abs;
			} else {
				free(abs);
			}
		}
		if (nwords == 0)
			problem(L, cmd, "the checker command is empty");
	}
	c->argv = words;
	*has = words && nwords > 0;
}

/* ---- tests ----------------------------------------------------------------------- */

static void load_expect(struct loader *L, yaml_node_t *n, struct test *t)
{
	static const char *const keys[] = {
		"exit", "stdout", "stderr", "files", "checker", "ipc", "symbols", "cleanup", NULL,
	};
	struct expect *e = &t->expect;
	yaml_node_t *v;

	if (!want_mapping(L, n, "expect"))
		return;
	check_keys(L, n, keys, "expect");
	if ((v = get(L, n, "exit"))) {
		const char *s = scalar(v);
		char *end;

		if (plain(v) && s && strcmp(s, "any") == 0) {
			e->exit_any = true;
		} else if (plain(v) && s && *s) {
			long x = strtol(s, &end, 10);

			if (*end || x < 0 || x > 255)
				problem(L, v, "'exit' must be a status 0..255 or 'any'");
			else
				e->exit = (int)x;
		} else {
			problem(L, v, "'exit' must be a status 0..255 or 'any'");
		}
	}
	if ((v = get(L, n, "stdout")))
		load_matcher(L, v, &e->out, "stdout");
	if ((v = get(L, n, "stderr")))
		load_matcher(L, v, &e->err, "stderr");
	if ((v = get(L, n, "ipc"))) {
		e->has_ipc = true;
		load_ipc(L, v, &e->ipc, t, &t->needs_hot, 0);
		t->needs_trace = true;
	}
	if ((v = get(L, n, "symbols"))) {
		e->has_symbols = true;
		load_symbols(L, v, &e->symbols);
	}
	if ((v = get(L, n, "cleanup")))
		as_bool(L, v, "cleanup", &e->cleanup);
	if ((v = get(L, n, "files")) && want_mapping(L, v, "files")) {
		size_t cnt = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);

		e->files = calloc(cnt ? cnt : 1, sizeof(*e->files));
		for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
		     e->files && p < v->data.mapping.pairs.top; p++) {
			yaml_node_t *k = node_at(L, p->key);
			const char *name = scalar(k);

			if (!name || !*name || strchr(name, '/') || strcmp(name, "..") == 0 ||
			    strcmp(name, ".") == 0) {
				problem(L, k, "a file in 'files' must be a plain file name");
				continue;
			}
			struct file_expect *fe = &e->files[e->nfiles++];

			fe->name = strdup(name);
			load_matcher(L, node_at(L, p->value), &fe->m, name);
		}
	}
	if ((v = get(L, n, "checker")))
		load_checker(L, v, &e->checker, &e->has_checker);
}

static bool valid_test_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

static void load_test(struct loader *L, yaml_node_t *n, struct test *t, size_t index)
{
	static const char *const keys[] = {
		"name", "points", "visibility", "args", "stdin", "files_in", "limits", "runs",
		"jitter", "cpus", "expect", "hint", NULL,
	};
	char where[128];
	yaml_node_t *v;

	t->runs = 1;
	t->line = (int)n->start_mark.line + 1;
	if (!want_mapping(L, n, "a test"))
		return;
	v = get(L, n, "name");
	if (!v || !as_string(L, v, "name", &t->name)) {
		if (!v)
			problem(L, n, "test %zu has no 'name'", index + 1);
		snprintf(where, sizeof(where), "test %zu", index + 1);
	} else {
		if (!valid_test_name(t->name))
			problem(L, v, "test name '%s' may only use letters, digits, '_', '.' and '-'", t->name);
		snprintf(where, sizeof(where), "test '%s'", t->name);
	}
	check_keys(L, n, keys, where);
	v = get(L, n, "points");
	if (!v)
		problem(L, n, "%s has no 'points'", where);
	else
		as_points(L, v, "points", &t->points);
	if ((v = get(L, n, "visibility"))) {
		const char *s = scalar(v);

		if (s && strcmp(s, "visible") == 0)
			t->visibility = VIS_VISIBLE;
		else if (s && strcmp(s, "hidden") == 0)
			t->visibility = VIS_HIDDEN;
		else if (s && strcmp(s, "after_due_date") == 0)
			t->visibility = VIS_AFTER_DUE_DATE;
		else
			problem(L, v, "'visibility' must be visible, hidden or after_due_date");
	}
	/* args come first: ipc conditions may use them. */
	if ((v = get(L, n, "args")))
		as_string_list(L, v, "args", &t->args, &t->nargs, false);
	if (!t->args)
		t->args = calloc(1, sizeof(char *));
	if ((v = get(L, n, "stdin")) && as_string(L, v, "stdin", &t->stdin_data))
		t->stdin_len = strlen(t->stdin_data);
	if ((v = get(L, n, "files_in"))) {
		char **rel = NULL;
		size_t nrel = 0;

		if (as_string_list(L, v, "files_in", &rel, &nrel, false)) {
			for (size_t i = 0; i < nrel; i++) {
				char *abs = spec_file(L, v, "files_in", rel[i]);

				if (abs)
					strv_push(&t->files_in, &t->nfiles_in, abs);
				free(abs);
			}
		}
		strv_free(rel);
	}
	t->limits = L->s->limits;
	if ((v = get(L, n, "limits"))) {
		struct hx_limits over = { 0 };

		load_limits(L, v, &over, "limits");
		merge_limits(&t->limits, &over);
	}
	if ((v = get(L, n, "runs")))
		as_uint(L, v, "runs", &t->runs, 1, 1000);
	if ((v = get(L, n, "jitter")) && want_mapping(L, v, "jitter")) {
		static const char *const jkeys[] = { "max_us", "seed", NULL };
		yaml_node_t *j;
		unsigned long long seed;

		check_keys(L, v, jkeys, "jitter");
		t->jitter = true;
		t->needs_trace = true;
		if ((j = get(L, v, "max_us")))
			as_uint(L, j, "max_us", &t->jitter_max_us, 1, 1000000);
		else
			problem(L, v, "'jitter' needs 'max_us'");
		if ((j = get(L, v, "seed"))) {
			if (!plain(j) || !parse_u64(scalar(j), &seed) || seed == 0)
				problem(L, j, "'seed' must be a whole number above 0");
			else
				t->jitter_seed = seed;
		}
	}
	if ((v = get(L, n, "cpus")))
		as_uint(L, v, "cpus", &t->cpus, 1, 1024);
	if ((v = get(L, n, "expect")))
		load_expect(L, v, t);
	if ((v = get(L, n, "hint")))
		as_string(L, v, "hint", &t->hint);
}

/* ---- build -------------------------------------------------------------------------- */

static const char *const default_cflags[] = { "-std=gnu11", "-O2", "-Wall", "-Wextra", NULL };
static const char *const default_ldflags[] = { "-pthread", "-lrt", NULL };

static void set_default_list(char ***v, size_t *n, const char *const *defaults)
{
	if (*v)
		return;
	for (const char *const *d = defaults; *d; d++)
		strv_push(v, n, *d);
}

static void load_build(struct loader *L, yaml_node_t *n, struct build_spec *b)
{
	static const char *const keys[] = {
		"sources", "required", "cflags", "ldflags", "timeout_ms", "fail_on_warnings",
		"command", "binary", NULL,
	};
	yaml_node_t *v;

	if (!want_mapping(L, n, "build"))
		return;
	check_keys(L, n, keys, "build");
	if ((v = get(L, n, "sources")) &&
	    as_string_list(L, v, "sources", &b->sources, &b->nsources, false)) {
		for (char **p = b->sources; p && *p; p++)
			if ((*p)[0] == '/' || strstr(*p, ".."))
				problem(L, v, "source pattern '%s' must stay inside the submission "
					"(no leading '/', no '..')", *p);
	}
	if ((v = get(L, n, "required")) &&
	    as_string_list(L, v, "required", &b->required, &b->nrequired, false)) {
		for (char **p = b->required; p && *p; p++)
			if (strchr(*p, '/') || strcmp(*p, "..") == 0)
				problem(L, v, "required file '%s' must be a plain file name", *p);
	}
	if ((v = get(L, n, "cflags")))
		as_string_list(L, v, "cflags", &b->cflags, &b->ncflags, true);
	if ((v = get(L, n, "ldflags")))
		as_string_list(L, v, "ldflags", &b->ldflags, &b->nldflags, true);
	if ((v = get(L, n, "timeout_ms")))
		as_uint(L, v, "timeout_ms", &b->timeout_ms, 100, 600000);
	if ((v = get(L, n, "fail_on_warnings")))
		as_bool(L, v, "fail_on_warnings", &b->fail_on_warnings);
	if ((v = get(L, n, "command")) && as_string(L, v, "command", &b->command) && !*b->command)
		problem(L, v, "'command' is empty");
	if ((v = get(L, n, "binary")) && as_string(L, v, "binary", &b->binary) &&
	    (!*b->binary || b->binary[0] == '/' || strstr(b->binary, "..")))
		problem(L, v, "'binary' must be a path inside the build folder");
	if (b->binary && !b->command)
		problem(L, get(L, n, "binary"), "'binary' only makes sense with 'command'");
}

/* ---- the document ---------------------------------------------------------------------- */

static bool valid_assignment_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

static void load_document(struct loader *L, const char *path)
{
	static const char *const keys[] = { "assignment", "title", "build", "limits", "tests", NULL };
	struct spec *s = L->s;
	yaml_node_t *root = yaml_document_get_root_node(&L->doc);
	yaml_node_t *v;

	if (!root) {
		problem(L, NULL, "the spec is empty");
		return;
	}
	if (root->type != YAML_MAPPING_NODE) {
		problem(L, root, "the spec must be a mapping with assignment, title and tests");
		return;
	}
	check_keys(L, root, keys, "the spec");
	v = get(L, root, "assignment");
	if (!v)
		problem(L, root, "missing 'assignment' (the assignment's name)");
	else if (as_string(L, v, "assignment", &s->assignment) && !valid_assignment_name(s->assignment))
		problem(L, v, "'assignment' may only use lowercase letters, digits and '-'");
	if (s->assignment && path) {
		/* assignments/NAME/spec.yaml must say NAME. */
		char *copy = strdup(path), *copy2 = strdup(path);

		if (copy && copy2 && strcmp(basename(copy), "spec.yaml") == 0) {
			const char *folder = basename(dirname(copy2));

			if (strcmp(folder, ".") != 0 && strcmp(folder, "/") != 0 && strcmp(folder, s->assignment) != 0)
				problem(L, v, "'assignment' is '%s' but the folder is '%s'", s->assignment,
					folder);
		}
		free(copy);
		free(copy2);
	}
	v = get(L, root, "title");
	if (!v)
		problem(L, root, "missing 'title'");
	else
		as_string(L, v, "title", &s->title);
	if ((v = get(L, root, "build")))
		load_build(L, v, &s->build);
	set_default_list(&s->build.sources, &s->build.nsources, (const char *const[]){ "*.c", NULL });
	set_default_list(&s->build.cflags, &s->build.ncflags, default_cflags);
	set_default_list(&s->build.ldflags, &s->build.nldflags, default_ldflags);
	if (!s->build.required)
		s->build.required = calloc(1, sizeof(char *));
	if (!s->build.timeout_ms)
		s->build.timeout_ms = 20000;
	if ((v = get(L, root, "limits")))
		load_limits(L, v, &s->limits, "limits");

	v = get(L, root, "tests");
	if (!v) {
		problem(L, root, "missing 'tests' (a list of tests)");
		return;
	}
	if (v->type != YAML_SEQUENCE_NODE) {
		problem(L, v, "'tests' must be a list");
		return;
	}
	size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);

	if (cnt == 0) {
		problem(L, v, "'tests' is empty");
		return;
	}
	s->tests = calloc(cnt, sizeof(*s->tests));
	if (!s->tests)
		return;
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
		yaml_node_t *tn = node_at(L, *i);
		struct test *t = &s->tests[s->ntests];

		load_test(L, tn, t, s->ntests);
		s->ntests++;
		s->total_points += t->points;
		for (size_t j = 0; t->name && j + 1 < s->ntests; j++)
			if (s->tests[j].name && strcmp(s->tests[j].name, t->name) == 0)
				problem(L, tn, "two tests are named '%s'", t->name);
	}
}

static int load_buffer_in(const char *name, const char *dir, const char *data, size_t len,
			  struct spec **out, struct diag *d)
{
	struct loader L = { .file = name, .dir = dir, .d = d };
	yaml_parser_t parser;

	*out = NULL;
	L.s = calloc(1, sizeof(*L.s));
	if (!L.s) {
		diag_add(d, name, 0, 0, "out of memory");
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		diag_add(d, name, 0, 0, "cannot initialise the YAML parser");
		spec_free(L.s);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(&parser, &L.doc)) {
		diag_add(d, name, (int)parser.problem_mark.line + 1, (int)parser.problem_mark.column + 1,
			 "YAML syntax error: %s%s%s", parser.problem ? parser.problem : "unknown",
			 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		spec_free(L.s);
		return -1;
	}
	load_document(&L, strcmp(name, "-") != 0 ? name : NULL);
	yaml_document_delete(&L.doc);
	yaml_parser_delete(&parser);
	hash_sha256_hex(data, len, L.s->sha256);
	if (L.errors) {
		spec_free(L.s);
		return -1;
	}
	*out = L.s;
	return 0;
}

int spec_load_buffer(const char *name, const char *data, size_t len, struct spec **out,
		     struct diag *d)
{
	return load_buffer_in(name, NULL, data, len, out, d);
}

int spec_load(const char *path, struct spec **out, struct diag *d)
{
	size_t len = 0;
	char *data = file_read_all(path, &len, MAX_SPEC_BYTES);

	*out = NULL;
	if (!data) {
		diag_add(d, path, 0, 0, "cannot read the spec: %s", strerror(errno));
		return -1;
	}
	if (memchr(data, '\0', len)) {
		diag_add(d, path, 0, 0, "the spec is not a text file");
		free(data);
		return -1;
	}
	/* Files a spec names live next to it: resolve them from its folder. */
	char *copy = strdup(path), dir[PATH_MAX];

	if (!copy || !realpath(dirname(copy), dir))
		snprintf(dir, sizeof(dir), ".");
	free(copy);
	int rc = load_buffer_in(path, dir, data, len, out, d);

	free(data);
	if (rc == 0) {
		(*out)->path = strdup(path);
		(*out)->dir = strdup(dir);
	}
	return rc;
}

void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static void ipc_expect_release(struct ipc_expect *e)
{
	for (size_t i = 0; i < e->nconds; i++) {
		free(e->conds[i].key);
		free(e->conds[i].text);
	}
	free(e->conds);
	for (size_t i = 0; i < e->nany; i++)
		ipc_expect_release(&e->any_of[i]);
	free(e->any_of);
}

void spec_free(struct spec *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ntests; i++) {
		struct test *t = &s->tests[i];

		free(t->name);
		strv_free(t->args);
		free(t->stdin_data);
		free(t->hint);
		match_release(&t->expect.out);
		match_release(&t->expect.err);
		for (size_t j = 0; j < t->expect.nfiles; j++) {
			free(t->expect.files[j].name);
			match_release(&t->expect.files[j].m);
		}
		free(t->expect.files);
		strv_free(t->expect.checker.argv);
		strv_free(t->files_in);
		ipc_expect_release(&t->expect.ipc);
		strv_free(t->expect.symbols.requires);
		strv_free(t->expect.symbols.forbids);
		for (size_t j = 0; j < t->expect.symbols.nrequires_any; j++)
			strv_free(t->expect.symbols.requires_any[j]);
		free(t->expect.symbols.requires_any);
	}
	free(s->tests);
	strv_free(s->build.sources);
	strv_free(s->build.required);
	strv_free(s->build.cflags);
	strv_free(s->build.ldflags);
	free(s->build.command);
	free(s->build.binary);
	free(s->path);
	free(s->dir);
	free(s->assignment);
	free(s->title);
	free(s);
}

const char *spec_visibility_name(enum visibility v)
{
	switch (v) {
	case VIS_VISIBLE: return "visible";
	case VIS_HIDDEN: return "hidden";
	case VIS_AFTER_DUE_DATE: return "after_due_date";
	}
	return "visible";
}
