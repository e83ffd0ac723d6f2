/*
 * test_accounting.c - every process and call counted exactly, and each
 * process's end, against tests/fixtures/accounting/NAME.c, in both
 * isolation modes.
 *
 * Each fixture states in its header (tests/fixture_header.h) what the run
 * must show; every key but expect-ipc is optional:
 *   args: A B                    the program's arguments
 *   flags: --processes 700       extra `ipcgrade run` flags
 *   repeat: N                    runs of it, each checked (default 1)
 *   expect-ipc: fork=1 ...       group counts, `processes`, `threads`: an
 *                                unlisted group is 0
 *   expect-calls: a b; 2: c      counted calls in order, per box pid
 *   expect-ends: exit0=2 SIGFPE=1  how the processes of `process_list`
 *                                ended, every one of them counted
 *   expect-leftovers: 2=comm     the processes left running, exactly
 *   expect-execs: 2=/usr/bin/ls  the last program of a process
 *   expect-sleep-ms: 210         the sleep time requested, within 10 ms + 5%
 *   expect-hot: io=20            hot groups with --trace-hot; that run's
 *                                setup groups must equal the cold run's
 *   expect-io-detail: A B        words in the detail of every io event
 *   expect-stdout: TEXT          its whole stdout, one line
 *   expect-reduced: VERDICT DENIAL  what reduced isolation makes of it
 *                                instead, with the denied call's name
 * and every run must keep the invariants of `process_list`: one record
 * per process, box pids 1..n in creation order, parents among them, no
 * pid 0 anywhere.
 */
#include "testutil.h"
#include <dirent.h>

#define MAX_FIXTURES 64

static const char *const setup_groups[] = {
	"fork", "thread", "exec", "wait", "kill", "pipe", "shm", "sem", "mq", "socket", "sleep", NULL,
};

struct fixture {
	char name[64];
	char rel[96];		/* under build/fixtures, without .c */
	struct fixture_header h;
};

static int load(struct fixture *fx)
{
	DIR *d = opendir("tests/fixtures/accounting");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) && n < MAX_FIXTURES) {
		size_t l = strlen(e->d_name);
		char path[300];

		if (l < 3 || strcmp(e->d_name + l - 2, ".c") != 0)
			continue;
		snprintf(path, sizeof(path), "tests/fixtures/accounting/%s", e->d_name);
		tu_fixture_header(path, &fx[n].h);
		snprintf(fx[n].name, sizeof(fx[n].name), "%.*s", (int)(l - 2), e->d_name);
		snprintf(fx[n].rel, sizeof(fx[n].rel), "accounting/%s", fx[n].name);
		n++;
	}
	closedir(d);
	return n;
}

/* The value of KEY in "a=1 b=2" (whole words), or dflt. */
static long long count_in(const char *list, const char *key, long long dflt)
{
	size_t k = strlen(key);

	for (const char *p = list; p && (p = strstr(p, key)); p++)
		if ((p == list || p[-1] == ' ') && p[k] == '=')
			return atoll(p + k + 1);
	return dflt;
}

static json_t *run(const struct fixture *x, bool hot)
{
	char fbuf[512], abuf[512];
	char *flags[24], *args[24];
	const char *extra[40];
	int n = 0;
	int nf = tu_words(fh_get(&x->h, "flags"), fbuf, sizeof(fbuf), flags, 20);

	int na = tu_words(fh_get(&x->h, "args"), abuf, sizeof(abuf), args, 20);

	args[na] = NULL;
	extra[n++] = "--isolation";
	extra[n++] = tu_mode;
	if (hot)
		extra[n++] = "--trace-hot";
	for (int i = 0; i < nf; i++)
		extra[n++] = flags[i];
	extra[n] = NULL;
	char *prog = tu_fixture(x->rel);
	json_t *j = tu_run_json_within(extra, prog, (const char *const *)args, NULL, 120000);

	free(prog);
	return j;
}

/* One complaint about fixture x; counts it. */
#define BAD(x, ...) do { fprintf(stderr, "%s (%s): ", (x)->name, tu_mode); fprintf(stderr, __VA_ARGS__); \
		fprintf(stderr, "\n"); bad++; } while (0)

