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
 * holds each call (notify: 6 to 20 in hot_stable's runs; eBPF: 2). And
 * with IPCGRADE_TRACER unset (auto) the backend is used where it pays.
 * SKIPPED where the eBPF backend cannot be used (doctor says why).
 */
#include "testutil.h"
#include <dirent.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const dirs[] = { "trace", "trace_hot", "accounting" };
static const char *const hot_groups[] = { "futex", "io", "hot" };

static bool is_hot_group(const char *g)
{
	for (size_t i = 0; i < N_OF(hot_groups); i++)
		if (strcmp(g, hot_groups[i]) == 0)
			return true;
	return false;
}

static json_t *run(const char *rel, const struct fixture_header *h, const char *backend, bool hot)
{
	char fbuf[512], abuf[512];
	char *flags[24], *args[24];
	const char *extra[40];
	int n = 0, nf = tu_words(fh_get(h, "flags"), fbuf, sizeof(fbuf), flags, 20);
	int na = tu_words(fh_get(h, "args"), abuf, sizeof(abuf), args, 20);

	args[na] = NULL;
	extra[n++] = "--isolation";
	extra[n++] = tu_mode;
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
	/* Per process, from the events; past the record's room (a run of
	 * more than HX_MAX_EVENTS) which ones it kept depends on when each
	 * came, so only the exact totals above are compared. */
	json_array_foreach(json_is_true(json_object_get(j, "events_truncated")) ? NULL
			   : json_object_get(j, "events"), i, e) {
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
			if (strcmp(tu_mode, "reduced") == 0 && fh_get(&h, "expect-reduced"))
				continue;
			for (int hot = 0; hot < 2; hot++) {
				json_t *a = run(rel, &h, "notify", hot), *b = run(rel, &h, "ebpf", hot);
				bool with_hot = hot && fh_get(&h, "expect-hot");
				json_t *ca = counts(a, with_hot), *cb = counts(b, with_hot);

				runs++;
				if (strcmp(tu_str(a, "tracer_by"), "seccomp-notify") != 0 ||
				    strcmp(tu_str(b, "tracer_by"), "ebpf") != 0) {
					fprintf(stderr, "%s (%s): tracer_by %s and %s\n", rel, tu_mode,
						tu_str(a, "tracer_by"), tu_str(b, "tracer_by"));
					bad++;
				}
				if (!json_equal(ca, cb)) {
					char *ta = json_dumps(ca, JSON_SORT_KEYS | JSON_COMPACT);
					char *tb = json_dumps(cb, JSON_SORT_KEYS | JSON_COMPACT);

					fprintf(stderr, "%s (%s%s): notify %s\n  ebpf %s\n", rel, tu_mode,
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
	fprintf(stderr, "%d fixture runs compared (%s isolation), %d differ\n", runs, tu_mode, bad);
	assert_true(runs > 30);
	assert_int_equal(bad, 0);
}

/* ---- auto: the backend where it pays -------------------------------------- */

static const char *tracer_of_run(const char *const *extra)
{
	static char by[32];
	char *ok = tu_fixture("basic/ok");
	json_t *j = tu_run_json(extra, ok, NULL, NULL);

	snprintf(by, sizeof(by), "%s", tu_str(j, "tracer_by") ? tu_str(j, "tracer_by") : "(none)");
	json_decref(j);
	free(ok);
	return by;
}

/* A System V loop: 2,000 shmat and shmdt, the calls the backend owns
 * under default tracing. */
static const char shm_loop[] =
	"#include <sys/ipc.h>\n#include <sys/shm.h>\n"
	"int main(void)\n{\n"
	"\tint id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);\n"
	"\tfor (int i = 0; i < 2000; i++) {\n"
	"\t\tvolatile char *p = shmat(id, 0, 0);\n"
	"\t\tp[0] = 1;\n\t\tshmdt((const void *)p);\n\t}\n"
	"\treturn shmctl(id, IPC_RMID, 0) != 0;\n}\n";

/*
 * Unset IPCGRADE_TRACER (auto): a plain run keeps the notify tracer
 * (loading costs more than it saves), a --trace-hot run uses eBPF, and
 * (but not where ipcgrade runs in a pid namespace of its own), and
 * a grading worker switches once its runs made 3,000 calls the backend
 * owns: the loop's first run is notified (4,000 of them), the next two
 * counted in the kernel, with the same counts.
 */
static void test_backends_auto_uses_ebpf_where_it_pays(void **state)
{
	char dir[] = "/tmp/ipcgrade-auto-XXXXXX", spec[128], sub[128], out[128], path[200];

	(void)state;
	assert_string_equal(tracer_of_run(NULL), "seccomp-notify");
	assert_string_equal(tracer_of_run((const char *[]){ "--trace-hot", NULL }), "ebpf");
	/* In a pid namespace of its own the program would know the box's
	 * processes by other pids: auto falls back, and counts as before. */
	char *stable = tu_fixture("accounting/hot_stable");
	const char *in_ns[] = { "unshare", "-pf", "--mount-proc", tu_ipcgrade(), "run", "--json",
				"--trace-hot", "--", stable, NULL };
	struct proc_out ns = tu_run(in_ns, NULL, 60000);
	json_t *nj = json_loads(ns.out, 0, NULL);

	assert_non_null(nj);
	assert_string_equal(tu_str(nj, "tracer_by"), "seccomp-notify");
	assert_int_equal(tu_int(json_object_get(nj, "ipc"), "io"), 40);
	json_decref(nj);
	tu_free(&ns);
	free(stable);

	assert_non_null(mkdtemp(dir));
	snprintf(spec, sizeof(spec), "%s/shm-loop", dir);
	snprintf(sub, sizeof(sub), "%s/class/ann", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	tu_sh("mkdir -p %s %s", spec, sub);
	tu_write_file(spec, "spec.yaml",
		      "assignment: shm-loop\ntitle: \"A System V loop\"\nbuild:\n  sources: [\"*.c\"]\n"
		      "tests:\n  - name: loop\n    points: 1\n    runs: 3\n"
		      "    expect:\n      exit: 0\n      ipc: {shm: 4002}\n");
	tu_write_file(sub, "loop.c", shm_loop);
	snprintf(path, sizeof(path), "%s/spec.yaml", spec);
	const char *argv[] = { tu_ipcgrade(), "grade", "--spec", path, "-j", "1", "-o", out,
			       "--no-similarity", sub, NULL };
	struct proc_out r = tu_run(argv, NULL, 120000);

	assert_int_equal(r.status, 0);
	tu_free(&r);
	snprintf(path, sizeof(path), "%s/ann/report.json", out);
	json_t *j = json_load_file(path, 0, NULL), *test, *run;
	size_t i;
	char by[128] = "";

	assert_non_null(j);
	test = json_array_get(json_object_get(j, "tests"), 0);
	json_array_foreach(json_object_get(test, "runs"), i, run) {
		strcat(by, tu_str(run, "tracer_by") ? tu_str(run, "tracer_by") : "?");
		strcat(by, " ");
	}
	fprintf(stderr, "auto, three runs of a System V loop: %s\n", by);
	assert_string_equal(by, "seccomp-notify ebpf ebpf ");
	assert_true(json_is_true(json_object_get(test, "passed")));
	json_decref(j);
	tu_sh("rm -rf %s", dir);
}

/* Why the eBPF backend cannot be used here ("" when it can). */
static const char *ebpf_missing(void)
{
	static char why[512];
	const char *argv[] = { tu_ipcgrade(), "doctor", "--json", NULL };
	/* forced, so that doctor says why not where it cannot load */
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
		failed += cmocka_run_group_tests_name("backends (full isolation)", tests, tu_setup_full, NULL);
	else
		fprintf(stderr, "SKIPPED: backends (full isolation): %s\n", tu_full_isolation_missing());
	failed += cmocka_run_group_tests_name("backends (reduced isolation)", tests, tu_setup_reduced, NULL);
	const struct CMUnitTest auto_tests[] = {
		cmocka_unit_test(test_backends_auto_uses_ebpf_where_it_pays),
	};

	failed += cmocka_run_group_tests_name("backends (auto)", auto_tests, NULL, NULL);
	return failed;
}
