/*
 * test_procfs.c - reading processes from /proc: the stat line parser
 * (a pure function), and the growable lists of children and threads
 * against real processes of this test.
 */
#include "testutil.h"
#include <pthread.h>

#include "internal.h"

/* A real line of /proc/PID/stat (kernel 6.x), comm "bash". */
#define STAT_TAIL "S 2200 2210 2200 34816 2210 4194560 1291 7401 0 3 11 7 25 9 20 0 1 0 " \
		  "4242 8953856 1242 18446744073709551615 1 1 0 0 0 0 65536 3686404 1266761467 " \
		  "0 0 0 17 1 0 0 0 0 0"

struct fixture {
	struct hx_proc_stat st;
	struct hx_pids pids;
	int release[2];		/* children block reading [0] until [1] closes */
	pid_t *kids;
	int nkids;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	memset(&f->st, 0x5a, sizeof(f->st));	/* the parser must set every field */
	f->release[0] = f->release[1] = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->release[1] >= 0)
		close(f->release[1]);
	for (int i = 0; i < f->nkids; i++)
		waitpid(f->kids[i], NULL, 0);
	if (f->release[0] >= 0)
		close(f->release[0]);
	free(f->kids);
	hx_pids_release(&f->pids);
	free(f);
	return 0;
}

static void test_procfs_parses_the_fields_of_a_stat_line(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(hx_proc_parse_stat("2210 (bash) " STAT_TAIL "\n", &f->st), 0);
	assert_string_equal(f->st.comm, "bash");
	assert_int_equal(f->st.state, 'S');
	assert_int_equal(f->st.ppid, 2200);
	assert_int_equal(f->st.pgrp, 2210);
	assert_int_equal(f->st.session, 2200);
	assert_int_equal(f->st.utime, 11);
	assert_int_equal(f->st.stime, 7);
	assert_int_equal(f->st.cutime, 25);
	assert_int_equal(f->st.cstime, 9);
}

static void test_procfs_comm_with_spaces_and_parentheses(void **state)
{
	struct fixture *f = *state;

	/* comm is whatever the program set (prctl PR_SET_NAME): it ends at
	 * the last ')' of the line. */
	assert_int_equal(hx_proc_parse_stat("77 (a) (b c)) " STAT_TAIL, &f->st), 0);
	assert_string_equal(f->st.comm, "a) (b c)");
	assert_int_equal(f->st.ppid, 2200);
	assert_int_equal(hx_proc_parse_stat("77 ( ) " STAT_TAIL, &f->st), 0);
	assert_string_equal(f->st.comm, " ");
	assert_int_equal(hx_proc_parse_stat("77 () " STAT_TAIL, &f->st), 0);
	assert_string_equal(f->st.comm, "");
	assert_int_equal(f->st.cstime, 9);
}

static void test_procfs_long_comm_is_cut_to_fit(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(hx_proc_parse_stat("9 (kworker/u8:3-events_unbound-and-more-than-31) "
					    STAT_TAIL, &f->st), 0);
	assert_int_equal(strlen(f->st.comm), sizeof(f->st.comm) - 1);
	assert_memory_equal(f->st.comm, "kworker/u8:3-events_unbound-and", sizeof(f->st.comm) - 1);
	assert_int_equal(f->st.state, 'S');
}

static void test_procfs_truncated_lines_are_refused(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = {
		"",
		"2210",
		"2210 (bash",			/* comm never ends */
		"2210 bash) S 1",		/* never starts */
		"2210 (bash)",			/* nothing after comm */
		"2210 (bash) ",			/* no state */
		"2210 (bash)S 2200 2210",	/* no space after comm */
		"2210 (bash) S",		/* no ppid */
		"2210 (bash) S 2200 2210 2200",	/* stops before utime */
		"2210 (bash) S 2200 2210 2200 34816 2210 4194560 1291 7401 0 3 11 7 25",	/* no cstime */
		"2210 (bash) S 2200 x 2200 34816 2210 4194560 1291 7401 0 3 11 7 25 9",	/* not a number */
	};

	for (size_t i = 0; i < HX_ARRAY_SIZE(bad); i++) {
		if (hx_proc_parse_stat(bad[i], &f->st) != -EINVAL)
			fprintf(stderr, "accepted: '%s'\n", bad[i]);
		assert_int_equal(hx_proc_parse_stat(bad[i], &f->st), -EINVAL);
	}
	/* Exactly up to cstime is enough. */
	assert_int_equal(hx_proc_parse_stat("2210 (bash) S 2200 2210 2200 34816 2210 4194560 1291 "
					    "7401 0 3 11 7 25 9", &f->st), 0);
	assert_int_equal(f->st.cstime, 9);
}

static void test_procfs_stat_of_this_process(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(hx_proc_stat(getpid(), 0, &f->st), 0);
	assert_int_equal(f->st.ppid, getppid());
	assert_int_equal(f->st.state, 'R');
	assert_int_equal(f->st.pgrp, getpgrp());
	assert_int_equal(hx_proc_stat(getpid(), getpid(), &f->st), 0);
	assert_int_equal(f->st.ppid, getppid());
	assert_int_equal(hx_proc_tgid(getpid()), getpid());
}

/* Forks n children that block until the fixture's teardown (or
 * release_children) closes the pipe's write end. */
