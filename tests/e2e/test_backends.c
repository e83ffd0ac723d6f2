/*
 * test_backends.c - the two counting backends agree: every fixture of
 * tests/fixtures/trace, trace_hot and accounting, run under the notify
 * tracer and under the eBPF backend (IPCGRADE_TRACER=notify, =ebpf),
 * with default tracing and with --trace-hot, in both isolation modes,
 * gives the same counts: the groups, `calls`, and each process's calls
 * (what `ipc: {first, each}` counts).
 *
 * The hot calls are compared for the fixtures whose hot counts are
 * stable by design (an expect-hot header, as test_accounting.c uses
 * it): elsewhere a read may return part of a message, so two runs of one
 * program differ under either backend. Futexes never are: one is made
 * only when a lock is contended, which depends on how long the tracer
 * holds each call (notify: 6 to 20 in hot_stable's runs; eBPF: 2). SKIPPED where the eBPF
 * backend cannot be used (doctor says why).
 */
#include "testutil.h"
#include <dirent.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const dirs[] = { "trace", "trace_hot", "accounting" };
static const char *const hot_groups[] = { "futex", "io", "hot" };
static const char *mode;

static bool is_hot_group(const char *g)
{
	for (size_t i = 0; i < N_OF(hot_groups); i++)
		if (strcmp(g, hot_groups[i]) == 0)
			return true;
	return false;
}

static int words(const char *value, char *buf, size_t size, char **w, int max)
{
	int n = 0;

	snprintf(buf, size, "%s", value ? value : "");
	for (char *save = NULL, *t = strtok_r(buf, " ", &save); t && n < max; t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	return n;
}

static json_t *run(const char *rel, const struct fixture_header *h, const char *backend, bool hot)
{
	char fbuf[512], abuf[512];
	char *flags[24], *args[24];
	const char *extra[40];
	int n = 0, nf = words(fh_get(h, "flags"), fbuf, sizeof(fbuf), flags, 20);
	int na = words(fh_get(h, "args"), abuf, sizeof(abuf), args, 20);

	args[na] = NULL;
	extra[n++] = "--isolation";
	extra[n++] = mode;
	extra[n++] = hot ? "--trace-hot" : "--trace";
	for (int i = 0; i < nf; i++)
		extra[n++] = flags[i];
	extra[n] = NULL;
	setenv("IPCGRADE_TRACER", backend, 1);
	char *prog = tu_fixture(rel);
	json_t *j = tu_run_json_within(extra, prog, (const char *const *)args, NULL, 120000);

	free(prog);
	unsetenv("IPCGRADE_TRACER");
	return j;
}

/* The counts of a run as one object: groups, calls and "PID CALL" per
 * process, the hot ones left out unless asked for. */
static json_t *counts(json_t *j, bool with_hot)
{
	json_t *o = json_object(), *ipc = json_object_get(j, "ipc"), *v, *e;
	const char *k;
	size_t i;

	json_object_foreach(ipc, k, v) {
		if (!is_hot_group(k) || (with_hot && strcmp(k, "io") == 0))
			json_object_set(o, k, v);
	}
	json_array_foreach(json_object_get(j, "calls"), i, v) {
		char key[96];

		snprintf(key, sizeof(key), "calls %s", tu_str(v, "call"));
		json_object_set(o, key, json_object_get(v, "count"));
	}
	json_array_foreach(json_object_get(j, "events"), i, e) {
		const char *g = tu_str(e, "group");
		char key[128];

		if (!g || strcmp(g, "fd") == 0 || strcmp(g, "futex") == 0 || (!with_hot && is_hot_group(g)))
			continue;
		snprintf(key, sizeof(key), "pid %lld %s", tu_int(e, "pid"), tu_str(e, "call"));
		json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + 1));
	}
	json_object_del(o, "calls futex");
	if (!with_hot) {
		/* the hot calls' names, when they are left out */
		static const char *const hot_calls[] = { "read", "write", "readv", "writev", "futex", "semop",
							 "mq_send", "mq_receive", "msgsnd", "msgrcv" };

		for (i = 0; i < N_OF(hot_calls); i++) {
			char key[96];

			snprintf(key, sizeof(key), "calls %s", hot_calls[i]);
			json_object_del(o, key);
		}
	}
	return o;
}

