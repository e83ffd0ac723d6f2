/*
 * test_spec.c - the spec loader: every error path gives FILE:LINE:COL and
 * names the key; valid specs load with their defaults.
 */
#include "testutil.h"
#include "grader.h"

#define HEAD "assignment: demo\ntitle: Demo\n"
#define ONE_TEST "tests:\n  - name: t\n    points: 1\n"

static struct spec *load_ok(const char *yaml)
{
	struct spec *s = NULL;
	struct diag d;

	diag_init(&d);
	int rc = spec_load_buffer("spec.yaml", yaml, strlen(yaml), &s, &d);

	if (rc != 0)
		diag_print(&d, stderr);
	assert_int_equal(rc, 0);
	assert_non_null(s);
	diag_release(&d);
	return s;
}

/* The spec must fail, and some message must contain both where and what. */
static void expect_error(const char *yaml, const char *where, const char *what)
{
	struct spec *s = NULL;
	struct diag d;

	diag_init(&d);
	assert_int_equal(spec_load_buffer("spec.yaml", yaml, strlen(yaml), &s, &d), -EINVAL);
	assert_null(s);
	assert_true(d.n > 0);
	bool found = false;

	for (size_t i = 0; i < d.n; i++)
		if (strstr(d.msgs[i], where) && strstr(d.msgs[i], what))
			found = true;
	if (!found) {
		fprintf(stderr, "wanted '%s' ... '%s' in:\n", where, what);
		diag_print(&d, stderr);
	}
	assert_true(found);
	diag_release(&d);
}

static void test_spec_loads_minimal_with_defaults(void **state)
{
	(void)state;
	struct spec *s = load_ok(HEAD ONE_TEST);

	assert_string_equal(s->assignment, "demo");
	assert_int_equal(s->ntests, 1);
	assert_string_equal(s->tests[0].name, "t");
	assert_int_equal(s->tests[0].runs, 1);
	assert_int_equal(s->tests[0].visibility, VIS_VISIBLE);
	assert_int_equal(s->build.nsources, 1);
	assert_string_equal(s->build.sources[0], "*.c");
	assert_string_equal(s->build.cflags[0], "-std=gnu11");
	assert_int_equal(s->build.timeout_ms, 20000);
	assert_int_equal(strlen(s->sha256), 64);
	spec_free(s);
}

static void test_spec_loads_every_key(void **state)
{
	(void)state;
	const char *yaml = HEAD
		"build:\n  sources: [\"*.c\", \"src/*.c\"]\n  required: [main.c]\n"
		"  cflags: -O0 -g\n  ldflags: [-lrt]\n  timeout_ms: 3000\n  fail_on_warnings: true\n"
		"limits: {wall_ms: 2000, cpu_ms: 1000, memory_mb: 64, processes: 10, output_kb: 8,"
		" deadlock_after_ms: 300}\n"
		"tests:\n"
		"  - name: all-keys\n    points: 2.5\n    visibility: hidden\n    args: [4, '10']\n"
		"    stdin: \"in\\n\"\n    limits: {wall_ms: 999}\n    runs: 3\n"
		"    jitter: {max_us: 100, seed: 7}\n    cpus: 1\n    hint: look\n"
		"    expect:\n      exit: 1\n      stdout: {regex: '^a$', contains: [x, y],"
		" order: [{before: a, after: b}], unordered_lines: \"p\\nq\\n\"}\n"
		"      stderr: nonempty\n"
		"      ipc: {fork: \">= args[0]\", thread: 0, any_of: [{shm: \">= 1\"}, {mmap: 1}]}\n"
		"      symbols: {requires: [sem_wait], forbids: [system], requires_any: [semop, [a, b]]}\n"
		"      cleanup: true\n";
	struct spec *s = load_ok(yaml);
	struct test *t = &s->tests[0];

	assert_int_equal(s->build.ncflags, 2);
	assert_true(s->build.fail_on_warnings);
	assert_int_equal(t->limits.wall_ms, 999);	/* the test's own */
	assert_int_equal(t->limits.cpu_ms, 1000);	/* the spec's */
	assert_int_equal(t->runs, 3);
	assert_true(t->jitter);
	assert_int_equal(t->jitter_max_us, 100);
	assert_int_equal(t->jitter_seed, 7);
	assert_int_equal(t->cpus, 1);
	assert_int_equal(t->expect.exit, 1);
	assert_true(t->expect.err.nonempty);
	assert_int_equal(t->expect.ipc.nconds, 2);
	assert_int_equal(t->expect.ipc.conds[0].value, 4);	/* args[0] */
	assert_int_equal(t->expect.ipc.conds[0].op, IPC_OP_GE);
	assert_int_equal(t->expect.ipc.nany, 2);
	assert_int_equal(t->expect.symbols.nrequires_any, 2);
	assert_true(t->expect.cleanup);
	assert_true(t->needs_trace);
	assert_int_equal(t->stdin_len, 3);
	assert_int_equal(t->visibility, VIS_HIDDEN);
	spec_free(s);
}

