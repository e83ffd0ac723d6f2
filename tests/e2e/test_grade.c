/*
 * test_grade.c - batch grading end to end: a class of mixed submissions
 * into every output, validated (Gradescope fields and types, JUnit XML
 * against its schema with xmllint, summary.csv as RFC 4180), then
 * resume after an interruption and after kill -9, shards merged, the
 * build cache.
 */
#include "testutil.h"
#include <dirent.h>
#include <sys/stat.h>

static char *root;	/* a temporary folder for the whole group */
static char src[4096];	/* the source tree (tests run from its top) */

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static char *at(const char *rel)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", root, rel) < 0)
		return NULL;
	return p;
}

/* A class: good, faulty, an LMS single file, an empty folder, a student
 * whose id has a comma and quotes, one that does not compile. */
static int make_class(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/ipcgrade-grade-XXXXXX";

	assert_non_null(getcwd(src, sizeof(src)));
	root = strdup(mkdtemp(tmpl));
	/* Faulty submissions as ipcgrade writes them out (a patch or a folder). */
	char ipcgrade[4200];

	snprintf(ipcgrade, sizeof(ipcgrade), "%s%s%s", tu_ipcgrade()[0] == '/' ? "" : src,
		 tu_ipcgrade()[0] == '/' ? "" : "/", tu_ipcgrade());
	sh("mkdir -p %s/class && cd %s/class && "
	   "cp -r %s/assignments/pipe-messages/solution alice && "
	   "'%s' selftest --materialise bob %s/assignments/pipe-messages/faulty/misspelled-received && "
	   "cp %s/assignments/pipe-messages/solution/pipe.c carol_12345_67890_pipe.c && "
	   "mkdir dave && "
	   "'%s' selftest --materialise 'o,connor \"jr\"' %s/assignments/pipe-messages/faulty/one-process && "
	   "mkdir erin && printf 'int main(void) { return x; }\\n' > erin/pipe.c",
	   root, root, src, ipcgrade, src, src, ipcgrade, src);
	return 0;
}

static int remove_class(void **state)
{
	(void)state;
	sh("rm -rf %s", root);
	free(root);
	return 0;
}

static struct proc_out grade(const char *const *extra)
{
	const char *argv[32];
	int n = 0;

	argv[n++] = tu_ipcgrade();
	argv[n++] = "grade";
	argv[n++] = "pipe-messages";
	for (int i = 0; extra[i]; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	return tu_run(argv, NULL, 600000);
}

/* RFC 4180: rows of fields; quoted fields may hold commas, quotes (doubled)
 * and line breaks. Returns the number of rows; cells[row][col]. */
static int parse_csv(const char *text, char cells[64][16][128], int *ncols)
{
	int row = 0, col = 0;
	size_t len = 0;
	const char *p = text;

	*ncols = 0;
	while (*p && row < 64) {
		bool quoted = *p == '"';
		char *cell = cells[row][col];

		len = 0;
		if (quoted) {
			p++;
			while (*p && !(*p == '"' && p[1] != '"')) {
				if (*p == '"')
					p++;
				if (len < 127)
					cell[len++] = *p;
				p++;
			}
			assert_true(*p == '"');
			p++;
		} else {
			while (*p && *p != ',' && *p != '\r' && *p != '\n') {
				assert_true(*p != '"');	/* a bare quote is not RFC 4180 */
				if (len < 127)
					cell[len++] = *p;
				p++;
			}
		}
		cell[len] = '\0';
		col++;
		if (*p == ',') {
			p++;
			continue;
		}
		assert_true(p[0] == '\r' && p[1] == '\n');	/* CRLF line ends */
		p += 2;
		if (row == 0)
			*ncols = col;
		else
			assert_int_equal(col, *ncols);
		row++;
		col = 0;
	}
	return row;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);

	assert_non_null(f);
	buf[fread(buf, 1, (1 << 20) - 1, f)] = '\0';
	fclose(f);
	return buf;
}

static double csv_total(const char *csv_path, const char *student)
{
	static char cells[64][16][128];
	int ncols, rows;
	char *text = slurp(csv_path);

	rows = parse_csv(text, cells, &ncols);
	free(text);
	for (int r = 1; r < rows; r++)
		if (strcmp(cells[r][0], student) == 0)
			return atof(cells[r][1]);
	return -1;
}