static void test_backends_count_alike(void **state)
{
	int bad = 0, runs = 0;

	(void)state;
	for (size_t d = 0; d < N_OF(dirs); d++) {
		char path[300];
		DIR *dir;
		struct dirent *de;

		snprintf(path, sizeof(path), "tests/fixtures/%s", dirs[d]);
		dir = opendir(path);
		assert_non_null(dir);
		while ((de = readdir(dir))) {
			size_t l = strlen(de->d_name);
			struct fixture_header h;
			char rel[128], src[400];

			if (l < 3 || strcmp(de->d_name + l - 2, ".c") != 0)
				continue;
			snprintf(rel, sizeof(rel), "%s/%.*s", dirs[d], (int)(l - 2), de->d_name);
			snprintf(src, sizeof(src), "%s/%s", path, de->d_name);
			tu_fixture_header(src, &h);
			/* A fixture that reduced isolation refuses says so itself. */
			if (strcmp(mode, "reduced") == 0 && fh_get(&h, "expect-reduced"))
				continue;
			for (int hot = 0; hot < 2; hot++) {
				json_t *a = run(rel, &h, "notify", hot), *b = run(rel, &h, "ebpf", hot);
				bool with_hot = hot && fh_get(&h, "expect-hot");
				json_t *ca = counts(a, with_hot), *cb = counts(b, with_hot);

				runs++;
				if (strcmp(tu_str(a, "tracer_by"), "seccomp-notify") != 0 ||
				    strcmp(tu_str(b, "tracer_by"), "ebpf") != 0) {
					fprintf(stderr, "%s (%s): tracer_by %s and %s\n", rel, mode,
						tu_str(a, "tracer_by"), tu_str(b, "tracer_by"));
					bad++;
				}
				if (!json_equal(ca, cb)) {
					char *ta = json_dumps(ca, JSON_SORT_KEYS | JSON_COMPACT);
					char *tb = json_dumps(cb, JSON_SORT_KEYS | JSON_COMPACT);

					fprintf(stderr, "%s (%s%s): notify %s\n  ebpf %s\n", rel, mode,
						hot ? ", --trace-hot" : "", ta, tb);
					free(ta);
					free(tb);
					bad++;
				}
				json_decref(ca);
				json_decref(cb);
				json_decref(a);
				json_decref(b);
			}
		}
		closedir(dir);
	}
	fprintf(stderr, "%d fixture runs compared (%s isolation), %d differ\n", runs, mode, bad);
	assert_true(runs > 30);
	assert_int_equal(bad, 0);
}

static int setup_full(void **state)
{
	(void)state;
	mode = "full";
	return 0;
}

static int setup_reduced(void **state)
{
	(void)state;
	mode = "reduced";
	return 0;
}

/* Why the eBPF backend cannot be used here ("" when it can). */
static const char *ebpf_missing(void)
{
	static char why[512];
	const char *argv[] = { tu_ipcgrade(), "doctor", "--json", NULL };
	/* opt-in: doctor says whether it loads only when it is asked for */
	setenv("IPCGRADE_TRACER", "ebpf", 1);
	struct proc_out r = tu_run(argv, NULL, 30000);
	unsetenv("IPCGRADE_TRACER");
	json_t *j = json_loads(r.out, 0, NULL);
	const char *tracer = j ? tu_str(j, "tracer") : NULL;

	if (!tracer || strcmp(tracer, "ebpf") != 0)
		snprintf(why, sizeof(why), "the eBPF backend cannot be used: %s",
			 j && tu_str(j, "tracer_why") ? tu_str(j, "tracer_why") : "doctor failed");
	json_decref(j);
	tu_free(&r);
	return why;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backends_count_alike),
	};
	int failed = 0;

	unsetenv("IPCGRADE_TRACER");
	if (*ebpf_missing()) {
		fprintf(stderr, "SKIPPED: backends: %s\n", ebpf_missing());
		return 0;
	}
	if (!*tu_full_isolation_missing())
		failed += cmocka_run_group_tests_name("backends (full isolation)", tests, setup_full, NULL);
	else
		fprintf(stderr, "SKIPPED: backends (full isolation): %s\n", tu_full_isolation_missing());
	failed += cmocka_run_group_tests_name("backends (reduced isolation)", tests, setup_reduced, NULL);
	return failed;
}
