/*
 * test_run_extras.c - what `ipcgrade run` does beyond running: sleeps
 * shortened by --time-scale (order kept, signals still ending them), the
 * fds each process still had at exit (fds_at_exit), and --file / --keep
 * moving files into and out of the box's folder. Real programs, the real
 * sandbox.
 */
#include "testutil.h"

#include <limits.h>

static json_t *run(const char *fixture, const char *const *extra, const char *const *args)
{
	char *prog = tu_fixture(fixture);
	json_t *j = tu_run_json(extra, prog, args, NULL);

	free(prog);
	return j;
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_number(v));
	return json_number_value(v);
}

static void test_time_scale_keeps_order_and_counts(void **state)
{
	(void)state;
	json_t *j = run("spec/sleepy_order", (const char *[]){ "--time-scale", "0.1", NULL }, NULL);
	json_t *ts = json_object_get(j, "time_scale");

	assert_string_equal(tu_str(j, "verdict"), "ok");
	/* 300, 100 and 200 ms become 30, 10 and 20: the same order */
	assert_string_equal(tu_str(j, "stdout"), "2\n3\n1\n");
	assert_non_null(ts);
	assert_true(num(ts, "factor") > 0.099 && num(ts, "factor") < 0.101);
	assert_int_equal(tu_int(ts, "scaled"), 3);
	assert_int_equal(tu_int(ts, "interrupted"), 0);
	assert_true(num(ts, "requested_ms") >= 600 && num(ts, "requested_ms") < 601);
	/* held for about a tenth of what was asked, never the whole of it */
	assert_true(num(ts, "waited_ms") >= 60 && num(ts, "waited_ms") < 600);
	json_decref(j);
}

static void test_time_scale_signal_ends_a_shortened_sleep(void **state)
{
	(void)state;
	json_t *j = run("spec/sleepy_order", (const char *[]){ "--time-scale", "0.1", NULL },
			(const char *[]){ "signal", NULL });
	json_t *ts = json_object_get(j, "time_scale");

	assert_string_equal(tu_str(j, "verdict"), "ok");
	/* child 1's 10 s (1 s shortened) ends with EINTR when its parent signals it */
	assert_string_equal(tu_str(j, "stdout"), "2\n3\n1 interrupted\n");
	assert_int_equal(tu_int(ts, "interrupted"), 1);
	assert_true(num(ts, "waited_ms") < 1000 + 300);
	json_decref(j);
}

static void test_no_time_scale_no_key(void **state)
{
	(void)state;
	json_t *j = run("spec/sleepy_order", NULL, NULL);

	assert_string_equal(tu_str(j, "stdout"), "2\n3\n1\n");
	assert_null(json_object_get(j, "time_scale"));
	json_decref(j);
}

/* The fds of box pid `pid` at its exit, or NULL. */
static json_t *fds_of(json_t *j, int pid)
{
	json_t *arr = json_object_get(j, "fds_at_exit"), *p;
	size_t i;

	assert_true(json_is_array(arr));
	json_array_foreach(arr, i, p) {
		if (tu_int(p, "pid") == pid)
			return json_object_get(p, "fds");
	}
	return NULL;
}

/* The access of the pipe end at fd of fds, or NULL when fd is not a pipe. */
static const char *pipe_end(json_t *fds, int fd)
{
	json_t *o;
	size_t i;

	json_array_foreach(fds, i, o) {
		if (tu_int(o, "fd") == fd && strcmp(tu_str(o, "kind"), "pipe") == 0) {
			char want[64];

			snprintf(want, sizeof(want), "pipe:[%lld]", tu_int(o, "inode"));
			assert_string_equal(tu_str(o, "object"), want);
			return tu_str(o, "access");
		}
	}
	return NULL;
}

static void test_fds_at_exit_names_leaked_pipe_ends(void **state)
{
	(void)state;
	json_t *j = run("spec/pipe_leak", NULL, NULL);
	json_t *parent = fds_of(j, 1), *kid = fds_of(j, 2);

	assert_string_equal(tu_str(j, "verdict"), "ok");
	assert_non_null(parent);
	assert_non_null(kid);
	/* pipe(p) gives fds 3 (read) and 4 (write) */
	assert_string_equal(pipe_end(parent, 4), "write");
	assert_string_equal(pipe_end(parent, 3), "read");
	assert_string_equal(pipe_end(kid, 3), "read");
	assert_null(pipe_end(kid, 4));
	json_decref(j);
}