static void test_grade_class_into_every_output(void **state)
{
	(void)state;
	char *out = at("out"), *cls = at("class");
	struct proc_out r = grade((const char *[]){ "-j", "2", "-o", out, cls, NULL });

	if (r.status != 0)
		fprintf(stderr, "%s\n%s\n", r.out, r.err);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "6 submissions, 6 graded"));
	assert_non_null(strstr(r.err, "carol_12345_67890_pipe: 100/100"));
	tu_free(&r);

	const char *students[] = { "alice", "bob", "carol_12345_67890_pipe", "dave", "o,connor \"jr\"", "erin" };

	for (size_t i = 0; i < 6; i++) {
		char path[600];

		for (const char *const *f = (const char *const[]){ "report.json", "results.json", "junit.xml",
								   "feedback.md", NULL }; *f; f++) {
			snprintf(path, sizeof(path), "%s/%s/%s", out, students[i], *f);
			assert_int_equal(access(path, R_OK), 0);
		}
		/* Gradescope's documented fields and types. */
		snprintf(path, sizeof(path), "%s/%s/results.json", out, students[i]);
		json_t *g = json_load_file(path, 0, NULL);

		assert_non_null(g);
		assert_true(json_is_number(json_object_get(g, "score")));
		assert_true(json_is_integer(json_object_get(g, "execution_time")));
		assert_true(json_is_string(json_object_get(g, "output")));
		json_t *tests = json_object_get(g, "tests"), *t;
		size_t k;

		assert_int_equal(json_array_size(tests), 7);
		json_array_foreach(tests, k, t) {
			assert_true(json_is_string(json_object_get(t, "name")));
			assert_true(json_is_number(json_object_get(t, "score")));
			assert_true(json_is_number(json_object_get(t, "max_score")));
			const char *st = tu_str(t, "status"), *vis = tu_str(t, "visibility");

			assert_true(strcmp(st, "passed") == 0 || strcmp(st, "failed") == 0);
			assert_true(strcmp(vis, "visible") == 0 || strcmp(vis, "hidden") == 0 ||
				    strcmp(vis, "after_due_date") == 0);
			assert_true(json_is_string(json_object_get(t, "output")));
		}
		/* The hidden tests stay hidden. */
		assert_string_equal(tu_str(json_array_get(tests, 2), "visibility"), "hidden");
		json_decref(g);
		/* JUnit XML valid against its schema, with a real parser. */
		char cmd[900];

		snprintf(cmd, sizeof(cmd), "xmllint --noout --schema tests/schemas/junit.xsd '%s/%s/junit.xml' 2>/dev/null",
			 out, students[i]);
		if (strchr(students[i], '"'))
			continue;	/* the shell quoting would need care; the others cover it */
		assert_int_equal(system(cmd), 0);
	}
	char *csv = at("out/summary.csv");

	assert_true(csv_total(csv, "alice") == 100);
	assert_true(csv_total(csv, "carol_12345_67890_pipe") == 100);
	assert_true(csv_total(csv, "bob") == 0);
	assert_true(csv_total(csv, "o,connor \"jr\"") == 0);	/* one process: no IPC */
	assert_true(csv_total(csv, "dave") == 0);
	char *dave = at("out/dave/feedback.md"), *text = slurp(dave);

	/* An empty folder: no submission (a row says so), not a build failure. */
	assert_non_null(strstr(text, "no submission: the folder is empty"));
	free(text);
	free(dave);
	text = slurp(csv);
	assert_non_null(strstr(text, "dave,0,100,no_submission"));
	free(text);
	char *erin = at("out/erin/feedback.md");

	text = slurp(erin);
	assert_non_null(strstr(text, "did not build"));
	free(text);
	free(erin);
	free(csv);
	free(out);
	free(cls);
}

static void test_grade_resumes_after_interruption(void **state)
{
	(void)state;
	char *out = at("out"), *cls = at("class");

	/* Remove two students' completion marks: --resume grades exactly them. */
	sh("rm -f %s/out/alice/report.json '%s/out/bob/report.json'", root, root);
	struct proc_out r = grade((const char *[]){ "--resume", "-o", out, cls, NULL });

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "grading 2 submissions"));
	assert_non_null(strstr(r.out, "6 submissions, 6 graded"));
	tu_free(&r);

	/* Interrupt a batch with SIGINT, then resume: the same totals. */
	char *out2 = at("out2");
	const char *argv[] = { tu_ipcgrade(), "grade", "pipe-messages", "-j", "1", "-o", out2, cls, NULL };
	pid_t pid = tu_spawn_quiet(argv);
	usleep(2500 * 1000);
	kill(pid, SIGINT);
	int st;

	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st) && (WEXITSTATUS(st) == 130 || WEXITSTATUS(st) == 0));
	r = grade((const char *[]){ "--resume", "-o", out2, cls, NULL });
	assert_int_equal(r.status, 0);
	tu_free(&r);
	char *csv1 = at("out/summary.csv"), *csv2 = at("out2/summary.csv");
	char *a = slurp(csv1), *b = slurp(csv2);

	assert_string_equal(a, b);
	free(a);
	free(b);

	/* kill -9 of ipcgrade: its workers die with it; --resume finishes. */
	char *out3 = at("out3");
	const char *argv3[] = { tu_ipcgrade(), "grade", "pipe-messages", "-j", "2", "-o", out3, cls, NULL };

	pid = tu_spawn_quiet(argv3);
	usleep(1500 * 1000);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	usleep(1500 * 1000);
	char cmd[300];

	/* No worker of that batch is left. */
	snprintf(cmd, sizeof(cmd), "pgrep -f '[g]rade pipe-messages -j 2 -o %s' >/dev/null", out3);
	assert_int_not_equal(system(cmd), 0);
	r = grade((const char *[]){ "--resume", "-o", out3, cls, NULL });
	assert_int_equal(r.status, 0);
	tu_free(&r);
	char *csv3 = at("out3/summary.csv");

	a = slurp(csv1);
	b = slurp(csv3);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(csv1);
	free(csv2);
	free(csv3);
	free(out);
	free(out2);
	free(out3);
	free(cls);
}