/* The invariants of process_list that hold for every run. */
static int check_processes(const struct fixture *x, json_t *j)
{
	json_t *list = json_object_get(j, "process_list"), *p;
	size_t n = json_array_size(list), i;
	int bad = 0;

	if (!json_is_array(list)) {
		BAD(x, "no process_list");
		return bad;
	}
	if ((long long)n != tu_int(j, "processes"))
		BAD(x, "process_list has %zu processes, processes says %lld", n, tu_int(j, "processes"));
	json_array_foreach(list, i, p) {
		long long pid = tu_int(p, "pid"), ppid = tu_int(p, "ppid");

		if (pid != (long long)i + 1)
			BAD(x, "process_list[%zu] is pid %lld", i, pid);
		if (pid == 1 ? ppid != 0 : ppid < 1 || ppid >= pid)
			BAD(x, "pid %lld has parent %lld", pid, ppid);
		if (!tu_str(p, "comm") || !*tu_str(p, "comm"))
			BAD(x, "pid %lld has no comm", pid);
		json_t *end = json_object_get(p, "end_us");

		if (json_is_integer(end) && json_integer_value(end) < tu_int(p, "start_us"))
			BAD(x, "pid %lld ends before it starts", pid);
	}
	json_t *e;

	json_array_foreach(json_object_get(j, "events"), i, e) {
		if (tu_int(e, "pid") < 1 || tu_int(e, "pid") > (long long)n)
			BAD(x, "event %zu (%s) has pid %lld", i, tu_str(e, "call"), tu_int(e, "pid"));
		if (json_object_get(e, "child") && tu_int(e, "child") > (long long)n)
			BAD(x, "event %zu (%s) has child %lld", i, tu_str(e, "call"), tu_int(e, "child"));
	}
	return bad;
}

/* "exit0", "exit3", "SIGFPE" or "unknown": how p ended. */
static void end_of(json_t *p, char *buf, size_t size)
{
	if (tu_str(p, "signal"))
		snprintf(buf, size, "%s", tu_str(p, "signal"));
	else if (json_is_integer(json_object_get(p, "exit_code")))
		snprintf(buf, size, "exit%lld", tu_int(p, "exit_code"));
	else
		snprintf(buf, size, "unknown");
}

static int check_ends(const struct fixture *x, json_t *j, const char *want)
{
	json_t *list = json_object_get(j, "process_list"), *p;
	char wbuf[256], *w[16], seen[512] = "";
	int nw = tu_words(want, wbuf, sizeof(wbuf), w, 16), bad = 0, total = 0;
	size_t i;

	for (int k = 0; k < nw; k++) {
		char kind[32];
		int count = 0;
		const char *eq = strchr(w[k], '=');

		snprintf(kind, sizeof(kind), "%.*s", eq ? (int)(eq - w[k]) : 0, w[k]);
		json_array_foreach(list, i, p) {
			char e[32];

			end_of(p, e, sizeof(e));
			count += strcmp(e, kind) == 0;
		}
		total += eq ? atoi(eq + 1) : 0;
		if (!eq || count != atoi(eq + 1))
			BAD(x, "%d processes ended %s, expected %s", count, kind, eq ? eq + 1 : "?");
	}
	json_array_foreach(list, i, p) {
		char e[32];
		size_t l = strlen(seen);

		end_of(p, e, sizeof(e));
		snprintf(seen + l, sizeof(seen) - l, " %lld:%s", tu_int(p, "pid"), e);
	}
	if ((size_t)total != json_array_size(list))
		BAD(x, "the expected ends name %d processes, process_list has %zu:%s", total,
		    json_array_size(list), seen);
	return bad;
}

/* "N=comm" pairs against process_list (leftovers) or exec paths. */
static int check_pairs(const struct fixture *x, json_t *j, const char *want, bool leftovers)
{
	json_t *list = json_object_get(j, "process_list");
	char wbuf[512], *w[16];
	int nw = tu_words(want, wbuf, sizeof(wbuf), w, 16), bad = 0;

	if (leftovers) {
		json_t *left = json_object_get(json_object_get(j, "cleanup"), "processes");

		if ((long long)json_array_size(left) != nw || tu_int(j, "leftover_processes") != nw)
			BAD(x, "%zu leftovers listed, leftover_processes %lld, expected %d", json_array_size(left),
			    tu_int(j, "leftover_processes"), nw);
		for (size_t i = 0; i < json_array_size(left); i++) {
			json_t *l = json_array_get(left, i);
			char pair[96];

			snprintf(pair, sizeof(pair), "%lld=%s", tu_int(l, "pid"), tu_str(l, "comm") ? tu_str(l, "comm") : "");
			if (!strstr(want, pair))
				BAD(x, "leftover %s not expected (%s)", pair, want);
		}
	}
	for (int k = 0; k < nw; k++) {
		char *eq = strchr(w[k], '=');
		json_t *p = eq ? json_array_get(list, (size_t)atoi(w[k]) - 1) : NULL;
		const char *v = p ? tu_str(p, leftovers ? "comm" : "exec") : NULL;

		if (!p || !v || strcmp(v, eq + 1) != 0) {
			BAD(x, "pid %s: %s is %s", w[k], leftovers ? "comm" : "exec", v ? v : "(none)");
			continue;
		}
		if (leftovers && (!json_is_true(json_object_get(p, "leftover")) ||
				  !json_is_true(json_object_get(p, "killed_by_grader"))))
			BAD(x, "pid %s is not marked as a leftover killed by the grader", w[k]);
	}
	return bad;
}

