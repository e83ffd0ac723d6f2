/*
 * test_scale.c - exact counts at scale: a parent forks N children that
 * all block on one pipe, then releases and reaps them
 * (tests/fixtures/scale/fan_out.c). Every fork and every wait is counted,
 * and each fork event names its own child.
 *
 * 600 and 3,000 children and a binary tree of 2,047 processes in both
 * isolation modes (the tracer used to stop counting at 512), and 4,000
 * with `--processes 4096`, the CLI's maximum. Every process is in
 * process_list with its parent and its exit status. This test asserts
 * counts, never time (bench-procs measures the cost).
 */
#include "testutil.h"

struct scale {
	json_t *j;
	char *prog;
};

static int setup(void **state)
{
	struct scale *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	s->prog = tu_fixture("scale/fan_out");
	*state = s;
	return s->prog ? 0 : -1;
}

static int teardown(void **state)
{
	struct scale *s = *state;

	json_decref(s->j);
	free(s->prog);
	free(s);
	return 0;
}

/* Every process in process_list, each ended with exit 0, parents among
 * the earlier ones; returns how many children each box pid has. */
static int *check_process_list(json_t *j, int n)
{
	json_t *list = json_object_get(j, "process_list"), *p;
	int *kids = calloc((size_t)n + 2, sizeof(*kids));
	size_t i;

	assert_non_null(kids);
	assert_int_equal(json_array_size(list), n);
	json_array_foreach(list, i, p) {
		long long pid = tu_int(p, "pid"), ppid = tu_int(p, "ppid");

		assert_int_equal(pid, (long long)i + 1);
		assert_true(pid == 1 ? ppid == 0 : ppid >= 1 && ppid < pid);
		assert_int_equal(tu_int(p, "exit_code"), 0);
		assert_null(tu_str(p, "signal"));
		kids[ppid]++;
	}
	return kids;
}

/* Runs fan_out with n children and checks every count. */
static void fan_out(struct scale *s, const char *mode, int n, int outer_ms)
{
	char arg[16], out[32], processes[16];

	snprintf(arg, sizeof(arg), "%d", n);
	snprintf(out, sizeof(out), "%d children\n", n);
	snprintf(processes, sizeof(processes), "%d", n + 96);
	if (n + 96 > 4096)
		snprintf(processes, sizeof(processes), "4096");
	/* Memory: thousands of processes' page tables and kernel stacks
	 * count in the memory cgroup (4,000 take about 450 MB). */
	s->j = tu_run_json_within((const char *[]){ "--isolation", mode, "--processes", processes,
						    "--memory-mb", "2048", "--timeout", "900000",
						    "--cpu-ms", "900000", NULL },
				  s->prog, (const char *[]){ arg, NULL }, NULL, outer_ms);
	json_t *ipc = json_object_get(s->j, "ipc");
	json_t *events = json_object_get(s->j, "events");

	if (strcmp(tu_str(s->j, "verdict"), "ok") != 0)
		fprintf(stderr, "%s, %d children: verdict %s (%s), stderr: %s\n", mode, n,
			tu_str(s->j, "verdict"), tu_str(s->j, "verdict_detail"), tu_str(s->j, "stderr"));
	assert_string_equal(tu_str(s->j, "verdict"), "ok");
	assert_string_equal(tu_str(s->j, "isolation"), mode);
	assert_string_equal(tu_str(s->j, "stdout"), out);
	assert_int_equal(tu_int(json_object_get(s->j, "limits"), "processes"), atoi(processes));
	assert_int_equal(tu_int(ipc, "fork"), n);
	assert_int_equal(tu_int(ipc, "wait"), n);
	assert_int_equal(tu_int(ipc, "pipe"), 1);
	assert_int_equal(tu_int(s->j, "processes"), n + 1);
	assert_int_equal(tu_int(s->j, "threads"), 0);
	assert_int_equal(tu_int(s->j, "leftover_processes"), 0);
	assert_false(json_is_true(json_object_get(s->j, "events_truncated")));

	/* Each fork of pid 1 names a child of its own: box pids 2 .. n+1,
	 * each once. */
	char *seen = calloc((size_t)n + 2, 1);
	int forks = 0;

	assert_non_null(seen);
	for (size_t i = 0; i < json_array_size(events); i++) {
		json_t *e = json_array_get(events, i);

		if (strcmp(tu_str(e, "call"), "fork") != 0)
			continue;
		long long child = tu_int(e, "child");

		assert_int_equal(tu_int(e, "pid"), 1);
		assert_true(child >= 2 && child <= n + 1);
		assert_false(seen[child]);
		seen[child] = 1;
		forks++;
	}
	free(seen);
	assert_int_equal(forks, n);
	free(check_process_list(s->j, n + 1));
}

