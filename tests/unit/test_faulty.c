/*
 * test_faulty.c - faulty submissions: listing patches and folders,
 * materialising a patch with the real GNU patch, and refusing patches
 * that would reach outside their folder before patch runs.
 */
#include "testutil.h"
#include "faulty.h"
#include "grader.h"

static char root[256];		/* fresh per test */
static char asg[300];		/* root/asg: an assignment folder */
static char tmpdir[300];	/* root/tmp: $TMPDIR of the test */
static char *saved_tmpdir;

static void put(const char *rel, const char *text)
{
	tu_write_file(root, rel, text);
}

static void mkdirs(const char *rel)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", root, rel);
	assert_int_equal(system(cmd), 0);
}

static char *slurp(const char *path)
{
	char *text = NULL;
	int rc = file_read_all(path, 1 << 20, &text, NULL);

	if (rc < 0)
		fprintf(stderr, "cannot read %s: %s\n", path, strerror(-rc));
	assert_non_null(text);
	return text;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static bool dir_is_empty(const char *path)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"", path);
	return system(cmd) == 0;
}

#define SOLUTION_MAIN "#include <stdio.h>\n\nint main(void)\n{\n\tputs(\"one\");\n\tputs(\"two\");\n" \
	"\tputs(\"three\");\n\treturn 0;\n}\n"

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/ipcgrade-test-faulty-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(asg, sizeof(asg), "%s/asg", root);
	snprintf(tmpdir, sizeof(tmpdir), "%s/tmp", root);
	mkdirs("asg/solution");
	mkdirs("asg/faulty");
	mkdirs("tmp");
	put("asg/solution/main.c", SOLUTION_MAIN);
	put("asg/solution/old.h", "#define OLD 1\n");
	put("asg/faulty/EXPECTED", "# not a variant\n");
	saved_tmpdir = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
	setenv("TMPDIR", tmpdir, 1);
	return 0;
}

/* The tests that apply a patch need GNU patch (the Makefile's deps install it). */
#define NEED_PATCH() do { if (system("command -v patch >/dev/null 2>&1") != 0) \
		TU_SKIP("GNU patch is not installed (apt-get install patch)"); } while (0)

