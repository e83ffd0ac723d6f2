/*
 * test_sleep_request.c - the time a sleep call asks for (calls_sleep.c),
 * the one reader the sleep group and time_scale share: read from this
 * process's own memory, as the tracer reads a tracee's.
 */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "trace.h"

static struct hx_sleep_request ask(int nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
				   uint64_t a4)
{
	uint64_t a[6] = { a0, a1, a2, a3, a4, 0 };
	struct hx_sleep_request q;

	assert_true(hx_sleep_request(getpid(), nr, a, &q));
	return q;
}

static void test_timespecs_round_up_to_microseconds(void **state)
{
	(void)state;
	struct timespec ts = { .tv_sec = 1, .tv_nsec = 1500 };
	struct hx_sleep_request q = ask(SYS_nanosleep, (uintptr_t)&ts, 0, 0, 0, 0);

	assert_true(q.valid);
	assert_false(q.forever);
	assert_int_equal(q.us, 1000002);
	assert_int_equal(q.addr, (uintptr_t)&ts);
	assert_int_equal(q.len, sizeof(ts));
	/* clock_nanosleep's request is its third argument */
	q = ask(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, (uintptr_t)&ts, 0, 0);
	assert_int_equal(q.us, 1000002);
}

static void test_refused_and_missing_timeouts(void **state)
{
	(void)state;
	struct timespec bad = { .tv_sec = 0, .tv_nsec = 1000000000 };
	struct timeval tv_bad = { .tv_sec = -1, .tv_usec = 0 };
	struct hx_sleep_request q = ask(SYS_nanosleep, (uintptr_t)&bad, 0, 0, 0, 0);

	assert_false(q.valid);		/* the kernel answers EINVAL */
	assert_false(q.forever);
	q = ask(SYS_select, 0, 0, 0, 0, (uintptr_t)&tv_bad);
	assert_false(q.valid);
	q = ask(SYS_select, 0, 0, 0, 0, 0);
	assert_true(q.forever);		/* a NULL timeout blocks */
	q = ask(SYS_ppoll, 0, 0, 0, 0, 0);
	assert_true(q.forever);
	assert_false(hx_sleep_request(getpid(), SYS_read, (uint64_t[6]){ 0 }, &q));
}

static void test_millisecond_registers(void **state)
{
	(void)state;
	struct hx_sleep_request q = ask(SYS_poll, 0, 0, 250, 0, 0);

	assert_true(q.valid);
	assert_int_equal(q.us, 250000);
	assert_int_equal(q.addr, 0);
	q = ask(SYS_poll, 0, 0, (uint64_t)-1, 0, 0);	/* int -1: forever */
	assert_true(q.forever);
	q = ask(SYS_epoll_wait, 3, 0, 1, 0, 0);		/* 0 ms: returns at once */
	assert_true(q.valid);
	assert_int_equal(q.us, 0);
}

static void test_select_timeval_and_the_upper_bound(void **state)
{
	(void)state;
	struct timeval tv = { .tv_sec = 2, .tv_usec = 7 };
	struct timespec huge = { .tv_sec = (time_t)1 << 60, .tv_nsec = 0 };
	struct hx_sleep_request q = ask(SYS_select, 0, 0, 0, 0, (uintptr_t)&tv);

	assert_int_equal(q.us, 2000007);
	assert_int_equal(q.len, sizeof(tv));
	q = ask(SYS_pselect6, 0, 0, 0, 0, (uintptr_t)&huge);
	assert_true(q.valid);
	assert_int_equal(q.us, HX_SLEEP_MAX_US);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timespecs_round_up_to_microseconds),
		cmocka_unit_test(test_refused_and_missing_timeouts),
		cmocka_unit_test(test_millisecond_registers),
		cmocka_unit_test(test_select_timeval_and_the_upper_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
