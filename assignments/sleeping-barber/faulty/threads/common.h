/*
 * sleeping-barber -- reference solution: what every process shares.
 *
 * The barber and the customers are threads of the main process: they share
 * all memory, so struct shop is an ordinary static variable and the
 * semaphores are initialised with pshared = 0.
 *
 * Locking rule: `mutex` protects every variable field of struct shop AND
 * every write to barber.out. Whoever changes the state of the shop writes
 * the line that reports the change inside the same critical section, so the
 * order of the lines in barber.out is exactly the order in which the state
 * changed. (The checker relies on that: it replays the log.)
 */
#ifndef COMMON_H
#define COMMON_H

#include <semaphore.h>
#include <stdbool.h>

#define LOG_FILE "barber.out"

/* The ranges of the four arguments (see the handout). */
#define MIN_CUSTOMERS 1
#define MAX_CUSTOMERS 1000
#define MIN_CHAIRS 1
#define MAX_CHAIRS 1000
#define MAX_DELAY_US 1000000

/* Everything the processes share. */
struct shop {
    /* Semaphores. */
    sem_t mutex;            /* 1 = free; guards the fields below and the log */
    sem_t barber_wake;      /* the barber sleeps on it; posted by the customer
                               who wakes him, or by main at closing time */
    sem_t next_customer;    /* barber -> customers: "next, please" (one post
                               per haircut; any waiting customer may take it) */
    sem_t customer_seated;  /* customer -> barber: "I am in your chair" */
    sem_t haircut_done;     /* barber -> customer in the chair: "finished" */
    sem_t customer_gone;    /* customer -> barber: "I have left the chair";
                               without it the NEXT customer could take this
                               customer's haircut_done (see barber.c) */

    /* Read-only after the first fork. */
    int log_fd;             /* barber.out, opened with O_APPEND by main */
    int chairs;             /* NCH */
    int max_haircut_us;     /* TB */

    /* Guarded by mutex. */
    unsigned long line;     /* number of the last line written to the log */
    int waiting;            /* customers in the waiting room (sat down, not
                               yet in the barber chair) */
    bool barber_asleep;     /* the barber logged `sleeps` and nobody has
                               woken him yet */
    bool closing;           /* every customer has left: the barber goes home */
};

/* log.c */
void shop_lock(struct shop *shop);
void shop_unlock(struct shop *shop);
void wait_sem(sem_t *sem, const char *name);
void post_sem(sem_t *sem, const char *name);
void log_action(struct shop *shop, int customer, const char *action);
void sleep_random_us(int max_us);
void die(const char *what);

/* barber.c, customer.c: the body of each thread */
void barber_run(struct shop *shop);
void customer_run(struct shop *shop, int id);

#endif
