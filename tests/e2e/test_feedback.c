/*
 * test_feedback.c - what students and instructors read when a run
 * fails: every reason, the output before a stop, objects left by a
 * stopped run, a replay command that replays, unsigned seeds, a check
 * that streams, hints by reason, and the small things (did-you-mean,
 * friendly errors, no_submission rows, identifiers kept whole).
 */
#include "testutil.h"
#include <inttypes.h>

/* A string to compare: "(null)" for none (cmocka would crash on NULL). */
#define S(x) ((x) ? (x) : "(null)")

static struct proc_out cli_in(const char *dir, const char *const *args, int outer_ms)
{
	const char *argv[40];
	int n = 0;
	/* The binary by its absolute path: the command runs in dir. */
	static char ipcgrade[4096];

	if (!ipcgrade[0] && !realpath(tu_ipcgrade(), ipcgrade))
		snprintf(ipcgrade, sizeof(ipcgrade), "%s", tu_ipcgrade());
	argv[n++] = "/bin/sh";
	argv[n++] = "-c";
	argv[n++] = "cd \"$0\" && exec \"$@\"";
	argv[n++] = dir;
	argv[n++] = ipcgrade;
	for (int i = 0; args[i] && n < 39; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return tu_run(argv, NULL, outer_ms);
}

static struct proc_out cli(const char *const *args)
{
	return cli_in(".", args, 120000);
}

static char *temp_dir(void)
{
	char *d = strdup("/tmp/ipcgrade-feedback-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static void remove_dir(const char *dir)
{
	tu_sh("rm -rf '%s'", dir);
}

/* dir/NAME/spec.yaml holding text (a spec lies in the folder of its
 * assignment's name); its path in path. */
static void write_spec(const char *dir, const char *name, const char *text, char *path, size_t size)
{
	char folder[600];

	snprintf(folder, sizeof(folder), "%s/%s", dir, name);
	assert_int_equal(mkdir(folder, 0755), 0);
	tu_write_file(folder, "spec.yaml", text);
	snprintf(path, size, "%s/spec.yaml", folder);
}

static json_t *parse(const struct proc_out *r)
{
	json_error_t e;
	json_t *j = json_loads(r->out, 0, &e);

	if (!j)
		fprintf(stderr, "invalid JSON (%s): %.2000s\nstderr: %.2000s\n", e.text, r->out, r->err);
	assert_non_null(j);
	return j;
}

/* ---- seeds --------------------------------------------------------------- */

/* Seeds are unsigned 64-bit: JSON writes them as strings of digits (no
 * JSON reader of ours or of the usual tools holds every one as a number),
 * `run --seed` takes the whole range, the text says the same digits. */
static void test_feedback_seeds_are_unsigned_everywhere(void **state)
{
	(void)state;
	char *ok = tu_fixture("basic/ok");
	json_t *j = tu_run_json((const char *[]){ "--jitter", "50", "--seed", "18446744073709551615", NULL },
				ok, NULL, NULL);

	assert_string_equal(S(tu_str(j, "seed")), "18446744073709551615");
	json_decref(j);
	struct proc_out r = cli((const char *[]){ "run", "--jitter", "50", "--seed", "18446744073709551615",
						   "--", ok, NULL });

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "seed 18446744073709551615"));
	tu_free(&r);
	/* A fresh seed replays: the JSON's digits go back into --seed. */
	j = tu_run_json((const char *[]){ "--jitter", "50", NULL }, ok, NULL, NULL);
	const char *fresh = tu_str(j, "seed");

	assert_non_null(fresh);
	assert_true(strspn(fresh, "0123456789") == strlen(fresh) && fresh[0] != '0');
	json_t *again = tu_run_json((const char *[]){ "--jitter", "50", "--seed", fresh, NULL }, ok, NULL, NULL);

	assert_string_equal(S(tu_str(again, "seed")), fresh);
	json_decref(again);
	json_decref(j);
	/* Without jitter there is no seed to speak of. */
	j = tu_run_json(NULL, ok, NULL, NULL);
	assert_true(json_is_null(json_object_get(j, "seed")));
	json_decref(j);
	free(ok);
}

/* A spec's seed S gives run N the seed S+N, never 0 (which means "a
 * fresh one"): past the largest seed it goes on at 1. */
static void test_feedback_spec_seed_wraps_past_zero(void **state)
{
	(void)state;
	char *dir = temp_dir();
	char path[600];

	write_spec(dir, "seeds",
		   "assignment: seeds\ntitle: Seeds\nbuild: {sources: [\"*.c\"]}\ntests:\n"
		   "  - name: twice\n    points: 1\n    runs: 2\n"
		   "    jitter: {max_us: 10, seed: 18446744073709551615}\n"
		   "    expect: {exit: 0, stdout: \"\"}\n", path, sizeof(path));
	tu_write_file(dir, "main.c", "int main(void) { return 0; }\n");
	struct proc_out r = cli((const char *[]){ "check", "--spec", path, "--json", dir, NULL });

	assert_int_equal(r.status, 0);
	json_t *j = parse(&r);
	json_t *runs = json_object_get(json_array_get(json_object_get(j, "tests"), 0), "runs");

	assert_int_equal(json_array_size(runs), 2);
	assert_string_equal(S(tu_str(json_array_get(runs, 0), "seed")), "18446744073709551615");
	assert_string_equal(S(tu_str(json_array_get(runs, 1), "seed")), "1");
	json_decref(j);
	tu_free(&r);
	remove_dir(dir);
	free(dir);
}


/* ---- every reason, and what came before the stop --------------------------- */

/* A "queue" in a plain global array: the writer child fills it, the
 * parent spins on a flag it never sees. It prints one line first. */
static const char busy_queue[] =
	"#include <stdio.h>\n#include <unistd.h>\n"
	"static volatile int ready, items[3];\n"
	"int main(void)\n{\n"
	"    if (fork() == 0) { for (int i = 0; i < 3; i++) items[i] = i; ready = 1; _exit(0); }\n"
	"    printf(\"waiting for the writer\\n\");\n    fflush(stdout);\n"
	"    while (!ready) { }\n"
	"    for (int i = 0; i < 3; i++) printf(\"%d\\n\", items[i]);\n    return 0;\n}\n";

static const char busy_spec[] =
	"assignment: spin\ntitle: A queue\nbuild: {sources: [\"*.c\"]}\nlimits: {wall_ms: 1500}\n"
	"tests:\n  - name: queue\n    points: 10\n    expect:\n      exit: 0\n"
	"      stdout: \"0\\n1\\n2\\n\"\n"
	"      ipc: {fork: \">= 2\", wait: \">= 2\", thread: 0, shm: \">= 1\"}\n"
	"      cleanup: true\n";

static bool has_reason(json_t *t, const char *reason)
{
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(t, "reasons"), i, r)
		if (strcmp(json_string_value(r), reason) == 0)
			return true;
	return false;
}

