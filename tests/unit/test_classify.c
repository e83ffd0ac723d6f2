/*
 * test_classify.c - hx_classify_wait: how the watchdog reads a blocked
 * thread's state and system call (untimed, timed, stopped, not a wait).
 */
#include "testutil.h"
#include <linux/futex.h>
#include <sys/syscall.h>

#include "internal.h"

#ifndef F_OFD_SETLKW
#define F_OFD_SETLKW 38
#endif

static int setup(void **state)
{
	struct hx_syscall_state *sc = calloc(1, sizeof(*sc));

	if (!sc)
		return -1;
	sc->nr = -1;
	*state = sc;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* The kind of a thread sleeping ('S') in call nr with these arguments. */
static enum hx_wait_kind sleeping_in(struct hx_syscall_state *sc, long nr, unsigned long a0,
				     unsigned long a1, unsigned long a2, unsigned long a3,
				     unsigned long a4)
{
	sc->nr = nr;
	sc->args[0] = a0;
	sc->args[1] = a1;
	sc->args[2] = a2;
	sc->args[3] = a3;
	sc->args[4] = a4;
	return hx_classify_wait('S', sc);
}

static void test_classify_untimed_ipc_waits_are_forever(void **state)
{
	struct hx_syscall_state *sc = *state;
	const long calls[] = {
		SYS_read, SYS_readv, SYS_write, SYS_writev, SYS_recvfrom, SYS_recvmsg,
		SYS_sendto, SYS_sendmsg, SYS_accept, SYS_accept4, SYS_connect, SYS_open,
		SYS_openat, SYS_semop, SYS_msgrcv, SYS_msgsnd, SYS_wait4, SYS_waitid,
		SYS_pause, SYS_rt_sigsuspend, SYS_flock,
	};

	for (size_t i = 0; i < HX_ARRAY_SIZE(calls); i++) {
		assert_int_equal(sleeping_in(sc, calls[i], 3, 0, 0, 0, 0), HX_WAIT_FOREVER);
		/* 'D' (uninterruptible) counts as blocked too. */
		assert_int_equal(hx_classify_wait('D', sc), HX_WAIT_FOREVER);
	}
}

static void test_classify_timeouts_make_waits_timed(void **state)
{
	struct hx_syscall_state *sc = *state;

	/* Each call with its timeout argument NULL/negative, then set. */
	assert_int_equal(sleeping_in(sc, SYS_futex, 0x1000, FUTEX_WAIT, 0, 0, 0), HX_WAIT_FOREVER);
	assert_int_equal(sleeping_in(sc, SYS_futex, 0x1000, FUTEX_WAIT, 0, 0x2000, 0), HX_WAIT_TIMED);
	assert_int_equal(sleeping_in(sc, SYS_futex, 0x1000, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG,
				     0, 0, 0), HX_WAIT_FOREVER);
	assert_int_equal(sleeping_in(sc, SYS_futex_waitv, 0x1000, 1, 0, 0, 0), HX_WAIT_FOREVER);
	assert_int_equal(sleeping_in(sc, SYS_futex_waitv, 0x1000, 1, 0, 0x2000, 0), HX_WAIT_TIMED);
	assert_int_equal(sleeping_in(sc, SYS_semtimedop, 5, 0x1000, 1, 0, 0), HX_WAIT_FOREVER);
	assert_int_equal(sleeping_in(sc, SYS_semtimedop, 5, 0x1000, 1, 0x2000, 0), HX_WAIT_TIMED);
	assert_int_equal(sleeping_in(sc, SYS_mq_timedreceive, 3, 0x1000, 64, 0, 0), HX_WAIT_FOREVER);
	assert_int_equal(sleeping_in(sc, SYS_mq_timedreceive, 3, 0x1000, 64, 0, 0x2000), HX_WAIT_TIMED);
	assert_int_equal(sleeping_in(sc, SYS_mq_timedsend, 3, 0x1000, 64, 0, 0), HX_WAIT_FOREVER);
	assert_int_equal(sleeping_in(sc, SYS_mq_timedsend, 3, 0x1000, 64, 0, 0x2000), HX_WAIT_TIMED);
	assert_int_equal(sleeping_in(sc, SYS_rt_sigtimedwait, 0x1000, 0, 0, 0, 0), HX_WAIT_FOREVER);
	assert_int_equal(sleeping_in(sc, SYS_rt_sigtimedwait, 0x1000, 0, 0x2000, 0, 0), HX_WAIT_TIMED);
	assert_int_equal(sleeping_in(sc, SYS_poll, 0x1000, 1, (unsigned long)-1, 0, 0), HX_WAIT_FOREVER);
	assert_int_equal(sleeping_in(sc, SYS_poll, 0x1000, 1, 0, 0, 0), HX_WAIT_TIMED);
	assert_int_equal(sleeping_in(sc, SYS_poll, 0x1000, 1, 100, 0, 0), HX_WAIT_TIMED);
	assert_int_equal(sleeping_in(sc, SYS_ppoll, 0x1000, 1, 0, 0, 0), HX_WAIT_FOREVER);
	assert_int_equal(sleeping_in(sc, SYS_ppoll, 0x1000, 1, 0x2000, 0, 0), HX_WAIT_TIMED);
	assert_int_equal(sleeping_in(sc, SYS_select, 4, 0x1000, 0, 0, 0), HX_WAIT_FOREVER);
	assert_int_equal(sleeping_in(sc, SYS_select, 4, 0x1000, 0, 0, 0x2000), HX_WAIT_TIMED);
	assert_int_equal(sleeping_in(sc, SYS_pselect6, 4, 0x1000, 0, 0, 0), HX_WAIT_FOREVER);
	assert_int_equal(sleeping_in(sc, SYS_pselect6, 4, 0x1000, 0, 0, 0x2000), HX_WAIT_TIMED);
	assert_int_equal(sleeping_in(sc, SYS_epoll_wait, 3, 0x1000, 8, (unsigned long)-1, 0),
			 HX_WAIT_FOREVER);
	assert_int_equal(sleeping_in(sc, SYS_epoll_wait, 3, 0x1000, 8, 50, 0), HX_WAIT_TIMED);
	assert_int_equal(sleeping_in(sc, SYS_epoll_pwait, 3, 0x1000, 8, (unsigned long)-1, 0),
			 HX_WAIT_FOREVER);
	assert_int_equal(sleeping_in(sc, SYS_epoll_pwait, 3, 0x1000, 8, 0, 0), HX_WAIT_TIMED);
	assert_int_equal(sleeping_in(sc, SYS_epoll_pwait2, 3, 0x1000, 8, 0, 0), HX_WAIT_FOREVER);
	assert_int_equal(sleeping_in(sc, SYS_epoll_pwait2, 3, 0x1000, 8, 0x2000, 0), HX_WAIT_TIMED);
	/* Sleeps always end. */
	assert_int_equal(sleeping_in(sc, SYS_nanosleep, 0x1000, 0, 0, 0, 0), HX_WAIT_TIMED);
	assert_int_equal(sleeping_in(sc, SYS_clock_nanosleep, 1, 0, 0x1000, 0, 0), HX_WAIT_TIMED);
}

static void test_classify_futex_ops_that_do_not_wait(void **state)
{
	struct hx_syscall_state *sc = *state;

	assert_int_equal(sleeping_in(sc, SYS_futex, 0x1000, FUTEX_WAKE, 1, 0, 0), HX_WAIT_NONE);
	assert_int_equal(sleeping_in(sc, SYS_futex, 0x1000, FUTEX_REQUEUE, 1, 0, 0), HX_WAIT_NONE);
	/* The waiting ones, locks included. */
	assert_int_equal(sleeping_in(sc, SYS_futex, 0x1000, FUTEX_LOCK_PI, 0, 0, 0), HX_WAIT_FOREVER);
	assert_int_equal(sleeping_in(sc, SYS_futex, 0x1000, FUTEX_WAIT_REQUEUE_PI, 0, 0, 0),
			 HX_WAIT_FOREVER);
	assert_int_equal(sleeping_in(sc, SYS_futex, 0x1000, 13 /* FUTEX_LOCK_PI2 */, 0, 0, 0),
			 HX_WAIT_FOREVER);
}

static void test_classify_fcntl_waits_only_for_a_lock(void **state)
{
	struct hx_syscall_state *sc = *state;

	assert_int_equal(sleeping_in(sc, SYS_fcntl, 3, F_SETLKW, 0x1000, 0, 0), HX_WAIT_FOREVER);
	assert_int_equal(sleeping_in(sc, SYS_fcntl, 3, F_OFD_SETLKW, 0x1000, 0, 0), HX_WAIT_FOREVER);
	assert_int_equal(sleeping_in(sc, SYS_fcntl, 3, F_SETLK, 0x1000, 0, 0), HX_WAIT_NONE);
	assert_int_equal(sleeping_in(sc, SYS_fcntl, 3, F_GETFL, 0, 0, 0), HX_WAIT_NONE);
}

static void test_classify_stopped_threads_whatever_their_call(void **state)
{
	struct hx_syscall_state *sc = *state;

	assert_int_equal(hx_classify_wait('T', sc), HX_WAIT_STOPPED);	/* no call known */
	assert_int_equal(hx_classify_wait('t', sc), HX_WAIT_STOPPED);	/* traced stop */
	sc->nr = SYS_nanosleep;
	assert_int_equal(hx_classify_wait('T', sc), HX_WAIT_STOPPED);
	sc->nr = SYS_read;
	assert_int_equal(hx_classify_wait('t', sc), HX_WAIT_STOPPED);
}

static void test_classify_running_and_unknown_are_not_waits(void **state)
{
	struct hx_syscall_state *sc = *state;
	const char states[] = { 'R', 'Z', 'X', 'I', 'P', 'W' };

	sc->nr = SYS_read;
	for (size_t i = 0; i < sizeof(states); i++)
		assert_int_equal(hx_classify_wait(states[i], sc), HX_WAIT_NONE);
	/* Sleeping, but not in a call (-1: blocked outside a syscall) or in
	 * a call that is not a wait we know. */
	assert_int_equal(sleeping_in(sc, -1, 0, 0, 0, 0, 0), HX_WAIT_NONE);
	assert_int_equal(sleeping_in(sc, SYS_getpid, 0, 0, 0, 0, 0), HX_WAIT_NONE);
	assert_int_equal(sleeping_in(sc, SYS_mmap, 0, 4096, 3, 0x22, 0), HX_WAIT_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_classify_untimed_ipc_waits_are_forever, setup, teardown),
		cmocka_unit_test_setup_teardown(test_classify_timeouts_make_waits_timed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_classify_futex_ops_that_do_not_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_classify_fcntl_waits_only_for_a_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_classify_stopped_threads_whatever_their_call, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_classify_running_and_unknown_are_not_waits, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("classify", tests, NULL, NULL);
}
