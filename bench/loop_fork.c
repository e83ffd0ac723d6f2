/*
 * loop_fork.c - a fork-heavy program for make bench-trace: N / 100 times,
 * fork a child that exits at once, and wait for it (fork, exit_group and
 * wait4 each time: the process calls default tracing notifies).
 *
 *   loop_fork N     prints the line of pingpong.h
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pingpong.h"

int main(int argc, char **argv)
{
	long rounds = (argc > 1 ? atol(argv[1]) : 200000) / 100;
	struct loop_clock a, b;

	if (rounds < 1)
		rounds = 1;
	loop_clock_read(&a);
	for (long i = 0; i < rounds; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, NULL, 0) != pid)
			die("waitpid");
	}
	loop_clock_read(&b);
	loop_report(&a, &b, rounds, "");
	return 0;
}
