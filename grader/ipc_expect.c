/*
 * ipc_expect.c - conditions on the traced IPC calls (expect.ipc).
 *
 * A condition is "OP EXPR" or a bare number. EXPR is integer arithmetic
 * over numbers and the test's arguments (args[0] + args[1]); it is
 * evaluated when the spec is loaded, since a test's arguments are fixed.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_expect.h"
#include "str.h"

/* The call names a spec may count on their own are the harness's
 * (hx_group_calls): a call is hot when a hot group counts it. */
static bool call_known(const char *key, bool *hot)
{
	bool found = false;

	*hot = false;
	for (int g = 0; g < HX_GROUP_COUNT; g++)
		for (const char *const *c = hx_group_calls((enum hx_group)g); c && *c; c++)
			if (strcmp(*c, key) == 0) {
				found = true;
				*hot |= hx_group_is_hot((enum hx_group)g);
			}
	return found;
}

bool ipc_key_valid(const char *key, bool *hot)
{
	int g = hx_group_from_name(key);

	*hot = false;
	if (g >= 0) {
		*hot = hx_group_is_hot((enum hx_group)g);
		return true;
	}
	if (strcmp(key, "processes") == 0 || strcmp(key, "threads") == 0 || strcmp(key, "sleep_ms") == 0)
		return true;
	return call_known(key, hot);
}

const char *ipc_op_text(enum ipc_op op)
{
	switch (op) {
	case IPC_OP_EQ: return "==";
	case IPC_OP_NE: return "!=";
	case IPC_OP_GE: return ">=";
	case IPC_OP_LE: return "<=";
	case IPC_OP_GT: return ">";
	case IPC_OP_LT: return "<";
	}
	return "==";
}

bool ipc_op_holds(enum ipc_op op, long long seen, long long want)
{
	switch (op) {
	case IPC_OP_EQ: return seen == want;
	case IPC_OP_NE: return seen != want;
	case IPC_OP_GE: return seen >= want;
	case IPC_OP_LE: return seen <= want;
	case IPC_OP_GT: return seen > want;
	case IPC_OP_LT: return seen < want;
	}
	return false;
}

/* ---- a tiny expression parser ------------------------------------------- */

struct parser {
	const char *p;
	char *const *args;
	size_t nargs;
	char *err;
	size_t errlen;
	bool failed;
};

static void fail(struct parser *P, const char *msg)
{
	if (!P->failed)
		snprintf(P->err, P->errlen, "%s", msg);
	P->failed = true;
}

static void skip(struct parser *P)
{
	while (isspace((unsigned char)*P->p))
		P->p++;
}

static long long expr(struct parser *P, int depth);

static long long factor(struct parser *P, int depth)
{
	skip(P);
	if (depth > 32) {
		fail(P, "the expression is nested too deeply");
		return 0;
	}
	if (*P->p == '(') {
		P->p++;
		long long v = expr(P, depth + 1);

		skip(P);
		if (*P->p != ')')
			fail(P, "missing ')'");
		else
			P->p++;
		return v;
	}
	if (*P->p == '-') {
		P->p++;
		return -factor(P, depth + 1);
	}
	if (isdigit((unsigned char)*P->p)) {
		char *end;

		errno = 0;
		long long v = strtoll(P->p, &end, 10);

		if (errno) {
			fail(P, "number too large");
			return 0;
		}
		P->p = end;
		return v;
	}
	if (strncmp(P->p, "args[", 5) == 0) {
		char *end;
		long i = strtol(P->p + 5, &end, 10);

		if (end == P->p + 5 || *end != ']') {
			fail(P, "write an argument as args[N]");
			return 0;
		}
		P->p = end + 1;
		if (i < 0 || (size_t)i >= P->nargs) {
			char msg[96];

			snprintf(msg, sizeof(msg), "args[%ld] does not exist: the test has %zu argument%s",
				 i, P->nargs, P->nargs == 1 ? "" : "s");
			fail(P, msg);
			return 0;
		}
		errno = 0;
		long long v = strtoll(P->args[i], &end, 10);

		if (errno || end == P->args[i] || *end) {
			char msg[160];

			snprintf(msg, sizeof(msg), "args[%ld] is '%.60s', not a number", i, P->args[i]);
			fail(P, msg);
			return 0;
		}
		return v;
	}
	fail(P, "expected a number or args[N]");
	return 0;
}

