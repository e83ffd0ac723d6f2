/*
 * test_reuse.c - runs one after the other in one process, as a batch
 * makes them: a run after one that left everything it could behind
 * finds none of it. The slot (taken first-free, so the same one when no
 * other ipcgrade holds it meanwhile), the policy, the probe and the
 * cgroup lookups are reused; the namespaces, /tmp, /dev/shm, the queue
 * file system and the cgroups' counters are the second run's own.
 *
 * The first run (tests/fixtures/basic/reuse.c dirty) leaves files in
 * /tmp and /dev/shm, SysV and POSIX IPC objects, 8 sleeping children,
 * 64 MB touched and 300 ms of CPU; the second (reuse check) must see no
 * file, object or process of it, and its own measures must hold none
 * of the first run's memory, CPU or processes. Full isolation only
 * (reduced isolation shares the host's /tmp and IPC namespace, and
 * test_host.c checks what it removes); SKIPPED where it is missing.
 */
#include "testutil.h"
#include "harness.h"

/* The fixture copied into a fresh working directory, run there. */
static void run_in_fresh_dir(const char *mode, struct hx_result *res, char dir[64])
{
	struct hx_config cfg;
	char err[256], cmd[600];
	char *prog = tu_fixture("basic/reuse");

	snprintf(dir, 64, "/tmp/ipcgrade-reuse-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s/prog'", prog, dir);
	assert_int_equal(system(cmd), 0);
	free(prog);
	hx_config_init(&cfg);
	cfg.argv = (const char *const[]){ "./prog", mode, NULL };
	cfg.workdir = dir;
	cfg.isolation = HX_ISOLATION_FULL;
	if (hx_run(&cfg, res, err, sizeof(err)) < 0)
		fail_msg("reuse %s: %s", mode, err);
}

static void remove_dir(const char *dir)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static void test_reuse_second_run_sees_nothing_of_the_first(void **state)
{
	const char *why = tu_full_isolation_missing();

	(void)state;
	if (why[0])
		TU_SKIP("full isolation is not available here: %s", why);
	for (int round = 0; round < 3; round++) {
		struct hx_result a, b;
		char da[64], db[64];

		run_in_fresh_dir("dirty", &a, da);
		assert_int_equal(a.verdict, HX_VERDICT_OK);
		assert_string_equal(a.out.data, "dirty\n");
		assert_int_equal(a.leftover_processes, 8);
		/* The first run's measures are real: else the second's below
		 * would prove nothing. */
		assert_true(a.cpu_ms >= 250);
		if (a.memory_peak_kb)
			assert_true(a.memory_peak_kb >= 60 * 1024);

		run_in_fresh_dir("check", &b, db);
		if (b.verdict != HX_VERDICT_OK || strcmp(b.out.data, "clean\n") != 0)
			fail_msg("round %d: the second run found (%s):\n%s", round,
				 hx_verdict_name(b.verdict), b.out.data);
		assert_int_equal(b.leftover_processes, 0);
		assert_int_equal(b.nipc_left, 0);
		assert_int_equal(b.processes, 1);
		assert_true(b.cpu_ms < 150);
		assert_true(b.memory_peak_kb < 32 * 1024);
		fprintf(stderr, "round %d: first run cpu %lu ms, peak %lu KB; second cpu %lu ms, peak %lu KB\n",
			round, a.cpu_ms, a.memory_peak_kb, b.cpu_ms, b.memory_peak_kb);
		hx_result_release(&a);
		hx_result_release(&b);
		remove_dir(da);
		remove_dir(db);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reuse_second_run_sees_nothing_of_the_first),
	};

	return cmocka_run_group_tests_name("reuse", tests, NULL, NULL);
}
