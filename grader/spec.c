/*
 * spec.c - loading and checking an assignment spec (spec.yaml): the
 * document, its build and limits sections and its tests (see spec.h).
 *
 * libyaml's document API gives every node its position, so every problem
 * is reported as FILE:LINE:COL and names the key (spec_node.c). Unknown
 * keys are errors (with a "did you mean" when one is close), as are
 * wrong types and values out of range: a typo must never pass silently.
 * All problems are collected, not just the first. A test's expect:
 * section is loaded by spec_expect.c. The reference is assignments/SPEC.md.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "hash.h"
#include "limit_keys.h"
#include "spec.h"
#include "spec_expect.h"
#include "spec_node.h"
#include "str.h"

/* ---- limits ---------------------------------------------------------------- */

static void load_limits(struct spec_loader *L, yaml_node_t *n, struct hx_limits *lim, const char *where)
{
	const char *keys[LIMIT_COUNT + 1];
	yaml_node_t *v;

	for (int i = 0; i < LIMIT_COUNT; i++)
		keys[i] = limit_keys[i].key;
	keys[LIMIT_COUNT] = NULL;
	if (!node_want_mapping(L, n, where))
		return;
	node_check_keys(L, n, keys, where);
	for (int i = 0; i < LIMIT_COUNT; i++) {
		const struct limit_range *r = &limit_keys[i];

		if ((v = node_get(L, n, r->key)))
			node_uint(L, v, r->key, limit_field(lim, i), r->min, r->spec_max);
	}
}

