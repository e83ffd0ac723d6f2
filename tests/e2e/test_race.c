/*
 * test_race.c - race exposure: an unlocked shared counter fails at least
 * one of 20 jittered runs (the start gate releases the children together),
 * the locked one passes all, and the report says a race is the likely
 * cause. The start gate holds a batch of children until the parent has
 * stopped forking (tests/fixtures/race/gate_batch.c). `make soak` repeats this 20 times (the acceptance figure).
 */
#include "testutil.h"

static json_t *check_with(const char *fixture, const char *spec)
{
	char dir[] = "/tmp/ipcgrade-race-XXXXXX", cmd[512];

	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp tests/fixtures/race/%s.c %s/counter.c", fixture, dir);
	assert_int_equal(system(cmd), 0);
	const char *argv[] = { tu_ipcgrade(), "check", "--json", "--spec", spec,
			       dir, NULL };
	struct proc_out r = tu_run(argv, NULL, 300000);
	json_t *j = json_loads(r.out, 0, NULL);

	assert_non_null(j);
	tu_free(&r);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return j;
}

static json_t *check(const char *fixture)
{
	return check_with(fixture, "tests/fixtures/race/spec.yaml");
}

/* A budget: the locked counter runs on while it passes (3 to 40 runs)
 * and says what its runs rule out; the unlocked one stops at its first
 * failing run, which names its seed. */
static void test_race_budget_runs_on_and_stops_at_a_failure(void **state)
{
	(void)state;
	json_t *j = check_with("counter_locked", "tests/fixtures/race/budget.yaml");
	json_t *t = json_array_get(json_object_get(j, "tests"), 0);

	assert_true(json_is_true(json_object_get(t, "passed")));
	assert_true(tu_int(t, "runs_done") >= 3 && tu_int(t, "runs_done") <= 40);
	assert_int_equal(tu_int(t, "runs_passed"), tu_int(t, "runs_done"));
	assert_int_equal(tu_int(t, "runs_min"), 3);
	assert_int_equal(tu_int(t, "runs_planned"), 40);
	assert_true(tu_int(t, "rate_ruled_out_percent") > 0 && tu_int(t, "rate_ruled_out_percent") <= 64);
	assert_true(json_is_false(json_object_get(t, "flaky")));
	json_decref(j);

	j = check_with("counter_unlocked", "tests/fixtures/race/budget.yaml");
	t = json_array_get(json_object_get(j, "tests"), 0);
	assert_true(json_is_false(json_object_get(t, "passed")));
	assert_int_equal(tu_int(t, "runs_passed") + 1, tu_int(t, "runs_done"));
	json_t *last = json_array_get(json_object_get(t, "runs"), (size_t)tu_int(t, "runs_done") - 1);

	assert_true(json_is_false(json_object_get(last, "passed")));
	assert_true(json_is_string(json_object_get(last, "seed")));	/* digits, unsigned 64-bit */
	fprintf(stderr, "unlocked: failed at run %lld of at most 40\n", tu_int(t, "runs_done"));
	json_decref(j);
}

static void test_race_unlocked_counter_is_caught(void **state)
{
	(void)state;
	int rounds = atoi(tu_env("RACE_ROUNDS", "1"));

	for (int i = 0; i < rounds; i++) {
		json_t *j = check("counter_unlocked");
		json_t *t = json_array_get(json_object_get(j, "tests"), 0);

		assert_true(json_is_false(json_object_get(t, "passed")));
		fprintf(stderr, "round %d: %lld of 20 runs passed\n", i + 1, tu_int(t, "runs_passed"));
		assert_true(tu_int(t, "runs_passed") < 20);
		/* Every run names its seed, to replay it: unsigned 64-bit, as
		 * a string of digits. */
		json_t *run0 = json_array_get(json_object_get(t, "runs"), 0);
		const char *seed = tu_str(run0, "seed");

		assert_non_null(seed);
		assert_true(seed[0] >= '1' && seed[0] <= '9' && strspn(seed, "0123456789") == strlen(seed));
		assert_int_equal(tu_int(run0, "jitter_max_us"), 200);
		json_decref(j);
	}
}

static void test_race_locked_counter_passes_every_run(void **state)
{
	(void)state;
	json_t *j = check("counter_locked");
	json_t *t = json_array_get(json_object_get(j, "tests"), 0);

	assert_true(json_is_true(json_object_get(t, "passed")));
	assert_int_equal(tu_int(t, "runs_passed"), 20);
	json_decref(j);
}

/* Under jitter no child runs before its parent's last fork, in any of 10
 * runs (the gate holds each for at most HX_GATE_MAX_US, far more than the
 * forks take). */
static void test_race_gate_holds_the_batch(void **state)
{
	(void)state;
	char *prog = tu_fixture("race/gate_batch");
	const char *extra[] = { "--jitter", "200", "--cpus", "2", NULL };

	for (int i = 0; i < 10; i++) {
		json_t *j = tu_run_json(extra, prog, NULL, NULL);

		assert_string_equal(tu_str(j, "verdict"), "ok");
		assert_string_equal(tu_str(j, "stdout"), "none ran before the last fork\n");
		json_decref(j);
	}
	free(prog);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_race_unlocked_counter_is_caught),
		cmocka_unit_test(test_race_locked_counter_passes_every_run),
		cmocka_unit_test(test_race_gate_holds_the_batch),
		cmocka_unit_test(test_race_budget_runs_on_and_stops_at_a_failure),
	};

	return cmocka_run_group_tests_name("race", tests, NULL, NULL);
}
