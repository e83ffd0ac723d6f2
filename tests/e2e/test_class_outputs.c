/*
 * test_class_outputs.c - what `grade` writes about a class beside the
 * summary, and the students' copy of an assignment:
 *  - similarity (sim_c): a copy with renamed variables and reordered
 *    functions is flagged, an independent solution is not; without sim_c
 *    the output says so (SKIPPED where sim_c is not installed);
 *  - gradebook exports: canvas.csv and moodle.csv from a roster (ids and
 *    LMS file names), the late penalty from a submission-times file and
 *    from file times; every CSV parsed strictly by Python's csv module
 *    (tests/e2e/csv_rows.py) and checked column by column;
 *  - export: the copy has the visible tests only, no solution, no file
 *    that only hidden tests use, and `check` works on it;
 *  - feedback.md names only commands that work.
 */
#include "testutil.h"
#include <sys/stat.h>
#include <utime.h>

static char *root;
static char src[4096];

static char *at(const char *rel)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", root, rel) < 0)
		return NULL;
	return p;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 4 << 20);

	if (!f)
		fail_msg("cannot open %s", path);
	buf[fread(buf, 1, (4 << 20) - 1, f)] = '\0';
	fclose(f);
	return buf;
}

static bool have_sim_c(void)
{
	return system("command -v sim_c >/dev/null 2>&1") == 0;
}

/* A CSV file's rows, as Python's csv module reads it (strictly). */
static json_t *csv_rows(const char *rel)
{
	char *path = at(rel), script[4200];

	snprintf(script, sizeof(script), "%s/tests/e2e/csv_rows.py", src);
	const char *argv[] = { "python3", script, path, NULL };
	struct proc_out r = tu_run(argv, NULL, 60000);
	json_t *j = json_loads(r.out, 0, NULL);

	if (r.status != 0 || !j)
		fail_msg("%s is not RFC 4180: %s", path, r.err);
	tu_free(&r);
	free(path);
	json_t *rows = json_incref(json_object_get(j, "rows"));

	json_decref(j);
	return rows;
}

static const char *cell(json_t *rows, size_t r, size_t c)
{
	return json_string_value(json_array_get(json_array_get(rows, r), c));
}

/* The row whose first field is key (or whose field col is key). */
static json_t *row_with(json_t *rows, size_t col, const char *key)
{
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row)
		if (i > 0 && json_string_value(json_array_get(row, col)) &&
		    strcmp(json_string_value(json_array_get(row, col)), key) == 0)
			return row;
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/ipcgrade-class-XXXXXX";

	assert_non_null(getcwd(src, sizeof(src)));
	root = strdup(mkdtemp(tmpl));
	tu_sh("mkdir -p %s/class && cd %s/class && "
	   "cp -r %s/assignments/pipe-messages/solution orig && "
	   "cp -r %s/tests/fixtures/similarity/renamed ren && "
	   "cp -r %s/tests/fixtures/similarity/independent indep && "
	   "cp %s/assignments/pipe-messages/solution/pipe.c smith_12345_67890_pipe.c && "
	   "mkdir dave",
	   root, root, src, src, src, src);
	/* indep's file is three days after the deadline (its time comes from
	 * the file); smith's comes from the times file. */
	char *f = at("class/indep/pipe.c");
	struct utimbuf t = { .actime = 1767225600 + 3 * 86400 - 100, .modtime = 1767225600 + 3 * 86400 - 100 };

	assert_int_equal(utime(f, &t), 0);
	free(f);
	tu_sh("printf 'submission,name,canvas_id,sis_user_id,sis_login_id,section,email,id_number,username\\r\\n"
	   "orig,\"Orig, Ann\",111,S111,ann,L01,ann@example.edu,1001,ann\\r\\n"
	   ",\"=HYPERLINK(\"\"x\"\")\",12345,S345,smith,L02,smith@example.edu,1345,smith\\r\\n"
	   "indep,Ind Ep,222,S222,indep,L01,indep@example.edu,1002,indep\\r\\n"
	   "dave,Dave,333,S333,dave,L01,dave@example.edu,1003,dave\\r\\n' > %s/roster.csv", root);
	tu_sh("printf 'smith_12345_67890_pipe,2026-01-02T12:00:00Z\\norig,2025-12-31 23:00\\n' > %s/times.csv", root);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_sh("rm -rf '%s'", root);
	free(root);
	return 0;
}

