/*
 * test_trace.c - the tracer against fixtures with known IPC use.
 *
 * Each tests/fixtures/trace/NAME.c states what it does in its header
 * (tests/fixture_header.h reads it):
 *   expect-ipc: group=N ...       counts (groups not listed must be 0)
 *   expect-calls: a b c           counted calls in order (one process), or
 *   expect-calls: 1: a b; 2: c    per box pid
 *   expect-stdout: TEXT           (optional) its whole output, one line
 * and the run must produce exactly that, in both isolation modes.
 */
#include "testutil.h"
#include <dirent.h>

struct fixture {
	char name[64];
	char ipc[512];
	char calls[1024];
	char out[256];
	bool has_out;
};

static int load_fixtures(struct fixture *fx, int max)
{
	DIR *d = opendir("tests/fixtures/trace");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) && n < max) {
		size_t l = strlen(e->d_name);
		char path[300];
		struct fixture_header h;

		if (l < 3 || strcmp(e->d_name + l - 2, ".c") != 0)
			continue;
		snprintf(path, sizeof(path), "tests/fixtures/trace/%s", e->d_name);
		tu_fixture_header(path, &h);
		struct fixture *x = &fx[n];

		memset(x, 0, sizeof(*x));
		snprintf(x->name, sizeof(x->name), "%.*s", (int)(l - 2), e->d_name);
		if (!fh_copy(&h, "expect-ipc", x->ipc, sizeof(x->ipc)))
			continue;
		fh_copy(&h, "expect-calls", x->calls, sizeof(x->calls));
		x->has_out = fh_copy(&h, "expect-stdout", x->out, sizeof(x->out));
		n++;
	}
	closedir(d);
	return n;
}

/* The counted calls of one box pid, space-separated. */
static void calls_of(json_t *events, int pid, char *out, size_t size)
{
	out[0] = '\0';
	for (size_t i = 0; i < json_array_size(events); i++) {
		json_t *e = json_array_get(events, i);

		if (tu_int(e, "pid") != pid)
			continue;
		size_t len = strlen(out);

		snprintf(out + len, size - len, "%s%s", len ? " " : "", tu_str(e, "call"));
	}
}

static int check_fixture(const struct fixture *x)
{
	char *prog = NULL, path[128];
	int bad = 0;

	snprintf(path, sizeof(path), "tests/fixtures/trace/%s.c", x->name);
	if (strcmp(tu_mode, "reduced") == 0 && *tu_reduced_mqueue_missing() && tu_file_has(path, "mq_open")) {
		fprintf(stderr, "SKIPPED %s (reduced): mq_open is refused in reduced isolation here: %s\n", x->name,
			tu_reduced_mqueue_missing());
		return 0;
	}
	snprintf(path, sizeof(path), "trace/%s", x->name);
	prog = tu_fixture(path);
	json_t *j = tu_run_json((const char *[]){ "--isolation", tu_mode, NULL }, prog, NULL, NULL);
	json_t *ipc = json_object_get(j, "ipc");
	json_t *events = json_object_get(j, "events");

	free(prog);
	if (strcmp(tu_str(j, "verdict"), "ok") != 0) {
		fprintf(stderr, "%s: verdict %s (%s)\nstderr: %s\n", x->name, tu_str(j, "verdict"),
			tu_str(j, "verdict_detail"), tu_str(j, "stderr"));
		bad++;
	}
	/* Counts: every listed group as stated, every other one 0. */
	const char *groups[] = { "fork", "thread", "exec", "wait", "kill", "pipe", "shm", "sem", "mq",
				 "socket", "processes", "threads", NULL };

	for (int g = 0; groups[g]; g++) {
		char key[32];
		long long want = 0;
		const char *p;

		snprintf(key, sizeof(key), "%s=", groups[g]);
		/* match whole words: "threads=" must not match inside "thread=" */
		for (p = x->ipc; (p = strstr(p, key)); p++)
			if (p == x->ipc || p[-1] == ' ')
				break;
		if (p)
			want = atoll(p + strlen(key));
		long long seen = g >= 10 ? tu_int(j, groups[g]) : tu_int(ipc, groups[g]);

		if (seen != want) {
			fprintf(stderr, "%s (%s): %s expected %lld, saw %lld\n", x->name, tu_mode, groups[g],
				want, seen);
			bad++;
		}
	}
	/* Calls, in order, per process. */
	if (x->calls[0]) {
		char spec[1024], got[1024];

		snprintf(spec, sizeof(spec), "%s", x->calls);
		if (!strchr(spec, ':')) {
			calls_of(events, 1, got, sizeof(got));
			if (strcmp(got, spec) != 0) {
				fprintf(stderr, "%s (%s): calls of pid 1: expected '%s', saw '%s'\n", x->name,
					tu_mode, spec, got);
				bad++;
			}
		} else {
			char *save = NULL;

			for (char *part = strtok_r(spec, ";", &save); part; part = strtok_r(NULL, ";", &save)) {
				while (*part == ' ')
					part++;
				int pid = atoi(part);
				char *want = strchr(part, ':');

				if (!want)
					continue;
				want++;
				while (*want == ' ')
					want++;
				size_t wl = strlen(want);

				while (wl && want[wl - 1] == ' ')
					want[--wl] = '\0';
				calls_of(events, pid, got, sizeof(got));
				if (strcmp(got, want) != 0) {
					fprintf(stderr, "%s (%s): calls of pid %d: expected '%s', saw '%s'\n",
						x->name, tu_mode, pid, want, got);
					bad++;
				}
			}
		}
	}
	if (x->has_out) {
		char want[300];

		snprintf(want, sizeof(want), "%s\n", x->out);
		if (strcmp(tu_str(j, "stdout"), want) != 0) {
			fprintf(stderr, "%s: stdout '%s', expected '%s'\n", x->name, tu_str(j, "stdout"), want);
			bad++;
		}
	}
	if (bad) {
		char *dump = json_dumps(events, JSON_COMPACT);

		fprintf(stderr, "%s events: %.3000s\n", x->name, dump);
		free(dump);
	}
	json_decref(j);
	return bad;
}