static void test_spec_rejects_unknown_key_with_suggestion(void **state)
{
	(void)state;
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expext: {exit: 0}\n",
		     "spec.yaml:6:5:", "unknown key 'expext' in test 't' (did you mean 'expect'?)");
	expect_error(HEAD "titel: x\n" ONE_TEST, "spec.yaml:3:1:", "unknown key 'titel'");
	expect_error(HEAD "limits: {wall: 3}\n" ONE_TEST, "spec.yaml:3:10:", "unknown key 'wall' in limits");
	expect_error(HEAD "build: {sourcez: [a]}\n" ONE_TEST, "3:9:", "did you mean 'sources'");
}

static void test_spec_rejects_yaml_syntax_error(void **state)
{
	(void)state;
	expect_error(HEAD "tests: [\n  - name: t\n", "spec.yaml:", "YAML syntax error");
	expect_error("assignment: \"open\n", "spec.yaml:", "YAML syntax error");
}

static void test_spec_rejects_missing_required(void **state)
{
	(void)state;
	expect_error("title: x\n" ONE_TEST, "spec.yaml:1:1:", "missing 'assignment'");
	expect_error("assignment: a\n" ONE_TEST, "spec.yaml:1:1:", "missing 'title'");
	expect_error(HEAD, "spec.yaml:1:1:", "missing 'tests'");
	expect_error(HEAD "tests: []\n", "spec.yaml:3:8:", "'tests' is empty");
	expect_error(HEAD "tests:\n  - points: 1\n", "spec.yaml:4:5:", "has no 'name'");
	expect_error(HEAD "tests:\n  - name: t\n", "spec.yaml:4:5:", "has no 'points'");
	expect_error("", "spec.yaml", "the spec is empty");
}

static void test_spec_rejects_wrong_types(void **state)
{
	(void)state;
	expect_error(HEAD "tests:\n  - name: t\n    points: many\n", "5:13:", "'points' must be a number");
	expect_error(HEAD "tests:\n  - name: t\n    points: -1\n", "5:13:", "between 0 and");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    args: hello\n", "6:11:",
		     "'args' must be a list");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    args: [[1]]\n", "6:12:",
		     "each item of 'args' must be a string");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    runs: 0\n", "6:11:",
		     "'runs' must be between 1 and 1000");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    runs: two\n", "6:11:",
		     "'runs' must be a whole number");
	expect_error(HEAD "tests: {a: 1}\n", "3:8:", "'tests' must be a list");
	expect_error("- a\n- b\n", "1:1:", "must be a mapping");
	expect_error(HEAD "limits: [1]\n" ONE_TEST, "3:9:", "'limits' must be a mapping");
	expect_error(HEAD "limits: {memory_mb: 1}\n" ONE_TEST, "3:21:", "between 4 and 65536");
	expect_error(HEAD "build: {fail_on_warnings: yes}\n" ONE_TEST, "3:27:", "true or false");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    visibility: secret\n", "6:17:",
		     "visible, hidden or after_due_date");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {exit: 300}\n", "6:20:",
		     "'exit' must be a status");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {cleanup: 1}\n", "6:23:",
		     "true or false");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    jitter: {seed: 3}\n", "6:13:",
		     "'jitter' needs 'max_us'");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    jitter: {max_us: 10, seed: 0}\n",
		     "6:32:", "'seed' must be a whole number above 0");
}

