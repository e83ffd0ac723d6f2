/*
 * test_cli.c - the ipcgrade command as users meet it: exit codes, help,
 * validate's FILE:LINE:COL, list, check on good, broken and hostile
 * submissions.
 */
#include "testutil.h"
#include <sys/stat.h>

static struct proc_out cli(const char *const *args)
{
	const char *argv[32];
	int n = 0;

	argv[n++] = tu_ipcgrade();
	for (int i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return tu_run(argv, NULL, 120000);
}

static char *temp_dir(void)
{
	char *d = strdup("/tmp/ipcgrade-test-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static void remove_dir(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_cli_usage_and_version(void **state)
{
	(void)state;
	struct proc_out r = cli((const char *[]){ "--version", NULL });

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "ipcgrade "));
	tu_free(&r);
	r = cli((const char *[]){ "--help", NULL });
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "usage: ipcgrade COMMAND"));
	tu_free(&r);
	r = cli((const char *[]){ NULL });
	assert_int_equal(r.status, 2);
	tu_free(&r);
	r = cli((const char *[]){ "frobnicate", NULL });
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "unknown command 'frobnicate'"));
	tu_free(&r);
	r = cli((const char *[]){ "run", NULL });
	assert_int_equal(r.status, 2);
	tu_free(&r);
	r = cli((const char *[]){ "run", "--timeout", "soon", "--", "true", NULL });
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "bad value 'soon'"));
	tu_free(&r);
	for (const char *const *c = (const char *const[]){ "run", "check", "validate", "list", "doctor",
							    "selftest", NULL }; *c; c++) {
		r = cli((const char *[]){ *c, "--help", NULL });
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, "usage: ipcgrade"));
		tu_free(&r);
	}
}

static void test_cli_validate_bundled_and_broken_specs(void **state)
{
	(void)state;
	struct proc_out r = cli((const char *[]){ "validate", "pipe-messages", NULL });

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "pipe-messages/spec.yaml: ok"));
	tu_free(&r);

	char *dir = temp_dir();

	tu_write_file(dir, "typo.yaml", "assignment: t\ntitle: T\ntests:\n  - name: a\n    points: 1\n"
		   "    expect:\n      stdot: hi\n");
	char path[512];

	snprintf(path, sizeof(path), "%s/typo.yaml", dir);
	r = cli((const char *[]){ "validate", path, NULL });
	assert_int_equal(r.status, 2);
	char want[600];

	snprintf(want, sizeof(want), "%s:7:7: unknown key 'stdot' in expect (did you mean 'stdout'?)", path);
	assert_non_null(strstr(r.out, want));
	tu_free(&r);
	/* A spec that is not even YAML, and one that is binary. */
	tu_write_file(dir, "bad.yaml", "tests: [\n");
	snprintf(path, sizeof(path), "%s/bad.yaml", dir);
	r = cli((const char *[]){ "validate", path, NULL });
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.out, "YAML syntax error"));
	tu_free(&r);
	r = cli((const char *[]){ "validate", "/etc/passwd-does-not-exist.yaml", NULL });
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.out, "cannot read the spec"));
	tu_free(&r);
	remove_dir(dir);
	free(dir);
}

static void test_cli_list_shows_assignments(void **state)
{
	(void)state;
	struct proc_out r = cli((const char *[]){ "list", NULL });

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "pipe-messages"));
	assert_non_null(strstr(r.out, "Pipes"));
	assert_null(strstr(r.out, "invalid spec"));
	tu_free(&r);
}

static void test_cli_check_solution_and_faulty(void **state)
{
	(void)state;
	struct proc_out r = cli((const char *[]){ "check", "pipe-messages",
						  "assignments/pipe-messages/solution", NULL });

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "PASS default-messages"));
	assert_null(strstr(r.out, "\033["));	/* not a terminal: no colours */
	tu_free(&r);
	r = cli((const char *[]){ "check", "pipe-messages", "assignments/pipe-messages/faulty/no-close-write-end", NULL });
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "FAIL default-messages"));
	assert_non_null(strstr(r.out, "write end"));
	tu_free(&r);
	r = cli((const char *[]){ "check", "--spec", "assignments/pipe-messages/spec.yaml", "--json",
				  "assignments/pipe-messages/faulty/misspelled-received", NULL });
	assert_int_equal(r.status, 1);
	json_t *j = json_loads(r.out, 0, NULL);

	assert_non_null(j);
	assert_true(json_real_value(json_object_get(j, "score")) == 0.0);
	json_t *t0 = json_array_get(json_object_get(j, "tests"), 0);

	assert_non_null(strstr(tu_str(t0, "diff"), "--- expected"));
	json_decref(j);
	tu_free(&r);
}