/* The timeout is not the only reason: what was required and missing by
 * then is judged too, and said first. */
static void test_feedback_timeout_reports_every_reason(void **state)
{
	(void)state;
	char *dir = temp_dir(), spec[600], sub[600];

	write_spec(dir, "spin", busy_spec, spec, sizeof(spec));
	snprintf(sub, sizeof(sub), "%s/student", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	tu_write_file(sub, "queue.c", busy_queue);
	struct proc_out r = cli((const char *[]){ "check", "--spec", spec, "--json", sub, NULL });

	assert_int_equal(r.status, 1);
	json_t *j = parse(&r);
	json_t *t = json_array_get(json_object_get(j, "tests"), 0);
	const char *msg = tu_str(t, "message");

	assert_true(has_reason(t, "timeout"));
	assert_true(has_reason(t, "ipc"));
	assert_false(has_reason(t, "cleanup"));
	/* In order of usefulness: the missing shared memory before the timeout. */
	assert_string_equal(json_string_value(json_array_get(json_object_get(t, "reasons"), 0)), "ipc");
	assert_non_null(msg);
	assert_non_null(strstr(msg, "shm"));
	assert_non_null(strstr(msg, "fork"));
	assert_non_null(strstr(msg, "before the run was stopped"));
	json_decref(j);
	tu_free(&r);
	/* The text report shows what it printed before it was stopped. */
	r = cli((const char *[]){ "check", "--spec", spec, sub, NULL });
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "stdout before the run was stopped"));
	assert_non_null(strstr(r.out, "waiting for the writer"));
	assert_non_null(strstr(r.out, "wall time limit"));
	tu_free(&r);
	remove_dir(dir);
	free(dir);
}