/* runs: N, or a budget: at least min, then more while they pass. */
static void test_spec_runs_budget(void **state)
{
	(void)state;
	struct spec *s = load_ok(HEAD ONE_TEST "    runs: {min: 3, max: 50, time_ms: 8000}\n");

	assert_int_equal(s->tests[0].runs_min, 3);
	assert_int_equal(s->tests[0].runs, 50);
	assert_int_equal(s->tests[0].runs_time_ms, 8000);
	spec_free(s);
	s = load_ok(HEAD ONE_TEST "    runs: 7\n");
	assert_int_equal(s->tests[0].runs_min, 7);
	assert_int_equal(s->tests[0].runs_time_ms, 0);
	spec_free(s);
	s = load_ok(HEAD ONE_TEST "    runs: {max: 5, time_ms: 100}\n");
	assert_int_equal(s->tests[0].runs_min, 1);
	spec_free(s);
	expect_error(HEAD ONE_TEST "    runs: {min: 3, max: 50}\n", "6:11:", "needs 'max'");
	expect_error(HEAD ONE_TEST "    runs: {min: 3, time_ms: 10}\n", "6:11:", "e.g. {min: 3");
	expect_error(HEAD ONE_TEST "    runs: {min: 9, max: 5, time_ms: 10}\n", "6:25:",
		     "'runs.max' (5) must be at least 'runs.min' (9)");
	expect_error(HEAD ONE_TEST "    runs: {min: 0, max: 5, time_ms: 10}\n", "6:17:",
		     "'runs.min' must be between 1 and 1000");
	expect_error(HEAD ONE_TEST "    runs: {max: 5, time_ms: 0}\n", "6:29:",
		     "'runs.time_ms' must be between 1 and 3600000");
	expect_error(HEAD ONE_TEST "    runs: {max: 5, time_ms: 9, tries: 2}\n", "6:32:", "tries");
}

static void test_spec_rejects_bad_names_and_duplicates(void **state)
{
	(void)state;
	expect_error("assignment: Bad_Name\ntitle: x\n" ONE_TEST, "1:13:", "lowercase letters");
	expect_error(HEAD "tests:\n  - name: 'a b'\n    points: 1\n", "4:11:", "may only use letters");
	expect_error(HEAD "tests:\n  - {name: t, points: 1}\n  - {name: t, points: 1}\n", "5:5:",
		     "two tests are named 't'");
	expect_error(HEAD "title: again\n" ONE_TEST, "3:1:", "duplicate key 'title'");
	expect_error(HEAD "build: {sources: [../x.c]}\n" ONE_TEST, "3:18:", "must stay inside");
	expect_error(HEAD "build: {required: [a/b.c]}\n" ONE_TEST, "3:19:", "plain file name");
}

static void test_spec_rejects_bad_matchers(void **state)
{
	(void)state;
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {stdout: {regex: '(a'}}\n",
		     "6:22:", "invalid regex '(a'");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {stdout: {exactly: x}}\n",
		     "6:23:", "unknown key 'exactly' in stdout (did you mean 'exact'?)");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {stdout: [a]}\n",
		     "6:22:", "'stdout' must be a string");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {stdout: {}}\n",
		     "6:22:", "'stdout' has no matcher");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {stdout: {order: [{before: a}]}}\n",
		     "6:31:", "needs both 'before' and 'after'");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {stdout: {order: x}}\n",
		     "6:30:", "'order' must be a list");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {stderr: {empty: true, nonempty: true}}\n",
		     "6:22:", "both empty and nonempty");
}

static void test_spec_rejects_bad_ipc(void **state)
{
	(void)state;
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {ipc: {forks: 1}}\n",
		     "6:20:", "unknown IPC group or call 'forks'");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {ipc: {fork: \">= lots\"}}\n",
		     "6:26:", "expected a number or args[N]");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {ipc: {fork: \"== args[2]\"}}\n",
		     "6:26:", "args[2] does not exist");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    args: [x]\n    expect: {ipc: {fork: \"== args[0]\"}}\n",
		     "7:26:", "args[0] is 'x', not a number");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {ipc: {fork: \">= 1 1\"}}\n",
		     "6:26:", "unexpected text");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {ipc: {any_of: {shm: 1}}}\n",
		     "6:28:", "'any_of' must be a list");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {ipc: {fork: [1]}}\n",
		     "6:26:", "must be a count");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {symbols: {needs: [a]}}\n",
		     "6:24:", "unknown key 'needs' in symbols");
}