static void test_cli_check_bad_input(void **state)
{
	(void)state;
	struct proc_out r = cli((const char *[]){ "check", "no-such-assignment", ".", NULL });

	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "no assignment named 'no-such-assignment'"));
	tu_free(&r);
	r = cli((const char *[]){ "check", "pipe-messages", "/no/such/dir", NULL });
	assert_int_equal(r.status, 2);
	tu_free(&r);

	/* An empty submission: a report that says there is none. */
	char *dir = temp_dir();

	r = cli((const char *[]){ "check", "pipe-messages", dir, NULL });
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "no submission: the folder is empty"));
	tu_free(&r);
	/* A source that is a symlink to a secret. */
	char link[512];

	snprintf(link, sizeof(link), "%s/pipe.c", dir);
	assert_int_equal(symlink("/etc/shadow", link), 0);
	r = cli((const char *[]){ "check", "pipe-messages", dir, NULL });
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "symbolic link"));
	assert_null(strstr(r.out, "root:"));
	tu_free(&r);
	unlink(link);
	/* A program that does not compile. */
	tu_write_file(dir, "pipe.c", "int main(void) { return syntax error; }\n");
	r = cli((const char *[]){ "check", "pipe-messages", dir, NULL });
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "does not compile"));
	assert_non_null(strstr(r.out, "error:"));
	tu_free(&r);
	/* A compiler attack: including a device never ends on its own. */
	tu_write_file(dir, "pipe.c", "#include \"/dev/zero\"\nint main(void) { return 0; }\n");
	r = cli((const char *[]){ "check", "pipe-messages", dir, NULL });
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "the compiler exceeded its limits"));
	tu_free(&r);
	tu_write_file(dir, "pipe.c", "#include \"/etc/shadow\"\nint main(void) { return 0; }\n");
	r = cli((const char *[]){ "check", "pipe-messages", dir, NULL });
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "No such file"));
	assert_null(strstr(r.out, "root:"));
	tu_free(&r);
	remove_dir(dir);
	free(dir);
}

static void test_cli_init_scaffold_validates_and_selftests(void **state)
{
	(void)state;
	char *dir = temp_dir(), path[600];
	struct proc_out r = cli((const char *[]){ "init", "new-one", dir, NULL });
	struct stat st;

	assert_int_equal(r.status, 0);
	tu_free(&r);
	/* Its faulty submission is a patch against solution/. */
	snprintf(path, sizeof(path), "%s/new-one/faulty/no-close-write-end.patch", dir);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/new-one/spec.yaml", dir);
	r = cli((const char *[]){ "validate", path, NULL });
	assert_int_equal(r.status, 0);
	tu_free(&r);
	snprintf(path, sizeof(path), "%s/new-one/", dir);
	r = cli((const char *[]){ "selftest", path, NULL });
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "faulty/no-close-write-end"));
	assert_non_null(strstr(r.out, "default-message:deadlock"));
	assert_non_null(strstr(r.out, "2 submissions graded, 0 mismatches"));
	tu_free(&r);
	/* Rates: three gradings each, on a loaded machine; --only picks. */
	r = cli((const char *[]){ "selftest", "--repeat", "3", "--load", "1", "--only",
				  "solution,no-close-write-end", path, NULL });
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "detection over 3 gradings with the machine loaded"));
	assert_non_null(strstr(r.out, "full marks 3/3 100.0%"));
	assert_non_null(strstr(r.out, "caught 3/3 100.0%"));
	assert_non_null(strstr(r.out, "6 submissions graded (all rounds), 0 mismatches"));
	tu_free(&r);
	r = cli((const char *[]){ "selftest", "--only", "nobody", path, NULL });
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "names no solution or faulty submission"));
	tu_free(&r);
	r = cli((const char *[]){ "selftest", "--load", "999", path, NULL });
	assert_int_equal(r.status, 2);
	tu_free(&r);
	/* Twice is refused, and so is a bad name. */
	r = cli((const char *[]){ "init", "new-one", dir, NULL });
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "already exists"));
	tu_free(&r);
	r = cli((const char *[]){ "init", "Bad Name", dir, NULL });
	assert_int_equal(r.status, 2);
	tu_free(&r);
	remove_dir(dir);
	free(dir);
}