/* Right output, never exits: the parent keeps the pipe's write end. */
static const char no_eof[] =
	"#include <stdio.h>\n#include <string.h>\n#include <sys/wait.h>\n#include <unistd.h>\n"
	"int main(void)\n{\n    int fd[2];\n    char buf[64];\n    if (pipe(fd) != 0) return 1;\n"
	"    if (fork() == 0) {\n        close(fd[1]);\n        FILE *in = fdopen(fd[0], \"r\");\n"
	"        while (fgets(buf, sizeof buf, in)) { printf(\"Received: %s\", buf); fflush(stdout); }\n"
	"        _exit(0);\n    }\n    close(fd[0]);\n"
	"    if (write(fd[1], \"Hello\\nWorld\\n\", 12) != 12) return 1;\n"
	"    wait(NULL);\n    return 0;\n}\n";

static const char no_eof_spec[] =
	"assignment: pipes\ntitle: Pipes\nbuild: {sources: [\"*.c\"]}\n"
	"tests:\n  - name: two-messages\n    points: 10\n    expect:\n      exit: 0\n"
	"      stdout: \"Received: Hello\\nReceived: World\\n\"\n      cleanup: true\n";

static void test_feedback_stopped_run_shows_its_output(void **state)
{
	(void)state;
	char *dir = temp_dir(), spec[600], sub[600], out[600];

	write_spec(dir, "pipes", no_eof_spec, spec, sizeof(spec));
	snprintf(sub, sizeof(sub), "%s/alice", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	tu_write_file(sub, "pipe.c", no_eof);
	struct proc_out r = cli((const char *[]){ "check", "--spec", spec, sub, NULL });

	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "Deadlock"));
	assert_non_null(strstr(r.out, "stdout before the run was stopped (2 lines)"));
	assert_non_null(strstr(r.out, "Received: Hello"));
	assert_non_null(strstr(r.out, "Received: World"));
	tu_free(&r);
	/* feedback.md says the same. */
	snprintf(out, sizeof(out), "%s/out", dir);
	r = cli((const char *[]){ "grade", "--spec", spec, "-o", out, "--no-similarity", sub, NULL });
	assert_int_equal(r.status, 0);
	tu_free(&r);
	char path[700], *md = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/alice/feedback.md", out);
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	assert_true(getdelim(&md, &len, '\0', f) > 0);
	fclose(f);
	assert_non_null(strstr(md, "stdout before the run was stopped (2 lines)"));
	assert_non_null(strstr(md, "Received: World"));
	free(md);
	remove_dir(dir);
	free(dir);
}

