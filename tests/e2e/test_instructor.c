/*
 * test_instructor.c - instructors' own assignments: a build command with
 * its own Makefile, input and output files, checker programs with partial
 * scores, error-path tests, counts over the arguments.
 * Fixture: tests/fixtures/instructor/ (spec.yaml, good/, bad/, checkers/).
 */
#include "testutil.h"
#include <sys/stat.h>

#define SPEC "tests/fixtures/instructor/spec.yaml"

static json_t *check_json_with(const char *spec, const char *dir, const char *mode, int want_status)
{
	const char *argv[] = { tu_ipcgrade(), "check", "--all", "--json", "--isolation", mode,
			       "--spec", spec, dir, NULL };
	struct proc_out r = tu_run(argv, NULL, 120000);
	json_t *j = json_loads(r.out, 0, NULL);

	if (!j || r.status != want_status)
		fprintf(stderr, "status %d\n%s\n%s\n", r.status, r.out, r.err);
	assert_non_null(j);
	assert_int_equal(r.status, want_status);
	tu_free(&r);
	return j;
}

static json_t *check_json(const char *dir, const char *mode, int want_status)
{
	return check_json_with(SPEC, dir, mode, want_status);
}

static double score_of(json_t *t)
{
	return json_real_value(json_object_get(t, "score"));
}

static void run_good_and_bad(const char *mode)
{
	json_t *good = check_json("tests/fixtures/instructor/good", mode, 1);

	assert_true(json_is_true(json_object_get(json_object_get(good, "build"), "ok")));
	assert_true(json_is_true(json_object_get(tu_test_named(good, "counts-lines"), "passed")));
	assert_true(json_is_true(json_object_get(tu_test_named(good, "checker-judges"), "passed")));
	assert_true(json_is_true(json_object_get(tu_test_named(good, "rejects-bad-count"), "passed")));
	/* The checker wants 5 workers and sees 1: a fifth of the points. */
	json_t *partial = tu_test_named(good, "checker-partial");

	assert_true(json_is_false(json_object_get(partial, "passed")));
	assert_true(score_of(partial) > 1.99 && score_of(partial) < 2.01);
	assert_true(tu_has_reason(partial, "checker"));
	assert_non_null(strstr(tu_str(partial, "message"), "expected 5 workers, found 1"));
	json_decref(good);

	json_t *bad = check_json("tests/fixtures/instructor/bad", mode, 1);
	json_t *t = tu_test_named(bad, "counts-lines");

	assert_true(tu_has_reason(t, "files"));
	assert_true(tu_has_reason(t, "ipc"));
	assert_non_null(strstr(tu_str(t, "message"), "expected exactly 3 fork, saw 2"));
	t = tu_test_named(bad, "checker-judges");
	assert_true(score_of(t) > 4.99 && score_of(t) < 5.01);
	json_decref(bad);
}

static void test_instructor_full(void **state)
{
	(void)state;
	if (*tu_full_isolation_missing())
		TU_SKIP("full isolation is not available here: %s", tu_full_isolation_missing());
	run_good_and_bad("full");
}

static void test_instructor_reduced(void **state)
{
	(void)state;
	run_good_and_bad("reduced");
}

static void test_instructor_missing_makefile_and_broken_checker(void **state)
{
	(void)state;
	char dir[] = "/tmp/ipcgrade-test-XXXXXX", cmd[512];

	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp tests/fixtures/instructor/good/main.c tests/fixtures/instructor/good/count.h %s/", dir);
	assert_int_equal(system(cmd), 0);
	json_t *j = check_json(dir, "auto", 1);
	const char *problem = tu_str(json_object_get(j, "build"), "problem");

	assert_non_null(problem);
	assert_non_null(strstr(problem, "the required file 'Makefile' is missing"));
	json_decref(j);
	/* A Makefile that fails says so, with its output. */
	snprintf(cmd, sizeof(cmd), "printf 'bin/worker:\\n\\tfalse\\n' > %s/Makefile", dir);
	assert_int_equal(system(cmd), 0);
	j = check_json(dir, "auto", 1);
	problem = tu_str(json_object_get(j, "build"), "problem");
	assert_non_null(strstr(problem, "the build command 'make' failed"));
	json_decref(j);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/*
 * The spec's folder where the box's user may not enter (a checkout in a
 * private temporary folder, a home directory): the checker still runs,
 * in full isolation (its folder is bound through an fd, even under the
 * box's fresh /tmp) and in reduced isolation (as root: it gets a copy).
 */
static void test_instructor_spec_in_a_private_folder(void **state)
{
	(void)state;
	char dir[] = "/tmp/ipcgrade-test-XXXXXX", cmd[512], spec[256], good[256];
	const char *modes[] = { "full", "reduced" };
	struct stat st;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(cmd, sizeof(cmd), "cp -r tests/fixtures/instructor %s/", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(spec, sizeof(spec), "%s/instructor/spec.yaml", dir);
	snprintf(good, sizeof(good), "%s/instructor/good", dir);
	for (size_t m = 0; m < 2; m++) {
		if (m == 0 && *tu_full_isolation_missing()) {
			fprintf(stderr, "full isolation part SKIPPED: %s\n", tu_full_isolation_missing());
			continue;
		}
		json_t *j = check_json_with(spec, good, modes[m], 1);
		json_t *partial = tu_test_named(j, "checker-partial");

		if (!json_is_true(json_object_get(tu_test_named(j, "checker-judges"), "passed")))
			fprintf(stderr, "%s: %s\n", modes[m], tu_str(tu_test_named(j, "checker-judges"), "message"));
		assert_true(json_is_true(json_object_get(tu_test_named(j, "checker-judges"), "passed")));
		assert_true(score_of(partial) > 1.99 && score_of(partial) < 2.01);
		json_decref(j);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_instructor_full),
		cmocka_unit_test(test_instructor_reduced),
		cmocka_unit_test(test_instructor_missing_makefile_and_broken_checker),
		cmocka_unit_test(test_instructor_spec_in_a_private_folder),
	};

	return cmocka_run_group_tests_name("instructor", tests, NULL, NULL);
}
