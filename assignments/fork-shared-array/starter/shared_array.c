/*
 * fork-shared-array — starter.
 *
 * usage: shared_array [N [M]]      (defaults: N = 3, M = 10)
 *
 * Read the handout (README.md) first. In short: N child processes each add
 * 1 to their own slot of a SHARED int array, M times. After waiting for all
 * of them, the parent prints the array and the sum:
 *     [10, 10, 10]
 *     All work completed: 30
 *
 * This file compiles and runs but does nothing useful yet. Replace the
 * TODOs. Check yourself with:   ipcgrade check fork-shared-array .
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHILDREN 32

int main(int argc, char *argv[])
{
    int n = 3;    /* number of child processes, 1..MAX_CHILDREN */
    int m = 10;   /* how many times each child adds 1 to its slot */

    /* TODO: read N from argv[1] and M from argv[2] when they are given. */
    (void)argc;
    (void)argv;

    /* TODO: create an array of n ints that is SHARED between processes
     *       (a plain array is copied by fork: the children would change
     *       their own copies only). Every slot must start at 0. */
    int *data = NULL;

    /* TODO: for each id in 0..n-1: fflush(stdout), fork(); the child adds 1
     *       to data[id] m times and then exits (it must not continue the
     *       parent's loop). The parent remembers the child's pid. */

    /* TODO: wait for every child. */

    /* TODO: print the array as [a, b, c] and then
     *       "All work completed: <sum>". */
    (void)data;
    (void)n;
    (void)m;

    /* TODO: release what you created (munmap; shm_unlink or shmctl
     *       IPC_RMID if you used a named object). */
    return 0;
}
