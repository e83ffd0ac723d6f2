/*
 * test_run.c - `ipcgrade run --json` on real programs in the real
 * sandbox, once in full and once in reduced isolation: every verdict,
 * the JSON contract, cleanup evidence, and what the box lets through.
 */
#include "testutil.h"

static char full_why[512];

static json_t *run(const char *fixture, const char *const *extra_in, const char *const *args,
		   const char *in)
{
	const char *extra[24];
	int n = 0;
	char *prog = tu_fixture(fixture);

	extra[n++] = "--isolation";
	extra[n++] = tu_mode;
	for (int i = 0; extra_in && extra_in[i] && n < 22; i++)
		extra[n++] = extra_in[i];
	extra[n] = NULL;
	json_t *j = tu_run_json(extra, prog, args, in);

	free(prog);
	assert_string_equal(tu_str(j, "isolation"), tu_mode);
	return j;
}

static void test_run_ok_program(void **state)
{
	(void)state;
	json_t *j = run("basic/ok", NULL, NULL, NULL);

	assert_string_equal(tu_str(j, "verdict"), "ok");
	assert_int_equal(tu_int(j, "exit_code"), 0);
	assert_true(json_is_null(json_object_get(j, "signal")));
	assert_string_equal(tu_str(j, "stdout"), "hello from the box\n");
	assert_string_equal(tu_str(j, "stderr"), "");
	assert_true(json_is_false(json_object_get(j, "stdout_truncated")));
	assert_int_equal(tu_int(j, "leftover_processes"), 0);
	/* The contract's keys are all there (DESIGN.md, `run --json`). */
	static const char *const keys[] = {
		"verdict", "exit_code", "signal", "wall_ms", "cpu_ms", "stdout", "stderr",
		"stdout_truncated", "isolation", "leftover_processes", "denied", "limits_by", "ipc",
		"events", "processes", "threads", "deadlock", "cleanup", "seed",
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!json_object_get(j, keys[i]))
			fprintf(stderr, "missing key %s\n", keys[i]);
		assert_non_null(json_object_get(j, keys[i]));
	}
	assert_int_equal(tu_int(j, "processes"), 1);
	json_decref(j);
}

static void test_run_exit_status_is_runtime_error(void **state)
{
	(void)state;
	json_t *j = run("basic/exit3", NULL, NULL, NULL);

	assert_string_equal(tu_str(j, "verdict"), "runtime_error");
	assert_int_equal(tu_int(j, "exit_code"), 3);
	assert_string_equal(tu_str(j, "stderr"), "usage: exit3 N\n");
	json_decref(j);
}

static void test_run_signal_is_runtime_error(void **state)
{
	(void)state;
	json_t *j = run("basic/segv", NULL, NULL, NULL);

	assert_string_equal(tu_str(j, "verdict"), "runtime_error");
	assert_string_equal(tu_str(j, "signal"), "SIGSEGV");
	assert_true(json_is_null(json_object_get(j, "exit_code")));
	assert_string_equal(tu_str(j, "stdout"), "before\n");
	json_decref(j);
}

static void test_run_cpu_limit_is_timeout(void **state)
{
	(void)state;
	json_t *j = run("basic/spin", (const char *[]){ "--cpu-ms", "300", "--timeout", "20000", NULL },
			NULL, NULL);

	assert_string_equal(tu_str(j, "verdict"), "timeout");
	assert_non_null(strstr(tu_str(j, "verdict_detail"), "CPU"));
	/* Stopped by the CPU limit, long before the wall limit. */
	assert_true(tu_int(j, "wall_ms") < 15000);
	json_decref(j);
}

static void test_run_sleeping_is_timeout_not_deadlock(void **state)
{
	(void)state;
	json_t *j = run("basic/sleeper", (const char *[]){ "--timeout", "1500", NULL }, NULL, NULL);

	assert_string_equal(tu_str(j, "verdict"), "timeout");
	assert_non_null(strstr(tu_str(j, "verdict_detail"), "wall"));
	assert_true(json_is_null(json_object_get(j, "deadlock")));
	json_decref(j);
}

static void test_run_output_limit(void **state)
{
	(void)state;
	json_t *j = run("basic/flood", (const char *[]){ "--output-kb", "64", NULL }, NULL, NULL);

	assert_string_equal(tu_str(j, "verdict"), "output_limit");
	assert_true(json_is_true(json_object_get(j, "stdout_truncated")));
	assert_int_equal(strlen(tu_str(j, "stdout")), 64 * 1024);
	json_decref(j);
}

static void test_run_memory_limit(void **state)
{
	(void)state;
	json_t *j = run("basic/memhog", (const char *[]){ "--memory-mb", "64", NULL }, NULL, NULL);

	assert_string_equal(tu_str(j, "verdict"), "memory_limit");
	json_decref(j);
}

static void test_run_garbage_output_is_valid_json(void **state)
{
	(void)state;
	json_t *j = run("basic/garbage", NULL, NULL, NULL);
	const char *out = tu_str(j, "stdout");

	/* tu_run_json already parsed it; the bytes are represented safely. */
	assert_non_null(out);
	assert_non_null(strstr(out, "text\\0nul"));
	assert_non_null(strstr(out, "\xef\xbf\xbd"));
	assert_non_null(strstr(out, "\"quote\""));
	assert_non_null(strstr(tu_str(j, "stderr"), "red"));
	json_decref(j);
}

static void test_run_passes_stdin(void **state)
{
	(void)state;
	json_t *j = run("basic/echo_stdin", NULL, NULL, "line one\nline two\n");

	assert_string_equal(tu_str(j, "stdout"), "line one\nline two\n");
	json_decref(j);
}