/* The counted calls of one box pid, space-separated. */
static void calls_of(json_t *events, int pid, char *out, size_t size)
{
	out[0] = '\0';
	for (size_t i = 0; i < json_array_size(events); i++) {
		json_t *e = json_array_get(events, i);
		size_t len = strlen(out);

		if (tu_int(e, "pid") == pid)
			snprintf(out + len, size - len, "%s%s", len ? " " : "", tu_str(e, "call"));
	}
}

static int check_calls(const struct fixture *x, json_t *j, const char *want)
{
	char spec[1024], got[1024];
	int bad = 0;

	snprintf(spec, sizeof(spec), "%s%s", strchr(want, ':') ? "" : "1: ", want);
	for (char *save = NULL, *part = strtok_r(spec, ";", &save); part; part = strtok_r(NULL, ";", &save)) {
		int pid = atoi(part);
		char *calls = strchr(part, ':');

		if (!calls)
			continue;
		calls++;
		while (*calls == ' ')
			calls++;
		calls_of(json_object_get(j, "events"), pid, got, sizeof(got));
		if (strcmp(got, calls) != 0)
			BAD(x, "calls of pid %d: expected '%s', saw '%s'", pid, calls, got);
	}
	return bad;
}

static int check_run(const struct fixture *x, json_t *j)
{
	const char *want_ipc = fh_get(&x->h, "expect-ipc"), *v;
	json_t *ipc = json_object_get(j, "ipc");
	int bad = 0;

	if (strcmp(tu_str(j, "verdict"), "ok") != 0)
		BAD(x, "verdict %s (%s), stdout '%s', stderr '%s'", tu_str(j, "verdict"),
		    tu_str(j, "verdict_detail"), tu_str(j, "stdout"), tu_str(j, "stderr"));
	for (int g = 0; setup_groups[g]; g++) {
		long long seen = tu_int(ipc, setup_groups[g]), want = count_in(want_ipc, setup_groups[g], 0);

		if (seen != want)
			BAD(x, "%s: expected %lld, saw %lld", setup_groups[g], want, seen);
	}
	for (const char *const *k = (const char *const[]){ "processes", "threads", NULL }; *k; k++)
		if (tu_int(j, *k) != count_in(want_ipc, *k, 0))
			BAD(x, "%s: expected %lld, saw %lld", *k, count_in(want_ipc, *k, 0), tu_int(j, *k));
	if ((v = fh_get(&x->h, "expect-calls")))
		bad += check_calls(x, j, v);
	if ((v = fh_get(&x->h, "expect-ends")))
		bad += check_ends(x, j, v);
	if ((v = fh_get(&x->h, "expect-leftovers")))
		bad += check_pairs(x, j, v, true);
	else if (tu_int(j, "leftover_processes") != 0)
		BAD(x, "%lld processes left running", tu_int(j, "leftover_processes"));
	if ((v = fh_get(&x->h, "expect-execs")))
		bad += check_pairs(x, j, v, false);
	if ((v = fh_get(&x->h, "expect-sleep-ms"))) {
		double want = atof(v), seen = (double)tu_int(j, "sleep_requested_us") / 1000.0;

		if (seen < want - 10 - want / 20 || seen > want + 10 + want / 20)
			BAD(x, "sleep requested: %.1f ms, expected %s", seen, v);
	}
	if ((v = fh_get(&x->h, "expect-stdout"))) {
		char want[300];

		snprintf(want, sizeof(want), "%s\n", v);
		if (strcmp(tu_str(j, "stdout"), want) != 0)
			BAD(x, "stdout '%s', expected '%s'", tu_str(j, "stdout"), v);
	}
	bad += check_processes(x, j);
	if (bad) {
		char *dump = json_dumps(json_object_get(j, "events"), JSON_COMPACT);

		fprintf(stderr, "%s (%s) events: %.3000s\n", x->name, tu_mode, dump);
		free(dump);
	}
	return bad;
}