static struct proc_out grade(const char *out, const char *const *extra)
{
	const char *argv[32];
	int n = 0;
	char *o = at(out), *cls = at("class");

	argv[n++] = tu_ipcgrade();
	argv[n++] = "grade";
	argv[n++] = "pipe-messages";
	argv[n++] = "-o";
	argv[n++] = o;
	for (int i = 0; extra && extra[i]; i++)
		argv[n++] = extra[i];
	argv[n++] = cls;
	argv[n] = NULL;
	struct proc_out r = tu_run(argv, NULL, 600000);

	if (r.status != 0 && r.status != 2)
		fprintf(stderr, "grade: %d\n%s\n%s\n", r.status, r.out, r.err);
	free(o);
	free(cls);
	return r;
}

static void test_similarity_flags_the_renamed_copy_only(void **state)
{
	(void)state;
	if (!have_sim_c())
		TU_SKIP("sim_c is not installed (Debian package similarity-tester)");
	char *roster = at("roster.csv"), *times = at("times.csv");
	struct proc_out r = grade("out", (const char *[]){ "--roster", roster, "--due", "2026-01-01T00:00:00Z",
							   "--late-penalty", "10", "--submission-times", times,
							   NULL });

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "similarity: "));
	assert_null(strstr(r.out, "not installed"));
	tu_free(&r);
	json_t *rows = csv_rows("out/similarity.csv");
	const char *header[] = { "student_a", "student_b", "percent", "shared_tokens", "tokens_a", "tokens_b",
				 "regions" };

	for (size_t c = 0; c < 7; c++)
		assert_string_equal(cell(rows, 0, c), header[c]);
	bool orig_ren = false;
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row) {
		const char *a = cell(rows, i, 0), *b = cell(rows, i, 1);

		if (i == 0)
			continue;
		if (strcmp(a, "orig") == 0 && strcmp(b, "ren") == 0) {
			orig_ren = true;
			assert_true(atof(cell(rows, i, 2)) >= 90);
			assert_true(atoi(cell(rows, i, 6)) >= 2);	/* reordered: several regions */
		}
		/* The independent solution is similar to nobody. */
		assert_string_not_equal(a, "indep");
		assert_string_not_equal(b, "indep");
	}
	assert_true(orig_ren);
	/* The LMS single file is the solution itself. */
	assert_non_null(row_with(rows, 1, "smith_12345_67890_pipe"));
	json_decref(rows);
	/* The report lists the pair, side by side. */
	char *path = at("out/index.html"), *page = slurp(path);

	assert_non_null(strstr(page, "orig &amp; ren"));
	assert_non_null(strstr(page, "<mark class=\"m"));
	free(page);
	free(path);
	free(roster);
	free(times);
}

static void test_similarity_without_sim_c_says_so(void **state)
{
	(void)state;
	setenv("IPCGRADE_SIM_C", "/nonexistent/sim_c", 1);
	struct proc_out r = grade("nosim", NULL);

	unsetenv("IPCGRADE_SIM_C");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "similarity: not checked: sim_c is not installed"));
	tu_free(&r);
	json_t *rows = csv_rows("nosim/similarity.csv");

	assert_int_equal(json_array_size(rows), 1);	/* the header alone */
	json_decref(rows);
	char *path = at("nosim/index.html"), *page = slurp(path);

	assert_non_null(strstr(page, "sim_c (Debian package similarity-tester) is not installed"));
	free(page);
	free(path);
	/* --no-similarity: not run, no message. */
	r = grade("off", (const char *[]){ "--no-similarity", NULL });
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, "similarity:"));
	tu_free(&r);
	path = at("off/similarity.csv");
	assert_int_not_equal(access(path, F_OK), 0);
	free(path);
}

