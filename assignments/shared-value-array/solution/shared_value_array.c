/*
 * shared-value-array -- reference solution.
 *
 * The C version of the course unit's mp.Value / mp.Array example:
 *
 *     num = Value('d', 0.0)            a shared double, 0.0
 *     arr = Array('i', range(10))      a shared array of 10 ints, 0..9
 *     child: num.value = 3.1415927; a[i] = -a[i] for every i
 *     parent: join the child, print num.value and arr[:]
 *
 * Expected output (exactly):
 *
 *     3.1415927
 *     [0, -1, -2, -3, -4, -5, -6, -7, -8, -9]
 *
 * Why it is built this way:
 *  - After fork() the child has a COPY of the parent's memory: changes to
 *    ordinary (global, local or malloc'ed) variables never reach the parent.
 *    The double and the array therefore live in one MAP_SHARED anonymous
 *    mapping created before fork(); fork() does not copy shared mappings,
 *    so parent and child see the same bytes.
 *  - An anonymous mapping has no name: nothing is left in /dev/shm, even if
 *    the program is killed. (shm_open + shm_unlink or shmget + IPC_RMID
 *    would work too, but need explicit removal.)
 *  - The parent reads the values only after waitpid() has returned: that
 *    is the C equivalent of p.join(), and the only guarantee that the
 *    child has finished writing.
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

/* The child's work (the `f(n, a)` of the Python example). */
static void child_work(struct shared *sh)
{
    sh->num = 3.1415927;
    for (int i = 0; i < ARRAY_LEN; i++)
        sh->arr[i] = -sh->arr[i];
}

/* Print the array the way Python prints a list: [0, -1, ..., -9]. */
static void print_array(const int *arr, int len)
{
    printf("[");
    for (int i = 0; i < len; i++)
        printf(i == 0 ? "%d" : ", %d", arr[i]);
    printf("]\n");
}

int main(void)
{
    struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        perror("shared_value_array: mmap");
        return 1;
    }
    sh->num = 0.0;
    for (int i = 0; i < ARRAY_LEN; i++)
        sh->arr[i] = i;

    /* stdout is fully buffered when it is a pipe: anything still buffered
     * at fork() would be printed twice (once by each process). */
    fflush(stdout);

    pid_t pid = fork();
    if (pid == -1) {
        perror("shared_value_array: fork");
        munmap(sh, sizeof *sh);
        return 1;
    }
    if (pid == 0) {
        child_work(sh);
        _exit(0);       /* not exit(): do not flush the copied stdio buffers */
    }

    /* Like p.join(): the values are final only once the child has ended. */
    int status;
    if (waitpid(pid, &status, 0) == -1) {
        perror("shared_value_array: waitpid");
        munmap(sh, sizeof *sh);
        return 1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "shared_value_array: the child process failed\n");
        munmap(sh, sizeof *sh);
        return 1;
    }

    /* Python prints 3.1415927 (the shortest form that reads back as the same
     * double); "%.7f" gives the same 7 decimals. */
    printf("%.7f\n", sh->num);
    print_array(sh->arr, ARRAY_LEN);
    fflush(stdout);

    if (munmap(sh, sizeof *sh) == -1) {
        perror("shared_value_array: munmap");
        return 1;
    }
    return 0;
}
