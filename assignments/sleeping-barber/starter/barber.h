/*
 * sleeping-barber -- starter: what the processes share.
 *
 * Everything in struct shop must be visible to EVERY process: create it in
 * shared memory (for example mmap with MAP_SHARED | MAP_ANONYMOUS) BEFORE
 * the first fork(). An ordinary global variable would be copied by fork():
 * each process would change its own copy.
 */
#ifndef BARBER_H
#define BARBER_H

#include <semaphore.h>
#include <stdbool.h>

#define LOG_FILE "barber.out"

struct shop {
    sem_t mutex;            /* guards the log and the fields below */
    /* TODO: the semaphores the barber and the customers wait on */

    int log_fd;             /* barber.out (or a FILE *, see the handout) */
    unsigned long line;     /* number of the last line written */
    int waiting;            /* customers in the waiting room */
    /* TODO: whatever else the processes must share */
};

/* log.c: write the next numbered line, e.g. "3: C 1: sits in the waiting
   room"; customer 0 means the barber. Call it with the mutex held. */
void log_action(struct shop *shop, int customer, const char *action);

#endif
