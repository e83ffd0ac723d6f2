/*
 * pingpong_pipe.c - two processes, N round trips of 1 byte over two pipes.
 *
 *   pingpong_pipe [ROUNDS]        (default 200000)
 *
 * The parent writes one byte to the child over one pipe and the child
 * writes it back over the other: each round trip needs both processes to
 * run. Setup (pipes, fork, the child's start) is excluded: one untimed
 * round trip makes sure the child is in its loop, then the parent reads
 * CLOCK_MONOTONIC around the timed loop only and prints one line:
 *
 *   loop_ms=1234.567 rounds=200000 us_per_round=6.173 vcsw_per_round=0.57
 *     cpus=2 run_ms=230.1 rqwait_ms=150.2
 *
 * (one line in fact). vcsw_per_round: the parent's voluntary context
 * switches per round (below 1 when the child's wake-up preempts the parent
 * and the byte is back before the parent reads; a tracer that stops the
 * caller at each traced call adds one per stop); cpus: how many CPUs it
 * may run on (the box pins only with --cpus); run_ms and rqwait_ms: the
 * parent's time on a CPU and waiting for one during the loop
 * (/proc/self/schedstat; -1 when unavailable). Waiting for a CPU is the
 * machine's noise, not the cost of what is measured.
 *
 * Nothing else is printed on success; any failure exits non-zero.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void xwrite(int fd, char c)
{
	for (;;) {
		ssize_t n = write(fd, &c, 1);

		if (n == 1)
			return;
		if (n < 0 && errno == EINTR)
			continue;
		die("write");
	}
}

static char xread(int fd)
{
	char c;

	for (;;) {
		ssize_t n = read(fd, &c, 1);

		if (n == 1)
			return c;
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			fprintf(stderr, "read: unexpected end of file\n");
			exit(1);
		}
		die("read");
	}
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Voluntary context switches of this process so far. */
static long vcsw(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_nvcsw : -1;
}

/* This process's time on a CPU and waiting for one (runnable, not
 * running) so far, in ms; -1 when unavailable. */
static void schedstat_ms(double *run, double *wait)
{
	FILE *f = fopen("/proc/self/schedstat", "r");
	unsigned long long r, w;

	*run = *wait = -1;
	if (!f)
		return;
	if (fscanf(f, "%llu %llu", &r, &w) == 2) {
		*run = (double)r / 1e6;
		*wait = (double)w / 1e6;
	}
	fclose(f);
}

/* How many CPUs this process may run on: the benchmark compares variants
 * with the same affinity (the box pins only with --cpus). */
static int cpus_allowed(void)
{
	cpu_set_t set;

	return sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : -1;
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
	int ping[2], pong[2];	/* parent -> child, child -> parent */

	if (rounds <= 0) {
		fprintf(stderr, "usage: %s [ROUNDS]\n", argv[0]);
		return 2;
	}
	if (pipe(ping) < 0 || pipe(pong) < 0)
		die("pipe");
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(ping[1]);
		close(pong[0]);
		/* the untimed warm-up round, then the timed ones */
		for (long i = 0; i <= rounds; i++)
			xwrite(pong[1], xread(ping[0]));
		_exit(0);
	}
	close(ping[0]);
	close(pong[1]);

	xwrite(ping[1], 'x');		/* warm-up: the child is in its loop */
	(void)xread(pong[0]);

	double run0, wait0, run1, wait1;

	schedstat_ms(&run0, &wait0);
	long v0 = vcsw();
	double t0 = now_ms();

	for (long i = 0; i < rounds; i++) {
		xwrite(ping[1], (char)i);
		if (xread(pong[0]) != (char)i) {
			fprintf(stderr, "pingpong_pipe: wrong byte back\n");
			return 1;
		}
	}
	double t1 = now_ms();
	long v1 = vcsw();

	schedstat_ms(&run1, &wait1);

	int st;

	close(ping[1]);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "pingpong_pipe: the child failed\n");
		return 1;
	}
	printf("loop_ms=%.3f rounds=%ld us_per_round=%.3f vcsw_per_round=%.2f "
	       "cpus=%d run_ms=%.1f rqwait_ms=%.1f\n",
	       t1 - t0, rounds, (t1 - t0) * 1e3 / (double)rounds,
	       (double)(v1 - v0) / (double)rounds, cpus_allowed(),
	       run0 < 0 ? -1 : run1 - run0, wait0 < 0 ? -1 : wait1 - wait0);
	return 0;
}