static long long term(struct parser *P, int depth)
{
	long long v = factor(P, depth);

	for (;;) {
		skip(P);
		char op = *P->p;

		if (op != '*' && op != '/')
			return v;
		P->p++;
		long long r = factor(P, depth);

		if (op == '*') {
			if (__builtin_mul_overflow(v, r, &v))
				fail(P, "the expression overflows");
		} else if (r == 0) {
			fail(P, "division by zero");
		} else {
			v /= r;
		}
	}
}

static long long expr(struct parser *P, int depth)
{
	long long v = term(P, depth);

	for (;;) {
		skip(P);
		char op = *P->p;

		if (op != '+' && op != '-')
			return v;
		P->p++;
		long long r = term(P, depth);

		if (op == '+' ? __builtin_add_overflow(v, r, &v) : __builtin_sub_overflow(v, r, &v))
			fail(P, "the expression overflows");
	}
}

int ipc_cond_parse(const char *text, char *const *args, size_t nargs, enum ipc_op *op,
		   long long *value, char *err, size_t errlen)
{
	struct parser P = { .p = text, .args = args, .nargs = nargs, .err = err, .errlen = errlen };
	static const struct { const char *s; enum ipc_op op; } ops[] = {
		{ "==", IPC_OP_EQ }, { "!=", IPC_OP_NE }, { ">=", IPC_OP_GE }, { "<=", IPC_OP_LE },
		{ ">", IPC_OP_GT }, { "<", IPC_OP_LT }, { "=", IPC_OP_EQ },
	};

	skip(&P);
	*op = IPC_OP_EQ;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t l = strlen(ops[i].s);

		if (strncmp(P.p, ops[i].s, l) == 0) {
			*op = ops[i].op;
			P.p += l;
			break;
		}
	}
	*value = expr(&P, 0);
	skip(&P);
	if (!P.failed && *P.p)
		fail(&P, "unexpected text after the condition (write e.g. \">= 2\" or \"== args[0] + 1\")");
	return P.failed ? -EINVAL : 0;
}

/* ---- checking ---------------------------------------------------------------- */

long long ipc_count(const struct hx_result *res, const char *key)
{
	int g = hx_group_from_name(key);
	long long n = 0;

	if (g >= 0)
		return res->ipc[g];
	if (strcmp(key, "processes") == 0)
		return res->processes;
	if (strcmp(key, "threads") == 0)
		return res->threads;
	if (strcmp(key, "sleep_ms") == 0)
		return (long long)(res->sleep_requested_us / 1000);
	/* Exact per-call counts, whatever the events cap kept. */
	if (res->calls) {
		for (size_t i = 0; i < res->ncalls; i++)
			if (strcmp(res->calls[i].call, key) == 0)
				return res->calls[i].count;
		return 0;
	}
	for (size_t i = 0; i < res->nevents; i++)
		if (strcmp(res->events[i].call, key) == 0)
			n++;
	return n;
}

static bool event_matches(const struct hx_event *e, const char *key)
{
	int g = hx_group_from_name(key);

	/* The hot group counts futex and io calls too. */
	if (g == HX_GROUP_HOT)
		return hx_group_is_hot(e->group);
	if (g >= 0)
		return (int)e->group == g;
	if (strcmp(key, "processes") == 0)
		return e->group == HX_GROUP_FORK;
	if (strcmp(key, "threads") == 0)
		return e->group == HX_GROUP_THREAD;
	return strcmp(e->call, key) == 0;
}

long long ipc_count_of(const struct hx_result *res, const char *key, int pid)
{
	long long n = 0;

	for (size_t i = 0; i < res->nevents; i++)
		if (res->events[i].pid == pid && event_matches(&res->events[i], key))
			n++;
	return n;
}

static void describe_want(char *buf, size_t size, const struct ipc_cond *c)
{
	const char *what = c->key;

	switch (c->op) {
	case IPC_OP_EQ:
		if (c->value == 0)
			snprintf(buf, size, "no %s", what);
		else
			snprintf(buf, size, "exactly %lld %s", c->value, what);
		break;
	case IPC_OP_NE: snprintf(buf, size, "a %s count other than %lld", what, c->value); break;
	case IPC_OP_GE: snprintf(buf, size, "at least %lld %s", c->value, what); break;
	case IPC_OP_LE: snprintf(buf, size, "at most %lld %s", c->value, what); break;
	case IPC_OP_GT: snprintf(buf, size, "more than %lld %s", c->value, what); break;
	case IPC_OP_LT: snprintf(buf, size, "fewer than %lld %s", c->value, what); break;
	}
}

/* The most of an event's arguments a message quotes. */
#define DETAIL_MAX 80