static void fork_children(struct fixture *f, int n)
{
	char c;

	assert_int_equal(pipe(f->release), 0);
	f->kids = calloc((size_t)n, sizeof(pid_t));
	assert_non_null(f->kids);
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			close(f->release[1]);
			_exit(read(f->release[0], &c, 1) == 0 ? 0 : 1);
		}
		f->kids[f->nkids++] = pid;
	}
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static void test_procfs_children_of_a_process_with_thousands(void **state)
{
	struct fixture *f = *state;
	const int n = 3000;	/* /proc/PID/task/TID/children: about 20 KB */

	fork_children(f, n);
	assert_int_equal(hx_proc_children(getpid(), &f->pids), n);
	assert_int_equal(hx_proc_count_children(getpid()), n);
	/* Exactly our children, each once. */
	qsort(f->pids.v, f->pids.n, sizeof(pid_t), cmp_pid);
	qsort(f->kids, (size_t)n, sizeof(pid_t), cmp_pid);
	assert_memory_equal(f->pids.v, f->kids, (size_t)n * sizeof(pid_t));
	/* The list replaces what the vector held. */
	assert_int_equal(hx_proc_descendants(getpid(), &f->pids), n);
	assert_int_equal(hx_proc_children(f->kids[0], &f->pids), 0);
	assert_int_equal(f->pids.n, 0);
	assert_true(hx_proc_children(999999999, &f->pids) < 0);
}

static void *park(void *arg)
{
	int fd = *(int *)arg;
	char c;

	return read(fd, &c, 1) == 0 ? NULL : arg;
}

static void test_procfs_threads_and_their_children(void **state)
{
	struct fixture *f = *state;
	enum { THREADS = 300 };	/* more than the 256 tids read before */
	pthread_t th[THREADS];
	int fds[2];

	fork_children(f, 5);	/* first: they must not hold the threads' pipe */
	assert_int_equal(pipe(fds), 0);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, park, &fds[0]), 0);
	assert_int_equal(hx_proc_threads(getpid(), &f->pids), THREADS + 1);
	assert_int_equal(hx_proc_children(getpid(), &f->pids), 5);
	close(fds[1]);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	close(fds[0]);
	assert_int_equal(hx_proc_threads(getpid(), &f->pids), 1);
}

static void test_procfs_stat_line_has_the_thread_count(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(hx_proc_parse_stat("2210 (bash) " STAT_TAIL "\n", &f->st), 0);
	assert_int_equal(f->st.num_threads, 1);
}

/* /proc/TID/status as Linux 6.x writes it, cut to the fields read. */
static void test_procfs_parses_who_a_thread_is(void **state)
{
	struct hx_proc_ids ids;

	(void)state;
	assert_int_equal(hx_proc_parse_ids("Name:\tworker\nUmask:\t0022\nState:\tS (sleeping)\n"
					   "Tgid:\t4100\nNgid:\t0\nPid:\t4102\nPPid:\t4000\n"
					   "TracerPid:\t0\nNStgid:\t4100\t7\nNSpid:\t4102\t9\n", &ids), 0);
	assert_string_equal(ids.name, "worker");
	assert_int_equal(ids.tgid, 4100);
	assert_int_equal(ids.ppid, 4000);
	assert_int_equal(ids.ns_tgid, 7);	/* the innermost namespace's */
	/* one namespace only: NStgid is the tgid */
	assert_int_equal(hx_proc_parse_ids("Name:\ta b\nTgid:\t12\nPPid:\t1\nNStgid:\t12\n", &ids), 0);
	assert_string_equal(ids.name, "a b");
	assert_int_equal(ids.ns_tgid, 12);
	/* no NStgid (before Linux 4.1): our own namespace's tgid */
	assert_int_equal(hx_proc_parse_ids("Name:\tx\nTgid:\t12\nPPid:\t1\n", &ids), 0);
	assert_int_equal(ids.ns_tgid, 12);
	assert_int_equal(hx_proc_parse_ids("Tgid:\t12\n", &ids), -EINVAL);
	assert_int_equal(hx_proc_parse_ids("Name:\tx\nPPid:\t1\n", &ids), -EINVAL);
}

static void test_procfs_ids_and_zombie_status_of_real_processes(void **state)
{
	struct hx_proc_ids ids;
	int status = 0;
	pid_t pid = fork();

	(void)state;
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(3);
	assert_int_equal(hx_proc_ids(getpid(), &ids), 0);
	assert_int_equal(ids.tgid, getpid());
	assert_int_equal(ids.ppid, getppid());
	/* a zombie's /proc/PID/stat keeps its wait status until reaped */
	for (int i = 0; i < 2000 && hx_proc_zombie_status(pid, &status) < 0; i++)
		usleep(1000);
	assert_int_equal(hx_proc_zombie_status(pid, &status), 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 3);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_true(hx_proc_zombie_status(pid, &status) < 0);
	assert_true(hx_proc_zombie_status(getpid(), &status) < 0);	/* not a zombie */
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_procfs_parses_the_fields_of_a_stat_line),
		T(test_procfs_comm_with_spaces_and_parentheses),
		T(test_procfs_long_comm_is_cut_to_fit),
		T(test_procfs_truncated_lines_are_refused),
		T(test_procfs_stat_of_this_process),
		T(test_procfs_children_of_a_process_with_thousands),
		T(test_procfs_threads_and_their_children),
		T(test_procfs_stat_line_has_the_thread_count),
		T(test_procfs_parses_who_a_thread_is),
		T(test_procfs_ids_and_zombie_status_of_real_processes),
	};

	return cmocka_run_group_tests_name("procfs", tests, NULL, NULL);
}