static void test_spec_processes(void **state)
{
	(void)state;
	struct spec *s = load_ok(HEAD "tests:\n  - name: t\n    points: 1\n    args: ['2']\n"
				 "    expect: {processes: {crashed: \"<= args[0]\", exit: 0}}\n");
	const struct processes_expect *pe = &s->tests[0].expect.processes;

	assert_true(s->tests[0].expect.has_processes && s->tests[0].needs_trace);
	assert_true(pe->has_crashed && pe->has_exit);
	assert_int_equal(pe->crashed_op, IPC_OP_LE);
	assert_int_equal(pe->crashed, 2);
	assert_int_equal(pe->exit, 0);
	spec_free(s);
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {processes: {crash: 0}}\n",
		     "6:26:", "unknown key 'crash' in processes");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {processes: {exit: 300}}\n",
		     "6:32:", "'processes.exit' must be a status 0..255");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {processes: {exit: any}}\n",
		     "6:32:", "'processes.exit' must be a status 0..255");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {processes: {crashed: \"<= lots\"}}\n",
		     "6:35:", "processes.crashed: expected a number");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {processes: {crashed: -1}}\n",
		     "6:35:", "cannot be negative");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {processes: 0}\n",
		     "6:25:", "'processes' must be a mapping");
	expect_error(HEAD "tests:\n  - name: t\n    points: 1\n    expect: {processes: {}}\n",
		     "6:25:", "'processes' needs 'crashed', 'exit' or both");
}

static void test_spec_time_scale_fds_and_scopes(void **state)
{
	(void)state;
	struct spec *s = load_ok(HEAD "time_scale: 0.01\n"
				 "tests:\n  - name: a\n    points: 1\n    args: ['2', '3']\n"
				 "    expect:\n      fds: {open_at_exit: none, pipes_open_at_exit: any}\n"
				 "      ipc: {fork: 5, first: {fork: '== args[0] + args[1]', wait: '>= 5'},"
				 " each: {thread: 0}}\n"
				 "  - name: b\n    points: 1\n    time_scale: 1\n");

	assert_true(s->tests[0].time_scale > 0.0099 && s->tests[0].time_scale < 0.0101);
	assert_true(s->tests[1].time_scale == 1);
	assert_true(s->tests[0].expect.has_fds);
	assert_true(s->tests[0].expect.fds.open_none);
	assert_false(s->tests[0].expect.fds.pipes_none);
	const struct ipc_expect *e = &s->tests[0].expect.ipc;

	assert_int_equal(e->nconds, 4);
	assert_int_equal(e->conds[0].scope, IPC_SCOPE_TOTAL);
	assert_int_equal(e->conds[1].scope, IPC_SCOPE_FIRST);
	assert_int_equal(e->conds[1].value, 5);
	assert_int_equal(e->conds[3].scope, IPC_SCOPE_EACH);
	spec_free(s);
	s = load_ok(HEAD ONE_TEST "    expect:\n      stdout: empty\n      any_of:\n"
		    "        - {exit: 1, stderr: nonempty}\n        - {exit: 0, fds: {open_at_exit: none}}\n");
	assert_int_equal(s->tests[0].expect.nany, 2);
	assert_true(s->tests[0].expect.exit_any);	/* the alternatives say the status */
	assert_int_equal(s->tests[0].expect.any_of[0].exit, 1);
	assert_true(s->tests[0].expect.any_of[0].err.nonempty);
	assert_true(s->tests[0].expect.any_of[1].has_fds);
	assert_true(s->tests[0].needs_fds);
	spec_free(s);
	s = load_ok(HEAD ONE_TEST);
	assert_true(s->tests[0].time_scale == 1);
	assert_false(s->tests[0].expect.has_fds);
	spec_free(s);
}

