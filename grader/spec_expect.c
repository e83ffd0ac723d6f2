/*
 * spec_expect.c - loading a test's expect: section (see spec_expect.h).
 *
 * What each part means when a run is judged lives with its module
 * (match.c, ipc_expect.c, symbols.c, checker.c); this file only turns
 * YAML into their structures, reporting every problem with its place.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"
#include "spec_expect.h"
#include "str.h"

static void load_matcher(struct spec_loader *L, yaml_node_t *n, struct matcher *m, const char *what)
{
	static const char *const keys[] = {
		"exact", "exact_file", "normalized", "regex", "unordered_lines", "contains", "order",
		"empty", "nonempty", NULL,
	};
	yaml_node_t *v;
	char err[256];

	m->present = true;
	if (n->type == YAML_SCALAR_NODE) {
		const char *s = node_scalar(n);

		/* Unquoted `empty`/`nonempty` are the keywords; quote them to
		 * mean the text. */
		if (node_plain(n) && strcmp(s, "empty") == 0)
			m->empty = true;
		else if (node_plain(n) && strcmp(s, "nonempty") == 0)
			m->nonempty = true;
		else
			m->exact = strdup(s);
		return;
	}
	if (n->type != YAML_MAPPING_NODE) {
		node_problem(L, n, "'%s' must be a string (exact output), empty, nonempty, or a mapping of "
			"matchers (exact, normalized, regex, unordered_lines, contains, order)", what);
		return;
	}
	node_check_keys(L, n, keys, what);
	if (n->data.mapping.pairs.top == n->data.mapping.pairs.start)
		node_problem(L, n, "'%s' has no matcher", what);
	if ((v = node_get(L, n, "exact")))
		node_string(L, v, "exact", &m->exact);
	char *rel = NULL;

	if ((v = node_get(L, n, "exact_file")) && node_string(L, v, "exact_file", &rel)) {
		char *abs = node_spec_file(L, v, "exact_file", rel);
		size_t len = 0;

		if (abs) {
			free(m->exact);
			m->exact = NULL;
			if (file_read_all(abs, SPEC_EXACT_FILE_MAX, &m->exact, &len) < 0 ||
			    strlen(m->exact) != len)
				node_problem(L, v, "'exact_file': '%s' cannot be read as text", rel);
		}
		free(abs);
	}
	free(rel);
	if ((v = node_get(L, n, "normalized")))
		node_string(L, v, "normalized", &m->normalized);
	if ((v = node_get(L, n, "unordered_lines")))
		node_string(L, v, "unordered_lines", &m->unordered);
	if ((v = node_get(L, n, "regex")) && node_string(L, v, "regex", &m->regex)) {
		/* compiled below, with the others */
	}
	if ((v = node_get(L, n, "contains"))) {
		if (v->type == YAML_SCALAR_NODE) {
			/* One string: each of its lines must appear. */
			char *copy = strdup(node_scalar(v)), *save = NULL;

			for (char *tok = copy ? strtok_r(copy, "\n", &save) : NULL; tok;
			     tok = strtok_r(NULL, "\n", &save))
				strv_push(&m->contains, &m->ncontains, tok);
			free(copy);
		} else {
			node_string_list(L, v, "contains", &m->contains, &m->ncontains, false);
		}
	}
	if ((v = node_get(L, n, "order"))) {
		if (v->type != YAML_SEQUENCE_NODE) {
			node_problem(L, v, "'order' must be a list of {before: REGEX, after: REGEX}");
		} else {
			size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);

			m->order = calloc(cnt ? cnt : 1, sizeof(*m->order));
			for (yaml_node_item_t *i = v->data.sequence.items.start;
			     m->order && i < v->data.sequence.items.top; i++) {
				static const char *const okeys[] = { "before", "after", NULL };
				yaml_node_t *item = node_at(L, *i);
				struct order_rule *r = &m->order[m->norder++];
				yaml_node_t *b, *a;

				if (!node_want_mapping(L, item, "an order rule"))
					continue;
				node_check_keys(L, item, okeys, "an order rule");
				b = node_get(L, item, "before");
				a = node_get(L, item, "after");
				if (!b || !a) {
					node_problem(L, item, "an order rule needs both 'before' and 'after'");
					continue;
				}
				node_string(L, b, "before", &r->before);
				node_string(L, a, "after", &r->after);
			}
		}
	}
	if ((v = node_get(L, n, "empty")))
		node_bool(L, v, "empty", &m->empty);
	if ((v = node_get(L, n, "nonempty")))
		node_bool(L, v, "nonempty", &m->nonempty);
	if (m->empty && m->nonempty)
		node_problem(L, n, "'%s' cannot be both empty and nonempty", what);
	if (match_compile(m, err, sizeof(err)) < 0)
		node_problem(L, n, "in '%s': %s", what, err);
}

