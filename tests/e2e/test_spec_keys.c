/*
 * test_spec_keys.c - expect.any_of, expect.fds, ipc first:/each: and
 * time_scale, graded for real (`ipcgrade check --all --json`) on one
 * small submission. Fixture: tests/fixtures/speckeys/.
 */
#include "testutil.h"

#define SPEC "tests/fixtures/speckeys/spec.yaml"

static json_t *report;

static int grade_once(void **state)
{
	(void)state;
	const char *argv[] = { tu_ipcgrade(), "check", "--all", "--json", "--spec", SPEC,
			       "tests/fixtures/speckeys/sub", NULL };
	struct proc_out r = tu_run(argv, NULL, 120000);

	report = json_loads(r.out, 0, NULL);
	if (!report)
		fprintf(stderr, "status %d\n%s\n%s\n", r.status, r.out, r.err);
	tu_free(&r);
	return report ? 0 : -1;
}

static int release(void **state)
{
	(void)state;
	json_decref(report);
	return 0;
}

/* The test of that name in the report. */
static json_t *test_named(const char *name)
{
	return tu_test_named(report, name);
}

static bool passed(const char *name)
{
	return json_is_true(json_object_get(test_named(name), "passed"));
}

static void has_message(const char *name, const char *text)
{
	const char *m = tu_str(test_named(name), "message");

	if (!m || !strstr(m, text))
		fprintf(stderr, "%s: wanted '%s' in: %s\n", name, text, m ? m : "(no message)");
	assert_non_null(m);
	assert_non_null(strstr(m, text));
}

static bool has_reason(const char *name, const char *reason)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(test_named(name), "reasons"), i, r)
		if (strcmp(json_string_value(r), reason) == 0)
			return true;
	return false;
}

static void test_any_of(void **state)
{
	(void)state;
	assert_true(passed("any-of-usage"));
	assert_true(passed("any-of-file"));
	assert_false(passed("any-of-neither"));
	has_message("any-of-neither", "none of the 2 alternatives holds; the closest is alternative 2 "
		    "(exit 0, files)");
	has_message("any-of-neither", "alternative 1 (exit 1, stderr): the program exited with status 0, "
		    "expected 1");
	/* the closest alternative's reasons are the run's */
	assert_true(has_reason("any-of-neither", "files"));
	assert_false(has_reason("any-of-neither", "exit"));
}

static void test_fds(void **state)
{
	(void)state;
	assert_false(passed("fds-leak"));
	assert_true(has_reason("fds-leak", "fds"));
	has_message("fds-leak", "pid 2 still had the write end of pipe:[");
	has_message("fds-leak", "open (fd 4) when it exited");
	assert_true(passed("fds-clean"));
}

static void test_ipc_scopes(void **state)
{
	(void)state;
	/* two forks in all, but the first process made only one of them */
	assert_false(passed("first-forks-all"));
	has_message("first-forks-all", "the first process itself: expected exactly 2 fork, saw 1");
	assert_true(passed("each-no-thread"));
}

static double score_of(const char *name)
{
	return json_real_value(json_object_get(test_named(name), "score"));
}

static void test_checker_on_stopped(void **state)
{
	(void)state;
	/* pause() after 3 lines: a timeout (or a deadlock: nothing runs) */
	assert_false(passed("stopped-feedback"));
	has_message("stopped-feedback", "the checker, on what the program did before it was stopped:");
	has_message("stopped-feedback", "3 lines were written, then the run stopped (");
	assert_true(score_of("stopped-feedback") == 0);
	/* partial: the checker's half counts */
	assert_false(passed("stopped-partial"));
	assert_true(score_of("stopped-partial") > 0.99 && score_of("stopped-partial") < 1.01);
	/* without on_stopped the checker does not run */
	assert_false(passed("stopped-no-checker"));
	const char *m = tu_str(test_named("stopped-no-checker"), "message");

	assert_non_null(m);
	assert_null(strstr(m, "lines were written"));
	assert_true(score_of("stopped-no-checker") == 0);
}

static void test_checks(void **state)
{
	(void)state;
	json_t *works = test_named("split.works"), *closes = test_named("split.closes");

	assert_string_equal(tu_str(works, "check"), "works");
	assert_true(passed("split.works"));
	assert_true(score_of("split.works") > 2.99 && score_of("split.works") < 3.01);
	assert_false(passed("split.closes"));
	assert_true(score_of("split.closes") == 0);
	has_message("split.closes", "pid 2 still had the write end of pipe:[");
	assert_string_equal(tu_str(closes, "hint"), "close the pipe ends you do not use");
	/* both judged the same two runs: one program run each, not two */
	json_t *a = json_object_get(works, "runs"), *b = json_object_get(closes, "runs");

	assert_int_equal(json_array_size(a), 2);
	assert_int_equal(json_array_size(b), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *ra = json_array_get(a, i), *rb = json_array_get(b, i);

		assert_int_equal(tu_int(ra, "wall_ms"), tu_int(rb, "wall_ms"));
		assert_int_equal(tu_int(ra, "cpu_ms"), tu_int(rb, "cpu_ms"));
		/* the same pipe inodes: the same run, not another one */
		assert_true(json_array_size(json_object_get(ra, "fds_at_exit")) == 2);
		assert_true(json_equal(json_object_get(ra, "fds_at_exit"), json_object_get(rb, "fds_at_exit")));
	}
	/* each check's points count once: 14 from the other tests, 3 + 2 from the checks */
	assert_true(json_real_value(json_object_get(report, "max_score")) > 18.99 &&
		    json_real_value(json_object_get(report, "max_score")) < 19.01);
}

static void test_time_scale(void **state)
{
	(void)state;
	/* 2 s of sleeps under a 1 s wall limit: it passes only shortened */
	assert_true(passed("scaled-sleep"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_any_of),
		cmocka_unit_test(test_fds),
		cmocka_unit_test(test_ipc_scopes),
		cmocka_unit_test(test_checker_on_stopped),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_time_scale),
	};

	return cmocka_run_group_tests_name("spec keys", tests, grade_once, release);
}