static void test_gradebook_exports_canvas_moodle_late(void **state)
{
	(void)state;
	char *roster = at("roster.csv"), *times = at("times.csv");
	struct proc_out r = grade("gb", (const char *[]){ "--no-similarity", "--roster", roster, "--due",
							  "2026-01-01T00:00:00Z", "--late-penalty", "10",
							  "--submission-times", times, NULL });

	assert_int_equal(r.status, 0);
	/* ren is not in the roster: said, and left out. */
	assert_non_null(strstr(r.err, "'ren' is not in the roster"));
	assert_non_null(strstr(r.out, "gradebook: canvas.csv, moodle.csv late.csv"));
	tu_free(&r);

	/* Canvas: Student, ID, SIS User ID, SIS Login ID, Section, the assignment. */
	json_t *c = csv_rows("gb/canvas.csv");
	const char *ch[] = { "Student", "ID", "SIS User ID", "SIS Login ID", "Section", "pipe-messages" };

	for (size_t k = 0; k < 6; k++)
		assert_string_equal(cell(c, 0, k), ch[k]);
	assert_string_equal(cell(c, 1, 0), "    Points Possible");
	assert_string_equal(cell(c, 1, 5), "100");
	json_t *ann = row_with(c, 1, "111"), *smith = row_with(c, 1, "12345"), *ind = row_with(c, 1, "222");

	assert_non_null(ann);
	assert_string_equal(json_string_value(json_array_get(ann, 0)), "Orig, Ann");
	assert_string_equal(json_string_value(json_array_get(ann, 2)), "S111");
	assert_string_equal(json_string_value(json_array_get(ann, 4)), "L01");
	assert_string_equal(json_string_value(json_array_get(ann, 5)), "100");
	/* Matched through its LMS file name; 1.5 days late: 2 days, -20%. */
	assert_non_null(smith);
	assert_string_equal(json_string_value(json_array_get(smith, 0)), "'=HYPERLINK(\"x\")");
	assert_string_equal(json_string_value(json_array_get(smith, 5)), "80");
	/* indep: 3 days late by its file's time, -30%. */
	assert_non_null(ind);
	assert_string_equal(json_string_value(json_array_get(ind, 5)), "70");
	assert_null(row_with(c, 0, "ren"));
	assert_int_equal(json_array_size(c), 2 + 4);	/* header, points, orig, smith, indep, dave */
	json_decref(c);

	/* Moodle: a user column to map (ID number, Email address, Username),
	 * the grade, its feedback. */
	json_t *m = csv_rows("gb/moodle.csv");
	const char *mh[] = { "Name", "ID number", "Email address", "Username", "pipe-messages",
			     "pipe-messages (feedback)" };

	for (size_t k = 0; k < 6; k++)
		assert_string_equal(cell(m, 0, k), mh[k]);
	json_t *ms = row_with(m, 1, "1345");

	assert_non_null(ms);
	assert_string_equal(json_string_value(json_array_get(ms, 2)), "smith@example.edu");
	assert_string_equal(json_string_value(json_array_get(ms, 4)), "80");
	assert_non_null(strstr(json_string_value(json_array_get(ms, 5)), "2 days late: -20%"));
	assert_int_equal(json_array_size(m), 1 + 4);
	json_decref(m);

	json_t *l = csv_rows("gb/late.csv");
	json_t *ls = row_with(l, 0, "smith_12345_67890_pipe"), *lo = row_with(l, 0, "orig");

	assert_string_equal(cell(l, 0, 3), "days_late");
	assert_string_equal(json_string_value(json_array_get(ls, 1)), "2026-01-02T12:00:00Z");
	assert_string_equal(json_string_value(json_array_get(ls, 3)), "2");
	assert_string_equal(json_string_value(json_array_get(ls, 6)), "80");
	/* orig's time is the times file's: on time. */
	assert_non_null(lo);
	assert_string_equal(json_string_value(json_array_get(lo, 3)), "0");
	json_decref(l);

	/* summary.csv is unchanged in shape. */
	json_t *s = csv_rows("gb/summary.csv");

	assert_string_equal(cell(s, 0, 0), "student");
	assert_string_equal(cell(s, 0, 3), "status");
	json_decref(s);

	/* Bad input: a clear message, exit 2 or an error, never a crash. */
	const char *bad_due[] = { tu_ipcgrade(), "grade", "pipe-messages", "--due", "tomorrow", "x", NULL };

	r = tu_run(bad_due, NULL, 30000);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "bad --due 'tomorrow'"));
	tu_free(&r);
	const char *no_due[] = { tu_ipcgrade(), "grade", "pipe-messages", "--late-penalty", "5", "x", NULL };

	r = tu_run(no_due, NULL, 30000);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "--late-penalty needs --due"));
	tu_free(&r);
	tu_sh("printf 'name\\nx\\n' > %s/bad-roster.csv", root);
	char *bad = at("bad-roster.csv");

	/* Refused before grading anything. */
	r = grade("gb2", (const char *[]){ "--no-similarity", "--roster", bad, NULL });
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "needs a header row with a 'submission' or a 'canvas_id' column"));
	assert_null(strstr(r.err, "grading"));
	tu_free(&r);
	free(bad);
	free(roster);
	free(times);
}