static int teardown(void **state)
{
	(void)state;
	char cmd[400];

	if (saved_tmpdir)
		setenv("TMPDIR", saved_tmpdir, 1);
	else
		unsetenv("TMPDIR");
	free(saved_tmpdir);
	saved_tmpdir = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* A patch that changes main.c, makes new.c and deletes old.h. */
#define GOOD_PATCH "The program prints \"too\" instead of \"two\".\n\n" \
	"--- a/main.c\n+++ b/main.c\n@@ -3,7 +3,7 @@\n int main(void)\n {\n \tputs(\"one\");\n" \
	"-\tputs(\"two\");\n+\tputs(\"too\");\n \tputs(\"three\");\n \treturn 0;\n }\n" \
	"--- /dev/null\n+++ b/new.c\n@@ -0,0 +1 @@\n+int helper;\n" \
	"--- a/old.h\n+++ /dev/null\n@@ -1 +0,0 @@\n-#define OLD 1\n"

static struct faulty_variant variant(const char *name, bool patch)
{
	struct faulty_variant v = { .is_patch = patch };

	v.name = strdup(name);
	v.path = str_printf("%s/faulty/%s%s", asg, name, patch ? ".patch" : "");
	return v;
}

static void release(struct faulty_variant *v)
{
	free(v->name);
	free(v->path);
}

static void test_faulty_lists_patches_and_folders_by_name(void **state)
{
	(void)state;
	struct faulty_variant *v = NULL;
	size_t n = 0;
	char err[512] = "";

	put("asg/faulty/c-third.patch", GOOD_PATCH);
	put("asg/faulty/a-first.patch", GOOD_PATCH);
	mkdirs("asg/faulty/b-second");
	put("asg/faulty/notes.txt", "not a variant\n");
	put("asg/faulty/.hidden.patch", GOOD_PATCH);
	assert_int_equal(faulty_list(asg, &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].name, "a-first");
	assert_true(v[0].is_patch);
	assert_non_null(strstr(v[0].path, "/asg/faulty/a-first.patch"));
	assert_string_equal(v[1].name, "b-second");
	assert_false(v[1].is_patch);
	assert_string_equal(v[2].name, "c-third");
	faulty_list_free(v, n);

	/* No faulty/ at all: no variants, no error. */
	char other[400];

	snprintf(other, sizeof(other), "%s/tmp", root);
	assert_int_equal(faulty_list(other, &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	faulty_list_free(v, n);
}

static void test_faulty_refuses_a_patch_beside_a_folder(void **state)
{
	(void)state;
	struct faulty_variant *v = NULL;
	size_t n = 0;
	char err[512] = "";

	put("asg/faulty/twice.patch", GOOD_PATCH);
	mkdirs("asg/faulty/twice");
	assert_int_equal(faulty_list(asg, &v, &n, err, sizeof(err)), -EEXIST);
	assert_null(v);
	assert_non_null(strstr(err, "twice.patch and the folder"));
}

static void test_faulty_materialises_a_patch(void **state)
{
	(void)state;
	NEED_PATCH();
	struct faulty_variant v = variant("too", true);
	char err[1024] = "", dest[400], path[500];

	put("asg/faulty/too.patch", GOOD_PATCH);
	snprintf(dest, sizeof(dest), "%s/out", root);
	assert_int_equal(faulty_materialise(asg, &v, dest, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/main.c", dest);
	char *text = slurp(path);

	assert_string_equal(text, "#include <stdio.h>\n\nint main(void)\n{\n\tputs(\"one\");\n"
			    "\tputs(\"too\");\n\tputs(\"three\");\n\treturn 0;\n}\n");
	free(text);
	snprintf(path, sizeof(path), "%s/new.c", dest);
	text = slurp(path);
	assert_string_equal(text, "int helper;\n");
	free(text);
	snprintf(path, sizeof(path), "%s/old.h", dest);
	assert_false(exists(path));
	/* Nothing else: no .orig, no .rej; solution/ untouched. */
	snprintf(path, sizeof(path), "ls -A '%s' | tr '\\n' ' ' | grep -qx 'main.c new.c '", dest);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s/solution/main.c", asg);
	text = slurp(path);
	assert_string_equal(text, SOLUTION_MAIN);
	free(text);
	/* Into a folder that exists: refused, and it is left alone. */
	assert_int_equal(faulty_materialise(asg, &v, dest, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "already exists"));
	snprintf(path, sizeof(path), "%s/main.c", dest);
	assert_true(exists(path));
	release(&v);
}

static void test_faulty_materialises_a_folder_as_a_copy(void **state)
{
	(void)state;
	struct faulty_variant v = variant("rewrite", false);
	char err[1024] = "", dest[400], path[500];

	mkdirs("asg/faulty/rewrite");
	put("asg/faulty/rewrite/other.c", "int main(void) { return 1; }\n");
	snprintf(dest, sizeof(dest), "%s/out", root);
	assert_int_equal(faulty_materialise(asg, &v, dest, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "diff -r '%s/faulty/rewrite' '%s' >/dev/null", asg, dest);
	assert_int_equal(system(path), 0);
	release(&v);
}

/* Each of these must be refused by our check, before patch runs, with a
 * message that says why and where. */
static void test_faulty_refuses_names_outside_the_folder(void **state)
{
	(void)state;
	static const struct {
		const char *patch, *why;
	} cases[] = {
		{ "x\n\n--- a/../main.c\n+++ b/../main.c\n@@ -1 +1 @@\n-a\n+b\n", ":3: 'a/../main.c' leads out" },
		{ "x\n\n--- a/main.c\n+++ /etc/passwd\n@@ -1 +1 @@\n-a\n+b\n", ":4: '/etc/passwd' is an absolute path" },
		{ "x\n\n--- a/main.c\n+++ b/sub/../../up\n@@ -1 +1 @@\n-a\n+b\n", "leads out of the folder" },
		{ "x\n\n--- a/a b/../../x\t2026-01-01\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n", "leads out" },
		{ "x\n\ndiff --git a/x /tmp/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n", "is an absolute path" },
		{ "x\n\nIndex: ../x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n", ":3: '../x' leads out" },
		{ "x\n\ndiff --git a/x b/y\nrename from x\nrename to ../y\n--- a/x\n+++ b/y\n", ":5: '../y' leads out" },
		{ "x\n\n--- \"a/x\"\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n", "quoted file names" },
		{ "x\n\ndiff --git a/l b/l\nnew file mode 120000\n--- /dev/null\n+++ b/l\n@@ -0,0 +1 @@\n+/etc\n",
		  ":4: 'new file mode 120000': a variant has regular files only" },
		{ "x\n\nBinary files a/x and b/x differ\n--- a/y\n+++ b/y\n", "binary file" },
		{ "x\n\nOnly in b: new.c\n--- a/y\n+++ b/y\n", "diff -ruN" },
		{ "\n\n--- a/main.c\n+++ b/main.c\n@@ -1 +1 @@\n-a\n+b\n", "no header" },
		{ "diff --git a/main.c b/main.c\nindex 4bb8215..0a1b2c3 100644\n--- a/main.c\n+++ b/main.c\n"
		  "@@ -1 +1 @@\n-a\n+b\n", "no header" },
		{ "just text, no diff\n", "not a unified diff" },
	};
	char err[1024], dest[400];

	snprintf(dest, sizeof(dest), "%s/out", root);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct faulty_variant v = variant("bad", true);

		put("asg/faulty/bad.patch", cases[i].patch);
		err[0] = '\0';
		int rc = faulty_materialise(asg, &v, dest, err, sizeof(err));

		if (rc != -EINVAL || !strstr(err, cases[i].why))
			fprintf(stderr, "case %zu: rc %d, err '%s', wanted '%s'\n", i, rc, err, cases[i].why);
		assert_int_equal(rc, -EINVAL);
		assert_non_null(strstr(err, cases[i].why));
		assert_non_null(strstr(err, "faulty/bad.patch"));
		assert_false(exists(dest));
		release(&v);
	}
	char up[400];

	snprintf(up, sizeof(up), "%s/up", asg);
	assert_false(exists(up));
}

/* A removed line that reads "-- ../x" is "--- ../x" in the hunk: text,
 * not a file header; the patch applies. A header may start with "diff". */
static void test_faulty_reads_hunks_as_text(void **state)
{
	(void)state;
	NEED_PATCH();
	struct faulty_variant v = variant("dashes", true);
	char err[1024] = "", dest[400], path[500];

	put("asg/solution/notes.sql", "select 1;\n-- ../x is a comment\n+++ /etc/y too\nselect 2;\n");
	put("asg/faulty/dashes.patch", "diff of a style: drops two comment lines.\n\n"
	    "diff -ruN a/notes.sql b/notes.sql\n--- a/notes.sql\n+++ b/notes.sql\n"
	    "@@ -1,4 +1,2 @@\n select 1;\n--- ../x is a comment\n-+++ /etc/y too\n select 2;\n");
	snprintf(dest, sizeof(dest), "%s/out", root);
	int rc = faulty_materialise(asg, &v, dest, err, sizeof(err));

	if (rc < 0)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(rc, 0);
	snprintf(path, sizeof(path), "%s/notes.sql", dest);
	char *text = slurp(path);

	assert_string_equal(text, "select 1;\nselect 2;\n");
	free(text);
	release(&v);
}

static void test_faulty_says_why_a_patch_does_not_apply(void **state)
{
	(void)state;
	NEED_PATCH();
	struct faulty_variant v = variant("stale", true);
	char err[1024] = "", dest[400];

	/* Written against an older solution: the context has changed. */
	put("asg/faulty/stale.patch", "The program prints \"too\".\n\n--- a/main.c\n+++ b/main.c\n"
	    "@@ -4,3 +4,3 @@\n {\n-\tputs(\"eins\");\n+\tputs(\"too\");\n \tputs(\"zwei\");\n");
	snprintf(dest, sizeof(dest), "%s/out", root);
	assert_int_equal(faulty_materialise(asg, &v, dest, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "faulty/stale.patch does not apply to "));
	assert_non_null(strstr(err, "solution/: "));
	assert_non_null(strstr(err, "Hunk #1 FAILED"));
	assert_null(strchr(err, '\n'));
	assert_false(exists(dest));
	/* Applied once already (reversed): refused as well. */
	put("asg/faulty/stale.patch", "Prints \"two\" where the solution has it.\n\n--- a/main.c\n"
	    "+++ b/main.c\n@@ -5,3 +5,3 @@\n \tputs(\"one\");\n-\tputs(\"zwei\");\n+\tputs(\"two\");\n"
	    " \tputs(\"three\");\n");
	assert_int_equal(faulty_materialise(asg, &v, dest, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "does not apply"));
	assert_false(exists(dest));
	/* No GNU patch to be found: a clear error, not a crash. */
	char *path = strdup(getenv("PATH"));

	put("asg/faulty/stale.patch", GOOD_PATCH);
	setenv("PATH", "/nonexistent", 1);
	int rc = faulty_materialise(asg, &v, dest, err, sizeof(err));

	setenv("PATH", path, 1);
	free(path);
	assert_int_equal(rc, -ENOEXEC);
	assert_non_null(strstr(err, "cannot run GNU patch"));
	assert_false(exists(dest));
	release(&v);
}

static void test_faulty_temp_folder_is_removed(void **state)
{
	(void)state;
	NEED_PATCH();
	struct faulty_variant v = variant("too", true);
	struct faulty_temp t = { 0 };
	char err[1024] = "", path[500];

	put("asg/faulty/too.patch", GOOD_PATCH);
	assert_int_equal(faulty_temp_make(asg, &v, &t, err, sizeof(err)), 0);
	assert_non_null(strstr(t.root, tmpdir));
	assert_non_null(strstr(t.root, "/ipcgrade-faulty-"));
	snprintf(path, sizeof(path), "%s/too", t.root);
	assert_string_equal(t.dir, path);
	snprintf(path, sizeof(path), "%s/too/main.c", t.root);
	assert_true(exists(path));
	faulty_temp_release(&t);
	assert_null(t.root);
	assert_null(t.dir);
	assert_true(dir_is_empty(tmpdir));
	faulty_temp_release(&t);	/* twice: harmless */
	/* A failure leaves nothing behind either. */
	put("asg/faulty/too.patch", "x\n\n--- a/main.c\n+++ b/main.c\n@@ -1 +1 @@\n-nothing like it\n+y\n");
	assert_int_equal(faulty_temp_make(asg, &v, &t, err, sizeof(err)), -EINVAL);
	assert_null(t.root);
	assert_true(dir_is_empty(tmpdir));
	release(&v);
}

static void test_faulty_materialise_path_names_a_variant(void **state)
{
	(void)state;
	NEED_PATCH();
	char err[1024] = "", dest[400], variant_path[400];

	put("asg/faulty/too.patch", GOOD_PATCH);
	mkdirs("asg/faulty/rewrite");
	put("asg/faulty/rewrite/main.c", "int main(void) { return 0; }\n");
	static const char *const forms[] = { "too", "too.patch", "rewrite", "rewrite/" };

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		snprintf(dest, sizeof(dest), "%s/out-%zu", root, i);
		snprintf(variant_path, sizeof(variant_path), "%s/faulty/%s", asg, forms[i]);
		int rc = faulty_materialise_path(variant_path, dest, err, sizeof(err));

		if (rc < 0)
			fprintf(stderr, "%s: %s\n", forms[i], err);
		assert_int_equal(rc, 0);
	}
	snprintf(dest, sizeof(dest), "%s/out-x", root);
	snprintf(variant_path, sizeof(variant_path), "%s/faulty/missing", asg);
	assert_int_equal(faulty_materialise_path(variant_path, dest, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no faulty submission 'missing'"));
	snprintf(variant_path, sizeof(variant_path), "%s/solution", asg);
	assert_int_equal(faulty_materialise_path(variant_path, dest, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "ASSIGNMENT/faulty/NAME"));
	assert_int_equal(faulty_materialise_path("notfaulty/x", dest, err, sizeof(err)), -EINVAL);
	assert_int_equal(faulty_materialise_path("xsolutions/x", dest, err, sizeof(err)), -EINVAL);
	/* solutions/NAME: a correct variant, the same forms */
	mkdirs("asg/solutions");
	put("asg/solutions/other.patch", GOOD_PATCH);
	snprintf(dest, sizeof(dest), "%s/out-s", root);
	snprintf(variant_path, sizeof(variant_path), "%s/solutions/other", asg);
	assert_int_equal(faulty_materialise_path(variant_path, dest, err, sizeof(err)), 0);
	assert_true(exists(dest));
	snprintf(dest, sizeof(dest), "%s/out-y", root);
	snprintf(variant_path, sizeof(variant_path), "%s/solutions/missing", asg);
	assert_int_equal(faulty_materialise_path(variant_path, dest, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no solution variant 'missing'"));
	assert_false(exists(dest));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_faulty_lists_patches_and_folders_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faulty_refuses_a_patch_beside_a_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faulty_materialises_a_patch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faulty_materialises_a_folder_as_a_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faulty_refuses_names_outside_the_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faulty_reads_hunks_as_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faulty_says_why_a_patch_does_not_apply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faulty_temp_folder_is_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faulty_materialise_path_names_a_variant, setup, teardown),
	};

	return cmocka_run_group_tests_name("faulty", tests, NULL, NULL);
}