/* ---- IPC conditions ------------------------------------------------------------ */

static void load_ipc(struct spec_loader *L, yaml_node_t *n, struct ipc_expect *e, const struct test *t,
		     bool *hot, int depth, enum ipc_scope scope)
{
	static const char *const scope_names[] = { "ipc", "ipc.first", "ipc.each" };
	char err[256];

	if (!node_want_mapping(L, n, scope ? scope_names[scope] : depth ? "an any_of alternative" : "ipc"))
		return;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node_at(L, p->key), *v = node_at(L, p->value);
		const char *key = node_scalar(k);
		bool key_hot = false;

		if (!key)
			continue;
		if ((strcmp(key, "first") == 0 || strcmp(key, "each") == 0) && scope == IPC_SCOPE_TOTAL) {
			/* the same conditions, over one process's own calls */
			if (v)
				load_ipc(L, v, e, t, hot, depth,
					 key[0] == 'f' ? IPC_SCOPE_FIRST : IPC_SCOPE_EACH);
			continue;
		}
		if (strcmp(key, "any_of") == 0 && depth == 0 && scope == IPC_SCOPE_TOTAL) {
			if (!v || v->type != YAML_SEQUENCE_NODE) {
				node_problem(L, v, "'any_of' must be a list of mappings");
				continue;
			}
			size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);

			e->any_of = calloc(cnt ? cnt : 1, sizeof(*e->any_of));
			for (yaml_node_item_t *i = v->data.sequence.items.start;
			     e->any_of && i < v->data.sequence.items.top; i++)
				load_ipc(L, node_at(L, *i), &e->any_of[e->nany++], t, hot, depth + 1,
					 IPC_SCOPE_TOTAL);
			if (cnt == 0)
				node_problem(L, v, "'any_of' needs at least one alternative");
			continue;
		}
		if (!ipc_key_valid(key, &key_hot)) {
			node_problem(L, k, "unknown IPC group or call '%s' in %s (groups: fork, thread, exec, "
				"wait, kill, pipe, shm, sem, mq, socket, sleep, futex, io, hot; also processes, "
				"threads, sleep_ms, or a call name%s)", key,
				scope_names[scope], scope ? "" : "; scopes: first, each");
			continue;
		}
		if (key_hot && scope) {
			node_problem(L, k, "'%s' cannot be counted per process in %s (hot calls are counted "
				"for the whole run only)", key, scope_names[scope]);
			continue;
		}
		for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
			const char *other = node_scalar(node_at(L, q->key));

			if (other && strcmp(other, key) == 0)
				node_problem(L, k, "duplicate key '%s' in %s", key, scope_names[scope]);
		}
		const char *text = node_scalar(v);

		if (!text) {
			node_problem(L, v, "'%s' must be a count (e.g. 0) or a condition (e.g. \">= 2\")", key);
			continue;
		}
		struct ipc_cond c = { 0 };

		if (ipc_cond_parse(text, t->args, t->nargs, &c.op, &c.value, err, sizeof(err)) < 0) {
			node_problem(L, v, "ipc.%s: %s", key, err);
			continue;
		}
		struct ipc_cond *grown = realloc(e->conds, (e->nconds + 1) * sizeof(*grown));

		if (!grown)
			continue;
		e->conds = grown;
		c.key = strdup(key);
		c.text = strdup(text);
		c.hot = key_hot;
		c.scope = scope;
		e->conds[e->nconds++] = c;
		*hot |= key_hot;
	}
}

static void load_symbols(struct spec_loader *L, yaml_node_t *n, struct symbols_expect *e)
{
	static const char *const keys[] = { "requires", "forbids", "requires_any", NULL };
	yaml_node_t *v;

	if (!node_want_mapping(L, n, "symbols"))
		return;
	node_check_keys(L, n, keys, "symbols");
	if ((v = node_get(L, n, "requires")))
		node_string_list(L, v, "requires", &e->requires, &e->nrequires, false);
	if ((v = node_get(L, n, "forbids")))
		node_string_list(L, v, "forbids", &e->forbids, &e->nforbids, false);
	if ((v = node_get(L, n, "requires_any"))) {
		if (v->type != YAML_SEQUENCE_NODE) {
			node_problem(L, v, "'requires_any' must be a list of alternatives");
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
				strv_push(&names, &nn, node_scalar(alt));
			else
				node_string_list(L, alt, "requires_any alternative", &names, &nn, false);
			if (names)
				e->requires_any[e->nrequires_any++] = names;
		}
		if (cnt == 0)
			node_problem(L, v, "'requires_any' needs at least one alternative");
	}
}

