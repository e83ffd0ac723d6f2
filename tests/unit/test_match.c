/*
 * test_match.c - output matchers, the diff, and text sanitizing.
 */
#include "testutil.h"
#include "grader.h"

static bool run_matcher(struct matcher *m, const char *out, size_t len, char **what)
{
	struct mismatch why;
	char err[256];

	m->present = true;
	assert_int_equal(match_compile(m, err, sizeof(err)), 0);
	bool ok = match_output(m, out, len, &why);

	if (what)
		*what = why.what ? strdup(why.what) : NULL;
	if (ok)
		assert_null(why.what);
	else
		assert_non_null(why.what);
	match_mismatch_release(&why);
	return ok;
}

#define M(out) (out), strlen(out)

static void test_match_exact_allows_one_final_newline(void **state)
{
	(void)state;
	struct matcher m = { .exact = strdup("a\nb\n") };

	assert_true(run_matcher(&m, M("a\nb\n"), NULL));
	assert_true(run_matcher(&m, M("a\nb"), NULL));
	assert_false(run_matcher(&m, M("a\nb\n\n"), NULL));
	assert_false(run_matcher(&m, M("a\nb \n"), NULL));
	assert_false(run_matcher(&m, M("b\na\n"), NULL));
	assert_false(run_matcher(&m, "a\nb\0", 4, NULL));
	match_release(&m);
}

static void test_match_normalized_ignores_blanks(void **state)
{
	(void)state;
	struct matcher m = { .normalized = strdup("Received:  Hello\n") };

	assert_true(run_matcher(&m, M("  Received: Hello   \n\n\n"), NULL));
	assert_true(run_matcher(&m, M("Received:\tHello"), NULL));
	assert_false(run_matcher(&m, M("Received: Hello!\n"), NULL));
	assert_false(run_matcher(&m, M("Received:\nHello\n"), NULL));
	match_release(&m);
}

static void test_match_regex_searches_lines(void **state)
{
	(void)state;
	struct matcher m = { .regex = strdup("^All work completed: \\d+$") };
	char *what = NULL;

	assert_true(run_matcher(&m, M("[1, 2]\nAll work completed: 30\n"), NULL));
	assert_false(run_matcher(&m, M("All work completed: thirty\n"), &what));
	assert_non_null(strstr(what, "does not match the pattern"));
	free(what);
	/* Invalid UTF-8 in the output must not break matching. */
	assert_true(run_matcher(&m, M("\xff\xfe\nAll work completed: 3\n"), NULL));
	match_release(&m);

	struct matcher whole = { .regex = strdup("\\Aonly\\n?\\z") };

	assert_true(run_matcher(&whole, M("only\n"), NULL));
	assert_false(run_matcher(&whole, M("only\nmore\n"), NULL));
	match_release(&whole);
}

static void test_match_regex_rejects_bad_pattern(void **state)
{
	(void)state;
	struct matcher m = { .regex = strdup("a(b"), .present = true };
	char err[256];

	assert_int_equal(match_compile(&m, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "invalid regex 'a(b'"));
	match_release(&m);
}

static void test_match_unordered_lines_is_a_multiset(void **state)
{
	(void)state;
	struct matcher m = { .unordered = strdup("x\ny\ny\n") };
	char *what = NULL;

	assert_true(run_matcher(&m, M("y\nx\ny\n"), NULL));
	assert_true(run_matcher(&m, M("y\ny\nx"), NULL));
	assert_false(run_matcher(&m, M("x\ny\n"), &what));
	assert_non_null(strstr(what, "1 expected line is missing"));
	free(what);
	assert_false(run_matcher(&m, M("x\ny\ny\nz\n"), &what));
	assert_non_null(strstr(what, "'z'"));
	free(what);
	match_release(&m);
}

static void test_match_contains_whole_lines(void **state)
{
	(void)state;
	struct matcher m = { 0 };
	char *what = NULL;

	m.contains = calloc(3, sizeof(char *));
	m.contains[0] = strdup("Received: two");
	m.contains[1] = strdup("done");
	m.ncontains = 2;
	assert_true(run_matcher(&m, M("done\nx\nReceived: two\n"), NULL));
	assert_false(run_matcher(&m, M("Received: two!\ndone\n"), &what));
	assert_non_null(strstr(what, "'Received: two' is missing"));
	free(what);
	match_release(&m);
}