/* Sharded grading: merge takes the gradebook options and writes the same
 * exports as one unsharded grade (gb/, from the test above). */
static void test_merge_writes_the_same_gradebook(void **state)
{
	(void)state;
	char *roster = at("roster.csv"), *times = at("times.csv");
	char *s1 = at("sh1"), *s2 = at("sh2"), *m = at("merged");

	for (int k = 1; k <= 2; k++) {
		struct proc_out r = grade(k == 1 ? "sh1" : "sh2",
					  (const char *[]){ "--no-similarity", "--shard", k == 1 ? "1/2" : "2/2",
							    NULL });

		assert_int_equal(r.status, 0);
		tu_free(&r);
	}
	const char *argv[] = { tu_ipcgrade(), "merge", s1, s2, "-o", m, "--no-similarity", "--roster", roster,
			       "--due", "2026-01-01T00:00:00Z", "--late-penalty", "10", "--submission-times",
			       times, NULL };
	struct proc_out r = tu_run(argv, NULL, 60000);

	if (r.status != 0)
		fprintf(stderr, "merge: %d\n%s\n%s\n", r.status, r.out, r.err);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "gradebook: canvas.csv, moodle.csv late.csv"));
	tu_free(&r);
	for (const char *const *f = (const char *const[]){ "canvas.csv", "moodle.csv", "late.csv", NULL }; *f; f++)
		tu_sh("cmp '%s/gb/%s' '%s/%s'", root, *f, m, *f);

	/* The same checks of what goes together as grade's. */
	const char *bad[] = { tu_ipcgrade(), "merge", s1, "-o", m, "--submission-times", times, NULL };

	r = tu_run(bad, NULL, 30000);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "merge: --submission-times needs --due"));
	tu_free(&r);
	free(roster);
	free(times);
	free(s1);
	free(s2);
	free(m);
}

