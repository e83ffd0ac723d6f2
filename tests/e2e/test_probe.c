/*
 * test_probe.c - a run finds namespaces by using them (harness/probe.c,
 * hx_probe_base): its first box is the trial, and where that box cannot
 * be made the run probes, then runs again with what the probe found. So
 * where namespaces cannot be made at all (tests/fixtures/wrap/
 * no_namespaces: Docker's default profile's effect) `run` falls back to
 * reduced isolation and `run --isolation full` says why not, as doctor
 * does; where only a user namespace cannot be made (as root: wrap/
 * no_user_namespaces) the box is full, without one. And a run's
 * limits_by, from the cgroups it made, is what doctor's probe says.
 */
#include "testutil.h"

/* `[WRAP] ipcgrade ARGS...` */
static struct proc_out ipcgrade(const char *wrap, const char *const *args)
{
	const char *argv[32];
	int n = 0;
	char *w = wrap ? tu_fixture(wrap) : NULL;

	/* A wrapped ipcgrade may not load BPF (the wrapper takes what it
	 * needs): a forced backend (make e2e-ebpf) would be refused there;
	 * auto falls back, as it must. */
	const char *forced = getenv("IPCGRADE_TRACER");
	char *was = forced ? strdup(forced) : NULL;

	if (w) {
		setenv("IPCGRADE_TRACER", "auto", 1);
		argv[n++] = w;
	}
	argv[n++] = tu_ipcgrade();
	for (int i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	struct proc_out r = tu_run(argv, NULL, 60000);

	if (was)
		setenv("IPCGRADE_TRACER", was, 1);
	else
		unsetenv("IPCGRADE_TRACER");
	free(was);
	free(w);
	return r;
}

static json_t *json_of(struct proc_out *r)
{
	json_t *j = json_loads(r->out, 0, NULL);

	if (!j)
		fail_msg("not JSON (exit %d): %.2000s\nstderr: %.2000s", r->status, r->out, r->err);
	return j;
}

static json_t *run_ok(const char *wrap, const char *isolation)
{
	char *prog = tu_fixture("basic/ok");
	const char *args[] = { "run", "--json", "--isolation", isolation, "--", prog, NULL };
	struct proc_out r = ipcgrade(wrap, args);
	json_t *j = json_of(&r);

	free(prog);
	assert_int_equal(r.status, 0);
	assert_string_equal(tu_str(j, "verdict"), "ok");
	assert_string_equal(tu_str(j, "stdout"), "hello from the box\n");
	tu_free(&r);
	return j;
}

static json_t *doctor(const char *wrap)
{
	const char *args[] = { "doctor", "--json", NULL };
	struct proc_out r = ipcgrade(wrap, args);
	json_t *j = json_of(&r);

	tu_free(&r);
	return j;
}

static void test_probe_no_namespaces_falls_back_to_reduced(void **state)
{
	(void)state;
	json_t *d = doctor("wrap/no_namespaces");

	assert_true(json_is_false(json_object_get(d, "namespaces")));
	assert_string_equal(tu_str(d, "isolation"), "reduced");
	json_t *j = run_ok("wrap/no_namespaces", "auto");

	assert_string_equal(tu_str(j, "isolation"), "reduced");
	json_decref(j);

	char *prog = tu_fixture("basic/ok");
	const char *args[] = { "run", "--json", "--isolation", "full", "--", prog, NULL };
	struct proc_out r = ipcgrade("wrap/no_namespaces", args);

	free(prog);
	assert_int_equal(r.status, 3);
	if (!strstr(r.err, "full isolation is not available here") ||
	    !strstr(r.err, tu_str(d, "namespaces_why")))
		fail_msg("full isolation refused without doctor's reason '%s': %s", tu_str(d, "namespaces_why"),
			 r.err);
	tu_free(&r);
	json_decref(d);
}

static void test_probe_no_user_namespace_as_root_is_full(void **state)
{
	(void)state;
	if (geteuid() != 0)
		TU_SKIP("needs root (a user namespace of its own, mapping 0..65535)");
	const char *why = tu_full_isolation_missing();

	if (why[0])
		TU_SKIP("full isolation is not available here: %s", why);
	json_t *d = doctor("wrap/no_user_namespaces");

	assert_true(json_is_false(json_object_get(d, "user_namespaces")));
	assert_true(json_is_true(json_object_get(d, "namespaces")));
	json_decref(d);
	json_t *j = run_ok("wrap/no_user_namespaces", "auto");

	assert_string_equal(tu_str(j, "isolation"), "full");
	json_decref(j);
	j = run_ok("wrap/no_user_namespaces", "full");
	json_decref(j);
}

static void test_probe_limits_by_agrees_with_doctor(void **state)
{
	(void)state;
	json_t *d = doctor(NULL);
	json_t *j = run_ok(NULL, tu_str(d, "isolation"));
	json_t *want = json_object_get(d, "limits_by"), *got = json_object_get(j, "limits_by");
	static const char *const keys[] = { "wall", "cpu", "memory", "processes", "output" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *w = json_string_value(json_object_get(want, keys[i]));
		const char *g = json_string_value(json_object_get(got, keys[i]));

		if (!w || !g || strcmp(w, g) != 0)
			fail_msg("limits_by.%s: doctor says '%s', the run '%s'", keys[i], w ? w : "(none)",
				 g ? g : "(none)");
	}
	json_decref(j);
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_no_namespaces_falls_back_to_reduced),
		cmocka_unit_test(test_probe_no_user_namespace_as_root_is_full),
		cmocka_unit_test(test_probe_limits_by_agrees_with_doctor),
	};

	return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
