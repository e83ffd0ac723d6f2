/*
 * test_ipc_expect.c - IPC conditions: parsing with the test's arguments,
 * counting, and the messages a student reads.
 */
#include "testutil.h"
#include "grader.h"

static void parse_ok(const char *text, char *const *args, size_t nargs, enum ipc_op op, long long v)
{
	enum ipc_op got_op;
	long long got = -1;
	char err[256] = "";

	if (ipc_cond_parse(text, args, nargs, &got_op, &got, err, sizeof(err)) != 0)
		fprintf(stderr, "'%s': %s\n", text, err);
	assert_int_equal(got_op, op);
	assert_int_equal(got, v);
}

static void parse_bad(const char *text, char *const *args, size_t nargs, const char *msg)
{
	enum ipc_op op;
	long long v;
	char err[256] = "";

	assert_int_equal(ipc_cond_parse(text, args, nargs, &op, &v, err, sizeof(err)), -EINVAL);
	if (!strstr(err, msg))
		fprintf(stderr, "'%s': got '%s', wanted '%s'\n", text, err, msg);
	assert_non_null(strstr(err, msg));
}

static void test_ipc_cond_parses_operators_and_args(void **state)
{
	(void)state;
	char *args[] = { "3", "10", "x", NULL };

	parse_ok("0", args, 3, IPC_OP_EQ, 0);
	parse_ok(">= 3", args, 3, IPC_OP_GE, 3);
	parse_ok("<=5", args, 3, IPC_OP_LE, 5);
	parse_ok("> 1", args, 3, IPC_OP_GT, 1);
	parse_ok("< 2", args, 3, IPC_OP_LT, 2);
	parse_ok("!= 4", args, 3, IPC_OP_NE, 4);
	parse_ok("== args[0] + args[1]", args, 3, IPC_OP_EQ, 13);
	parse_ok(">= 2 * (args[0] - 1)", args, 3, IPC_OP_GE, 4);
	parse_ok("== args[1] / 3", args, 3, IPC_OP_EQ, 3);
	parse_ok("= -1 + 2", args, 3, IPC_OP_EQ, 1);
	parse_bad("== args[2]", args, 3, "args[2] is 'x', not a number");
	parse_bad("== args[3]", args, 3, "args[3] does not exist");
	parse_bad(">= ", args, 3, "expected a number");
	parse_bad("== 1 / 0", args, 3, "division by zero");
	parse_bad("== 9223372036854775807 * 2", args, 3, "overflows");
	parse_bad("== (1", args, 3, "missing ')'");
	parse_bad("3 4", args, 3, "unexpected text");
	parse_bad("== args[x]", args, 3, "args[N]");
}

static void test_ipc_keys(void **state)
{
	(void)state;
	bool hot;

	assert_true(ipc_key_valid("fork", &hot) && !hot);
	assert_true(ipc_key_valid("processes", &hot) && !hot);
	assert_true(ipc_key_valid("shm_open", &hot) && !hot);
	assert_true(ipc_key_valid("futex", &hot) && hot);
	assert_true(ipc_key_valid("semop", &hot) && hot);
	assert_false(ipc_key_valid("forks", &hot));
	/* the harness's table: new calls and groups come with it */
	assert_true(ipc_key_valid("mq_notify", &hot) && !hot);
	assert_true(ipc_key_valid("clock_nanosleep", &hot) && !hot);
	assert_true(ipc_key_valid("sleep", &hot) && !hot);
	assert_true(ipc_key_valid("sleep_ms", &hot) && !hot);
	assert_true(ipc_key_valid("hot", &hot) && hot);
	assert_true(ipc_key_valid("io", &hot) && hot);
	assert_true(ipc_key_valid("msgrcv", &hot) && hot);
	assert_false(ipc_key_valid("sleeps", &hot));
}

/* Calls are counted from the exact per-call counts, not the events kept. */
static void test_ipc_count_uses_exact_call_counts(void **state)
{
	(void)state;
	struct hx_result res = { 0 };
	struct hx_call_count calls[] = { { "semop", 150000 }, { "wait4", 3 } };
	struct hx_event ev[1] = { { .pid = 1, .call = "wait4", .group = HX_GROUP_WAIT, .detail = "" } };

	res.events = ev;
	res.nevents = 1;
	res.events_truncated = true;
	res.calls = calls;
	res.ncalls = 2;
	res.sleep_requested_us = 250999;
	assert_int_equal(ipc_count(&res, "semop"), 150000);
	assert_int_equal(ipc_count(&res, "wait4"), 3);
	assert_int_equal(ipc_count(&res, "fork"), 0);
	assert_int_equal(ipc_count(&res, "sleep_ms"), 250);
}