/* A test's own limits over the spec's. */
static void merge_limits(struct hx_limits *dst, struct hx_limits *over)
{
	for (int i = 0; i < LIMIT_COUNT; i++)
		if (*limit_field(over, i))
			*limit_field(dst, i) = *limit_field(over, i);
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

/* runs: N, or a budget {min, max, time_ms}: at least min runs, then more
 * while they pass, until max runs or time_ms of wall time. */
static void load_runs(struct spec_loader *L, yaml_node_t *v, struct test *t)
{
	static const char *const rkeys[] = { "min", "max", "time_ms", NULL };
	yaml_node_t *x;

	if (v->type != YAML_MAPPING_NODE) {
		node_uint(L, v, "runs", &t->runs, 1, 1000);
		return;
	}
	node_check_keys(L, v, rkeys, "runs");
	t->runs_min = 1;
	if ((x = node_get(L, v, "min")))
		node_uint(L, x, "runs.min", &t->runs_min, 1, 1000);
	yaml_node_t *max = node_get(L, v, "max"), *time_ms = node_get(L, v, "time_ms");

	if (!max || !time_ms) {
		node_problem(L, v, "a runs budget needs 'max' (runs at most) and 'time_ms' (wall "
			     "time for them all), e.g. {min: 3, max: 50, time_ms: 8000}");
		t->runs_time_ms = 0;
		return;
	}
	if (node_uint(L, max, "runs.max", &t->runs, 1, 1000) && t->runs < t->runs_min)
		node_problem(L, max, "'runs.max' (%u) must be at least 'runs.min' (%u)", t->runs,
			     t->runs_min);
	if (!node_uint(L, time_ms, "runs.time_ms", &t->runs_time_ms, 1, 3600000))
		t->runs_time_ms = 0;
}

/* hint: a text, or a map from reason names (and default) to texts. */
static void load_hint(struct spec_loader *L, yaml_node_t *v, struct test *t)
{
	const char *keys[REASON_COUNT + 2];
	yaml_node_t *h;

	if (v->type != YAML_MAPPING_NODE) {
		node_string(L, v, "hint", &t->hint);
		return;
	}
	for (int r = 0; r < REASON_COUNT; r++)
		keys[r] = reason_name((enum reason)r);
	keys[REASON_COUNT] = "default";
	keys[REASON_COUNT + 1] = NULL;
	node_check_keys(L, v, keys, "hint");
	for (int r = 0; r < REASON_COUNT; r++)
		if ((h = node_get(L, v, keys[r])))
			node_string(L, h, keys[r], &t->hints[r]);
	if ((h = node_get(L, v, "default")))
		node_string(L, h, "default", &t->hint);
}

/* The checks of test node n, or NULL when it has none (or they are not a
 * list: load_test says so). */
static yaml_node_t *test_checks(struct spec_loader *L, yaml_node_t *n)
{
	yaml_node_t *v = n && n->type == YAML_MAPPING_NODE ? node_get(L, n, "checks") : NULL;

	return v && v->type == YAML_SEQUENCE_NODE && v->data.sequence.items.top > v->data.sequence.items.start
		? v : NULL;
}

/* Load test node n into t; with check (an item of its checks), the
 * test's check of that name: the test's runs, the check's points,
 * expect and hint. */
static void load_test(struct spec_loader *L, yaml_node_t *n, struct test *t, size_t index,
		      yaml_node_t *check)
{
	static const char *const keys[] = {
		"name", "points", "visibility", "args", "stdin", "files_in", "limits", "runs",
		"jitter", "cpus", "time_scale", "expect", "hint", "checks", NULL,
	};
	static const char *const check_keys[] = { "name", "points", "expect", "hint", NULL };
	char where[128];
	yaml_node_t *v;

	t->runs = 1;
	t->group = index;
	t->ngroup = 1;
	t->line = (int)n->start_mark.line + 1;
	if (!node_want_mapping(L, n, "a test"))
		return;
	v = node_get(L, n, "name");
	if (!v || !node_string(L, v, "name", &t->name)) {
		if (!v)
			node_problem(L, n, "test %zu has no 'name'", index + 1);
		snprintf(where, sizeof(where), "test %zu", index + 1);
	} else {
		if (!valid_test_name(t->name))
			node_problem(L, v, "test name '%s' may only use letters, digits, '_', '.' and '-'", t->name);
		snprintf(where, sizeof(where), "test '%s'", t->name);
	}
	node_check_keys(L, n, keys, where);
	if ((v = node_get(L, n, "checks")) && !test_checks(L, n))
		node_problem(L, v, "'checks' must be a list of checks {name, points, expect, hint}");
	if (test_checks(L, n)) {
		/* the points, expect and hint are each check's */
		static const char *const own[] = { "points", "expect", "hint" };

		for (size_t k = 0; k < sizeof(own) / sizeof(own[0]); k++)
			if ((v = node_get(L, n, own[k])))
				node_problem(L, v, "%s has checks: '%s' goes in each check", where, own[k]);
	} else {
		v = node_get(L, n, "points");
		if (!v)
			node_problem(L, n, "%s has no 'points'", where);
		else
			node_points(L, v, "points", &t->points);
	}
	if ((v = node_get(L, n, "visibility"))) {
		const char *s = node_scalar(v);

		if (s && strcmp(s, "visible") == 0)
			t->visibility = VIS_VISIBLE;
		else if (s && strcmp(s, "hidden") == 0)
			t->visibility = VIS_HIDDEN;
		else if (s && strcmp(s, "after_due_date") == 0)
			t->visibility = VIS_AFTER_DUE_DATE;
		else
			node_problem(L, v, "'visibility' must be visible, hidden or after_due_date");
	}
	/* args come first: ipc conditions may use them. */
	if ((v = node_get(L, n, "args")))
		node_string_list(L, v, "args", &t->args, &t->nargs, false);
	if (!t->args)
		t->args = calloc(1, sizeof(char *));
	if ((v = node_get(L, n, "stdin")) && node_string(L, v, "stdin", &t->stdin_data))
		t->stdin_len = strlen(t->stdin_data);
	if ((v = node_get(L, n, "files_in"))) {
		char **rel = NULL;
		size_t nrel = 0;

		if (node_string_list(L, v, "files_in", &rel, &nrel, false)) {
			for (size_t i = 0; i < nrel; i++) {
				char *abs = node_spec_file(L, v, "files_in", rel[i]);

				if (abs)
					strv_push(&t->files_in, &t->nfiles_in, abs);
				free(abs);
			}
		}
		strv_free(rel);
	}
	t->limits = L->s->limits;
	if ((v = node_get(L, n, "limits"))) {
		struct hx_limits over = { 0 };

		load_limits(L, v, &over, "limits");
		merge_limits(&t->limits, &over);
	}
	if ((v = node_get(L, n, "runs")))
		load_runs(L, v, t);
	t->runs_min = t->runs_time_ms ? t->runs_min : t->runs;
	if ((v = node_get(L, n, "jitter")) && node_want_mapping(L, v, "jitter")) {
		static const char *const jkeys[] = { "max_us", "seed", NULL };
		yaml_node_t *j;
		unsigned long long seed;

		node_check_keys(L, v, jkeys, "jitter");
		t->jitter = true;
		t->needs_trace = true;
		if ((j = node_get(L, v, "max_us")))
			node_uint(L, j, "max_us", &t->jitter_max_us, 1, 1000000);
		else
			node_problem(L, v, "'jitter' needs 'max_us'");
		if ((j = node_get(L, v, "seed"))) {
			if (!node_plain(j) || !node_parse_u64(node_scalar(j), &seed) || seed == 0)
				node_problem(L, j, "'seed' must be a whole number above 0");
			else
				t->jitter_seed = seed;
		}
	}
	if ((v = node_get(L, n, "cpus")))
		node_uint(L, v, "cpus", &t->cpus, 1, 1024);
	t->time_scale = L->s->time_scale;
	if ((v = node_get(L, n, "time_scale")))
		node_time_scale(L, v, &t->time_scale);
	if (check) {
		/* What follows is the check's own: say its problems. */
		L->quiet = false;
		n = check;
		if (!node_want_mapping(L, n, "a check"))
			return;
		v = node_get(L, n, "name");
		if (!v || !node_string(L, v, "name", &t->check)) {
			if (!v)
				node_problem(L, n, "a check of %s has no 'name'", where);
		} else if (!valid_test_name(t->check) || strchr(t->check, '.')) {
			node_problem(L, v, "check name '%s' may only use letters, digits, '_' and '-'", t->check);
		} else {
			char *full = str_printf("%s.%s", t->name ? t->name : "?", t->check);

			free(t->name);
			t->name = full;
			snprintf(where, sizeof(where), "check '%s'", t->check);
		}
		node_check_keys(L, n, check_keys, where);
		v = node_get(L, n, "points");
		if (!v)
			node_problem(L, n, "%s has no 'points'", where);
		else
			node_points(L, v, "points", &t->points);
	}
	if ((v = node_get(L, n, "expect")))
		spec_load_expect(L, v, t);
	if ((v = node_get(L, n, "hint")))
		load_hint(L, v, t);
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

static void load_build(struct spec_loader *L, yaml_node_t *n, struct build_spec *b)
{
	static const char *const keys[] = {
		"sources", "required", "cflags", "ldflags", "timeout_ms", "fail_on_warnings",
		"command", "binary", NULL,
	};
	yaml_node_t *v;

	if (!node_want_mapping(L, n, "build"))
		return;
	node_check_keys(L, n, keys, "build");
	if ((v = node_get(L, n, "sources")) &&
	    node_string_list(L, v, "sources", &b->sources, &b->nsources, false)) {
		for (char **p = b->sources; p && *p; p++)
			if ((*p)[0] == '/' || strstr(*p, ".."))
				node_problem(L, v, "source pattern '%s' must stay inside the submission "
					"(no leading '/', no '..')", *p);
	}
	if ((v = node_get(L, n, "required")) &&
	    node_string_list(L, v, "required", &b->required, &b->nrequired, false)) {
		for (char **p = b->required; p && *p; p++)
			if (strchr(*p, '/') || strcmp(*p, "..") == 0)
				node_problem(L, v, "required file '%s' must be a plain file name", *p);
	}
	if ((v = node_get(L, n, "cflags")))
		node_string_list(L, v, "cflags", &b->cflags, &b->ncflags, true);
	if ((v = node_get(L, n, "ldflags")))
		node_string_list(L, v, "ldflags", &b->ldflags, &b->nldflags, true);
	if ((v = node_get(L, n, "timeout_ms")))
		node_uint(L, v, "timeout_ms", &b->timeout_ms, 100, 600000);
	if ((v = node_get(L, n, "fail_on_warnings")))
		node_bool(L, v, "fail_on_warnings", &b->fail_on_warnings);
	if ((v = node_get(L, n, "command")) && node_string(L, v, "command", &b->command) && !*b->command)
		node_problem(L, v, "'command' is empty");
	if ((v = node_get(L, n, "binary")) && node_string(L, v, "binary", &b->binary) &&
	    (!*b->binary || b->binary[0] == '/' || strstr(b->binary, "..")))
		node_problem(L, v, "'binary' must be a path inside the build folder");
	if (b->binary && !b->command)
		node_problem(L, node_get(L, n, "binary"), "'binary' only makes sense with 'command'");
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

static void load_document(struct spec_loader *L, const char *path)
{
	static const char *const keys[] = {
		"assignment", "title", "build", "limits", "time_scale", "tests", NULL,
	};
	struct spec *s = L->s;
	yaml_node_t *root = yaml_document_get_root_node(&L->doc);
	yaml_node_t *v;

	if (!root) {
		node_problem(L, NULL, "the spec is empty");
		return;
	}
	if (root->type != YAML_MAPPING_NODE) {
		node_problem(L, root, "the spec must be a mapping with assignment, title and tests");
		return;
	}
	node_check_keys(L, root, keys, "the spec");
	v = node_get(L, root, "assignment");
	if (!v)
		node_problem(L, root, "missing 'assignment' (the assignment's name)");
	else if (node_string(L, v, "assignment", &s->assignment) && !valid_assignment_name(s->assignment))
		node_problem(L, v, "'assignment' may only use lowercase letters, digits and '-'");
	if (s->assignment && path) {
		/* assignments/NAME/spec.yaml must say NAME. */
		char *copy = strdup(path), *copy2 = strdup(path);

		if (copy && copy2 && strcmp(basename(copy), "spec.yaml") == 0) {
			const char *folder = basename(dirname(copy2));

			if (strcmp(folder, ".") != 0 && strcmp(folder, "/") != 0 && strcmp(folder, s->assignment) != 0)
				node_problem(L, v, "'assignment' is '%s' but the folder is '%s'", s->assignment,
					folder);
		}
		free(copy);
		free(copy2);
	}
	v = node_get(L, root, "title");
	if (!v)
		node_problem(L, root, "missing 'title'");
	else
		node_string(L, v, "title", &s->title);
	if ((v = node_get(L, root, "build")))
		load_build(L, v, &s->build);
	set_default_list(&s->build.sources, &s->build.nsources, (const char *const[]){ "*.c", NULL });
	set_default_list(&s->build.cflags, &s->build.ncflags, default_cflags);
	set_default_list(&s->build.ldflags, &s->build.nldflags, default_ldflags);
	if (!s->build.required)
		s->build.required = calloc(1, sizeof(char *));
	if (!s->build.timeout_ms)
		s->build.timeout_ms = SPEC_BUILD_TIMEOUT_MS;
	if ((v = node_get(L, root, "limits")))
		load_limits(L, v, &s->limits, "limits");
	s->time_scale = 1;
	if ((v = node_get(L, root, "time_scale")))
		node_time_scale(L, v, &s->time_scale);

	v = node_get(L, root, "tests");
	if (!v) {
		node_problem(L, root, "missing 'tests' (a list of tests)");
		return;
	}
	if (v->type != YAML_SEQUENCE_NODE) {
		node_problem(L, v, "'tests' must be a list");
		return;
	}
	size_t cnt = 0;

	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
		yaml_node_t *checks = test_checks(L, node_at(L, *i));

		cnt += checks ? (size_t)(checks->data.sequence.items.top - checks->data.sequence.items.start) : 1;
	}
	if (cnt == 0) {
		node_problem(L, v, "'tests' is empty");
		return;
	}
	s->tests = calloc(cnt, sizeof(*s->tests));
	if (!s->tests)
		return;
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
		yaml_node_t *tn = node_at(L, *i), *checks = test_checks(L, tn);
		size_t first = s->ntests, n = checks
			? (size_t)(checks->data.sequence.items.top - checks->data.sequence.items.start) : 1;

		for (size_t k = 0; k < n; k++) {
			struct test *t = &s->tests[s->ntests];

			/* the test's own keys, said once for all its checks */
			L->quiet = k > 0;
			load_test(L, tn, t, first, checks ? node_at(L, checks->data.sequence.items.start[k]) : NULL);
			L->quiet = false;
			t->group = first;
			s->ntests++;
			s->total_points += t->points;
			/* the runs are the first's: it traces what any of them needs */
			s->tests[first].ngroup = k + 1;
			s->tests[first].needs_trace |= t->needs_trace;
			s->tests[first].needs_hot |= t->needs_hot;
			s->tests[first].needs_fds |= t->needs_fds;
			for (size_t j = 0; t->name && j + 1 < s->ntests; j++)
				if (s->tests[j].name && strcmp(s->tests[j].name, t->name) == 0)
					node_problem(L, checks ? node_at(L, checks->data.sequence.items.start[k]) : tn,
						     "two tests are named '%s'", t->name);
		}
	}
}

static int load_buffer_in(const char *name, const char *dir, const char *data, size_t len,
			  struct spec **out, struct diag *d)
{
	struct spec_loader L = { .file = name, .dir = dir, .d = d };
	yaml_parser_t parser;

	*out = NULL;
	L.s = calloc(1, sizeof(*L.s));
	if (!L.s) {
		diag_add(d, name, 0, 0, "out of memory");
		return -ENOMEM;
	}
	if (!yaml_parser_initialize(&parser)) {
		diag_add(d, name, 0, 0, "cannot initialise the YAML parser");
		spec_free(L.s);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(&parser, &L.doc)) {
		diag_add(d, name, (int)parser.problem_mark.line + 1, (int)parser.problem_mark.column + 1,
			 "YAML syntax error: %s%s%s", parser.problem ? parser.problem : "unknown",
			 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		spec_free(L.s);
		return -EINVAL;
	}
	load_document(&L, strcmp(name, "-") != 0 ? name : NULL);
	yaml_document_delete(&L.doc);
	yaml_parser_delete(&parser);
	hash_sha256_hex(data, len, L.s->sha256);
	if (L.errors) {
		spec_free(L.s);
		return -EINVAL;
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
	char *data = NULL;
	int rc = file_read_all(path, SPEC_MAX_BYTES, &data, &len);

	*out = NULL;
	if (rc < 0) {
		diag_add(d, path, 0, 0, "cannot read the spec: %s", strerror(-rc));
		return rc;
	}
	if (memchr(data, '\0', len)) {
		diag_add(d, path, 0, 0, "the spec is not a text file");
		free(data);
		return -EINVAL;
	}
	/* Files a spec names live next to it: resolve them from its folder. */
	char *copy = strdup(path), dir[PATH_MAX];

	if (!copy || !realpath(dirname(copy), dir))
		snprintf(dir, sizeof(dir), ".");
	free(copy);
	rc = load_buffer_in(path, dir, data, len, out, d);
	free(data);
	if (rc == 0) {
		(*out)->path = strdup(path);
		(*out)->dir = strdup(dir);
	}
	return rc;
}

void spec_expect_release(struct expect *e)
{
	for (size_t i = 0; i < e->nany; i++)
		spec_expect_release(&e->any_of[i]);
	free(e->any_of);
	match_release(&e->out);
	match_release(&e->err);
	for (size_t j = 0; j < e->nfiles; j++) {
		free(e->files[j].name);
		match_release(&e->files[j].m);
	}
	free(e->files);
	checker_release(&e->checker);
	ipc_expect_release(&e->ipc);
	symbols_expect_release(&e->symbols);
	free(e->processes.crashed_text);
	memset(e, 0, sizeof(*e));
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
		for (int r = 0; r < REASON_COUNT; r++)
			free(t->hints[r]);
		free(t->check);
		spec_expect_release(&t->expect);
		strv_free(t->files_in);
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
