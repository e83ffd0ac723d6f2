/*
 * ipc_expect.h - conditions on the traced IPC calls (a test's expect.ipc).
 *
 * A condition is "OP EXPR" or a bare number, e.g. ">= args[0] + 1"; it
 * is evaluated when the spec is loaded (a test's arguments are fixed)
 * and checked against a run's counts (struct hx_result).
 */
#ifndef IPCGRADE_IPC_EXPECT_H
#define IPCGRADE_IPC_EXPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "harness.h"

enum ipc_op { IPC_OP_EQ, IPC_OP_NE, IPC_OP_GE, IPC_OP_LE, IPC_OP_GT, IPC_OP_LT };

/* Whose calls a condition counts: the whole run's, the first process's
 * own (box pid 1: ipc.first), or each process's own (ipc.each). */
enum ipc_scope { IPC_SCOPE_TOTAL = 0, IPC_SCOPE_FIRST, IPC_SCOPE_EACH };

struct ipc_cond {
	char *key;		/* a group, "processes", "threads", or a call name */
	enum ipc_op op;
	long long value;	/* evaluated with the test's args at load time */
	char *text;		/* as written, e.g. ">= args[0] + 1" */
	bool hot;		/* needs hot-call tracing */
	enum ipc_scope scope;
};

/* Every condition must hold, and one alternative of any_of if there are
 * any. Owns its conditions and alternatives (ipc_expect_release). */
struct ipc_expect {
	struct ipc_cond *conds;
	size_t nconds;
	struct ipc_expect *any_of;	/* alternatives, at least one must pass */
	size_t nany;
};

/* "==", ">=", ...; never NULL. */
const char *ipc_op_text(enum ipc_op op);
/* Whether "seen OP want" holds. */
bool ipc_op_holds(enum ipc_op op, long long seen, long long want);
/* Parse "OP EXPR" (or a bare integer) with args[] known. Returns 0, or
 * -EINVAL with err saying what is wrong ("args[2] does not exist: the
 * test has 1 argument"). */
int ipc_cond_parse(const char *text, char *const *args, size_t nargs, enum ipc_op *op,
		   long long *value, char *err, size_t errlen);
/* Whether key is a known group, "processes", "threads", or call name;
 * *hot tells whether counting it needs hot-call tracing. */
bool ipc_key_valid(const char *key, bool *hot);
/* How many events of this key the run made. */
long long ipc_count(const struct hx_result *res, const char *key);
/* How many of them box pid `pid` made itself (its recorded events). */
long long ipc_count_of(const struct hx_result *res, const char *key, int pid);
/* Whether e holds for the run. On failure *msg (may be NULL) is a
 * malloc'd message saying what was required, seen and where (NULL when
 * out of memory); on success *msg is NULL. */
bool ipc_check(const struct ipc_expect *e, const struct hx_result *res, char **msg);
/* Free what *e owns; accepts a zeroed expectation. */
void ipc_expect_release(struct ipc_expect *e);

#endif