static void test_ipc_check_messages_name_what_and_where(void **state)
{
	(void)state;
	struct hx_result res = { 0 };
	struct hx_event ev[2] = {
		{ .t_us = 300, .pid = 1, .call = "fork", .group = HX_GROUP_FORK, .detail = "", .child = 2 },
		{ .t_us = 900, .pid = 2, .call = "pthread_create", .group = HX_GROUP_THREAD, .detail = "" },
	};
	struct ipc_cond conds[] = {
		{ .key = "fork", .op = IPC_OP_GE, .value = 3 },
		{ .key = "thread", .op = IPC_OP_EQ, .value = 0 },
	};
	struct ipc_expect e = { .conds = conds, .nconds = 2 };
	char *msg = NULL;

	res.events = ev;
	res.nevents = 2;
	res.ipc[HX_GROUP_FORK] = 1;
	res.ipc[HX_GROUP_THREAD] = 1;
	res.processes = 2;
	res.threads = 1;
	assert_false(ipc_check(&e, &res, &msg));
	assert_non_null(strstr(msg, "expected at least 3 fork, saw 1 (pid 1 fork -> pid 2 at +0.3 ms)"));
	assert_non_null(strstr(msg, "expected no thread, saw 1 (pid 2 pthread_create"));
	free(msg);

	struct ipc_cond shm = { .key = "shm", .op = IPC_OP_GE, .value = 1 };
	struct ipc_cond procs = { .key = "processes", .op = IPC_OP_EQ, .value = 2 };
	struct ipc_expect alts[2] = { { .conds = &shm, .nconds = 1 }, { .conds = &procs, .nconds = 1 } };
	struct ipc_expect any = { .any_of = alts, .nany = 2 };

	assert_true(ipc_check(&any, &res, &msg));	/* processes == 2 holds */
	assert_null(msg);
	procs.value = 5;
	assert_false(ipc_check(&any, &res, &msg));
	assert_non_null(strstr(msg, "expected one of: at least 1 shm or exactly 5 processes"));
	free(msg);
	assert_int_equal(ipc_count(&res, "pthread_create"), 1);
	assert_int_equal(ipc_count(&res, "processes"), 2);
}

static void test_ipc_scopes_first_and_each(void **state)
{
	(void)state;
	struct hx_result res = { 0 };
	/* pid 1 forks 2, and 2 forks a helper 3; 3 starts a thread */
	struct hx_event ev[] = {
		{ .t_us = 100, .pid = 1, .call = "fork", .group = HX_GROUP_FORK, .detail = "", .child = 2 },
		{ .t_us = 200, .pid = 2, .call = "fork", .group = HX_GROUP_FORK, .detail = "", .child = 3 },
		{ .t_us = 300, .pid = 3, .call = "pthread_create", .group = HX_GROUP_THREAD, .detail = "" },
		{ .t_us = 400, .pid = 1, .call = "wait4", .group = HX_GROUP_WAIT, .detail = "" },
	};
	struct ipc_cond total = { .key = "fork", .op = IPC_OP_EQ, .value = 2 };
	struct ipc_cond first = { .key = "fork", .op = IPC_OP_EQ, .value = 2, .scope = IPC_SCOPE_FIRST };
	struct ipc_cond each = { .key = "thread", .op = IPC_OP_EQ, .value = 0, .scope = IPC_SCOPE_EACH };
	struct ipc_cond wait1 = { .key = "wait", .op = IPC_OP_GE, .value = 1, .scope = IPC_SCOPE_FIRST };
	char *msg = NULL;

	res.events = ev;
	res.nevents = 4;
	res.ipc[HX_GROUP_FORK] = 2;
	res.ipc[HX_GROUP_THREAD] = 1;
	res.ipc[HX_GROUP_WAIT] = 1;
	res.processes = 3;
	res.threads = 1;
	assert_int_equal(ipc_count_of(&res, "fork", 1), 1);
	assert_int_equal(ipc_count_of(&res, "fork", 2), 1);
	assert_int_equal(ipc_count_of(&res, "thread", 3), 1);
	assert_true(ipc_check(&(struct ipc_expect){ .conds = &total, .nconds = 1 }, &res, &msg));
	assert_true(ipc_check(&(struct ipc_expect){ .conds = &wait1, .nconds = 1 }, &res, &msg));
	/* the total holds, but the first process forked only one of them */
	assert_false(ipc_check(&(struct ipc_expect){ .conds = &first, .nconds = 1 }, &res, &msg));
	assert_non_null(strstr(msg, "the first process itself: expected exactly 2 fork, saw 1 "
			       "(pid 1 fork -> pid 2 at +0.1 ms)"));
	free(msg);
	assert_false(ipc_check(&(struct ipc_expect){ .conds = &each, .nconds = 1 }, &res, &msg));
	assert_non_null(strstr(msg, "each process (pid 3): expected no thread, saw 1 (pid 3 pthread_create"));
	free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipc_cond_parses_operators_and_args),
		cmocka_unit_test(test_ipc_keys),
		cmocka_unit_test(test_ipc_count_uses_exact_call_counts),
		cmocka_unit_test(test_ipc_check_messages_name_what_and_where),
		cmocka_unit_test(test_ipc_scopes_first_and_each),
	};

	return cmocka_run_group_tests_name("ipc_expect", tests, NULL, NULL);
}
