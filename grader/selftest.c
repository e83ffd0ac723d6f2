/*
 * selftest.c - what `ipcgrade selftest` checks (see selftest.h): the
 * faulty/EXPECTED file, and a graded submission against it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "file.h"
#include "reasons.h"
#include "selftest.h"

#define EXPECTED_MAX_BYTES ((size_t)1 << 20)

/* A reason of EXPECTED, or alternatives "stdout|deadlock" (a race that
 * shows as a wrong total in one run and a lost wake-up in another), as
 * reason bits; 0 when a name is unknown. */
static unsigned alternatives(const char *names)
{
	unsigned mask = 0;
	char one[64];

	for (const char *p = names; *p;) {
		size_t n = strcspn(p, "|");
		int r;

		if (n == 0 || n >= sizeof(one))
			return 0;
		memcpy(one, p, n);
		one[n] = '\0';
		r = reason_from_name(one);
		if (r < 0)
			return 0;
		mask |= REASON_BIT(r);
		p += n;
		if (*p == '|')
			p++;
	}
	return mask;
}

static const char *scalar(yaml_document_t *doc, int id)
{
	yaml_node_t *n = yaml_document_get_node(doc, id);

	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* faulty/EXPECTED: NAME: {mistake, fails: {TEST: REASON}, message}. */
int selftest_load_expected(const char *path, struct expected **out, size_t *nout, FILE *err)
{
	size_t len = 0;
	char *data = NULL;
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc = file_read_all(path, EXPECTED_MAX_BYTES, &data, &len);

	*out = NULL;
	*nout = 0;
	if (rc < 0) {
		fprintf(err, "%s: cannot read: %s\n", path, strerror(-rc));
		return rc;
	}
	rc = -EINVAL;
	if (!yaml_parser_initialize(&parser)) {
		fprintf(err, "%s: cannot initialise the YAML parser\n", path);
		free(data);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(&parser, &doc)) {
		fprintf(err, "%s:%zu:%zu: YAML syntax error: %s\n", path, parser.problem_mark.line + 1,
			parser.problem_mark.column + 1, parser.problem ? parser.problem : "?");
		yaml_parser_delete(&parser);
		free(data);
		return -EINVAL;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);

	if (!root || root->type != YAML_MAPPING_NODE) {
		fprintf(err, "%s: must map each faulty folder to what must happen\n", path);
		goto out;
	}
	rc = 0;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *v = yaml_document_get_node(&doc, p->value);
		struct expected *e;
		struct expected *g = realloc(*out, (*nout + 1) * sizeof(*g));

		if (!g)
			break;
		*out = g;
		e = &g[(*nout)++];
		memset(e, 0, sizeof(*e));
		e->name = strdup(scalar(&doc, p->key) ? scalar(&doc, p->key) : "?");
		if (!v || v->type != YAML_MAPPING_NODE) {
			fprintf(err, "%s:%zu: '%s' must be a mapping\n", path, v ? v->start_mark.line + 1 : 0,
				e->name);
			rc = -EINVAL;
			continue;
		}
		for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
			const char *k = scalar(&doc, q->key);
			yaml_node_t *val = yaml_document_get_node(&doc, q->value);

			if (!k)
				continue;
			if (strcmp(k, "mistake") == 0 && scalar(&doc, q->value)) {
				e->mistake = strdup(scalar(&doc, q->value));
			} else if (strcmp(k, "message") == 0 && scalar(&doc, q->value)) {
				e->message = strdup(scalar(&doc, q->value));
			} else if (strcmp(k, "fails") == 0 && val && val->type == YAML_MAPPING_NODE) {
				for (yaml_node_pair_t *f = val->data.mapping.pairs.start;
				     f < val->data.mapping.pairs.top; f++) {
					const char *t = scalar(&doc, f->key), *r = scalar(&doc, f->value);

					if (!t || !r) {
						fprintf(err, "%s: under '%s', fails must map test names to reasons\n",
							path, e->name);
						rc = -EINVAL;
						continue;
					}
					struct expected_fail *fg = realloc(e->fails, (e->nfails + 1) * sizeof(*fg));

					if (!fg)
						continue;
					e->fails = fg;
					if (alternatives(r) == 0) {
						fprintf(err, "%s:%zu: unknown reason '%s' for test '%s'\n", path,
							yaml_document_get_node(&doc, f->value)->start_mark.line + 1, r, t);
						rc = -EINVAL;
					}
					e->fails[e->nfails].test = strdup(t);
					e->fails[e->nfails].reason = strdup(r);
					e->nfails++;
				}
			} else {
				fprintf(err, "%s:%zu: unknown or malformed key '%s' under '%s'\n", path,
					q->key ? yaml_document_get_node(&doc, q->key)->start_mark.line + 1 : 0,
					k, e->name);
				rc = -EINVAL;
			}
		}
	}
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	free(data);
	return rc;
}

