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
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
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

/* Wait for one child; return 0 when it exited with status 0. */
static int wait_child(pid_t pid, const char *who)
{
    int status;

    while (waitpid(pid, &status, 0) == -1) {
        if (errno != EINTR) {
            fprintf(stderr, "barber: waitpid(%s): %s\n", who, strerror(errno));
            return -1;
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFSIGNALED(status))
        fprintf(stderr, "barber: %s was killed by signal %d\n", who,
                WTERMSIG(status));
    else
        fprintf(stderr, "barber: %s exited with status %d\n", who,
                WEXITSTATUS(status));
    return -1;
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

    /* The shared state: one anonymous shared mapping, zero-filled. */
    struct shop *shop = mmap(NULL, sizeof *shop, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shop == MAP_FAILED) {
        perror("barber: mmap");
        return 1;
    }
    shop->chairs = chairs;
    shop->max_haircut_us = max_haircut_us;

    /* pshared = 1: the semaphores are used by several processes. */
    sem_t *sems[] = { &shop->mutex, &shop->barber_wake, &shop->next_customer,
                      &shop->customer_seated, &shop->haircut_done,
                      &shop->customer_gone };
    size_t nsems = sizeof sems / sizeof sems[0];
    for (size_t i = 0; i < nsems; i++) {
        if (sem_init(sems[i], 1, sems[i] == &shop->mutex ? 1 : 0) == -1) {
            perror("barber: sem_init");
            return 1;   /* the mapping disappears with the process */
        }
    }

    /* O_APPEND: every write() goes to the current end of the file, even if
       two processes shared the offset badly. O_TRUNC: a fresh log each run. */
    shop->log_fd = open(LOG_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    if (shop->log_fd == -1) {
        perror("barber: open " LOG_FILE);
        return 1;
    }

    int failed = 0;

    /* Nothing is buffered in stdout (main prints nothing there), but flush
       anyway so that no child could ever print a copy of it. */
    fflush(NULL);

    pid_t barber = fork();
    if (barber == -1) {
        perror("barber: fork (barber)");
        return 1;
    }
    if (barber == 0)
        barber_run(shop);           /* never returns */

    /* The customers. If a fork fails, stop creating customers, but serve
       the ones already in the shop and close properly. */
    srandom((unsigned)time(NULL) ^ (unsigned)getpid());
    pid_t *pids = calloc((size_t)customers, sizeof *pids);
    int created = 0;
    if (pids == NULL) {
        perror("barber: calloc");
        failed = 1;
    }
    for (int id = 1; pids != NULL && id <= customers; id++) {
        sleep_random_us(max_arrival_us);
        pid_t pid = fork();
        if (pid == -1) {
            perror("barber: fork (customer)");
            failed = 1;
            break;
        }
        if (pid == 0)
            customer_run(shop, id); /* never returns */
        pids[created++] = pid;
    }

    for (int i = 0; i < created; i++) {
        char who[32];
        snprintf(who, sizeof who, "customer %d", i + 1);
        if (wait_child(pids[i], who) != 0)
            failed = 1;
    }
    free(pids);

    /* Every customer has left: closing time. */
    shop_lock(shop);
    shop->closing = true;
    shop_unlock(shop);
    post_sem(&shop->barber_wake, "sem_post(barber_wake)");
    if (wait_child(barber, "the barber") != 0)
        failed = 1;

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
    if (munmap(shop, sizeof *shop) == -1) {
        perror("barber: munmap");
        failed = 1;
    }
    return failed ? 1 : 0;
}
