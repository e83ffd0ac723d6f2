/*
 * test_processes.c - expect.processes and the sentences that name
 * crashed children, graded in both isolation modes.
 * Fixture: tests/fixtures/processes/ (spec.yaml, sub/workers.c).
 */
#include "testutil.h"

#define SPEC "tests/fixtures/processes/spec.yaml"

static void expect_message(json_t *t, const char *words)
{
	const char *m = tu_str(t, "message");

	if (!m || !strstr(m, words))
		fail_msg("%s: message '%s' lacks '%s'", tu_str(t, "name"), m ? m : "(none)", words);
}

static void grade(const char *mode)
{
	const char *argv[] = { tu_ipcgrade(), "check", "--all", "--json", "--isolation", mode,
			       "--spec", SPEC, "tests/fixtures/processes/sub", NULL };
	struct proc_out r = tu_run(argv, NULL, 120000);
	json_t *j = json_loads(r.out, 0, NULL), *t;

	if (!j)
		fprintf(stderr, "status %d\n%s\n%s\n", r.status, r.out, r.err);
	assert_non_null(j);
	assert_true(json_is_true(json_object_get(tu_test_named(j, "all-exit-0"), "passed")));
	assert_true(json_is_true(json_object_get(tu_test_named(j, "a-crash-allowed"), "passed")));
	assert_true(json_is_true(json_object_get(tu_test_named(j, "a-bad-exit-not-a-crash"), "passed")));

	t = tu_test_named(j, "a-crash");
	assert_true(json_is_false(json_object_get(t, "passed")));
	assert_true(tu_has_reason(t, "runtime_error"));
	expect_message(t, "processes: 1 ended by a signal, expected none: "
			  "1 child process was killed by SIGFPE (arithmetic error: division by zero?): pid 4 (prog)");

	t = tu_test_named(j, "a-bad-exit");
	assert_true(json_is_false(json_object_get(t, "passed")));
	assert_true(tu_has_reason(t, "exit"));
	expect_message(t, "expected every process to exit with status 0; pid 4 (prog) exited with status 2");

	/* No expect.processes: the crash still explains the missing line. */
	t = tu_test_named(j, "output-missing-after-a-crash");
	assert_true(json_is_false(json_object_get(t, "passed")));
	assert_true(tu_has_reason(t, "stdout"));
	assert_false(tu_has_reason(t, "runtime_error"));
	expect_message(t, "1 child process was killed by SIGFPE (arithmetic error: division by zero?)");
	json_decref(j);
	tu_free(&r);
}

static void test_processes_full(void **state)
{
	const char *why = tu_full_isolation_missing();

	(void)state;
	if (*why)
		TU_SKIP("full isolation is not available here: %s", why);
	grade("full");
}

static void test_processes_reduced(void **state)
{
	(void)state;
	grade("reduced");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_processes_full),
		cmocka_unit_test(test_processes_reduced),
	};

	return cmocka_run_group_tests_name("processes", tests, NULL, NULL);
}