/* A flood: only the last lines are shown, at most 10 and 2 KB. */
static void test_feedback_output_limit_shows_the_last_lines(void **state)
{
	(void)state;
	char *dir = temp_dir(), spec[600], sub[600];

	write_spec(dir, "flood",
		   "assignment: flood\ntitle: Flood\nbuild: {sources: [\"*.c\"]}\nlimits: {output_kb: 64}\n"
		   "tests:\n  - name: quiet\n    points: 1\n    expect: {exit: 0, stdout: \"\"}\n",
		   spec, sizeof(spec));
	snprintf(sub, sizeof(sub), "%s/bob", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	tu_write_file(sub, "flood.c", "#include <stdio.h>\nint main(void)\n{\n"
		      "    for (long i = 0;; i++) printf(\"line %ld\\n\", i);\n}\n");
	struct proc_out r = cli((const char *[]){ "check", "--spec", spec, sub, NULL });

	assert_int_equal(r.status, 1);
	const char *at = strstr(r.out, "stdout before the run was stopped (the last 10 of ");

	assert_non_null(at);
	/* Ten lines of "line N" after the label, then no more. */
	int lines = 0;

	for (const char *p = strstr(r.out, "line "); p; p = strstr(p + 1, "\n        line "))
		lines++;
	assert_int_equal(lines, 10);
	assert_null(strstr(r.out, "line 0\n"));
	tu_free(&r);
	remove_dir(dir);
	free(dir);
}

/* Objects a deadlocked run could not remove: left behind when the run
 * was stopped, not a cleanup failure. */
static void test_feedback_stopped_run_is_no_cleanup_failure(void **state)
{
	(void)state;
	char *dir = temp_dir(), spec[600], sub[600];

	write_spec(dir, "abba",
		   "assignment: abba\ntitle: AB-BA\nbuild: {sources: [\"*.c\"], ldflags: \"-pthread\"}\n"
		   "tests:\n  - name: locks\n    points: 1\n    expect: {exit: 0, stdout: \"\", cleanup: true}\n",
		   spec, sizeof(spec));
	snprintf(sub, sizeof(sub), "%s/carol", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	tu_sh("cp tests/fixtures/deadlock/sem_abba.c '%s/'", sub);
	struct proc_out r = cli((const char *[]){ "check", "--spec", spec, "--json", sub, NULL });

	assert_int_equal(r.status, 1);
	json_t *j = parse(&r);
	json_t *t = json_array_get(json_object_get(j, "tests"), 0);
	const char *msg = tu_str(t, "message");

	assert_true(has_reason(t, "deadlock"));
	assert_false(has_reason(t, "cleanup"));
	assert_non_null(msg);
	assert_non_null(strstr(msg, "left behind when the run was stopped"));
	assert_non_null(strstr(msg, "ipcgrade_abba_A"));
	json_decref(j);
	tu_free(&r);
	remove_dir(dir);
	free(dir);
}


/* ---- a replay that replays ------------------------------------------------ */

/* The words of the line of out that starts with "replay this run: "
 * after "ipcgrade" (NULL-terminated, in words, which the caller frees),
 * split at spaces: the paths here need no quoting. */
static int replay_words(const char *out, char **line, const char **words, int max)
{
	const char *at = strstr(out, "replay this run: ipcgrade ");
	int n = 0;

	assert_non_null(at);
	at += strlen("replay this run: ipcgrade ");
	*line = strndup(at, strcspn(at, "\n"));
	for (char *save = NULL, *w = strtok_r(*line, " ", &save); w && n < max - 1;
	     w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	words[n] = NULL;
	return n;
}

/* A jittered test of 3 runs that fails the same way each time: the
 * printed command, run as printed from the student's folder, rebuilds
 * and runs that one run with its seed and gets the same verdict. */
static void test_feedback_replay_replays(void **state)
{
	(void)state;
	char *dir = temp_dir(), spec[600], sub[600], *line = NULL;
	const char *words[20];

	write_spec(dir, "replay",
		   "assignment: replay\ntitle: Replay\nbuild: {sources: [\"*.c\"]}\ntests:\n"
		   "  - name: exits-three\n    points: 1\n    runs: 3\n    jitter: {max_us: 100}\n"
		   "    cpus: 1\n    args: [\"7\"]\n    expect: {exit: 0, stdout: \"7\\n\"}\n",
		   spec, sizeof(spec));
	snprintf(sub, sizeof(sub), "%s/dave", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	tu_write_file(sub, "main.c", "#include <stdio.h>\n#include <unistd.h>\n"
		      "int main(int argc, char **argv)\n{\n    if (fork() == 0) _exit(0);\n"
		      "    printf(\"%s\\n\", argc > 1 ? argv[1] : \"?\");\n    return 3;\n}\n");
	struct proc_out r = cli((const char *[]){ "check", "--spec", spec, sub, NULL });

	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "exited with status 3"));
	int n = replay_words(r.out, &line, words, 20);

	assert_true(n >= 8);
	assert_string_equal(words[0], "check");
	assert_non_null(strstr(r.out, "--test exits-three --run 1 --seed "));
	char seed[32];
	const char *s_at = strstr(r.out, "--seed ") + 7;

	snprintf(seed, sizeof(seed), "%.*s", (int)strspn(s_at, "0123456789"), s_at);
	tu_free(&r);
	/* As printed, from the student's folder. */
	r = cli_in(sub, words, 120000);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "FAIL exits-three"));
	assert_non_null(strstr(r.out, "exited with status 3"));
	assert_non_null(strstr(r.out, seed));
	/* One run, not three, and the same command again. */
	assert_null(strstr(r.out, "of 3 runs passed"));
	tu_free(&r);
	free(line);
	/* With --json the replayed run has that seed. */
	r = cli_in(sub, (const char *[]){ "check", "--spec", spec, "--json", "--test", "exits-three",
				  "--run", "2", "--seed", "18446744073709551615", NULL }, 120000);
	assert_int_equal(r.status, 1);
	json_t *j = parse(&r);
	json_t *runs = json_object_get(json_array_get(json_object_get(j, "tests"), 0), "runs");

	assert_int_equal(json_array_size(runs), 1);
	assert_string_equal(S(tu_str(json_array_get(runs, 0), "seed")), "18446744073709551615");
	json_decref(j);
	tu_free(&r);
	/* A test that is not there gets a did-you-mean. */
	r = cli_in(sub, (const char *[]){ "check", "--spec", spec, "--test", "exits-tree", NULL }, 60000);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "did you mean 'exits-three'"));
	tu_free(&r);
	remove_dir(dir);
	free(dir);
}

