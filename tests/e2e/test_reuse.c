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

#include <dirent.h>

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

/* Our cgroups (ipcgrade-OURPID-*) in the v1 pids hierarchy: the kept
 * ones; -1 where that hierarchy is not ours to use. */
static int our_pids_cgroups(void)
{
	char self[256] = "", path[600], line[512], prefix[64];
	FILE *f = fopen("/proc/self/cgroup", "re");
	DIR *d;
	struct dirent *e;
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(strchr(line, ':') ? strchr(line, ':') : line, ":pids:", 6) == 0)
			sscanf(strstr(line, ":pids:") + 6, "%255s", self);
	fclose(f);
	snprintf(path, sizeof(path), "/sys/fs/cgroup/pids%s", strcmp(self, "/") == 0 ? "" : self);
	if (!self[0] || access(path, W_OK) != 0 || !(d = opendir(path)))
		return -1;
	snprintf(prefix, sizeof(prefix), "ipcgrade-%d-", (int)getpid());
	while ((e = readdir(d)))
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

static void run_fixture(const char *fixture, unsigned memory_mb, unsigned processes,
			struct hx_result *res)
{
	struct hx_config cfg;
	char err[256], dir[64];
	char *prog = tu_fixture(fixture);

	char cmd[600];

	snprintf(dir, sizeof(dir), "/tmp/ipcgrade-reuse-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s/prog'", prog, dir);
	assert_int_equal(system(cmd), 0);
	hx_config_init(&cfg);
	cfg.argv = (const char *const[]){ "./prog", NULL };
	cfg.workdir = dir;
	cfg.isolation = HX_ISOLATION_FULL;
	cfg.limits.memory_mb = memory_mb;
	cfg.limits.processes = processes;
	cfg.limits.wall_ms = 5000;
	if (hx_run(&cfg, res, err, sizeof(err)) < 0)
		fail_msg("%s: %s", fixture, err);
	free(prog);
	remove_dir(dir);
}

/*
 * The kept cgroups of a slot (cgroup.c, hx_cgroup_keep) read as fresh:
 * a run the memory limit killed, then one that needs a little memory,
 * alternately, each pair in the same two slots (a process alternates
 * between two while the last box exits): the second is never charged
 * the first's OOM kill, memory or processes, and its own limits (not
 * the first's) hold. Then hx_settle leaves no cgroup of ours.
 */
static void test_reuse_kept_cgroups_read_as_fresh(void **state)
{
	const char *why = tu_full_isolation_missing();

	(void)state;
	if (why[0])
		TU_SKIP("full isolation is not available here: %s", why);
	int before = our_pids_cgroups(), first_forked = 0;

	for (int round = 0; round < 4; round++) {
		struct hx_result a, b;

		run_fixture("basic/memhog", 32, 64, &a);
		assert_int_equal(a.verdict, HX_VERDICT_MEMORY_LIMIT);
		run_fixture("host/fork_many", 256, 20, &b);
		if (b.verdict != HX_VERDICT_OK && b.verdict != HX_VERDICT_RUNTIME_ERROR)
			fail_msg("round %d: fork_many after memhog: %s (%s)", round,
				 hx_verdict_name(b.verdict), b.error);
		assert_non_null(strstr(b.out.data, "forked "));
		/* 20 processes at once (the init and the first included): its
		 * own limit, as in round 0's fresh cgroups */
		int forked = atoi(strstr(b.out.data, "forked ") + 7);

		if (round == 0)
			first_forked = forked;
		assert_true(forked >= 17 && forked <= 19);
		assert_int_equal(forked, first_forked);
		assert_true(b.memory_peak_kb < 24 * 1024);
		hx_result_release(&a);
		hx_result_release(&b);
	}
	if (before >= 0) {
		/* kept between the runs (else this test proves nothing) */
		assert_true(our_pids_cgroups() > 0);
		hx_settle();
		assert_int_equal(our_pids_cgroups(), 0);
	} else {
		hx_settle();
		fprintf(stderr, "no v1 pids hierarchy of ours: the cgroups' reuse was not seen\n");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reuse_second_run_sees_nothing_of_the_first),
		cmocka_unit_test(test_reuse_kept_cgroups_read_as_fresh),
	};

	return cmocka_run_group_tests_name("reuse", tests, NULL, NULL);
}
