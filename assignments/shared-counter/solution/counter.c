/*
 * shared-counter -- reference solution.
 *
 * Usage: counter [P [M]]      (defaults: P = 4, M = 10000)
 *
 * The parent creates P child processes. Each child adds 1 to ONE shared
 * counter, M times. The parent waits for all of them and prints
 *
 *     All work completed: P*M
 *
 * Why it is built this way:
 *  - A global `long counter` would not work: after fork() every child has
 *    its own copy of the parent's memory, so the parent's counter stays 0.
 *    The counter therefore lives in a MAP_SHARED anonymous mapping, which
 *    fork() does NOT copy: parent and children see the same page.
 *  - `counter++` is three steps (load, add, store). Two processes running
 *    on two CPUs can both load the same value and both store value+1, and
 *    one increment is lost. Every increment is therefore guarded by a
 *    semaphore used as a lock (initial value 1).
 *  - The semaphore must be shared too: an unnamed POSIX semaphore placed in
 *    the same shared mapping, initialised with pshared = 1. (pshared = 0
 *    would make the kernel's wake-ups process-private: a process sleeping
 *    in sem_wait would never be woken by a sem_post of another process.)
 *  - An anonymous mapping has no name, so nothing can be left behind in
 *    /dev/shm when the program ends, even if it crashes.
 */
#include <errno.h>
#include <limits.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_PROCESSES 4
#define DEFAULT_INCREMENTS 10000

/* Everything the processes share: one page, created before the first fork. */
struct shared {
    sem_t lock;     /* binary semaphore: 1 = free, 0 = taken */
    long counter;   /* only touched while holding `lock` */
};

/* Parse a non-negative decimal number no smaller than `min`; exit on error. */
static long parse_number(const char *text, const char *what, long min, long max)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min || value > max) {
        fprintf(stderr, "counter: %s must be a number from %ld to %ld, not '%s'\n",
                what, min, max, text);
        exit(2);
    }
    return value;
}

/* The work of one child: M locked increments. Runs in the child only. */
static void child_work(struct shared *sh, long increments)
{
    for (long i = 0; i < increments; i++) {
        /* sem_wait can be interrupted by a signal (EINTR): then just retry. */
        while (sem_wait(&sh->lock) == -1) {
            if (errno != EINTR) {
                perror("counter: sem_wait");
                _exit(1);
            }
        }
        sh->counter++;                  /* the critical section */
        if (sem_post(&sh->lock) == -1) {
            perror("counter: sem_post");
            _exit(1);
        }
    }
}

int main(int argc, char *argv[])
{
    if (argc > 3) {
        fprintf(stderr, "usage: %s [P [M]]\n", argv[0]);
        return 2;
    }
    long processes = argc > 1 ? parse_number(argv[1], "P", 1, 1000) : DEFAULT_PROCESSES;
    long increments = argc > 2 ? parse_number(argv[2], "M", 0, LONG_MAX / 1000)
                               : DEFAULT_INCREMENTS;

    /* Shared, anonymous, zero-filled memory: survives fork() as ONE copy. */
    struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        perror("counter: mmap");
        return 1;
    }
    sh->counter = 0;
    /* pshared = 1: the semaphore is used by several processes. */
    if (sem_init(&sh->lock, 1, 1) == -1) {
        perror("counter: sem_init");
        munmap(sh, sizeof *sh);
        return 1;
    }

    /* Nothing is printed before the fork, but flushing here is the habit
     * that prevents a child from inheriting (and printing again) output
     * that is still waiting in the parent's stdio buffer. */
    fflush(stdout);

    long started = 0;
    int failed = 0;
    for (; started < processes; started++) {
        pid_t pid = fork();
        if (pid == -1) {
            perror("counter: fork");
            failed = 1;
            break;              /* still wait for the children we have */
        }
        if (pid == 0) {
            child_work(sh, increments);
            /* _exit, not exit: the child must not flush stdio buffers it
             * inherited or run the parent's atexit handlers. */
            _exit(0);
        }
    }

    /* Wait for every child; only then is the counter final. */
    for (long i = 0; i < started; i++) {
        int status;
        if (wait(&status) == -1) {
            perror("counter: wait");
            failed = 1;
            break;
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed = 1;
    }

    if (!failed) {
        printf("All work completed: %ld\n", sh->counter);
        fflush(stdout);
    } else {
        fprintf(stderr, "counter: a child process failed\n");
    }

    /* Release what we created (the mapping would also vanish at exit). */
    if (sem_destroy(&sh->lock) == -1)
        perror("counter: sem_destroy");
    if (munmap(sh, sizeof *sh) == -1)
        perror("counter: munmap");
    return failed ? 1 : 0;
}