/* ipcgrade with args, its stderr (and with stdout_too its stdout, else
 * /dev/null) into the pipe *fd reads; returns its pid. */
static pid_t spawn_cli(const char *const *args, bool stdout_too, int *fd)
{
	const char *argv[40];
	int fds[2], n = 0;

	argv[n++] = tu_ipcgrade();
	for (int i = 0; args[i] && n < 39; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(stdout_too ? fds[1] : devnull, 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	*fd = fds[0];
	return pid;
}

/* Read fd into buf (size bytes, *got so far, kept NUL-terminated) until
 * it holds needle, or to the end with needle NULL. */
static void read_until(int fd, char *buf, size_t size, size_t *got, const char *needle)
{
	while (*got < size - 1 && !(needle && strstr(buf, needle))) {
		ssize_t n = read(fd, buf + *got, size - 1 - *got);

		if (n <= 0)
			break;
		*got += (size_t)n;
		buf[*got] = '\0';
	}
}

/* ---- check streams ---------------------------------------------------------- */

/* The first test's line comes while the second still runs: read it from
 * the pipe, then interrupt check, which says it was interrupted. */
static void test_feedback_check_streams(void **state)
{
	(void)state;
	char *dir = temp_dir(), spec[600], sub[600], buf[4096] = "";
	size_t got = 0;

	write_spec(dir, "stream",
		   "assignment: stream\ntitle: Streams\nbuild: {sources: [\"*.c\"]}\nlimits: {wall_ms: 60000}\n"
		   "tests:\n  - name: quick\n    points: 1\n    expect: {exit: 0, stdout: \"\"}\n"
		   "  - name: slow\n    points: 1\n    args: [\"spin\"]\n    expect: {exit: 0}\n",
		   spec, sizeof(spec));
	snprintf(sub, sizeof(sub), "%s/erin", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	tu_write_file(sub, "main.c", "int main(int argc, char **argv)\n{\n    (void)argv;\n"
		      "    while (argc > 1) { }\n    return 0;\n}\n");
	int fd;
	pid_t pid = spawn_cli((const char *[]){ "check", "--spec", spec, sub, NULL }, true, &fd);

	/* Up to the quick test's line (the slow one runs for a minute). */
	read_until(fd, buf, sizeof(buf), &got, "PASS quick");
	assert_non_null(strstr(buf, "PASS quick"));
	assert_null(strstr(buf, "score:"));
	kill(pid, SIGINT);
	int status;

	read_until(fd, buf, sizeof(buf), &got, NULL);
	close(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 130);
	assert_non_null(strstr(buf, "interrupted"));
	remove_dir(dir);
	free(dir);
}

/* ---- hints by reason ---------------------------------------------------------- */

static void test_feedback_hint_by_reason(void **state)
{
	(void)state;
	char *dir = temp_dir(), spec[600], sub[600];

	write_spec(dir, "hints",
		   "assignment: hints\ntitle: Hints\nbuild: {sources: [\"*.c\"]}\nlimits: {wall_ms: 1000}\n"
		   "tests:\n  - name: spins\n    points: 1\n    args: [\"spin\"]\n    expect: {exit: 0}\n"
		   "    hint: {deadlock: \"DEADLOCK-HINT\", timeout: \"TIMEOUT-HINT\", default: \"DEFAULT-HINT\"}\n"
		   "  - name: wrong\n    points: 1\n    expect: {exit: 0, stdout: \"yes\\n\"}\n"
		   "    hint: {timeout: \"TIMEOUT-HINT\", default: \"DEFAULT-HINT\"}\n",
		   spec, sizeof(spec));
	snprintf(sub, sizeof(sub), "%s/frank", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	tu_write_file(sub, "main.c", "int main(int argc, char **argv)\n{\n    (void)argv;\n"
		      "    while (argc > 1) { }\n    return 0;\n}\n");
	struct proc_out r = cli((const char *[]){ "check", "--spec", spec, sub, NULL });
	const char *spins = strstr(r.out, "FAIL spins"), *wrong = strstr(r.out, "FAIL wrong");

	assert_int_equal(r.status, 1);
	assert_non_null(spins);
	assert_non_null(wrong);
	assert_null(strstr(r.out, "DEADLOCK-HINT"));
	assert_non_null(strstr(spins, "TIMEOUT-HINT"));
	assert_true(strstr(spins, "TIMEOUT-HINT") < wrong);
	assert_non_null(strstr(wrong, "DEFAULT-HINT"));
	tu_free(&r);
	/* An unknown kind is a spec error at its place, with a did-you-mean. */
	char bad[700];

	snprintf(bad, sizeof(bad), "%s/bad", dir);
	write_spec(dir, "bad",
		   "assignment: bad\ntitle: Bad\nbuild: {sources: [\"*.c\"]}\ntests:\n"
		   "  - name: t\n    points: 1\n    expect: {exit: 0}\n    hint: {timout: \"x\"}\n",
		   bad, sizeof(bad));
	r = cli((const char *[]){ "validate", bad, NULL });
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.out, "spec.yaml:8:"));
	assert_non_null(strstr(r.out, "did you mean 'timeout'"));
	tu_free(&r);
	remove_dir(dir);
	free(dir);
}

/* ---- the small things ------------------------------------------------------------ */

static void test_feedback_friendly_commands(void **state)
{
	(void)state;
	char *dir = temp_dir(), spec[600];
	struct proc_out r;

	/* A misspelt assignment: did you mean. */
	r = cli((const char *[]){ "check", "pipe-mesages", ".", NULL });
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "did you mean 'pipe-messages'"));
	tu_free(&r);
	r = cli((const char *[]){ "grade", "pipe-mesages", dir, NULL });
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "did you mean 'pipe-messages'"));
	tu_free(&r);
	/* `check .`: a folder where the assignment goes. */
	r = cli_in(dir, (const char *[]){ "check", ".", NULL }, 60000);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "is a folder, not an assignment"));
	assert_non_null(strstr(r.err, "pipe-messages"));
	tu_free(&r);
	/* --spec takes the folder holding spec.yaml. */
	write_spec(dir, "folder", "assignment: folder\ntitle: F\nbuild: {sources: [\"*.c\"]}\ntests:\n"
		   "  - name: t\n    points: 1\n    expect: {exit: 0, stdout: \"\"}\n", spec, sizeof(spec));
	tu_write_file(dir, "main.c", "int main(void) { return 0; }\n");
	char folder[700];

	snprintf(folder, sizeof(folder), "%s/folder", dir);
	r = cli((const char *[]){ "check", "--spec", folder, dir, NULL });
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "PASS t"));
	tu_free(&r);
	/* A spec that is not there, in grade: no raw errno alone. */
	r = cli((const char *[]){ "grade", "--spec", "/nonexistent/spec.yaml", dir, NULL });
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "cannot read the spec '/nonexistent/spec.yaml'"));
	tu_free(&r);
	/* No undocumented flags. */
	r = cli((const char *[]){ "check", "--verbose", "--spec", spec, dir, NULL });
	assert_int_equal(r.status, 2);
	tu_free(&r);
	remove_dir(dir);
	free(dir);
}

