/*
 * shared-value-array -- starter.
 *
 * The C version of the course unit's mp.Value / mp.Array example. The parent
 * creates a shared double (0.0) and a shared array of 10 ints (0..9); one
 * child process sets the double to 3.1415927 and negates every element; the
 * parent waits for the child and prints exactly
 *
 *     3.1415927
 *     [0, -1, -2, -3, -4, -5, -6, -7, -8, -9]
 *
 * See README.md for the details.
 *
 * Build it the way the grader does:
 *     gcc -std=gnu11 -O2 -Wall -Wextra shared_value_array.c -o shared_value_array -pthread -lrt
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define ARRAY_LEN 10

/* The shared state, like mp.Value('d') and mp.Array('i', 10) together. */
struct shared {
    double num;
    int arr[ARRAY_LEN];
};

/* TODO: the child's work: set num to 3.1415927 and negate every element. */
static void child_work(struct shared *sh)
{
    (void)sh;
}

/* TODO: print the array like Python prints a list: [0, -1, ..., -9] */
static void print_array(const int *arr, int len)
{
    (void)arr;
    (void)len;
    printf("[]\n");
}

int main(void)
{
    /* TODO: this local variable is NOT shared with a child: fork() copies it.
     * Create the struct in shared memory instead (mmap with MAP_SHARED, or
     * shm_open, or shmget), before the fork. */
    struct shared local;
    struct shared *sh = &local;

    sh->num = 0.0;
    for (int i = 0; i < ARRAY_LEN; i++)
        sh->arr[i] = i;

    fflush(stdout);     /* keep this: flush before every fork() */

    /* TODO: fork one child that calls child_work(sh) and then _exit(0).
     * Check fork() for -1. */
    child_work(sh);

    /* TODO: wait for the child (waitpid) before printing. */

    /* TODO: print the double with exactly 7 decimals. */
    printf("%f\n", sh->num);
    print_array(sh->arr, ARRAY_LEN);
    fflush(stdout);

    /* TODO: unmap / unlink / remove the shared memory you created. */
    return 0;
}