void selftest_free_expected(struct expected *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].name);
		free(e[i].mistake);
		free(e[i].message);
		for (size_t j = 0; j < e[i].nfails; j++) {
			free(e[i].fails[j].test);
			free(e[i].fails[j].reason);
		}
		free(e[i].fails);
	}
	free(e);
}

static bool contains_ci(const char *hay, const char *needle)
{
	return hay && needle && strcasestr(hay, needle) != NULL;
}


char *selftest_feedback(const struct grade_report *rep)
{
	char *feedback = NULL;
	size_t flen = 0;
	FILE *fb = open_memstream(&feedback, &flen);

	if (!fb)
		return NULL;
	fprintf(fb, "%s\n%s\n%s\n", rep->problem ? rep->problem : "",
		rep->build.problem ? rep->build.problem : "", rep->build.log ? rep->build.log : "");
	for (size_t i = 0; i < rep->ntests; i++) {
		const struct test_outcome *to = &rep->tests[i];

		for (size_t r = 0; r < to->nruns; r++)
			fprintf(fb, "%s\n%s\n", to->runs[r].message ? to->runs[r].message : "",
				to->runs[r].diff ? to->runs[r].diff : "");
		if (!to->passed && to->test->hint)
			fprintf(fb, "%s\n", to->test->hint);
	}
	fclose(fb);
	return feedback;
}

/* The solution: every test passes, and it builds. */
static bool compare_solution(const struct grade_report *rep, FILE *p)
{
	bool ok = true;

	for (size_t i = 0; i < rep->ntests; i++) {
		const struct test_outcome *to = &rep->tests[i];

		if (to->passed)
			continue;
		ok = false;
		fprintf(p, "    the solution fails '%s':", to->test->name);
		reason_print(p, to->reasons, " ", " ");
		if (to->first_failed >= 0 && to->runs[to->first_failed].message)
			fprintf(p, "\n      %s", to->runs[to->first_failed].message);
		fprintf(p, "\n");
	}
	if (!rep->build.ok) {
		ok = false;
		fprintf(p, "    the solution does not build: %s\n%s\n", rep->build.problem ? rep->build.problem : "",
			rep->build.log ? rep->build.log : "");
	}
	return ok;
}

/* A faulty submission: exactly the tests EXPECTED names fail, each for
 * its reason (among others), and the feedback mentions the message. */
static bool compare_faulty(const struct grade_report *rep, const struct expected *exp,
			   const char *feedback, FILE *p)
{
	bool ok = true;

	for (size_t i = 0; i < rep->ntests; i++) {
		const struct test_outcome *to = &rep->tests[i];
		const struct expected_fail *want = NULL;

		for (size_t k = 0; k < exp->nfails; k++)
			if (strcmp(exp->fails[k].test, to->test->name) == 0)
				want = &exp->fails[k];
		if (!want && !to->passed) {
			ok = false;
			fprintf(p, "    '%s' should pass but fails:", to->test->name);
			reason_print(p, to->reasons, " ", " ");
			fprintf(p, "\n");
		} else if (want && to->passed) {
			ok = false;
			fprintf(p, "    '%s' should fail (%s) but passes\n", to->test->name, want->reason);
		} else if (want) {
			unsigned m = alternatives(want->reason);

			if (!m || !(to->reasons & m)) {
				ok = false;
				fprintf(p, "    '%s' fails, but not for '%s':", to->test->name, want->reason);
				reason_print(p, to->reasons, " ", " ");
				fprintf(p, "\n");
			}
		}
	}
	for (size_t k = 0; k < exp->nfails; k++) {
		bool found = false;

		for (size_t i = 0; i < rep->ntests; i++)
			found |= strcmp(rep->tests[i].test->name, exp->fails[k].test) == 0;
		if (!found) {
			ok = false;
			fprintf(p, "    EXPECTED names a test '%s' the spec does not have\n",
				exp->fails[k].test);
		}
	}
	if (exp->message && !contains_ci(feedback, exp->message)) {
		ok = false;
		fprintf(p, "    the feedback does not mention '%s'\n", exp->message);
	}
	return ok;
}

bool selftest_compare(const struct grade_report *rep, const struct expected *exp, FILE *problems)
{
	char *feedback = exp ? selftest_feedback(rep) : NULL;
	bool ok = exp ? compare_faulty(rep, exp, feedback, problems) : compare_solution(rep, problems);

	free(feedback);
	return ok;
}
