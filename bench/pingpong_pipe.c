/*
 * pingpong_pipe.c - two processes, N round trips of 1 byte over two pipes.
 *
 *   pingpong_pipe [ROUNDS]        (default 200000)
 *
 * The parent writes one byte to the child over one pipe and the child
 * writes it back over the other: each round trip needs both processes to
 * run. Setup (pipes, fork, the child's start) is excluded: one untimed
 * round trip makes sure the child is in its loop, then the parent measures
 * the timed loop only and prints the line described in pingpong.h. Its
 * vcsw_per_round is below 1 when the child's wake-up preempts the parent
 * and the byte is back before the parent reads; a tracer that stops the
 * caller at each traced call adds one per stop.
 *
 * Nothing else is printed on success; any failure exits non-zero.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pingpong.h"

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

	struct loop_clock start, end;

	loop_clock_read(&start);

	for (long i = 0; i < rounds; i++) {
		xwrite(ping[1], (char)i);
		if (xread(pong[0]) != (char)i) {
			fprintf(stderr, "pingpong_pipe: wrong byte back\n");
			return 1;
		}
	}
	loop_clock_read(&end);

	int st;

	close(ping[1]);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "pingpong_pipe: the child failed\n");
		return 1;
	}
	loop_report(&start, &end, rounds, "");
	return 0;
}