/* A class of three: one passes, one fails, one handed in nothing. */
static const char class_spec[] =
	"assignment: tiny\ntitle: Tiny\nbuild: {sources: [\"*.c\"], required: [tiny.c]}\n"
	"tests:\n  - name: exits-zero\n    points: 1\n    expect: {exit: 0, stdout: \"\"}\n";

static void make_class(const char *dir, char *spec, size_t size)
{
	write_spec(dir, "tiny", class_spec, spec, size);
	tu_sh("mkdir -p '%s/class/ann' '%s/class/ben' '%s/class/cat'", dir, dir, dir);
	tu_sh("echo 'int main(void) { return 0; }' > '%s/class/ann/tiny.c'", dir);
	tu_sh("echo 'int main(void) { return 1; }' > '%s/class/ben/tiny.c'", dir);
}

static void test_feedback_class_rows_and_paths(void **state)
{
	(void)state;
	char *dir = temp_dir(), spec[600], out[700], a[700], b[700], c[700], csv[800];

	make_class(dir, spec, sizeof(spec));
	snprintf(out, sizeof(out), "%s/out/", dir);
	snprintf(a, sizeof(a), "%s/class/ann", dir);
	snprintf(b, sizeof(b), "%s/class/ben", dir);
	snprintf(c, sizeof(c), "%s/class/cat", dir);
	/* The empty folder named on the command line is a row. */
	struct proc_out r = cli((const char *[]){ "grade", "--spec", spec, "-o", out, "-j", "1",
						   "--no-similarity", a, b, c, NULL });

	assert_int_equal(r.status, 0);
	/* out/ prints as out/summary.csv. */
	assert_null(strstr(r.out, "//summary.csv"));
	assert_non_null(strstr(r.out, "/out/summary.csv"));
	assert_non_null(strstr(r.err, "cat: 0/1, no submission"));
	tu_free(&r);
	snprintf(csv, sizeof(csv), "%s/out/summary.csv", dir);
	assert_true(tu_file_has(csv, "cat,0,1,no_submission"));
	assert_true(tu_file_has(csv, "ann,1,1,graded"));
	/* A missing required file: what was found instead. */
	tu_sh("mv '%s/tiny.c' '%s/main.c'", b, b);
	r = cli((const char *[]){ "check", "--spec", spec, b, NULL });
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "the required file 'tiny.c' is missing (found: main.c)"));
	tu_free(&r);
	r = cli((const char *[]){ "check", "--spec", spec, c, NULL });
	assert_non_null(strstr(r.out, "no submission: the folder is empty"));
	tu_free(&r);
	remove_dir(dir);
	free(dir);
}