static void test_export_strips_hidden_tests(void **state)
{
	(void)state;
	char *dir = at("copy"), spec[4200], fixture[4200];

	snprintf(fixture, sizeof(fixture), "%s/tests/fixtures/export/export-demo", src);
	const char *argv[] = { tu_ipcgrade(), "export", fixture, dir, NULL };
	struct proc_out r = tu_run(argv, NULL, 60000);

	if (r.status != 0)
		fprintf(stderr, "%s\n", r.err);
	assert_int_equal(r.status, 0);
	tu_free(&r);
	/* DIR/NAME: a spec lies in a folder named after its assignment. */
	snprintf(spec, sizeof(spec), "%s/export-demo/spec.yaml", dir);
	char *text = slurp(spec);

	assert_non_null(strstr(text, "prints-the-input"));
	assert_null(strstr(text, "hidden-input"));
	assert_null(strstr(text, "after-the-deadline"));
	assert_null(strstr(text, "SECRET"));
	assert_null(strstr(text, "secret"));
	free(text);
	tu_sh("cd %s/export-demo && test -f README.md && test -f starter/cat.c && test -f inputs/visible.txt && "
	   "test -x checkers/visible.sh && test ! -e inputs/secret.txt && test ! -e checkers/secret.sh && "
	   "test ! -e solution && test ! -e faulty && ! grep -r SECRET .", dir);
	/* check works on the copy: --spec FILE, and the folder itself. */
	char sol[4200], folder[4200];

	snprintf(sol, sizeof(sol), "%s/solution", fixture);
	snprintf(folder, sizeof(folder), "%s/export-demo", dir);
	const char *chk[] = { tu_ipcgrade(), "check", "--all", "--json", "--spec", spec, sol, NULL };

	r = tu_run(chk, NULL, 120000);
	assert_int_equal(r.status, 0);
	json_t *j = json_loads(r.out, 0, NULL);

	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "tests")), 1);
	json_decref(j);
	tu_free(&r);
	const char *chk2[] = { tu_ipcgrade(), "check", folder, sol, NULL };

	r = tu_run(chk2, NULL, 120000);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "prints-the-input"));
	tu_free(&r);
	/* A bundled assignment too, with its checker. */
	char *dir2 = at("copy2"), barber[4200];

	snprintf(barber, sizeof(barber), "%s/assignments/sleeping-barber/solution", src);
	const char *exp2[] = { tu_ipcgrade(), "export", "sleeping-barber", dir2, NULL };

	r = tu_run(exp2, NULL, 60000);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "checkers/check_log.pl"));
	tu_free(&r);
	snprintf(folder, sizeof(folder), "%s/sleeping-barber", dir2);
	const char *chk3[] = { tu_ipcgrade(), "check", folder, barber, NULL };

	r = tu_run(chk3, NULL, 300000);
	assert_int_equal(r.status, 0);
	tu_free(&r);
	/* Not into a folder that holds something. */
	r = tu_run(exp2, NULL, 60000);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "is not empty"));
	tu_free(&r);
	free(dir);
	free(dir2);
}

/* feedback.md: `ipcgrade check NAME .` only where NAME finds the spec. */
static void test_feedback_names_commands_that_work(void **state)
{
	(void)state;
	char *bundled = at("out/orig/feedback.md");

	if (access(bundled, F_OK) != 0) {
		free(bundled);
		bundled = at("gb/orig/feedback.md");
	}
	char *text = slurp(bundled);

	assert_non_null(strstr(text, "`ipcgrade check pipe-messages .`"));
	free(text);
	free(bundled);
	char fixture[4200], *out = at("own"), *sol = NULL;

	snprintf(fixture, sizeof(fixture), "%s/tests/fixtures/export/export-demo/spec.yaml", src);
	sol = at("silent");
	tu_sh("'%s' selftest --materialise '%s' %s/tests/fixtures/export/export-demo/faulty/silent >/dev/null",
	      tu_ipcgrade(), sol, src);
	const char *argv[] = { tu_ipcgrade(), "grade", "--spec", fixture, "--no-similarity", "-o", out, sol, NULL };
	struct proc_out r = tu_run(argv, NULL, 120000);

	assert_int_equal(r.status, 0);
	tu_free(&r);
	char *fb = at("own/silent/feedback.md");

	text = slurp(fb);
	assert_null(strstr(text, "ipcgrade check export-demo"));
	assert_non_null(strstr(text, "ipcgrade check --spec SPEC ."));
	assert_non_null(strstr(text, "ipcgrade export"));
	free(text);
	free(fb);
	free(out);
	free(sol);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_similarity_flags_the_renamed_copy_only),
		cmocka_unit_test(test_similarity_without_sim_c_says_so),
		cmocka_unit_test(test_gradebook_exports_canvas_moodle_late),
		cmocka_unit_test(test_merge_writes_the_same_gradebook),
		cmocka_unit_test(test_export_strips_hidden_tests),
		cmocka_unit_test(test_feedback_names_commands_that_work),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
