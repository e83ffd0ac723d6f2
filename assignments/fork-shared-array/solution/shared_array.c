/*
 * fork-shared-array — reference solution.
 *
 * usage: shared_array [N [M]]      (defaults: N = 3, M = 10)
 *
 * N child processes each add 1 to their own slot of a shared int array,
 * M times. After waiting for all of them the parent prints the array and
 * the sum:
 *     [10, 10, 10]
 *     All work completed: 30
 *
 * Why shared memory: after fork() every child has its own private copy of
 * the parent's memory (copy-on-write). A plain array, global or not, would
 * be changed only in the child's copy and the parent would print zeros —
 * the "[0, 0, 0] / All work completed: 0" result from the course unit.
 * A mapping created with MAP_SHARED before fork() is inherited as the
 * *same* physical memory by every child, so the parent sees their writes.
 * MAP_ANONYMOUS means it has no name: nothing to unlink afterwards, and it
 * disappears when the last process unmaps it or exits.
 *
 * No lock is needed: every child writes only its own slot, so no two
 * processes ever write the same int; and the parent reads only after
 * waitpid() has told it that the writers are finished.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHILDREN 32

/* Parse a decimal argument in [min, max]; exit with a usage message if it
 * is not one (the grader never does that, but a person might). */
static long parse_arg(const char *s, long min, long max, const char *what)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "invalid %s '%s' (expected %ld..%ld)\n", what, s, min, max);
        fprintf(stderr, "usage: shared_array [N [M]]\n");
        exit(1);
    }
    return v;
}

/* Wait for the first count children in pids[]; returns 0 when all of them
 * exited with status 0. */
static int wait_all(const pid_t *pids, int count)
{
    int ok = 1;
    for (int i = 0; i < count; i++) {
        int status;
        while (waitpid(pids[i], &status, 0) < 0) {
            if (errno != EINTR) {
                perror("waitpid");
                return -1;
            }
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            ok = 0;
    }
    return ok ? 0 : -1;
}

int main(int argc, char *argv[])
{
    int n = 3, m = 10;
    if (argc > 3) {
        fprintf(stderr, "usage: shared_array [N [M]]\n");
        return 1;
    }
    if (argc > 1)
        n = (int)parse_arg(argv[1], 1, MAX_CHILDREN, "N");
    if (argc > 2)
        m = (int)parse_arg(argv[2], 0, INT_MAX / n, "M");   /* N*M fits in an int */

    /* The shared array. mmap returns zero-filled memory, so every slot
     * starts at 0. It must exist before fork() to be inherited. */
    size_t size = (size_t)n * sizeof(int);
    int *data = mmap(NULL, size, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED) {
        perror("mmap");
        return 1;
    }

    pid_t pids[MAX_CHILDREN] = {0};
    for (int id = 0; id < n; id++) {
        /* Flush before fork(): whatever is still in the stdio buffer would
         * be copied into the child and printed twice. */
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            wait_all(pids, id);            /* do not leave children behind */
            munmap(data, size);
            return 1;
        }
        if (pid == 0) {
            /* Child: only its own slot, so no lock is needed. */
            for (int i = 0; i < m; i++)
                data[id] += 1;
            /* exit(), not return: the child must never continue the
             * parent's loop (it would fork children of its own). */
            exit(0);
        }
        pids[id] = pid;
    }

    /* Only when every child has exited is the array complete. */
    if (wait_all(pids, n) != 0) {
        munmap(data, size);
        return 1;
    }

    long long total = 0;
    printf("[");
    for (int i = 0; i < n; i++) {
        printf("%s%d", i == 0 ? "" : ", ", data[i]);
        total += data[i];
    }
    printf("]\n");
    printf("All work completed: %lld\n", total);
    fflush(stdout);

    if (munmap(data, size) < 0) {
        perror("munmap");
        return 1;
    }
    return 0;
}