static void test_spec_rejects_bad_time_scale_fds_scopes(void **state)
{
	(void)state;
	expect_error(HEAD "time_scale: 0\n" ONE_TEST, "3:13:", "'time_scale' must be a factor above 0");
	expect_error(HEAD "time_scale: 2\n" ONE_TEST, "3:13:", "not '2'");
	expect_error(HEAD ONE_TEST "    time_scale: fast\n", "6:17:", "not 'fast'");
	expect_error(HEAD ONE_TEST "    time_scale: [1]\n", "6:17:", "'time_scale' must be a factor");
	expect_error(HEAD ONE_TEST "    expect: {fds: none}\n", "6:19:", "'fds' must be a mapping");
	expect_error(HEAD ONE_TEST "    expect: {fds: {}}\n", "6:19:", "'fds' needs open_at_exit");
	expect_error(HEAD ONE_TEST "    expect: {fds: {open_at_exit: 0}}\n", "6:34:",
		     "'fds.open_at_exit' must be none");
	expect_error(HEAD ONE_TEST "    expect: {fds: {pipes_open: none}}\n", "6:20:",
		     "unknown key 'pipes_open' in fds");
	expect_error(HEAD ONE_TEST "    expect: {ipc: {first: [fork]}}\n", "6:27:", "'ipc.first' must be a mapping");
	expect_error(HEAD ONE_TEST "    expect: {ipc: {each: {forks: 1}}}\n", "6:27:",
		     "unknown IPC group or call 'forks' in ipc.each");
	expect_error(HEAD ONE_TEST "    expect: {ipc: {each: {futex: 0}}}\n", "6:27:",
		     "'futex' cannot be counted per process in ipc.each");
	expect_error(HEAD ONE_TEST "    expect: {ipc: {first: {first: {fork: 1}}}}\n", "6:28:",
		     "unknown IPC group or call 'first' in ipc.first");
	expect_error(HEAD ONE_TEST "    expect: {ipc: {first: {fork: 1, fork: 2}}}\n", "6:37:",
		     "duplicate key 'fork' in ipc.first");
	expect_error(HEAD ONE_TEST "    expect: {checker: {command: [sh], on_stopped: yes}}\n", "6:51:",
		     "'on_stopped' must be true");
	expect_error(HEAD ONE_TEST "    expect: {any_of: {exit: 1}}\n", "6:22:",
		     "'any_of' must be a list of at least two alternatives");
	expect_error(HEAD ONE_TEST "    expect: {any_of: [{exit: 1}]}\n", "6:22:",
		     "'any_of' must be a list of at least two alternatives");
	expect_error(HEAD ONE_TEST "    expect: {any_of: [{exit: 1}, {any_of: []}]}\n", "6:43:",
		     "cannot have an any_of of its own");
	expect_error(HEAD ONE_TEST "    expect: {any_of: [{exit: 1}, {cleanup: true}]}\n", "6:44:",
		     "'cleanup' cannot differ between alternatives");
	expect_error(HEAD ONE_TEST "    expect: {any_of: [{exit: 1}, {symbols: {requires: [a]}}]}\n", "6:44:",
		     "'symbols' judges the program");
	expect_error(HEAD ONE_TEST "    expect: {any_of: [{exit: 1}, {exitt: 0}]}\n", "6:35:",
		     "unknown key 'exitt' in an expect.any_of alternative");
	expect_error(HEAD ONE_TEST "    expect: {any_of: [{exit: 1}, 3]}\n", "6:34:",
		     "an expect.any_of alternative' must be a mapping");
	expect_error(HEAD ONE_TEST "    args: ['1']\n    expect: {ipc: {first: {fork: '== args[1]'}}}\n",
		     "7:34:", "args[1] does not exist");
}

static void test_spec_checks(void **state)
{
	(void)state;
	struct spec *s = load_ok(HEAD "tests:\n  - name: t\n    args: ['3']\n    runs: 4\n    checks:\n"
				 "      - {name: log, points: 10, expect: {stdout: empty}, hint: h1}\n"
				 "      - {name: resources, points: 5, expect: {fds: {open_at_exit: none}}}\n"
				 "  - name: u\n    points: 1\n");

	assert_int_equal(s->ntests, 3);
	assert_string_equal(s->tests[0].name, "t.log");
	assert_string_equal(s->tests[0].check, "log");
	assert_string_equal(s->tests[1].name, "t.resources");
	assert_int_equal(s->tests[0].ngroup, 2);
	assert_int_equal(s->tests[1].group, 0);
	assert_int_equal(s->tests[2].group, 2);
	assert_int_equal(s->tests[2].ngroup, 1);
	assert_int_equal(s->tests[1].runs, 4);
	assert_string_equal(s->tests[1].args[0], "3");
	assert_string_equal(s->tests[0].hint, "h1");
	assert_null(s->tests[1].hint);
	/* the runs are the first check's: it traces for all */
	assert_true(s->tests[0].needs_fds);
	assert_true(s->total_points > 15.99 && s->total_points < 16.01);
	spec_free(s);
}