static void test_trace_fixtures_give_exact_counts_and_calls(void **state)
{
	(void)state;
	static struct fixture fx[128];
	int n = load_fixtures(fx, 128), bad = 0;

	assert_true(n >= 20);
	for (int i = 0; i < n; i++)
		bad += check_fixture(&fx[i]) ? 1 : 0;
	if (bad)
		fprintf(stderr, "%d of %d trace fixtures differ (%s isolation)\n", bad, n, tu_mode);
	assert_int_equal(bad, 0);
}

/* Hot-call tracing: semop and futex appear when asked for, not otherwise. */
static void test_trace_hot_calls_only_on_request(void **state)
{
	(void)state;
	char *prog = tu_fixture("trace/sem_sysv");
	json_t *cold = tu_run_json((const char *[]){ "--isolation", tu_mode, NULL }, prog, NULL, NULL);
	json_t *hot = tu_run_json((const char *[]){ "--isolation", tu_mode, "--trace-hot", NULL }, prog, NULL, NULL);
	size_t cold_semop = 0, hot_semop = 0;
	json_t *ev;
	size_t i;

	json_array_foreach(json_object_get(cold, "events"), i, ev)
		cold_semop += strcmp(tu_str(ev, "call"), "semop") == 0;
	json_array_foreach(json_object_get(hot, "events"), i, ev)
		hot_semop += strcmp(tu_str(ev, "call"), "semop") == 0;
	assert_int_equal(cold_semop, 0);
	assert_true(hot_semop >= 1);
	assert_null(json_object_get(json_object_get(cold, "ipc"), "futex"));
	assert_non_null(json_object_get(json_object_get(hot, "ipc"), "futex"));
	json_decref(cold);
	json_decref(hot);
	free(prog);
}

/*
 * --trace-hot remembers what each fd is; close, dup2, close_range and exec
 * must make it look again (fixture header: 6 pipe reads/writes, none of
 * the /dev/null writes that reuse the same fd numbers).
 */
static void test_trace_hot_io_follows_fd_reuse(void **state)
{
	(void)state;
	char *prog = tu_fixture("trace_hot/fd_reuse");
	json_t *j = tu_run_json((const char *[]){ "--isolation", tu_mode, "--trace-hot", NULL }, prog, NULL, NULL);
	char calls[256] = "";
	json_t *ev;
	size_t i;

	assert_string_equal(tu_str(j, "verdict"), "ok");
	assert_int_equal(tu_int(json_object_get(j, "ipc"), "io"), 6);
	json_array_foreach(json_object_get(j, "events"), i, ev) {
		if (strcmp(tu_str(ev, "group"), "io") != 0)
			continue;
		size_t len = strlen(calls);

		snprintf(calls + len, sizeof(calls) - len, "%s%s", len ? " " : "", tu_str(ev, "call"));
		assert_non_null(strstr(tu_str(ev, "detail"), "(pipe:["));
	}
	assert_string_equal(calls, "write read write read write read");
	json_decref(j);
	free(prog);
}

/* `ipcgrade run FLAG [--timeout MS] --isolation MODE -- FIXTURE`: the
 * text it prints (it ran: status 0). */
static struct proc_out run_text(const char *fixture, const char *flag, const char *timeout_ms)
{
	char *prog = tu_fixture(fixture);
	const char *argv[12];
	int n = 0;

	argv[n++] = tu_ipcgrade();
	argv[n++] = "run";
	argv[n++] = flag;
	if (timeout_ms) {
		argv[n++] = "--timeout";
		argv[n++] = timeout_ms;
	}
	argv[n++] = "--isolation";
	argv[n++] = tu_mode;
	argv[n++] = "--";
	argv[n++] = prog;
	argv[n] = NULL;
	struct proc_out r = tu_run(argv, NULL, 60000);

	free(prog);
	assert_int_equal(r.status, 0);
	return r;
}