/* How many entries folder dir holds whose name starts with prefix. */
static int count_entries(const char *dir, const char *prefix)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "exit $(ls -A '%s' | grep -c '^%s')", dir, prefix);
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A bundled patch variant, written out: solution/ with its one mistake. */
static void test_cli_selftest_materialises_a_variant(void **state)
{
	(void)state;
	char *dir = temp_dir(), dest[600], cmd[1400];
	const char *variant = "assignments/sleeping-barber/faulty/barber-never-woken";

	snprintf(dest, sizeof(dest), "%s/bnw", dir);
	struct proc_out r = cli((const char *[]){ "selftest", "--materialise", dest, variant, NULL });

	assert_int_equal(r.status, 0);
	tu_free(&r);
	/* Exactly one line differs from the solution: the one the header names. */
	snprintf(cmd, sizeof(cmd), "diff -r assignments/sleeping-barber/solution '%s' > '%s/diff'; "
		 "test \"$(grep -c '^[<>]' '%s/diff')\" = 1 && "
		 "grep -q '^< *shop->barber_asleep = true;' '%s/diff'", dest, dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "head -n 3 %s.patch | grep -q 'never sets barber_asleep'", variant);
	assert_int_equal(system(cmd), 0);
	/* A folder variant is copied; ".patch" and a trailing '/' may be given. */
	snprintf(dest, sizeof(dest), "%s/threads", dir);
	r = cli((const char *[]){ "selftest", "--materialise", dest, "assignments/pipe-messages/faulty/threads/",
				  NULL });
	assert_int_equal(r.status, 0);
	tu_free(&r);
	snprintf(cmd, sizeof(cmd), "diff -r assignments/pipe-messages/faulty/threads '%s'", dest);
	assert_int_equal(system(cmd), 0);
	snprintf(dest, sizeof(dest), "%s/nmk", dir);
	r = cli((const char *[]){ "selftest", "--materialise", dest,
				  "assignments/sleeping-barber/faulty/no-makefile.patch", NULL });
	assert_int_equal(r.status, 0);
	tu_free(&r);
	snprintf(cmd, sizeof(cmd), "test ! -e '%s/Makefile' && test -f '%s/main.c'", dest, dest);
	assert_int_equal(system(cmd), 0);
	/* Wrong use: a clear message and exit 2, nothing written. */
	r = cli((const char *[]){ "selftest", "--materialise", dest, variant, NULL });
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "already exists"));
	tu_free(&r);
	snprintf(dest, sizeof(dest), "%s/none", dir);
	r = cli((const char *[]){ "selftest", "--materialise", dest, "assignments/queue/faulty/no-such", NULL });
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "no faulty submission 'no-such'"));
	tu_free(&r);
	r = cli((const char *[]){ "selftest", "--materialise", dest, "assignments/queue/solution", NULL });
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "ASSIGNMENT/faulty/NAME"));
	tu_free(&r);
	r = cli((const char *[]){ "selftest", "--materialise", dest, variant, variant, NULL });
	assert_int_equal(r.status, 2);
	tu_free(&r);
	assert_int_equal(count_entries(dir, "none"), 0);
	/* A correct variant in solutions/ is materialised the same way. */
	snprintf(dest, sizeof(dest), "%s/sysv", dir);
	r = cli((const char *[]){ "selftest", "--materialise", dest,
				  "assignments/shared-counter/solutions/sysv-semop", NULL });
	assert_int_equal(r.status, 0);
	tu_free(&r);
	snprintf(cmd, sizeof(cmd), "grep -q 'semop(semid, &op, 1)' '%s/counter.c' && "
		 "! grep -q sem_wait '%s/counter.c'", dest, dest);
	assert_int_equal(system(cmd), 0);
	remove_dir(dir);
	free(dir);
}

