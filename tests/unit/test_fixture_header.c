/*
 * test_fixture_header.c - the parser of test programs' header comments
 * (tests/fixture_header.h), on headers written to a temporary file.
 */
#include "testutil.h"

static char path[64];

static int make_file(void **state)
{
	(void)state;
	snprintf(path, sizeof(path), "/tmp/ipcgrade-fh-XXXXXX");
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int remove_file(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static int parse(const char *text, struct fixture_header *h, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return fh_parse(path, h, err, errlen);
}

static void test_fixture_header_reads_kind_keys_and_values(void **state)
{
	static struct fixture_header h;
	char err[256];

	(void)state;
	assert_int_equal(parse("/* deadlock: NOT a deadlock: a pipeline\n"
			       " *           (clock_nanosleep and read)\n"
			       " * expect: ok\n"
			       " * expect-stdout: received 15 messages   \n"
			       " * blocked: 1=wait4 2=read          (box pid -> syscall)\n"
			       " *\n"
			       " * Free text: Capitalised, so not a key; neither is\n"
			       " *   this indented line after free text.\n"
			       " * check: grader-alive\n"
			       " * check: stdout-lacks two  spaces\n"
			       " */\n#include <stdio.h>\n", &h, err, sizeof(err)), 0);
	assert_string_equal(h.kind, "deadlock");
	assert_string_equal(h.title, "NOT a deadlock: a pipeline");
	assert_int_equal(h.n, 5);
	assert_string_equal(fh_get(&h, "expect"), "ok");
	assert_int_equal(h.item[0].line, 3);
	assert_string_equal(fh_get(&h, "expect-stdout"), "received 15 messages");
	assert_string_equal(fh_get(&h, "blocked"), "1=wait4 2=read");
	assert_string_equal(h.item[3].value, "grader-alive");
	assert_string_equal(h.item[4].value, "stdout-lacks two  spaces");
	assert_null(fh_get(&h, "cycle"));
	assert_null(fh_get(&h, "free"));
}

static void test_fixture_header_joins_continuation_lines(void **state)
{
	static struct fixture_header h;
	char out[64], err[256];

	(void)state;
	assert_int_equal(parse("/* trace: a fork\n"
			       " * expect-calls: 1: fork wait4;\n"
			       " *   2: execve\n"
			       " *      exit\n"
			       " * expect-ipc: fork=1 */\n", &h, err, sizeof(err)), 0);
	assert_string_equal(fh_get(&h, "expect-calls"), "1: fork wait4; 2: execve exit");
	assert_true(fh_copy(&h, "expect-ipc", out, sizeof(out)));
	assert_string_equal(out, "fork=1");
	assert_false(fh_copy(&h, "expect-stdout", out, sizeof(out)));
	assert_string_equal(out, "");
}

static void test_fixture_header_one_line_header_has_no_keys(void **state)
{
	static struct fixture_header h;
	char err[256];

	(void)state;
	assert_int_equal(parse("/* writes without end: the output limit */\nint main(void) {}\n", &h, err,
			       sizeof(err)), 0);
	assert_string_equal(h.kind, "");
	assert_string_equal(h.title, "writes without end: the output limit");
	assert_int_equal(h.n, 0);
}

static void test_fixture_header_rejects_what_is_no_header(void **state)
{
	static struct fixture_header h;
	char err[256];

	(void)state;
	assert_int_equal(parse("#include <stdio.h>\n/* trace: x */\n", &h, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1: the file does not start with a header comment"));
	assert_int_equal(parse("/* trace: x\n * expect-ipc: fork=1\n", &h, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not closed"));
	assert_int_equal(parse("/* trace: x\n * expect-ipc: fork=1\nexpect-calls: fork\n */\n", &h, err,
			       sizeof(err)), -1);
	assert_non_null(strstr(err, ":3: header lines start with \" * \""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fixture_header_reads_kind_keys_and_values, make_file, remove_file),
		cmocka_unit_test_setup_teardown(test_fixture_header_joins_continuation_lines, make_file, remove_file),
		cmocka_unit_test_setup_teardown(test_fixture_header_one_line_header_has_no_keys, make_file, remove_file),
		cmocka_unit_test_setup_teardown(test_fixture_header_rejects_what_is_no_header, make_file, remove_file),
	};

	return cmocka_run_group_tests_name("fixture_header", tests, NULL, NULL);
}
