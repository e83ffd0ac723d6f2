/*
 * test_report_text.c - the trace timeline of `run --trace`: each
 * process's end at its place among the events, in words.
 */
#include "testutil.h"
#include "grader.h"
#include "report_text.h"

/* What report_text_trace prints for res (malloc'd). */
static char *timeline(const struct hx_result *res)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	report_text_trace(f, res);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_report_text_trace_ends_in_time_order(void **state)
{
	(void)state;
	struct hx_event ev[] = {
		{ .t_us = 1000, .pid = 1, .call = "pipe2", .group = HX_GROUP_PIPE, .detail = "-> [3, 4]" },
		{ .t_us = 2000, .pid = 1, .call = "fork", .group = HX_GROUP_FORK, .detail = "", .child = 2 },
		{ .t_us = 3000, .pid = 2, .call = "close", .group = HX_GROUP_FD,
		  .detail = "fd 4, the write end of pipe:[77]" },
		{ .t_us = 9000, .pid = 1, .call = "wait4", .group = HX_GROUP_WAIT, .detail = "any child" },
	};
	struct hx_process procs[] = {
		{ .pid = 1, .ended = true, .exit_code = -1, .signal = 9, .killed_by_grader = true, .end_us = 20000 },
		{ .pid = 2, .ppid = 1, .ended = true, .exit_code = -1, .signal = 11, .core_dumped = true,
		  .end_us = 4000 },
		{ .pid = 3, .ppid = 1, .ended = true, .exit_code = 0, .end_us = 4000 },
		{ .pid = 4, .ppid = 1, .ended = true, .exit_code = -1, .signal = 9, .killed_by_grader = true,
		  .leftover = true, .end_us = 0 },
		{ .pid = 5, .ppid = 1 },
	};
	struct hx_result res = { .traced = true, .traced_hot = true, .events = ev, .nevents = 4,
				 .process_list = procs, .nprocess_list = 5, .processes = 5 };
	char *out = timeline(&res);
	const char *close_at = strstr(out, "pid 2   close(fd 4, the write end of pipe:[77])");
	const char *segv = strstr(out, "[+4.0ms] pid 2   was killed by SIGSEGV (core dumped)\n");
	const char *three = strstr(out, "[+4.0ms] pid 3   exited with status 0\n");
	const char *wait = strstr(out, "pid 1   wait4(any child)");
	const char *stop = strstr(out, "[+20.0ms] pid 1   was killed by ipcgrade (the run was stopped)\n");
	const char *left = strstr(out, "pid 4   was killed by ipcgrade (left running when pid 1 exited)\n");
	const char *unknown = strstr(out, "pid 5   ended; how is not known\n");

	if (!close_at || !segv || !three || !wait || !stop || !left || !unknown)
		fail_msg("timeline:\n%s", out);
	assert_true(close_at < segv && segv < three && three < wait && wait < stop && stop < left);
	assert_null(strstr(out, "shown with --trace-hot"));
	free(out);
	/* Without hot tracing the timeline says where closes are. */
	res.traced_hot = false;
	res.nevents = 0;
	out = timeline(&res);
	assert_non_null(strstr(out, "trace (0 events):\n  (close and dup2 are shown with --trace-hot)\n"));
	assert_non_null(strstr(out, "pid 3   exited with status 0"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_text_trace_ends_in_time_order),
	};

	return cmocka_run_group_tests_name("report text", tests, NULL, NULL);
}
