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
	assert_true(hx_cgroup_attach(&cg, 0x3fffffff, 0) < 0);
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
	assert_int_equal(hx_cgroup_attach(&cg, child, 0), 0);
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

/* The init's way in (hx_cgroup_open_self_joins, then hx_cgroup_join_self
 * in the child): the child is then in every v1 cgroup of the run, and a
 * supervisor's attach with those bits set leaves them alone. */
static void test_cgroup_self_join_puts_the_child_in(void **state)
{
	struct hx_limits lim = { 0 };
	struct hx_cgroup cg;
	int fds[HX_CG_V1_COUNT], sync[2];

	(void)state;
	hx_limits_fill_defaults(&lim);
	hx_cgroup_create(&cg, &lim, 992);
	if (!cg.memory[0] && !cg.pids[0] && !cg.cpuacct[0]) {
		hx_cgroup_destroy(&cg);
		TU_SKIP("no writable cgroup v1 controller here (the self-join is for v1)");
	}
	hx_cgroup_open_self_joins(&cg, fds);
	assert_int_equal(pipe(sync), 0);
	pid_t child = fork();

	if (child == 0) {
		unsigned joined = 0;

		for (int i = 0; i < HX_CG_V1_COUNT; i++)
			if (fds[i] >= 0 && hx_cgroup_join_self(fds[i]) == 0)
				joined |= 1u << i;
		if (write(sync[1], &joined, sizeof(joined)) != sizeof(joined))
			_exit(1);
		pause();
		_exit(0);
	}
	unsigned joined = 0;

	assert_int_equal(read(sync[0], &joined, sizeof(joined)), sizeof(joined));
	const char *dirs_v1[HX_CG_V1_COUNT] = { cg.memory, cg.pids, cg.cpuacct };

	for (int i = 0; i < HX_CG_V1_COUNT; i++) {
		char path[600], buf[4096], pid[32];

		if (!dirs_v1[i][0])
			continue;
		if (!(joined & (1u << i)))
			fail_msg("the child could not join %s", dirs_v1[i]);
		snprintf(path, sizeof(path), "%s/cgroup.procs", dirs_v1[i]);
		assert_true(hx_read_file(path, buf, sizeof(buf)) > 0);
		snprintf(pid, sizeof(pid), "%d\n", (int)child);
		if (strncmp(buf, pid, strlen(pid)) != 0)
			fail_msg("%s holds '%s', not the child %d", path, buf, (int)child);
	}
	if (cg.pids[0]) {
		char path[600], buf[64];

		snprintf(path, sizeof(path), "%s/pids.current", cg.pids);
		assert_true(hx_read_file(path, buf, sizeof(buf)) > 0);
		assert_int_equal(atoi(buf), 1);
	}
	assert_int_equal(hx_cgroup_attach(&cg, child, joined), 0);
	for (int i = 0; i < HX_CG_V1_COUNT; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	hx_cgroup_destroy(&cg);
	int st = 0;

	assert_int_equal(waitpid(child, &st, 0), child);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	close(sync[0]);
	close(sync[1]);
}

/* The init cannot join through the 'tasks' files (here: the cgroups were
 * removed after the supervisor opened them) and the supervisor cannot
 * move it either: every controller is given up, so that the run's limits
 * fall back to rlimits (send_start asks the init for them). */
static void test_cgroup_self_join_refused_falls_back_to_rlimits(void **state)
{
	struct hx_limits lim = { 0 };
	struct hx_cgroup cg;
	int fds[HX_CG_V1_COUNT], sync[2];
	char made[4][512];

	(void)state;
	hx_limits_fill_defaults(&lim);
	hx_cgroup_create(&cg, &lim, 993);
	if (cg.v2[0] || (!cg.memory[0] && !cg.pids[0] && !cg.cpuacct[0])) {
		hx_cgroup_destroy(&cg);
		TU_SKIP("no writable cgroup v1 controller here (the self-join is for v1)");
	}
	hx_cgroup_open_self_joins(&cg, fds);
	dirs(&cg, made);
	for (int i = 0; i < 4; i++)
		if (made[i][0])
			assert_int_equal(rmdir(made[i]), 0);
	assert_int_equal(pipe(sync), 0);
	pid_t child = fork();

	if (child == 0) {
		unsigned joined = 0;

		for (int i = 0; i < HX_CG_V1_COUNT; i++)
			if (fds[i] >= 0 && hx_cgroup_join_self(fds[i]) == 0)
				joined |= 1u << i;
		if (write(sync[1], &joined, sizeof(joined)) != sizeof(joined))
			_exit(1);
		pause();
		_exit(0);
	}
	unsigned joined = ~0u;

	assert_int_equal(read(sync[0], &joined, sizeof(joined)), sizeof(joined));
	assert_int_equal(joined, 0);
	assert_true(hx_cgroup_attach(&cg, child, joined) < 0);
	assert_false(cg.has_memory);
	assert_false(cg.has_pids);
	assert_false(cg.has_cpu);
	assert_int_equal(cg.version, 0);
	assert_true(hx_cgroup_cpu_us(&cg) < 0);
	for (int i = 0; i < HX_CG_V1_COUNT; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	hx_cgroup_destroy(&cg);
	int st = 0;

	assert_int_equal(kill(child, SIGKILL), 0);
	assert_int_equal(waitpid(child, &st, 0), child);
	close(sync[0]);
	close(sync[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup_that_cannot_be_joined_falls_back),
		cmocka_unit_test(test_cgroup_joined_keeps_its_limits),
		cmocka_unit_test(test_cgroup_self_join_puts_the_child_in),
		cmocka_unit_test(test_cgroup_self_join_refused_falls_back_to_rlimits),
	};

	return cmocka_run_group_tests_name("cgroup", tests, NULL, NULL);
}