static void load_checker(struct spec_loader *L, yaml_node_t *n, struct checker *c, bool *has)
{
	static const char *const keys[] = { "command", "timeout_ms", "on_stopped", NULL };
	char **words = NULL;
	size_t nwords = 0;
	yaml_node_t *cmd = n;

	c->timeout_ms = SPEC_CHECKER_TIMEOUT_MS;
	if (n->type == YAML_MAPPING_NODE) {
		yaml_node_t *v;

		node_check_keys(L, n, keys, "checker");
		if ((v = node_get(L, n, "timeout_ms")))
			node_uint(L, v, "timeout_ms", &c->timeout_ms, 100, 600000);
		if ((v = node_get(L, n, "on_stopped"))) {
			const char *s = node_plain(v) ? node_scalar(v) : NULL;

			if (s && strcmp(s, "partial") == 0)
				c->on_stopped = CHECKER_STOPPED_PARTIAL;
			else if (s && strcmp(s, "true") == 0)
				c->on_stopped = CHECKER_STOPPED_FEEDBACK;
			else if (!s || strcmp(s, "false") != 0)
				node_problem(L, v, "'on_stopped' must be true (the checker's feedback on a "
					     "stopped run), partial (its score counts too) or false");
		}
		cmd = node_get(L, n, "command");
		if (!cmd) {
			node_problem(L, n, "'checker' needs a 'command'");
			return;
		}
	}
	if (cmd->type == YAML_SCALAR_NODE) {
		/* One path: the checker program itself. */
		char *abs = node_spec_file(L, cmd, "checker", node_scalar(cmd));

		if (!abs)
			return;
		strv_push(&words, &nwords, abs);
		free(abs);
	} else if (node_string_list(L, cmd, "checker command", &words, &nwords, false)) {
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
			node_problem(L, cmd, "the checker command is empty");
	}
	c->argv = words;
	*has = words && nwords > 0;
}

/* expect.processes: {crashed: CONDITION, exit: STATUS}. */
static void load_processes(struct spec_loader *L, yaml_node_t *n, struct processes_expect *pe,
			   const struct test *t)
{
	static const char *const keys[] = { "crashed", "exit", NULL };
	yaml_node_t *v;
	char err[256];

	if (!node_want_mapping(L, n, "processes"))
		return;
	node_check_keys(L, n, keys, "processes");
	if ((v = node_get(L, n, "crashed"))) {
		const char *text = node_scalar(v);

		if (!text) {
			node_problem(L, v, "'crashed' must be a count (e.g. 0) or a condition (e.g. \"<= 1\")");
		} else if (ipc_cond_parse(text, t->args, t->nargs, &pe->crashed_op, &pe->crashed, err,
					  sizeof(err)) < 0) {
			node_problem(L, v, "processes.crashed: %s", err);
		} else if (pe->crashed < 0) {
			node_problem(L, v, "processes.crashed: a number of processes cannot be negative");
		} else {
			pe->has_crashed = true;
			pe->crashed_text = strdup(text);
		}
	}
	if ((v = node_get(L, n, "exit"))) {
		const char *s = node_scalar(v);
		char *end = NULL;
		long x = s && node_plain(v) && *s ? strtol(s, &end, 10) : -1;

		if (!end || *end || x < 0 || x > 255) {
			node_problem(L, v, "'processes.exit' must be a status 0..255 (every process exits with it)");
		} else {
			pe->has_exit = true;
			pe->exit = (int)x;
		}
	}
	if (!pe->has_crashed && !pe->has_exit && n->data.mapping.pairs.top == n->data.mapping.pairs.start)
		node_problem(L, n, "'processes' needs 'crashed', 'exit' or both");
}

/* none (the check) or any (no check) */
static void load_fds_rule(struct spec_loader *L, yaml_node_t *v, const char *what, bool *none)
{
	const char *s = node_plain(v) ? node_scalar(v) : NULL;

	if (s && strcmp(s, "none") == 0)
		*none = true;
	else if (!s || strcmp(s, "any") != 0)
		node_problem(L, v, "'fds.%s' must be none (no fd above 2 left open) or any", what);
}

static void load_fds(struct spec_loader *L, yaml_node_t *n, struct fds_expect *e, bool *has)
{
	static const char *const keys[] = { "open_at_exit", "pipes_open_at_exit", NULL };
	yaml_node_t *v;

	if (!node_want_mapping(L, n, "fds"))
		return;
	node_check_keys(L, n, keys, "fds");
	if (n->data.mapping.pairs.top == n->data.mapping.pairs.start)
		node_problem(L, n, "'fds' needs open_at_exit or pipes_open_at_exit");
	if ((v = node_get(L, n, "open_at_exit")))
		load_fds_rule(L, v, "open_at_exit", &e->open_none);
	if ((v = node_get(L, n, "pipes_open_at_exit")))
		load_fds_rule(L, v, "pipes_open_at_exit", &e->pipes_none);
	*has = true;
}

