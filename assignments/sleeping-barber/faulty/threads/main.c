/*
 * sleeping-barber -- reference solution: the main process.
 *
 * Usage: barber NC NCH TC TB
 *   NC   customers, 1..1000
 *   NCH  chairs in the waiting room, 1..1000
 *   TC   maximum time between two customer arrivals, 0..1000000 us
 *   TB   maximum length of a haircut, 0..1000000 us
 *
 * The main process
 *   1. checks the arguments (on any problem: a message on stderr, exit 1,
 *      and nothing is created: no barber.out, no shared memory);
 *   2. creates the shared struct shop (an anonymous MAP_SHARED mapping) with
 *      its unnamed semaphores, and creates/truncates barber.out;
 *   3. forks the barber, then the NC customers, waiting 0..TC us before each
 *      customer (the customer enters the shop as soon as it runs);
 *   4. waits for every customer, then tells the barber to go home: it sets
 *      `closing` and posts barber_wake (see barber.c);
 *   5. waits for the barber, destroys the semaphores, unmaps the memory,
 *      closes the file and exits 0.
 * It writes nothing to stdout and never writes to barber.out itself.
 *
 * Why main decides when the barber goes home: only main knows for sure that
 * every customer process has ended, i.e. that every customer's last line is
 * in the file. So `goes home` is always the last line.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static const char *usage =
    "usage: barber NC NCH TC TB\n"
    "  NC   number of customers, 1..1000\n"
    "  NCH  chairs in the waiting room, 1..1000\n"
    "  TC   max. microseconds between two customer arrivals, 0..1000000\n"
    "  TB   max. microseconds of a haircut, 0..1000000\n";

/*
 * Parse a whole argument as a decimal integer from min to max. Rejects an
 * empty string, leading spaces, trailing characters ("5x", "2.5"), and values
 * out of range, including those too large for a long (strtol sets ERANGE).
 */
static int parse_arg(const char *text, const char *name, long min, long max,
                     int *value)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(text, &end, 10);
    if (text[0] == '\0' || !(text[0] == '-' || text[0] == '+' ||
                             (text[0] >= '0' && text[0] <= '9'))
        || end == text || *end != '\0') {
        fprintf(stderr, "barber: %s must be an integer, not '%s'\n%s", name,
                text, usage);
        return -1;
    }
    if (errno == ERANGE || v < min || v > max) {
        fprintf(stderr, "barber: %s must be from %ld to %ld, not %s\n%s", name,
                min, max, text, usage);
        return -1;
    }
    *value = (int)v;
    return 0;
}

/* The thread bodies. */
struct customer_arg {
    struct shop *shop;
    int id;
};

static void *barber_thread(void *arg)
{
    barber_run(arg);
    return NULL;
}

static void *customer_thread(void *arg)
{
    struct customer_arg *c = arg;
    customer_run(c->shop, c->id);
    return NULL;
}

int main(int argc, char *argv[])
{
    int customers, chairs, max_arrival_us, max_haircut_us;

    if (argc != 5) {
        fprintf(stderr, "barber: expected 4 arguments, got %d\n%s", argc - 1,
                usage);
        return 1;
    }
    if (parse_arg(argv[1], "NC", MIN_CUSTOMERS, MAX_CUSTOMERS, &customers) ||
        parse_arg(argv[2], "NCH", MIN_CHAIRS, MAX_CHAIRS, &chairs) ||
        parse_arg(argv[3], "TC", 0, MAX_DELAY_US, &max_arrival_us) ||
        parse_arg(argv[4], "TB", 0, MAX_DELAY_US, &max_haircut_us))
        return 1;

    /* Threads share all memory: the shop can be an ordinary variable. */
    static struct shop the_shop;
    struct shop *shop = &the_shop;
    shop->chairs = chairs;
    shop->max_haircut_us = max_haircut_us;

    sem_t *sems[] = { &shop->mutex, &shop->barber_wake, &shop->next_customer,
                      &shop->customer_seated, &shop->haircut_done,
                      &shop->customer_gone };
    size_t nsems = sizeof sems / sizeof sems[0];
    for (size_t i = 0; i < nsems; i++) {
        if (sem_init(sems[i], 0, sems[i] == &shop->mutex ? 1 : 0) == -1) {
            perror("barber: sem_init");
            return 1;
        }
    }

    shop->log_fd = open(LOG_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    if (shop->log_fd == -1) {
        perror("barber: open " LOG_FILE);
        return 1;
    }

    int failed = 0, err;
    pthread_t barber;
    if ((err = pthread_create(&barber, NULL, barber_thread, shop)) != 0) {
        fprintf(stderr, "barber: pthread_create: %s\n", strerror(err));
        return 1;
    }

    srandom((unsigned)time(NULL) ^ (unsigned)getpid());
    pthread_t *threads = calloc((size_t)customers, sizeof *threads);
    struct customer_arg *args = calloc((size_t)customers, sizeof *args);
    int created = 0;
    if (threads == NULL || args == NULL) {
        perror("barber: calloc");
        failed = 1;
    }
    for (int id = 1; threads != NULL && args != NULL && id <= customers; id++) {
        sleep_random_us(max_arrival_us);
        args[created] = (struct customer_arg){ shop, id };
        if ((err = pthread_create(&threads[created], NULL, customer_thread,
                                  &args[created])) != 0) {
            fprintf(stderr, "barber: pthread_create: %s\n", strerror(err));
            failed = 1;
            break;
        }
        created++;
    }
    for (int i = 0; i < created; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    free(args);

    shop_lock(shop);
    shop->closing = true;
    shop_unlock(shop);
    post_sem(&shop->barber_wake, "sem_post(barber_wake)");
    pthread_join(barber, NULL);

    /* Cleanup: nobody uses the semaphores any more. */
    for (size_t i = 0; i < nsems; i++) {
        if (sem_destroy(sems[i]) == -1) {
            perror("barber: sem_destroy");
            failed = 1;
        }
    }
    if (close(shop->log_fd) == -1) {
        perror("barber: close " LOG_FILE);
        failed = 1;
    }
    return failed ? 1 : 0;
}
