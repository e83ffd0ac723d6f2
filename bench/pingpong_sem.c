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
 * the child is in its loop, then the parent measures the timed loop only
 * and prints the line described in pingpong.h, with nonblocking=N after
 * us_per_round.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pingpong.h"

struct shared {
	sem_t ping;		/* parent -> child */
	sem_t pong;		/* child -> parent */
	long child_nonblocking;
};

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

	struct loop_clock start, end;

	loop_clock_read(&start);

	for (long i = 0; i < rounds; i++) {
		post(&sh->ping);
		wait_counted(&sh->pong, &nb);
	}
	loop_clock_read(&end);

	int st;

	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "pingpong_sem: the child failed\n");
		return 1;
	}
	char extra[64];

	snprintf(extra, sizeof(extra), "nonblocking=%ld ", nb + sh->child_nonblocking);
	loop_report(&start, &end, rounds, extra);
	return 0;
}