static void test_grade_shards_merge_to_the_whole(void **state)
{
	(void)state;
	char *cls = at("class"), *s1 = at("shard1"), *s2 = at("shard2"), *m = at("merged");
	struct proc_out r = grade((const char *[]){ "--shard", "1/2", "-o", s1, cls, NULL });

	assert_int_equal(r.status, 0);
	tu_free(&r);
	r = grade((const char *[]){ "--shard", "2/2", "-o", s2, cls, NULL });
	assert_int_equal(r.status, 0);
	tu_free(&r);
	const char *argv[] = { tu_ipcgrade(), "merge", s1, s2, "-o", m, NULL };

	r = tu_run(argv, NULL, 60000);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "merged 6 students from 2 folders"));
	tu_free(&r);
	char *whole = at("out/summary.csv"), *merged = at("merged/summary.csv");
	char *a = slurp(whole), *b = slurp(merged);

	assert_string_equal(a, b);
	free(a);
	free(b);
	/* A shard named twice, or one missing, is refused. */
	const char *again[] = { tu_ipcgrade(), "merge", s1, s1, "-o", m, NULL };

	r = tu_run(again, NULL, 60000);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "shard 1/2 is named twice"));
	tu_free(&r);
	const char *half[] = { tu_ipcgrade(), "merge", s1, "-o", m, NULL };

	r = tu_run(half, NULL, 60000);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "shard 2/2 is missing"));
	tu_free(&r);
	free(whole);
	free(merged);
	free(cls);
	free(s1);
	free(s2);
	free(m);
}

static void test_grade_cache_and_bad_input(void **state)
{
	(void)state;
	char *cls = at("class/alice"), *o1 = at("c1"), *o2 = at("c2"), *cache = at("cache");
	struct proc_out r = grade((const char *[]){ "--cache-dir", cache, "-o", o1, cls, NULL });

	assert_int_equal(r.status, 0);
	tu_free(&r);
	r = grade((const char *[]){ "--cache-dir", cache, "-o", o2, cls, NULL });
	assert_int_equal(r.status, 0);
	tu_free(&r);
	char *rp = at("c2/alice/report.json");
	json_t *j = json_load_file(rp, 0, NULL);

	assert_true(json_is_true(json_object_get(json_object_get(j, "build"), "cached")));
	json_decref(j);
	free(rp);
	/* Ambiguous and missing input: clear messages, usage errors. */
	sh("mkdir -p %s/twice/a %s/twice2/a && cp %s/assignments/pipe-messages/solution/pipe.c %s/twice/a/ "
	   "&& cp %s/twice/a/pipe.c %s/twice2/a/", root, root, src, root, root, root);
	char *t1 = at("twice"), *t2 = at("twice2");

	r = grade((const char *[]){ "-o", o1, t1, t2, NULL });
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "two submissions would be graded as student 'a'"));
	tu_free(&r);
	r = grade((const char *[]){ "-o", o1, "/no/such/folder", NULL });
	assert_int_equal(r.status, 2);
	tu_free(&r);
	free(t1);
	free(t2);
	free(cls);
	free(o1);
	free(o2);
	free(cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grade_class_into_every_output),
		cmocka_unit_test(test_grade_resumes_after_interruption),
		cmocka_unit_test(test_grade_shards_merge_to_the_whole),
		cmocka_unit_test(test_grade_cache_and_bad_input),
	};

	return cmocka_run_group_tests_name("grade", tests, make_class, remove_class);
}