/* On a terminal the bar's "failures" counts failed submissions (ben
 * fails a test; nobody's build fails). */
static void test_feedback_progress_counts_failed_submissions(void **state)
{
	(void)state;
	if (access("/usr/bin/script", X_OK) != 0) {
		printf("SKIPPED: no script(1) to give grade a terminal\n");
		return;
	}
	char *dir = temp_dir(), spec[600], ipcgrade[4096];

	assert_non_null(realpath(tu_ipcgrade(), ipcgrade));
	make_class(dir, spec, sizeof(spec));
	tu_sh("rmdir '%s/class/cat'", dir);
	char cmd[6000];

	snprintf(cmd, sizeof(cmd), "'%s' grade --spec '%s' -o '%s/out' -j 1 --no-similarity '%s/class' "
		 ">/dev/null", ipcgrade, spec, dir, dir);
	struct proc_out r = tu_run((const char *[]){ "/usr/bin/script", "-qec", cmd, "/dev/null", NULL },
				   NULL, 120000);

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "2/2"));
	assert_non_null(strstr(r.out, "failures 1"));
	tu_free(&r);
	remove_dir(dir);
	free(dir);
}

/* Ctrl-C during grade: the unfinished student is interrupted, not "the
 * worker died". */
static void test_feedback_grade_interrupted(void **state)
{
	(void)state;
	char *dir = temp_dir(), spec[600], out[700], cls[700], buf[8192] = "";
	size_t got = 0;

	write_spec(dir, "spin", "assignment: spin\ntitle: Spin\nbuild: {sources: [\"*.c\"]}\n"
		   "limits: {wall_ms: 60000}\ntests:\n  - name: spins\n    points: 1\n    expect: {exit: 0}\n",
		   spec, sizeof(spec));
	tu_sh("mkdir -p '%s/class/gus' '%s/class/hal'", dir, dir);
	tu_sh("echo 'int main(void) { for (;;) { } }' > '%s/class/gus/a.c'", dir);
	tu_sh("cp '%s/class/gus/a.c' '%s/class/hal/a.c'", dir, dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(cls, sizeof(cls), "%s/class", dir);
	int fd;
	pid_t pid = spawn_cli((const char *[]){ "grade", "--spec", spec, "-o", out, "-j", "1",
						 "--no-similarity", cls, NULL }, false, &fd);

	read_until(fd, buf, sizeof(buf), &got, "grading 2 submissions");
	assert_non_null(strstr(buf, "grading 2 submissions"));
	/* Let the first student's run start (it spins for a minute). */
	usleep(1500 * 1000);
	kill(pid, SIGINT);
	read_until(fd, buf, sizeof(buf), &got, NULL);
	close(fd);
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 130);
	assert_null(strstr(buf, "worker died"));
	assert_non_null(strstr(buf, "gus: interrupted"));
	remove_dir(dir);
	free(dir);
}

/* Threads where none are allowed: the message names pthread_create and
 * cuts no identifier; no line of the report breaks inside a word. */