/* Runs scale/tree at depth d (2^(d+1) - 1 processes). */
static void tree(struct scale *s, const char *mode, int depth, int outer_ms)
{
	char arg[16], out[48], processes[16];
	int n = (1 << (depth + 1)) - 1;
	char *prog = tu_fixture("scale/tree");

	snprintf(arg, sizeof(arg), "%d", depth);
	snprintf(out, sizeof(out), "tree of depth %d\n", depth);
	snprintf(processes, sizeof(processes), "%d", n + 96 > 4096 ? 4096 : n + 96);
	s->j = tu_run_json_within((const char *[]){ "--isolation", mode, "--processes", processes,
						    "--memory-mb", "2048", "--timeout", "900000",
						    "--cpu-ms", "900000", NULL },
				  prog, (const char *[]){ arg, NULL }, NULL, outer_ms);
	free(prog);
	json_t *ipc = json_object_get(s->j, "ipc");

	if (strcmp(tu_str(s->j, "verdict"), "ok") != 0)
		fprintf(stderr, "%s, tree of %d: verdict %s (%s), stderr: %s\n", mode, n,
			tu_str(s->j, "verdict"), tu_str(s->j, "verdict_detail"), tu_str(s->j, "stderr"));
	assert_string_equal(tu_str(s->j, "verdict"), "ok");
	assert_string_equal(tu_str(s->j, "stdout"), out);
	assert_int_equal(tu_int(ipc, "fork"), n - 1);
	assert_int_equal(tu_int(ipc, "wait"), n - 1);
	assert_int_equal(tu_int(s->j, "processes"), n);
	assert_int_equal(tu_int(s->j, "crashed_processes"), 0);
	/* A binary tree: every process has two children or none, and
	 * (n + 1) / 2 of them are leaves. */
	int *kids = check_process_list(s->j, n), leaves = 0;

	for (int pid = 1; pid <= n; pid++) {
		assert_true(kids[pid] == 0 || kids[pid] == 2);
		leaves += kids[pid] == 0;
	}
	free(kids);
	assert_int_equal(leaves, (n + 1) / 2);
}

static void test_scale_600_children_full(void **state)
{
	const char *why = tu_full_isolation_missing();

	if (*why)
		TU_SKIP("full isolation is not available here: %s", why);
	fan_out(*state, "full", 600, 120000);
}

static void test_scale_600_children_reduced(void **state)
{
	fan_out(*state, "reduced", 600, 120000);
}

static void test_scale_3000_children_full(void **state)
{
	const char *why = tu_full_isolation_missing();

	if (*why)
		TU_SKIP("full isolation is not available here: %s", why);
	fan_out(*state, "full", 3000, 900000);
}

static void test_scale_3000_children_reduced(void **state)
{
	fan_out(*state, "reduced", 3000, 900000);
}

static void test_scale_tree_of_2047_full(void **state)
{
	const char *why = tu_full_isolation_missing();

	if (*why)
		TU_SKIP("full isolation is not available here: %s", why);
	tree(*state, "full", 10, 900000);
}

static void test_scale_tree_of_2047_reduced(void **state)
{
	tree(*state, "reduced", 10, 900000);
}

static void test_scale_4000_children_at_the_process_maximum(void **state)
{
	/* Full isolation where it exists: box pids come from the box's own
	 * pid namespace then. The outer timeout is generous: ~90 s here,
	 * slower under sanitizers or load. */
	fan_out(*state, *tu_full_isolation_missing() ? "reduced" : "full", 4000, 1500000);
}

static void test_scale_process_limit_above_the_maximum_is_refused(void **state)
{
	struct scale *s = *state;
	const char *argv[] = { tu_ipcgrade(), "run", "--processes", "4097", "--", s->prog, "1", NULL };
	struct proc_out r = tu_run(argv, NULL, 30000);

	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "4097"));
	tu_free(&r);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_scale_process_limit_above_the_maximum_is_refused),
		T(test_scale_600_children_full),
		T(test_scale_600_children_reduced),
		T(test_scale_3000_children_full),
		T(test_scale_3000_children_reduced),
		T(test_scale_tree_of_2047_full),
		T(test_scale_tree_of_2047_reduced),
		T(test_scale_4000_children_at_the_process_maximum),
	};

	return cmocka_run_group_tests_name("scale", tests, NULL, NULL);
}
