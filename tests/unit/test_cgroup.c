/*
 * test_cgroup.c - per-run cgroups (harness/cgroup.c) on this machine's
 * real hierarchies: a cgroup that cannot be joined gives its limits up to
 * rlimits (has_* false, its directory gone, CPU time from /proc), one
 * that can be joined keeps them, and destroy leaves no directory behind.
 * SKIPPED where no cgroup controller is writable here.
 */
#define _GNU_SOURCE
#include "testutil.h"
#include "internal.h"

static bool any_controller(const struct hx_cgroup *cg)
{
	return cg->has_memory || cg->has_pids || cg->has_cpu;
}

static void dirs(const struct hx_cgroup *cg, char out[4][512])
{
	snprintf(out[0], 512, "%s", cg->v2);
	snprintf(out[1], 512, "%s", cg->memory);
	snprintf(out[2], 512, "%s", cg->pids);
	snprintf(out[3], 512, "%s", cg->cpuacct);
}

static void test_cgroup_that_cannot_be_joined_falls_back(void **state)
{
	struct hx_limits lim = { 0 };
	struct hx_cgroup cg;
	char made[4][512];

	(void)state;
	hx_limits_fill_defaults(&lim);
	hx_cgroup_create(&cg, &lim, 990);
	if (!any_controller(&cg)) {
		hx_cgroup_destroy(&cg);
		TU_SKIP("no writable cgroup controller here (not root, or none delegated)");
	}
	dirs(&cg, made);
	/* a pid that cannot exist: every controller refuses it */
	assert_true(hx_cgroup_attach(&cg, 0x3fffffff) < 0);
	assert_false(cg.has_memory);
	assert_false(cg.has_pids);
	assert_false(cg.has_cpu);
	assert_int_equal(cg.version, 0);
	assert_true(hx_cgroup_cpu_us(&cg) < 0);
	assert_int_equal(hx_cgroup_oom_kills(&cg), 0);
	for (int i = 0; i < 4; i++)
		if (made[i][0] && access(made[i], F_OK) == 0)
			fail_msg("%s is still there", made[i]);
	hx_cgroup_destroy(&cg);
}

static void test_cgroup_joined_keeps_its_limits(void **state)
{
	struct hx_limits lim = { 0 };
	struct hx_cgroup cg;
	char made[4][512];

	(void)state;
	hx_limits_fill_defaults(&lim);
	hx_cgroup_create(&cg, &lim, 991);
	if (!any_controller(&cg)) {
		hx_cgroup_destroy(&cg);
		TU_SKIP("no writable cgroup controller here (not root, or none delegated)");
	}
	bool mem = cg.has_memory, pids = cg.has_pids, cpu = cg.has_cpu;
	pid_t child = fork();

	if (child == 0) {
		pause();
		_exit(0);
	}
	assert_int_equal(hx_cgroup_attach(&cg, child), 0);
	assert_int_equal(cg.has_memory, mem);
	assert_int_equal(cg.has_pids, pids);
	assert_int_equal(cg.has_cpu, cpu);
	if (cpu)
		assert_true(hx_cgroup_cpu_us(&cg) >= 0);
	dirs(&cg, made);
	hx_cgroup_destroy(&cg);
	int st = 0;

	assert_int_equal(waitpid(child, &st, 0), child);
	/* destroy killed what was inside */
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	for (int i = 0; i < 4; i++)
		if (made[i][0] && access(made[i], F_OK) == 0)
			fail_msg("%s is still there", made[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup_that_cannot_be_joined_falls_back),
		cmocka_unit_test(test_cgroup_joined_keeps_its_limits),
	};

	return cmocka_run_group_tests_name("cgroup", tests, NULL, NULL);
}
