/*
 * test_reproduce.c - grades that reproduce. A small shared-counter class
 * (the reference solution, the System V one-semop-per-increment
 * solution, an unlocked counter, two deterministic mistakes) graded
 * twice, the second time while two loops spin on the CPUs: every
 * submission whose failures are deterministic gets the same score both
 * times, the correct ones full marks, the racy one loses points in both.
 * Then a regrade of the same sources whose earlier verdict differed is
 * marked flaky in report.json, summary.csv, summary.json and index.html.
 */
#include "testutil.h"
#include <signal.h>
#include <sys/wait.h>

static char root[64];

static json_t *report(const char *out, const char *student)
{
	char path[256];
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s/%s/report.json", root, out, student);
	j = json_load_file(path, 0, NULL);
	if (!j)
		fail_msg("no report %s", path);
	return j;
}

static double score(const char *out, const char *student)
{
	json_t *j = report(out, student);
	double s = json_number_value(json_object_get(j, "score"));

	json_decref(j);
	return s;
}

static void grade(const char *out, const char *only)
{
	char outdir[128], cls[128];

	snprintf(outdir, sizeof(outdir), "%s/%s", root, out);
	snprintf(cls, sizeof(cls), "%s/class/%s", root, only ? only : "*");
	/* the class folder's submissions, or one of them */
	const char *argv[] = { tu_ipcgrade(), "grade", "shared-counter", "-j", "2", "-o", outdir,
			       cls, NULL };
	char cmd[512];

	if (!only) {
		snprintf(cmd, sizeof(cmd), "'%s' grade shared-counter -j 2 -o '%s' %s/class/* "
			 ">/dev/null 2>&1", tu_ipcgrade(), outdir, root);
		assert_int_equal(system(cmd), 0);
		return;
	}
	struct proc_out r = tu_run(argv, NULL, 600000);

	assert_int_equal(r.status, 0);
	tu_free(&r);
}

static void test_reproduce_twice_once_under_load(void **state)
{
	(void)state;
	static const char *const deterministic[] = { "alice", "bob", "dave", "erin" };
	pid_t spin[2];

	strcpy(root, "/tmp/ipcgrade-repro-XXXXXX");
	assert_non_null(mkdtemp(root));
	tu_sh("mkdir %s/class && cp -R assignments/shared-counter/solution %s/class/alice && "
	      "'%s' selftest --materialise %s/class/bob assignments/shared-counter/solutions/sysv-semop && "
	      "'%s' selftest --materialise %s/class/carol assignments/shared-counter/faulty/no-lock && "
	      "'%s' selftest --materialise %s/class/dave assignments/shared-counter/faulty/global-counter && "
	      "'%s' selftest --materialise %s/class/erin "
	      "assignments/shared-counter/faulty/leaked-named-semaphore",
	      root, root, tu_ipcgrade(), root, tu_ipcgrade(), root, tu_ipcgrade(), root,
	      tu_ipcgrade(), root);
	grade("first", NULL);
	for (int i = 0; i < 2; i++) {
		spin[i] = fork();
		assert_true(spin[i] >= 0);
		if (spin[i] == 0) {
			for (volatile unsigned long n = 0;; n++)
				;
		}
	}
	grade("second", NULL);
	for (int i = 0; i < 2; i++) {
		kill(spin[i], SIGKILL);
		waitpid(spin[i], NULL, 0);
	}
	for (size_t i = 0; i < sizeof(deterministic) / sizeof(deterministic[0]); i++) {
		double a = score("first", deterministic[i]), b = score("second", deterministic[i]);

		fprintf(stderr, "%s: %g, then %g under load\n", deterministic[i], a, b);
		if (a != b)
			/* what moved the score, for the log */
			tu_sh("jq -c '.tests[] | select(.passed | not) | {name, reasons, message, "
			      "runs: [.runs[] | select(.verdict != \"ok\") | {verdict, verdict_detail, "
			      "wall_ms, cpu_ms, stdout}]}' %s/second/%s/report.json %s/first/%s/report.json "
			      ">&2 || true", root, deterministic[i], root, deterministic[i]);
		assert_true(a == b);
	}
	assert_true(score("first", "alice") == 100 && score("first", "bob") == 100);
	fprintf(stderr, "carol (no lock): %g, then %g under load\n", score("first", "carol"),
		score("second", "carol"));
	assert_true(score("first", "carol") < 100 && score("second", "carol") < 100);

	/* A regrade of the same sources whose verdict differs is flaky. Make
	 * the first report of alice say a test failed, then grade her again. */
	tu_sh("cd %s/first/alice && jq '(.tests[] | select(.name == \"race-4x50000\") | .passed) "
	      "|= false' report.json > r.json && mv r.json report.json", root);
	grade("first", "alice");
	json_t *j = report("first", "alice"), *t, *x;
	size_t k;

	t = NULL;
	json_array_foreach(json_object_get(j, "tests"), k, x)
		if (strcmp(tu_str(x, "name"), "race-4x50000") == 0)
			t = x;
	assert_non_null(t);
	if (!json_is_true(json_object_get(t, "differs_from_previous_grading")))
		tu_sh("jq -c '.tests[] | select(.name == \"race-4x50000\") | del(.runs)' "
		      "%s/first/alice/report.json >&2", root);
	assert_true(json_is_true(json_object_get(t, "flaky")));
	assert_true(json_is_true(json_object_get(t, "differs_from_previous_grading")));
	json_decref(j);
	char path[256];

	snprintf(path, sizeof(path), "%s/first/summary.csv", root);
	assert_true(tu_file_has(path, "student,total,max,status,flaky,"));
	assert_true(tu_file_has(path, "alice,100,100,graded,race-4x50000,"));
	tu_sh("jq -e '(.flaky[\"race-4x50000\"] >= 1) and (.students[] | select(.student == "
	      "\"alice\") | .flaky == [\"race-4x50000\"])' %s/first/summary.json >/dev/null", root);
	/* The class report (it reads report.json) marks it too. */
	tu_sh("grep -q 'class=\"tag flaky\"' %s/first/index.html", root);
	/* The same regrade without a change is not flaky. */
	grade("second", "bob");
	j = report("second", "bob");
	json_array_foreach(json_object_get(j, "tests"), k, x)
		assert_false(json_is_true(json_object_get(x, "differs_from_previous_grading")));
	json_decref(j);
}

/* What the test made goes, whether it passed or not. */
static int remove_root(void **state)
{
	(void)state;
	if (root[0])
		tu_sh("rm -rf %s", root);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reproduce_twice_once_under_load),
	};

	return cmocka_run_group_tests(tests, NULL, remove_root);
}