static void test_feedback_identifiers_kept_whole(void **state)
{
	(void)state;
	char *dir = temp_dir(), spec[600], sub[600];

	write_spec(dir, "threads",
		   "assignment: threads\ntitle: T\nbuild: {sources: [\"*.c\"], ldflags: \"-pthread\"}\n"
		   "tests:\n  - name: no-threads\n    points: 1\n"
		   "    expect: {exit: 0, ipc: {thread: 0, fork: \">= 1\", pipe: \">= 1\"}}\n",
		   spec, sizeof(spec));
	snprintf(sub, sizeof(sub), "%s/ivy", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	tu_write_file(sub, "a.c", "#include <pthread.h>\n"
		      "static void *run(void *a) { return a; }\n"
		      "int main(void)\n{\n    pthread_t t[3];\n"
		      "    for (int i = 0; i < 3; i++) pthread_create(&t[i], 0, run, 0);\n"
		      "    for (int i = 0; i < 3; i++) pthread_join(t[i], 0);\n    return 0;\n}\n");
	struct proc_out r = cli((const char *[]){ "check", "--spec", spec, sub, NULL });

	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "expected no thread, saw 3 (pid 1 pthread_create at +"));
	assert_null(strstr(r.out, "CLONE_THRE)"));
	/* Every wrapped line ends at a word's end: the next line starts
	 * with spaces and a word, never with the rest of a name. */
	for (const char *l = strstr(r.out, "IPC:"); l && *l; ) {
		const char *nl = strchr(l, '\n');

		if (!nl)
			break;
		assert_true(nl[-1] != '_' && nl[-1] != '|');
		l = nl + 1;
	}
	tu_free(&r);
	/* --trace-hot alone prints the timeline. */
	char *ok = tu_fixture("basic/ok");

	r = cli((const char *[]){ "run", "--trace-hot", "--", ok, NULL });
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "trace ("));
	tu_free(&r);
	free(ok);
	remove_dir(dir);
	free(dir);
}

/* The timeline says which fds a pipe gave: "forgot close(fd[1])" can
 * be read from it with the deadlock's holders. */
static void test_feedback_trace_shows_pipe_fds(void **state)
{
	(void)state;
	char *prog = tu_fixture("deadlock/pipe_no_eof");
	struct proc_out r = cli((const char *[]){ "run", "--trace", "--", prog, NULL });

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "pipe2(-> [3, 4])") ? strstr(r.out, "pipe2(-> [3, 4])")
			: strstr(r.out, "pipe(-> [3, 4])"));
	tu_free(&r);
	free(prog);
}

/* On a terminal a "running" line stands while a test runs, and is
 * replaced by the test's result line. */
static void test_feedback_check_running_line_on_a_terminal(void **state)
{
	(void)state;
	if (access("/usr/bin/script", X_OK) != 0) {
		printf("SKIPPED: no script(1) to give check a terminal\n");
		return;
	}
	char *dir = temp_dir(), spec[600], ipcgrade[4096], cmd[6000];

	assert_non_null(realpath(tu_ipcgrade(), ipcgrade));
	write_spec(dir, "tty", "assignment: tty\ntitle: T\nbuild: {sources: [\"*.c\"]}\ntests:\n"
		   "  - name: thrice\n    points: 1\n    runs: 3\n    expect: {exit: 0, stdout: \"\"}\n",
		   spec, sizeof(spec));
	tu_write_file(dir, "main.c", "int main(void) { return 0; }\n");
	snprintf(cmd, sizeof(cmd), "NO_COLOR=1 '%s' check --spec '%s' '%s'", ipcgrade, spec, dir);
	struct proc_out r = tu_run((const char *[]){ "/usr/bin/script", "-qec", cmd, "/dev/null", NULL },
				   NULL, 120000);

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, ".... thrice: running"));
	assert_non_null(strstr(r.out, "\r\033[K  PASS thrice"));
	tu_free(&r);
	remove_dir(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_feedback_seeds_are_unsigned_everywhere),
		cmocka_unit_test(test_feedback_spec_seed_wraps_past_zero),
		cmocka_unit_test(test_feedback_timeout_reports_every_reason),
		cmocka_unit_test(test_feedback_stopped_run_shows_its_output),
		cmocka_unit_test(test_feedback_output_limit_shows_the_last_lines),
		cmocka_unit_test(test_feedback_stopped_run_is_no_cleanup_failure),
		cmocka_unit_test(test_feedback_replay_replays),
		cmocka_unit_test(test_feedback_check_streams),
		cmocka_unit_test(test_feedback_check_running_line_on_a_terminal),
		cmocka_unit_test(test_feedback_hint_by_reason),
		cmocka_unit_test(test_feedback_friendly_commands),
		cmocka_unit_test(test_feedback_class_rows_and_paths),
		cmocka_unit_test(test_feedback_progress_counts_failed_submissions),
		cmocka_unit_test(test_feedback_grade_interrupted),
		cmocka_unit_test(test_feedback_identifiers_kept_whole),
		cmocka_unit_test(test_feedback_trace_shows_pipe_fds),
	};

	return cmocka_run_group_tests_name("feedback", tests, NULL, NULL);
}
