/*
 * sleeping-barber -- reference solution: the numbered log and small helpers
 * shared by every process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

/* Report a failed system call and end this process with status 1. */
void die(const char *what)
{
    fprintf(stderr, "barber: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* sem_wait that is not stopped by a signal (EINTR); any other error is fatal. */
void wait_sem(sem_t *sem, const char *name)
{
    while (sem_wait(sem) == -1) {
        if (errno != EINTR)
            die(name);
    }
}

void post_sem(sem_t *sem, const char *name)
{
    if (sem_post(sem) == -1)
        die(name);
}

void shop_lock(struct shop *shop)
{
    wait_sem(&shop->mutex, "sem_wait(mutex)");
}

void shop_unlock(struct shop *shop)
{
    post_sem(&shop->mutex, "sem_post(mutex)");
}

/*
 * Write the next numbered line, e.g. "7: C 3: enters" (customer 3) or
 * "8: B: sleeps" (customer == 0 means the barber).
 *
 * The caller MUST hold the mutex: taking the next number and writing the
 * line form one critical section, so the numbers in the file are 1, 2, 3, ...
 * in file order, with no gaps and no repeats.
 *
 * Each line ends with '\n', so fprintf writes it out at once.
 */
void log_action(struct shop *shop, int customer, const char *action)
{
    shop->line++;
    if (customer == 0)
        fprintf(shop->log, "%lu: B: %s\n", shop->line, action);
    else
        fprintf(shop->log, "%lu: C %d: %s\n", shop->line, customer, action);
}

/* Sleep a random time from 0 to max_us microseconds (both included). */
void sleep_random_us(int max_us)
{
    if (max_us <= 0)
        return;
    long us = random() % ((long)max_us + 1);
    struct timespec t = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000 };
    /* nanosleep writes the time still to sleep into t when a signal
       interrupts it: sleep again for the rest. */
    while (nanosleep(&t, &t) == -1) {
        if (errno != EINTR)
            die("nanosleep");
    }
}