static void test_run_counts_and_kills_leftovers(void **state)
{
	(void)state;
	json_t *j = run("basic/leftover", NULL, NULL, NULL);

	assert_string_equal(tu_str(j, "verdict"), "ok");
	assert_int_equal(tu_int(j, "leftover_processes"), 1);
	json_t *procs = json_object_get(json_object_get(j, "cleanup"), "processes");

	assert_int_equal(json_array_size(procs), 1);
	assert_string_equal(tu_str(json_array_get(procs, 0), "comm"), "leftover");
	/* The run ended when its first process did, not 30 s later. */
	assert_true(tu_int(j, "wall_ms") < 10000);
	json_decref(j);
}

static bool has_object(json_t *list, const char *kind, const char *name_part)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *o = json_array_get(list, i);

		if (strcmp(tu_str(o, "kind"), kind) == 0 && strstr(tu_str(o, "name"), name_part))
			return true;
	}
	return false;
}

static void test_run_lists_and_removes_leaked_ipc(void **state)
{
	(void)state;
	json_t *j = run("basic/shm_leak", NULL, NULL, NULL);
	json_t *ipc = json_object_get(json_object_get(j, "cleanup"), "ipc");

	assert_string_equal(tu_str(j, "stdout"), "leaked\n");
	assert_true(has_object(ipc, "posix_shm", "/ipcgrade-leak"));
	assert_true(has_object(ipc, "posix_sem", "/ipcgrade-leak-sem"));
	assert_true(has_object(ipc, "sysv_sem", "id "));
	/* Nothing of it outlives the run on the host. */
	assert_int_equal(access("/dev/shm/ipcgrade-leak", F_OK), -1);
	assert_int_equal(access("/dev/shm/sem.ipcgrade-leak-sem", F_OK), -1);
	json_decref(j);
}

static void test_run_never_as_root_and_clean_environment(void **state)
{
	(void)state;
	json_t *j = run("basic/whoami", NULL, NULL, NULL);
	const char *out = tu_str(j, "stdout");

	assert_null(strstr(out, "uid=0 "));
	assert_null(strstr(out, "euid=0\n"));
	assert_non_null(strstr(out, "shadow=no"));
	assert_non_null(strstr(out, "env PATH="));
	/* The grader's own environment does not leak in. */
	assert_null(strstr(out, "IPCGRADE="));
	if (strcmp(tu_mode, "full") == 0)
		assert_non_null(strstr(out, "cwd=/box\n"));
	json_decref(j);
}

static void test_run_denies_ptrace(void **state)
{
	(void)state;
	json_t *j = run("basic/ptrace", NULL, NULL, NULL);

	assert_string_equal(tu_str(j, "verdict"), "forbidden_syscall");
	assert_int_equal(tu_int(json_object_get(j, "denied"), "ptrace"), 1);
	json_decref(j);
}

static void test_run_missing_program(void **state)
{
	(void)state;
	const char *argv[] = { tu_ipcgrade(), "run", "--json", "--", "no-such-program-xyz", NULL };
	struct proc_out r = tu_run(argv, NULL, 30000);
	json_t *j = json_loads(r.out, 0, NULL);

	assert_int_equal(r.status, 0);
	assert_non_null(j);
	assert_string_equal(tu_str(j, "verdict"), "runtime_error");
	assert_int_equal(tu_int(j, "exit_code"), 127);
	json_decref(j);
	tu_free(&r);

	const char *argv2[] = { tu_ipcgrade(), "run", "--", "/no/such/file", NULL };

	r = tu_run(argv2, NULL, 30000);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "cannot find the program '/no/such/file'"));
	tu_free(&r);
}

/* Skip the full-isolation group, loudly, where the machine cannot do it. */
static void test_full_isolation_available(void **state)
{
	(void)state;
	if (full_why[0])
		TU_SKIP("full isolation is not available here: %s", full_why);
}

#define RUN_TESTS(prefix) \
	cmocka_unit_test(test_run_ok_program), \
	cmocka_unit_test(test_run_exit_status_is_runtime_error), \
	cmocka_unit_test(test_run_signal_is_runtime_error), \
	cmocka_unit_test(test_run_cpu_limit_is_timeout), \
	cmocka_unit_test(test_run_sleeping_is_timeout_not_deadlock), \
	cmocka_unit_test(test_run_output_limit), \
	cmocka_unit_test(test_run_memory_limit), \
	cmocka_unit_test(test_run_garbage_output_is_valid_json), \
	cmocka_unit_test(test_run_passes_stdin), \
	cmocka_unit_test(test_run_counts_and_kills_leftovers), \
	cmocka_unit_test(test_run_lists_and_removes_leaked_ipc), \
	cmocka_unit_test(test_run_never_as_root_and_clean_environment), \
	cmocka_unit_test(test_run_denies_ptrace)

int main(void)
{
	int failed = 0;

	snprintf(full_why, sizeof(full_why), "%s", tu_full_isolation_missing());

	const struct CMUnitTest full[] = {
		cmocka_unit_test(test_full_isolation_available),
		RUN_TESTS(full),
		cmocka_unit_test(test_run_missing_program),
	};
	const struct CMUnitTest reduced[] = { RUN_TESTS(reduced) };

	if (full_why[0]) {
		const struct CMUnitTest skipped[] = { cmocka_unit_test(test_full_isolation_available) };

		failed += cmocka_run_group_tests_name("run (full isolation)", skipped, tu_setup_full, NULL);
	} else {
		failed += cmocka_run_group_tests_name("run (full isolation)", full, tu_setup_full, NULL);
	}
	failed += cmocka_run_group_tests_name("run (reduced isolation)", reduced, tu_setup_reduced, NULL);
	return failed;
}
