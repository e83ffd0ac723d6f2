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
    wait_sem(shop->mutex, "sem_wait(mutex)");
}

void shop_unlock(struct shop *shop)
{
    post_sem(shop->mutex, "sem_post(mutex)");
}

/*
 * Write the next numbered line, e.g. "7: C 3: enters" (customer 3) or
 * "8: B: sleeps" (customer == 0 means the barber).
 *
 * The caller MUST hold the mutex: taking the next number and writing the
 * line form one critical section, so the numbers in the file are 1, 2, 3, ...
 * in file order, with no gaps and no repeats.
 *
 * The line is formatted into a buffer and written with one write() on a
 * file descriptor opened with O_APPEND. No stdio buffer is involved, so
 * nothing is left in a buffer when the mutex is released, and nothing is
 * written twice because fork() copied a full buffer.
 */
void log_action(struct shop *shop, int customer, const char *action)
{
    char line[128];
    int len;

    shop->line++;
    if (customer == 0)
        len = snprintf(line, sizeof line, "%lu: B: %s\n", shop->line, action);
    else
        len = snprintf(line, sizeof line, "%lu: C %d: %s\n", shop->line,
                       customer, action);
    if (len < 0 || (size_t)len >= sizeof line) {
        errno = EOVERFLOW;
        die("formatting a log line");
    }

    /* write() to a regular file writes everything or fails, but a short
       write (disk full) must not go unnoticed: loop until all is written. */
    const char *p = line;
    size_t left = (size_t)len;
    while (left > 0) {
        ssize_t n = write(shop->log_fd, p, left);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            die("writing " LOG_FILE);
        }
        p += n;
        left -= (size_t)n;
    }
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
