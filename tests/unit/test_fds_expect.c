/*
 * test_fds_expect.c - expect.fds against fds_at_exit records: which fds
 * count, and messages that name the process and the pipe end.
 */
#include "testutil.h"
#include "grader.h"

static void test_fds_check_names_process_and_pipe_end(void **state)
{
	(void)state;
	struct hx_open_fd p1[] = {
		{ .fd = 1, .kind = "pipe", .access = "write", .inode = 7, .object = "pipe:[7]" },
		{ .fd = 3, .kind = "file", .access = "write", .inode = 9, .object = "/box/log.txt" },
	};
	struct hx_open_fd p3[] = {
		{ .fd = 2, .kind = "pipe", .access = "write", .inode = 8, .object = "pipe:[8]" },
		{ .fd = 4, .kind = "pipe", .access = "write", .inode = 1234, .object = "pipe:[1234]" },
	};
	struct hx_exit_fds exits[] = { { .pid = 1, .fds = p1, .nfds = 2 }, { .pid = 3, .fds = p3, .nfds = 2 } };
	struct hx_result res = { .fds_traced = true, .fds_at_exit = exits, .nfds_at_exit = 2 };
	struct fds_expect pipes = { .pipes_none = true }, all = { .open_none = true }, none = { 0 };
	char *msg = NULL;

	assert_true(fds_check(&none, &res, &msg));
	assert_null(msg);
	/* 0-2 never count: stdout and stderr are the harness's pipes */
	assert_false(fds_check(&pipes, &res, &msg));
	assert_non_null(strstr(msg, "pid 3 still had the write end of pipe:[1234] open (fd 4) when it exited"));
	assert_null(strstr(msg, "pid 1"));
	free(msg);
	assert_false(fds_check(&all, &res, &msg));
	assert_non_null(strstr(msg, "pid 1 still had the file /box/log.txt open (fd 3)"));
	assert_non_null(strstr(msg, "; pid 3 still had the write end of pipe:[1234]"));
	free(msg);
	p3[1].fd = 2;
	p1[1].fd = 0;
	assert_true(fds_check(&all, &res, &msg));
	assert_null(msg);
}

static void test_fds_check_caps_the_message(void **state)
{
	(void)state;
	struct hx_open_fd fds[20];
	struct hx_exit_fds one = { .pid = 2, .fds = fds, .nfds = 20 };
	struct hx_result res = { .fds_at_exit = &one, .nfds_at_exit = 1 };
	struct fds_expect e = { .pipes_none = true };
	char *msg = NULL;

	for (int i = 0; i < 20; i++)
		fds[i] = (struct hx_open_fd){ .fd = i + 3, .kind = "fifo", .access = "read", .object = "/box/f" };
	assert_false(fds_check(&e, &res, &msg));
	assert_non_null(strstr(msg, "pid 2 still had the FIFO /box/f (read) open (fd 3)"));
	assert_non_null(strstr(msg, "and 12 more"));
	free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fds_check_names_process_and_pipe_end),
		cmocka_unit_test(test_fds_check_caps_the_message),
	};

	return cmocka_run_group_tests_name("fds_expect", tests, NULL, NULL);
}
