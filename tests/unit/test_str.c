/*
 * test_str.c - struct hx_str, the harness's bounded string: it grows up
 * to its cap and no further, says when it was too big, and hands over
 * its buffer.
 */
#include "testutil.h"

#include "internal.h"

static int setup(void **state)
{
	struct hx_str *b = malloc(sizeof(*b));

	if (!b)
		return -1;
	hx_str_init(b, 16);
	*state = b;
	return 0;
}

static int teardown(void **state)
{
	struct hx_str *b = *state;

	hx_str_release(b);
	free(b);
	return 0;
}

static void test_str_starts_empty(void **state)
{
	struct hx_str *b = *state;

	assert_null(b->s);
	assert_int_equal(b->len, 0);
	assert_int_equal(b->max, 16);
	assert_false(b->toobig);
	/* Stealing an empty string gives "", never NULL. */
	char *s = hx_str_steal(b);

	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
}

static void test_str_adds_up_to_the_cap(void **state)
{
	struct hx_str *b = *state;

	assert_int_equal(hx_str_add(b, "hello", 5), 0);
	assert_int_equal(hx_str_add(b, ", ", 2), 0);
	assert_int_equal(hx_str_printf(b, "%s%d", "w", 42), 0);
	assert_string_equal(b->s, "hello, w42");
	assert_int_equal(b->len, 10);
	/* Exactly the cap still fits. */
	assert_int_equal(hx_str_add(b, "123456", 6), 0);
	assert_int_equal(b->len, 16);
	assert_false(b->toobig);
	/* Binary data: the length counts, not the NUL. */
	hx_str_release(b);
	hx_str_init(b, 16);
	assert_int_equal(hx_str_add(b, "a\0b", 3), 0);
	assert_int_equal(b->len, 3);
	assert_memory_equal(b->s, "a\0b", 4);
}

static void test_str_toobig_keeps_what_fits(void **state)
{
	struct hx_str *b = *state;

	assert_int_equal(hx_str_add(b, "0123456789", 10), 0);
	assert_int_equal(hx_str_add(b, "abcdefghij", 10), -E2BIG);
	assert_true(b->toobig);
	assert_int_equal(b->len, 16);
	assert_string_equal(b->s, "0123456789abcdef");
	/* Full: nothing more goes in, and it stays too big. */
	assert_int_equal(hx_str_add(b, "x", 1), -E2BIG);
	assert_int_equal(hx_str_printf(b, "%d", 7), -E2BIG);
	assert_string_equal(b->s, "0123456789abcdef");
	assert_true(b->toobig);
}

static void test_str_printf_longer_than_its_scratch(void **state)
{
	struct hx_str *b = *state;
	char big[2000];

	/* hx_str_printf formats into 512 bytes first; longer text takes
	 * another way, with the same cap. */
	hx_str_release(b);
	hx_str_init(b, 4096);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(hx_str_printf(b, "<%s>", big), 0);
	assert_int_equal(b->len, sizeof(big) + 1);
	assert_int_equal(b->s[0], '<');
	assert_int_equal(b->s[b->len - 1], '>');
	assert_int_equal(hx_str_printf(b, "%s%s", big, big), -E2BIG);
	assert_int_equal(b->len, 4096);
	assert_true(b->toobig);
}

static void test_str_steal_hands_over_and_resets(void **state)
{
	struct hx_str *b = *state;

	assert_int_equal(hx_str_add(b, "0123456789abcdefXYZ", 19), -E2BIG);
	char *s = hx_str_steal(b);

	assert_string_equal(s, "0123456789abcdef");
	free(s);
	/* b is empty again, with the same cap, and no longer too big. */
	assert_null(b->s);
	assert_int_equal(b->len, 0);
	assert_false(b->toobig);
	assert_int_equal(b->max, 16);
	assert_int_equal(hx_str_add(b, "again", 5), 0);
	assert_string_equal(b->s, "again");
}

static void test_str_release_is_idempotent(void **state)
{
	struct hx_str *b = *state;

	assert_int_equal(hx_str_add(b, "abc", 3), 0);
	hx_str_release(b);
	assert_null(b->s);
	assert_int_equal(b->len, 0);
	hx_str_release(b);	/* and teardown releases once more */
	assert_null(b->s);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_str_starts_empty),
		T(test_str_adds_up_to_the_cap),
		T(test_str_toobig_keeps_what_fits),
		T(test_str_printf_longer_than_its_scratch),
		T(test_str_steal_hands_over_and_resets),
		T(test_str_release_is_idempotent),
	};

	return cmocka_run_group_tests_name("str", tests, NULL, NULL);
}