static void test_spec_rejects_bad_checks(void **state)
{
	(void)state;
	expect_error(HEAD ONE_TEST "    checks: {a: 1}\n", "6:13:", "'checks' must be a list of checks");
	expect_error(HEAD "tests:\n  - name: t\n    checks:\n      - {points: 1}\n", "6:9:",
		     "a check of test 't' has no 'name'");
	expect_error(HEAD "tests:\n  - name: t\n    checks:\n      - {name: a.b, points: 1}\n", "6:16:",
		     "check name 'a.b' may only use");
	expect_error(HEAD "tests:\n  - name: t\n    checks:\n      - {name: a, points: 1, exepct: {}}\n",
		     "6:30:", "unknown key 'exepct' in check 'a'");
	expect_error(HEAD "tests:\n  - name: t\n    checks:\n      - {name: a}\n", "6:9:",
		     "check 'a' has no 'points'");
	expect_error(HEAD "tests:\n  - name: t\n    checks:\n      - {name: a, points: 1}\n"
		     "      - {name: a, points: 1}\n", "7:9:", "two tests are named 't.a'");
	expect_error(HEAD "tests:\n  - name: t\n    points: 2\n    checks:\n      - {name: a, points: 1}\n",
		     "5:13:", "test 't' has checks: 'points' goes in each check");
	expect_error(HEAD "tests:\n  - name: t\n    hint: x\n    checks:\n      - {name: a, points: 1}\n",
		     "5:11:", "'hint' goes in each check");
}

static void test_spec_matchers_keywords_and_quoting(void **state)
{
	(void)state;
	struct spec *s = load_ok(HEAD "tests:\n  - name: t\n    points: 1\n"
				 "    expect: {stdout: empty, stderr: 'empty'}\n");

	/* Unquoted `empty` is the keyword; quoted it is the text. */
	assert_true(s->tests[0].expect.out.empty);
	assert_null(s->tests[0].expect.out.exact);
	assert_false(s->tests[0].expect.err.empty);
	assert_string_equal(s->tests[0].expect.err.exact, "empty");
	spec_free(s);
}

static void test_spec_checks_folder_name(void **state)
{
	(void)state;
	char dir[] = "/tmp/ipcgrade-test-XXXXXX";

	assert_non_null(mkdtemp(dir));
	char sub[128], path[160];

	snprintf(sub, sizeof(sub), "%s/wrong", dir);
	mkdir(sub, 0755);
	snprintf(path, sizeof(path), "%s/spec.yaml", sub);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(HEAD ONE_TEST, f);
	fclose(f);
	struct spec *s = NULL;
	struct diag d;

	diag_init(&d);
	assert_int_equal(spec_load(path, &s, &d), -EINVAL);
	assert_true(d.n == 1 && strstr(d.msgs[0], "'assignment' is 'demo' but the folder is 'wrong'"));
	assert_true(strstr(d.msgs[0], ":1:13:") != NULL);
	diag_release(&d);
	diag_init(&d);
	assert_int_equal(spec_load("/nonexistent/spec.yaml", &s, &d), -ENOENT);
	assert_true(strstr(d.msgs[0], "cannot read the spec") != NULL);
	diag_release(&d);
	unlink(path);
	rmdir(sub);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_loads_minimal_with_defaults),
		cmocka_unit_test(test_spec_loads_every_key),
		cmocka_unit_test(test_spec_rejects_unknown_key_with_suggestion),
		cmocka_unit_test(test_spec_rejects_yaml_syntax_error),
		cmocka_unit_test(test_spec_rejects_missing_required),
		cmocka_unit_test(test_spec_rejects_wrong_types),
		cmocka_unit_test(test_spec_runs_budget),
		cmocka_unit_test(test_spec_rejects_bad_names_and_duplicates),
		cmocka_unit_test(test_spec_rejects_bad_matchers),
		cmocka_unit_test(test_spec_rejects_bad_ipc),
		cmocka_unit_test(test_spec_processes),
		cmocka_unit_test(test_spec_time_scale_fds_and_scopes),
		cmocka_unit_test(test_spec_rejects_bad_time_scale_fds_scopes),
		cmocka_unit_test(test_spec_checks),
		cmocka_unit_test(test_spec_rejects_bad_checks),
		cmocka_unit_test(test_spec_matchers_keywords_and_quoting),
		cmocka_unit_test(test_spec_checks_folder_name),
	};

	return cmocka_run_group_tests_name("spec", tests, NULL, NULL);
}