static void test_fds_at_exit_clean_program(void **state)
{
	(void)state;
	json_t *j = run("spec/pipe_leak", NULL, (const char *[]){ "clean", NULL });
	json_t *arr = json_object_get(j, "fds_at_exit"), *p, *o;
	size_t i, k;

	assert_int_equal(json_array_size(arr), 2);
	json_array_foreach(arr, i, p) {
		json_array_foreach(json_object_get(p, "fds"), k, o)
			assert_true(tu_int(o, "fd") <= 2);
	}
	json_decref(j);
}

static void test_fds_at_exit_none_for_killed(void **state)
{
	(void)state;
	json_t *j = run("basic/segv", NULL, NULL);

	/* killed by a signal: no exit_group, no record */
	assert_int_equal(json_array_size(json_object_get(j, "fds_at_exit")), 0);
	json_decref(j);
}

static void test_file_and_keep(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/ipcgrade-extras-XXXXXX", src[PATH_MAX], spec[PATH_MAX + 32],
	     keep[PATH_MAX], copy[PATH_MAX];
	char *dir = mkdtemp(tmpl);

	assert_non_null(dir);
	tu_write_file(dir, "input.txt", "hello box\n");
	snprintf(src, sizeof(src), "%s/input.txt", dir);
	snprintf(spec, sizeof(spec), "%s:in/data.txt", src);
	snprintf(keep, sizeof(keep), "%s/kept", dir);
	json_t *j = run("spec/copy_input", (const char *[]){ "--file", spec, "--keep", keep, NULL },
			NULL);

	assert_string_equal(tu_str(j, "verdict"), "ok");
	json_decref(j);
	snprintf(copy, sizeof(copy), "%s/out/copy.txt", keep);
	FILE *f = fopen(copy, "r");
	char line[64] = "";

	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_string_equal(line, "HELLO BOX\n");
	/* the input is kept too, where the program saw it */
	snprintf(copy, sizeof(copy), "%s/in/data.txt", keep);
	assert_int_equal(access(copy, R_OK), 0);
	tu_sh("rm -rf '%s'", dir);
}

/* `ipcgrade run` with these arguments fails with usage (2), saying want. */
static void usage_error(const char *const *opts, const char *want)
{
	const char *argv[16];
	int n = 0;
	char *prog = tu_fixture("basic/ok");

	argv[n++] = tu_ipcgrade();
	argv[n++] = "run";
	for (int i = 0; opts[i]; i++)
		argv[n++] = opts[i];
	argv[n++] = "--";
	argv[n++] = prog;
	argv[n] = NULL;
	struct proc_out r = tu_run(argv, NULL, 30000);

	if (!strstr(r.err, want))
		fprintf(stderr, "stderr: %s\n", r.err);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, want));
	tu_free(&r);
	free(prog);
}

static void test_bad_options(void **state)
{
	(void)state;
	usage_error((const char *[]){ "--time-scale", "2", NULL }, "bad --time-scale '2'");
	usage_error((const char *[]){ "--time-scale", "0", NULL }, "bad --time-scale '0'");
	usage_error((const char *[]){ "--file", "/etc/hostname:../x", NULL }, "must be a relative path");
	usage_error((const char *[]){ "--file", "/no/such/file", NULL }, "cannot find '/no/such/file'");
	usage_error((const char *[]){ "--file", "/etc:etc", NULL }, "is not a regular file");
	usage_error((const char *[]){ "--keep", "/tmp", NULL }, "already exists");
	usage_error((const char *[]){ "--keep", "/no/such/dir/kept", NULL }, "its folder does not exist");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_scale_keeps_order_and_counts),
		cmocka_unit_test(test_time_scale_signal_ends_a_shortened_sleep),
		cmocka_unit_test(test_no_time_scale_no_key),
		cmocka_unit_test(test_fds_at_exit_names_leaked_pipe_ends),
		cmocka_unit_test(test_fds_at_exit_clean_program),
		cmocka_unit_test(test_fds_at_exit_none_for_killed),
		cmocka_unit_test(test_file_and_keep),
		cmocka_unit_test(test_bad_options),
	};

	return cmocka_run_group_tests_name("run extras", tests, NULL, NULL);
}