static void test_trace_human_timeline(void **state)
{
	(void)state;
	struct proc_out r = run_text("trace/shm_posix", "--trace", NULL);

	/* [+0.4ms] pid 1   shm_open("/name", O_CREAT|O_RDWR) */
	assert_non_null(strstr(r.out, "] pid 1   shm_open(\""));
	assert_non_null(strstr(r.out, "O_CREAT"));
	assert_non_null(strstr(r.out, "IPC summary"));
	assert_non_null(strstr(r.out, "processes created: 1"));
	tu_free(&r);
}

/* The lines of out that contain every one of the words (NULL-ended):
 * how many. */
static int lines_with(const char *out, const char *const *words)
{
	int n = 0;

	for (const char *l = out; l && *l; ) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		bool all = true;

		for (const char *const *w = words; *w && all; w++) {
			const char *at = memmem(l, len, *w, strlen(*w));

			all = at != NULL;
		}
		n += all;
		l = nl ? nl + 1 : NULL;
	}
	return n;
}

/*
 * The classic "forgot close(fd[1])" read from the timeline: pipe2 gives
 * fds 3 and 4, the child closes both (the write end named as such) and
 * exits with status 0, the parent never closes fd 4 and is stopped by
 * ipcgrade. Without --trace-hot no close is shown, and the timeline says
 * once where to find them.
 */
static void test_trace_timeline_shows_a_forgotten_close(void **state)
{
	(void)state;
	struct proc_out r = run_text("trace_hot/forgot_close", "--trace-hot", "5000");

	if (!strstr(r.out, "] pid 1   pipe2(-> [3, 4])") && !strstr(r.out, "] pid 1   pipe(-> [3, 4])"))
		fail_msg("no pipe with its fds in:\n%s", r.out);
	assert_int_equal(lines_with(r.out, (const char *[]){ "] pid 2   close(fd 3, the read end of pipe:[", NULL }), 1);
	assert_int_equal(lines_with(r.out, (const char *[]){ "] pid 2   close(fd 4, the write end of pipe:[", NULL }), 1);
	assert_int_equal(lines_with(r.out, (const char *[]){ "] pid 1   close(", NULL }), 0);
	assert_int_equal(lines_with(r.out, (const char *[]){ "] pid 2   exited with status 0", NULL }), 1);
	assert_int_equal(lines_with(r.out, (const char *[]){ "] pid 1   was killed by ipcgrade", NULL }), 1);
	assert_null(strstr(r.out, "shown with --trace-hot"));
	/* The child's end comes after its closes, in time order. */
	assert_true(strstr(r.out, "] pid 2   exited") > strstr(r.out, "] pid 2   close(fd 4"));
	tu_free(&r);

	r = run_text("trace_hot/forgot_close", "--trace", "5000");
	assert_int_equal(lines_with(r.out, (const char *[]){ "close(", NULL }), 0);
	assert_int_equal(lines_with(r.out, (const char *[]){ "close and dup2 are shown with --trace-hot", NULL }), 1);
	assert_int_equal(lines_with(r.out, (const char *[]){ "] pid 2   exited with status 0", NULL }), 1);
	tu_free(&r);
}

/* Each process's end has its line in the timeline: exit statuses, and
 * the signal of a crash (five children end five ways). */
static void test_trace_timeline_shows_process_ends(void **state)
{
	(void)state;
	struct proc_out r = run_text("accounting/crash_children", "--trace", NULL);

	assert_int_equal(lines_with(r.out, (const char *[]){ "] pid 1   exited with status 0", NULL }), 1);
	assert_int_equal(lines_with(r.out, (const char *[]){ "exited with status 3", NULL }), 1);
	assert_int_equal(lines_with(r.out, (const char *[]){ "] pid ", "was killed by SIGSEGV", NULL }), 1);
	assert_int_equal(lines_with(r.out, (const char *[]){ "] pid ", "was killed by SIGFPE", NULL }), 2);
	assert_int_equal(lines_with(r.out, (const char *[]){ "] pid ", "was killed by SIGABRT", NULL }), 1);
	/* Each end line comes after the fork that made its process. (Not
	 * "pid 1 last": ends are timed when the harness sees them, and the
	 * last children's often share the parent's instant.) */
	const char *trace = strstr(r.out, "trace (");

	assert_non_null(trace);
	assert_true(strstr(trace, "pid 4   was killed by SIGSEGV") > strstr(trace, "-> pid 4\n"));
	assert_true(strstr(trace, "pid 6   exited with status 3") > strstr(trace, "-> pid 6\n"));
	tu_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_fixtures_give_exact_counts_and_calls),
		cmocka_unit_test(test_trace_hot_calls_only_on_request),
		cmocka_unit_test(test_trace_hot_io_follows_fd_reuse),
		cmocka_unit_test(test_trace_human_timeline),
		cmocka_unit_test(test_trace_timeline_shows_a_forgotten_close),
		cmocka_unit_test(test_trace_timeline_shows_process_ends),
	};
	int failed = 0;

	if (!*tu_full_isolation_missing())
		failed += cmocka_run_group_tests_name("trace (full isolation)", tests, tu_setup_full, NULL);
	else
		fprintf(stderr, "SKIPPED: trace (full isolation): %s\n", tu_full_isolation_missing());
	failed += cmocka_run_group_tests_name("trace (reduced isolation)", tests, tu_setup_reduced, NULL);
	return failed;
}
