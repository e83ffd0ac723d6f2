/*
 * pingpong_sem.c - two processes ping-pong with two process-shared POSIX
 * semaphores in MAP_SHARED memory, N round trips.
 *
 *   pingpong_sem [ROUNDS]         (default 200000)
 *
 * Both semaphores start at 0; the parent posts `ping` and waits on `pong`,
 * the child waits on `ping` and posts `pong`. The semaphores are strictly
 * alternated, so every wait waits for the other process: a round trip
 * always needs the other process to run (two context switches), there is
 * no batching or spinning. Usually the wait finds the value 0 and sleeps
 * in futex(FUTEX_WAIT); when the post's wake-up preempts the poster on its
 * CPU, the partner posts back before the poster reaches its wait, which
 * then finds the value already 1 (the poster did not sleep voluntarily,
 * it was preempted). `nonblocking` counts those waits (sem_trywait, which
 * is sem_wait's own fast path, succeeded); it depends on the scheduler,
 * and the benchmark prints it so that variants with different rates are
 * seen.
 *
 * Setup is excluded as in pingpong_pipe: one untimed round trip makes sure
 * the child is in its loop, then the parent reads CLOCK_MONOTONIC around
 * the timed loop only and prints one line:
 *
 *   loop_ms=1234.567 rounds=200000 us_per_round=6.173 nonblocking=172000
 *     vcsw_per_round=0.57 cpus=2 run_ms=230.1 rqwait_ms=150.2
 *
 * (one line in fact). vcsw_per_round: the parent's voluntary context
 * switches per round; cpus: how many CPUs it may run on; run_ms and
 * rqwait_ms: the parent's time on a CPU and waiting for one during the
 * loop (/proc/self/schedstat; -1 when unavailable). Waiting for a CPU is
 * the machine's noise, not the cost of what is measured.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct shared {
	sem_t ping;		/* parent -> child */
	sem_t pong;		/* child -> parent */
	long child_nonblocking;
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* sem_wait, counting the waits that did not have to block. */
static void wait_counted(sem_t *s, long *nonblocking)
{
	if (sem_trywait(s) == 0) {
		(*nonblocking)++;
		return;
	}
	if (errno != EAGAIN)
		die("sem_trywait");
	while (sem_wait(s) < 0)
		if (errno != EINTR)
			die("sem_wait");
}

static void post(sem_t *s)
{
	if (sem_post(s) < 0)
		die("sem_post");
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

	if (rounds <= 0) {
		fprintf(stderr, "usage: %s [ROUNDS]\n", argv[0]);
		return 2;
	}
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (sh == MAP_FAILED)
		die("mmap");
	if (sem_init(&sh->ping, 1, 0) < 0 || sem_init(&sh->pong, 1, 0) < 0)
		die("sem_init");
	sh->child_nonblocking = 0;

	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		long nb = 0;

		/* the untimed warm-up round, then the timed ones */
		for (long i = 0; i <= rounds; i++) {
			wait_counted(&sh->ping, &nb);
			post(&sh->pong);
		}
		sh->child_nonblocking = nb;
		_exit(0);
	}
	long nb = 0, warm = 0;

	post(&sh->ping);		/* warm-up: the child is in its loop */
	wait_counted(&sh->pong, &warm);

	double run0, wait0, run1, wait1;

	schedstat_ms(&run0, &wait0);
	long v0 = vcsw();
	double t0 = now_ms();

	for (long i = 0; i < rounds; i++) {
		post(&sh->ping);
		wait_counted(&sh->pong, &nb);
	}
	double t1 = now_ms();
	long v1 = vcsw();

	schedstat_ms(&run1, &wait1);

	int st;

	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "pingpong_sem: the child failed\n");
		return 1;
	}
	printf("loop_ms=%.3f rounds=%ld us_per_round=%.3f nonblocking=%ld vcsw_per_round=%.2f "
	       "cpus=%d run_ms=%.1f rqwait_ms=%.1f\n",
	       t1 - t0, rounds, (t1 - t0) * 1e3 / (double)rounds, nb + sh->child_nonblocking,
	       (double)(v1 - v0) / (double)rounds, cpus_allowed(),
	       run0 < 0 ? -1 : run1 - run0, wait0 < 0 ? -1 : wait1 - wait0);
	return 0;
}
