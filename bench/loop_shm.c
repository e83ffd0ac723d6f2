/*
 * loop_shm.c - a System V shared-memory loop for make bench-trace: one
 * segment, then N / 10 times attach it, touch it, detach it (shmat and
 * shmdt: notified by default tracing, counted in the kernel by the eBPF
 * backend), then IPC_RMID.
 *
 *   loop_shm N      prints the line of pingpong.h
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "pingpong.h"

int main(int argc, char **argv)
{
	long rounds = (argc > 1 ? atol(argv[1]) : 200000) / 10;
	struct loop_clock a, b;
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);

	if (id < 0)
		die("shmget");
	if (rounds < 1)
		rounds = 1;
	loop_clock_read(&a);
	for (long i = 0; i < rounds; i++) {
		volatile char *p = shmat(id, NULL, 0);

		if (p == (void *)-1) {
			shmctl(id, IPC_RMID, NULL);
			die("shmat");
		}
		p[0] = (char)i;
		if (shmdt((const void *)p) < 0)
			die("shmdt");
	}
	loop_clock_read(&b);
	shmctl(id, IPC_RMID, NULL);
	loop_report(&a, &b, rounds, "");
	return 0;
}