/* selftest of a scaffold whose patch no longer applies, or that is wrong
 * in another way: errors naming the variant; and an interrupted selftest:
 * exit 130. Its temporary folders are gone every time. */
static void test_cli_selftest_patch_errors_and_cleanup(void **state)
{
	(void)state;
	char *dir = temp_dir(), tmp[600], asg[600], faulty[700], cmd[1500];
	const char *old_tmpdir = getenv("TMPDIR");
	char *saved = old_tmpdir ? strdup(old_tmpdir) : NULL;

	snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
	assert_int_equal(mkdir(tmp, 0755), 0);
	struct proc_out r = cli((const char *[]){ "init", "scaffold", dir, NULL });

	assert_int_equal(r.status, 0);
	tu_free(&r);
	snprintf(asg, sizeof(asg), "%s/scaffold/", dir);
	snprintf(faulty, sizeof(faulty), "%s/scaffold/faulty", dir);
	setenv("TMPDIR", tmp, 1);

	/* The solution changed after the patch was written. */
	snprintf(cmd, sizeof(cmd), "sed -i 's/else the read below/otherwise the read/' '%s/scaffold/solution/main.c'",
		 dir);
	assert_int_equal(system(cmd), 0);
	r = cli((const char *[]){ "selftest", asg, NULL });
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "faulty/no-close-write-end.patch does not apply to "));
	assert_non_null(strstr(r.err, "Hunk #1 FAILED"));
	assert_non_null(strstr(r.out, "1 submission graded, 0 mismatches, and errors in the assignment folders"));
	tu_free(&r);
	assert_int_equal(count_entries(tmp, ""), 0);
	snprintf(cmd, sizeof(cmd), "sed -i 's/otherwise the read/else the read below/' '%s/scaffold/solution/main.c'",
		 dir);
	assert_int_equal(system(cmd), 0);

	/* A patch and a folder of one name; EXPECTED naming what is not there. */
	snprintf(cmd, sizeof(cmd), "mkdir '%s/no-close-write-end' && printf 'gone:\n  fails: {}\n' >> '%s/EXPECTED'",
		 faulty, faulty);
	assert_int_equal(system(cmd), 0);
	r = cli((const char *[]){ "selftest", asg, NULL });
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "no-close-write-end.patch and the folder"));
	assert_non_null(strstr(r.err, "names 'gone', which is neither faulty/gone.patch nor a folder faulty/gone/"));
	tu_free(&r);
	snprintf(cmd, sizeof(cmd), "rmdir '%s/no-close-write-end' && sed -i '/^gone:/,$d' '%s/EXPECTED'", faulty,
		 faulty);
	assert_int_equal(system(cmd), 0);

	/* Ctrl-C while the patch variant is being graded. */
	const char *argv[] = { tu_ipcgrade(), "selftest", asg, NULL };
	pid_t pid = tu_spawn_quiet(argv);
	int seen = 0;

	for (int i = 0; i < 2000 && !seen; i++) {
		usleep(5000);
		seen = count_entries(tmp, "ipcgrade-faulty-");
	}
	assert_int_equal(seen, 1);
	kill(pid, SIGINT);
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_true(WEXITSTATUS(st) == 130 || WEXITSTATUS(st) == 0);	/* 0: it had finished */
	assert_int_equal(count_entries(tmp, ""), 0);

	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(saved);
	remove_dir(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli_usage_and_version),
		cmocka_unit_test(test_cli_validate_bundled_and_broken_specs),
		cmocka_unit_test(test_cli_list_shows_assignments),
		cmocka_unit_test(test_cli_check_solution_and_faulty),
		cmocka_unit_test(test_cli_check_bad_input),
		cmocka_unit_test(test_cli_init_scaffold_validates_and_selftests),
		cmocka_unit_test(test_cli_selftest_materialises_a_variant),
		cmocka_unit_test(test_cli_selftest_patch_errors_and_cleanup),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