/* ---- the section ------------------------------------------------------------------ */

static void load_expect(struct spec_loader *L, yaml_node_t *n, struct test *t, struct expect *e,
			bool alternative)
{
	static const char *const keys[] = {
		"exit", "stdout", "stderr", "files", "checker", "ipc", "symbols", "cleanup", "processes",
		"fds", "any_of", NULL,
	};
	const char *what = alternative ? "an expect.any_of alternative" : "expect";
	yaml_node_t *v;

	if (!node_want_mapping(L, n, what))
		return;
	node_check_keys(L, n, keys, what);
	if ((v = node_get(L, n, "any_of"))) {
		size_t cnt = v->type == YAML_SEQUENCE_NODE
			? (size_t)(v->data.sequence.items.top - v->data.sequence.items.start) : 0;

		if (alternative)
			node_problem(L, v, "an any_of alternative cannot have an any_of of its own");
		else if (v->type != YAML_SEQUENCE_NODE || cnt < 2)
			node_problem(L, v, "'any_of' must be a list of at least two alternatives, each a "
				     "mapping of expectations (exit, stdout, files, checker, ...)");
		else if ((e->any_of = calloc(cnt, sizeof(*e->any_of))))
			for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top;
			     i++)
				load_expect(L, node_at(L, *i), t, &e->any_of[e->nany++], true);
		/* The exit status is the alternatives' to say, unless said here. */
		if (!node_get(L, n, "exit"))
			e->exit_any = true;
	}
	if ((v = node_get(L, n, "exit"))) {
		const char *s = node_scalar(v);
		char *end;

		if (node_plain(v) && s && strcmp(s, "any") == 0) {
			e->exit_any = true;
		} else if (node_plain(v) && s && *s) {
			long x = strtol(s, &end, 10);

			if (*end || x < 0 || x > 255)
				node_problem(L, v, "'exit' must be a status 0..255 or 'any'");
			else
				e->exit = (int)x;
		} else {
			node_problem(L, v, "'exit' must be a status 0..255 or 'any'");
		}
	}
	if ((v = node_get(L, n, "stdout")))
		load_matcher(L, v, &e->out, "stdout");
	if ((v = node_get(L, n, "stderr")))
		load_matcher(L, v, &e->err, "stderr");
	if ((v = node_get(L, n, "ipc"))) {
		e->has_ipc = true;
		load_ipc(L, v, &e->ipc, t, &t->needs_hot, 0, IPC_SCOPE_TOTAL);
		t->needs_trace = true;
	}
	if ((v = node_get(L, n, "symbols"))) {
		e->has_symbols = true;
		load_symbols(L, v, &e->symbols);
	}
	if ((v = node_get(L, n, "cleanup")))
		node_bool(L, v, "cleanup", &e->cleanup);
	if ((v = node_get(L, n, "processes"))) {
		/* How each process ended comes from the trace. */
		e->has_processes = true;
		load_processes(L, v, &e->processes, t);
		t->needs_trace = true;
	}
	if ((v = node_get(L, n, "fds")))
		load_fds(L, v, &e->fds, &e->has_fds);
	t->needs_fds |= e->has_fds;
	/* What is judged of the program rather than of one run. */
	if (alternative && (v = node_get(L, n, "symbols")))
		node_problem(L, v, "'symbols' judges the program, not a run: put it beside any_of");
	if (alternative && (v = node_get(L, n, "cleanup")))
		node_problem(L, v, "'cleanup' cannot differ between alternatives: put it beside any_of");
	if (alternative && (v = node_get(L, n, "processes")))
		node_problem(L, v, "'processes' cannot differ between alternatives: put it beside any_of");
	if ((v = node_get(L, n, "files")) && node_want_mapping(L, v, "files")) {
		size_t cnt = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);

		e->files = calloc(cnt ? cnt : 1, sizeof(*e->files));
		for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
		     e->files && p < v->data.mapping.pairs.top; p++) {
			yaml_node_t *k = node_at(L, p->key);
			const char *name = node_scalar(k);

			if (!name || !*name || strchr(name, '/') || strcmp(name, "..") == 0 ||
			    strcmp(name, ".") == 0) {
				node_problem(L, k, "a file in 'files' must be a plain file name");
				continue;
			}
			struct file_expect *fe = &e->files[e->nfiles++];

			fe->name = strdup(name);
			load_matcher(L, node_at(L, p->value), &fe->m, name);
		}
	}
	if ((v = node_get(L, n, "checker")))
		load_checker(L, v, &e->checker, &e->has_checker);
}

void spec_load_expect(struct spec_loader *L, yaml_node_t *n, struct test *t)
{
	load_expect(L, n, t, &t->expect, false);
}