static void test_match_order_before_after(void **state)
{
	(void)state;
	struct matcher m = { 0 };
	char *what = NULL;

	m.order = calloc(1, sizeof(*m.order));
	m.order[0].before = strdup("round 1$");
	m.order[0].after = strdup("round 2$");
	m.norder = 1;
	assert_true(run_matcher(&m, M("p0: round 1\np1: round 1\np1: round 2\np0: round 2\n"), NULL));
	assert_false(run_matcher(&m, M("p0: round 1\np0: round 2\np1: round 1\n"), &what));
	assert_non_null(strstr(what, "line 3 'p1: round 1'"));
	assert_non_null(strstr(what, "comes after line 2 'p0: round 2'"));
	free(what);
	/* A rule that matches nothing must not pass silently. */
	assert_false(run_matcher(&m, M("p0: round 1\n"), &what));
	assert_non_null(strstr(what, "no line matches /round 2$/"));
	free(what);
	match_release(&m);
}

static void test_match_empty_and_nonempty(void **state)
{
	(void)state;
	struct matcher e = { .empty = true }, ne = { .nonempty = true };

	assert_true(run_matcher(&e, "", 0, NULL));
	assert_false(run_matcher(&e, M("\n"), NULL));
	assert_true(run_matcher(&ne, M("usage: prog N\n"), NULL));
	assert_false(run_matcher(&ne, M("  \n\t\n"), NULL));
	assert_false(run_matcher(&ne, "", 0, NULL));
	match_release(&e);
	match_release(&ne);
}

static void test_match_absent_matcher_passes(void **state)
{
	(void)state;
	struct matcher m = { 0 };

	assert_true(match_output(&m, "anything", 8, NULL));
}

static void test_diff_shows_changed_lines(void **state)
{
	(void)state;
	char *d = diff_unified(M("a\nb\nc\nd\n"), M("a\nB\nc\nd\n"), 40);

	assert_non_null(strstr(d, "--- expected\n+++ your output\n"));
	assert_non_null(strstr(d, "-b\n+B\n"));
	assert_non_null(strstr(d, " a\n"));
	free(d);
	d = diff_unified(M("x\n"), M("x\n y\n"), 40);
	assert_non_null(strstr(d, "+ y"));
	free(d);
	d = diff_unified(M("line  \n"), M("line\n"), 40);
	assert_non_null(strstr(d, "trailing space"));
	free(d);
	d = diff_unified(M("same\n"), M("same"), 40);
	assert_non_null(strstr(d, "invisible"));
	free(d);
}

static void test_diff_is_bounded(void **state)
{
	(void)state;
	char *a = calloc(1, 200000), *b = calloc(1, 200000);

	for (int i = 0; i < 20000; i++) {
		strcat(a, "aaaa\n");
		strcat(b, "bbbb\n");
	}
	char *d = diff_unified(a, strlen(a), b, strlen(b), 40);

	assert_non_null(strstr(d, "cut short"));
	assert_true(strlen(d) < 2000);
	free(d);
	free(a);
	free(b);
}

static void test_text_sanitize_makes_valid_utf8(void **state)
{
	(void)state;
	char *s = text_sanitize("ok \xc3\xa9 \xff\xfe end\0x", 14);

	assert_string_equal(s, "ok \xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd end\\0x");
	free(s);
	/* Overlong encodings and surrogates are invalid. */
	s = text_sanitize("\xc0\xaf\xed\xa0\x80", 5);
	assert_null(strstr(s, "\xc0"));
	assert_null(strstr(s, "\xed\xa0"));
	free(s);
	/* Truncated sequence at the end. */
	s = text_sanitize("abc\xe2\x82", 5);
	assert_string_equal(s, "abc\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
}

static void test_text_normalize(void **state)
{
	(void)state;
	char *s = text_normalize(M("  a   b \t\nc\r\n\n\n"));

	assert_string_equal(s, "a b\nc");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_exact_allows_one_final_newline),
		cmocka_unit_test(test_match_normalized_ignores_blanks),
		cmocka_unit_test(test_match_regex_searches_lines),
		cmocka_unit_test(test_match_regex_rejects_bad_pattern),
		cmocka_unit_test(test_match_unordered_lines_is_a_multiset),
		cmocka_unit_test(test_match_contains_whole_lines),
		cmocka_unit_test(test_match_order_before_after),
		cmocka_unit_test(test_match_empty_and_nonempty),
		cmocka_unit_test(test_match_absent_matcher_passes),
		cmocka_unit_test(test_diff_shows_changed_lines),
		cmocka_unit_test(test_diff_is_bounded),
		cmocka_unit_test(test_text_sanitize_makes_valid_utf8),
		cmocka_unit_test(test_text_normalize),
	};

	return cmocka_run_group_tests_name("match", tests, NULL, NULL);
}