/* "(detail)", cut when long at a flag or argument boundary (never
 * inside a name: "CLONE_THRE" says nothing) and marked with "...". */
static void print_detail(FILE *f, const char *detail)
{
	size_t len = strlen(detail), cut = len;

	if (len > DETAIL_MAX) {
		cut = DETAIL_MAX;
		while (cut > 0 && !strchr("|, ", detail[cut]))
			cut--;
		if (cut == 0)
			cut = DETAIL_MAX;
	}
	fprintf(f, "(%.*s%s)", (int)cut, detail, cut < len ? "|..." : "");
}

/* "expected at least 3 fork, saw 1 (pid 1 fork -> pid 2 at +0.3 ms)";
 * pid > 0: of that process only ("the first process: ...", "pid 3: ..."). */
static void explain(FILE *f, const struct ipc_cond *c, long long seen, const struct hx_result *res,
		    int pid)
{
	char want[160];
	int shown = 0;

	describe_want(want, sizeof(want), c);
	if (c->scope == IPC_SCOPE_FIRST)
		fprintf(f, "the first process itself: ");
	else if (c->scope == IPC_SCOPE_EACH)
		fprintf(f, "each process (pid %d): ", pid);
	fprintf(f, "expected %s, saw %lld", want, seen);
	for (size_t i = 0; i < res->nevents && shown < 3; i++) {
		const struct hx_event *e = &res->events[i];

		if (!event_matches(e, c->key) || (pid > 0 && e->pid != pid))
			continue;
		fprintf(f, "%spid %d %s", shown ? "; " : " (", e->pid, e->call);
		if (e->child)
			fprintf(f, " -> pid %d", e->child);
		else if (e->detail && *e->detail && e->group != HX_GROUP_THREAD)
			print_detail(f, e->detail);
		fprintf(f, " at +%.1f ms", (double)e->t_us / 1000.0);
		shown++;
	}
	if (shown)
		fprintf(f, "%s)", seen > shown ? "; ..." : "");
}

static bool check_all(const struct ipc_expect *e, const struct hx_result *res, FILE *f)
{
	bool ok = true;

	for (size_t i = 0; i < e->nconds; i++) {
		const struct ipc_cond *c = &e->conds[i];
		/* the pids it counts: 0 for the whole run */
		int from = c->scope == IPC_SCOPE_TOTAL ? 0 : 1;
		int to = c->scope == IPC_SCOPE_EACH ? (int)res->processes : from;

		for (int pid = from; pid <= to; pid++) {
			long long seen = pid ? ipc_count_of(res, c->key, pid) : ipc_count(res, c->key);

			if (ipc_op_holds(c->op, seen, c->value))
				continue;
			if (f) {
				if (!ok)
					fprintf(f, "; ");
				explain(f, c, seen, res, pid);
			}
			ok = false;
			break;	/* one process said is enough */
		}
	}
	return ok;
}

bool ipc_check(const struct ipc_expect *e, const struct hx_result *res, char **msg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool ok = check_all(e, res, f);

	if (e->nany) {
		bool any = false;

		for (size_t i = 0; i < e->nany && !any; i++)
			any = check_all(&e->any_of[i], res, NULL);
		if (!any && f) {
			if (!ok)
				fprintf(f, "; ");
			fprintf(f, "expected one of: ");
			for (size_t i = 0; i < e->nany; i++) {
				const struct ipc_expect *alt = &e->any_of[i];

				fprintf(f, "%s", i ? " or " : "");
				for (size_t j = 0; j < alt->nconds; j++) {
					char want[160];

					describe_want(want, sizeof(want), &alt->conds[j]);
					fprintf(f, "%s%s", j ? " and " : "", want);
				}
			}
			fprintf(f, "; saw ");
			for (size_t i = 0; i < e->nany; i++)
				for (size_t j = 0; j < e->any_of[i].nconds; j++)
					fprintf(f, "%s%lld %s", i + j ? ", " : "",
						ipc_count(res, e->any_of[i].conds[j].key),
						e->any_of[i].conds[j].key);
		}
		ok = ok && any;
	}
	return str_check_result(f, &buf, ok, msg);
}

void ipc_expect_release(struct ipc_expect *e)
{
	for (size_t i = 0; i < e->nconds; i++) {
		free(e->conds[i].key);
		free(e->conds[i].text);
	}
	free(e->conds);
	for (size_t i = 0; i < e->nany; i++)
		ipc_expect_release(&e->any_of[i]);
	free(e->any_of);
	memset(e, 0, sizeof(*e));
}