/* With --trace-hot: the hot groups as stated, every setup group as without. */
static int check_hot(const struct fixture *x, json_t *cold, json_t *hot, const char *want)
{
	json_t *ci = json_object_get(cold, "ipc"), *hi = json_object_get(hot, "ipc"), *e;
	const char *detail = fh_get(&x->h, "expect-io-detail");
	int bad = 0;
	size_t i;

	for (int g = 0; setup_groups[g]; g++)
		if (tu_int(ci, setup_groups[g]) != tu_int(hi, setup_groups[g]))
			BAD(x, "%s is %lld without --trace-hot, %lld with it", setup_groups[g],
			    tu_int(ci, setup_groups[g]), tu_int(hi, setup_groups[g]));
	for (const char *const *g = (const char *const[]){ "io", "futex", NULL }; *g; g++)
		if (count_in(want, *g, -1) >= 0 && tu_int(hi, *g) != count_in(want, *g, -1))
			BAD(x, "--trace-hot: %s expected %lld, saw %lld", *g, count_in(want, *g, -1), tu_int(hi, *g));
	json_array_foreach(json_object_get(hot, "events"), i, e) {
		char dbuf[256], *w[8];
		int nw = tu_words(detail, dbuf, sizeof(dbuf), w, 8);

		for (int k = 0; k < nw && strcmp(tu_str(e, "group"), "io") == 0; k++)
			if (!strstr(tu_str(e, "detail"), w[k]))
				BAD(x, "io event detail '%s' lacks '%s'", tu_str(e, "detail"), w[k]);
	}
	return bad;
}

static int check_fixture(const struct fixture *x)
{
	const char *reduced = fh_get(&x->h, "expect-reduced"), *hot = fh_get(&x->h, "expect-hot");
	int repeat = fh_get(&x->h, "repeat") ? atoi(fh_get(&x->h, "repeat")) : 1, bad = 0;

	for (int r = 0; r < repeat; r++) {
		json_t *j = run(x, false);

		if (reduced && strcmp(tu_mode, "reduced") == 0) {
			char want[160];
			const char *sp = strchr(reduced, ' ');
			json_t *denied = json_object_get(j, "denied");

			snprintf(want, sizeof(want), "%.*s", sp ? (int)(sp - reduced) : (int)strlen(reduced), reduced);
			if (strstr(tu_str(j, "stdout"), "mq_open") || strstr(tu_str(j, "stderr"), "mq_open:"))
				fprintf(stderr, "SKIPPED: %s (reduced): message queues cannot be opened here: %s",
					x->name, tu_str(j, "stderr"));
			else if (strcmp(tu_str(j, "verdict"), want) != 0 || !sp || !json_object_get(denied, sp + 1)) {
				char *d = json_dumps(denied, JSON_COMPACT);

				BAD(x, "verdict %s, denied %s; expected %s", tu_str(j, "verdict"), d, reduced);
				free(d);
			}
			json_decref(j);
			continue;
		}
		bad += check_run(x, j);
		if (hot && r == 0) {
			json_t *h = run(x, true);

			bad += check_hot(x, j, h, hot) + check_processes(x, h);
			json_decref(h);
		}
		json_decref(j);
	}
	return bad;
}

static void test_accounting_fixtures_are_exact(void **state)
{
	static struct fixture fx[MAX_FIXTURES];
	int n = load(fx), bad = 0;

	(void)state;
	assert_true(n >= 10);
	for (int i = 0; i < n; i++)
		bad += check_fixture(&fx[i]) ? 1 : 0;
	if (bad)
		fprintf(stderr, "%d of %d accounting fixtures differ (%s isolation)\n", bad, n, tu_mode);
	assert_int_equal(bad, 0);
}

/* Every trace fixture counts the same setup groups with hot tracing on. */
static void test_accounting_groups_keep_their_meaning_with_trace_hot(void **state)
{
	DIR *d = opendir("tests/fixtures/trace");
	struct dirent *e;
	int bad = 0, n = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		struct fixture x;
		char path[300];

		if (l < 3 || strcmp(e->d_name + l - 2, ".c") != 0)
			continue;
		snprintf(path, sizeof(path), "tests/fixtures/trace/%s", e->d_name);
		tu_fixture_header(path, &x.h);
		snprintf(x.name, sizeof(x.name), "%.*s", (int)(l - 2), e->d_name);
		snprintf(x.rel, sizeof(x.rel), "trace/%s", x.name);
		json_t *cold = run(&x, false), *hot = run(&x, true);

		/* mq fixtures cannot run in reduced isolation where /dev/mqueue is missing */
		if (strcmp(tu_str(cold, "verdict"), "ok") == 0)
			bad += check_hot(&x, cold, hot, "");
		json_decref(cold);
		json_decref(hot);
		n++;
	}
	closedir(d);
	assert_true(n >= 20);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accounting_fixtures_are_exact),
		cmocka_unit_test(test_accounting_groups_keep_their_meaning_with_trace_hot),
	};
	int failed = 0;

	if (!*tu_full_isolation_missing())
		failed += cmocka_run_group_tests_name("accounting (full isolation)", tests, tu_setup_full, NULL);
	else
		fprintf(stderr, "SKIPPED: accounting (full isolation): %s\n", tu_full_isolation_missing());
	failed += cmocka_run_group_tests_name("accounting (reduced isolation)", tests, tu_setup_reduced, NULL);
	return failed;
}
