/*
 * queue — starter.
 *
 * usage: queue [N]      (default: N = 10)
 *
 * Read the handout (README.md) first. In short: a writer child process
 * puts the numbers 0..N-1 on a queue; a reader child process takes them
 * off and prints each on its own line, in order; the parent waits for
 * both. The queue is a POSIX message queue (mq_open, mq_send, mq_receive),
 * a System V message queue, or a buffer in shared memory guarded by
 * semaphores. Not a pipe.
 *
 * This file compiles and runs but does nothing useful yet. Replace the
 * TODOs. Check yourself with:   ipcgrade check queue .
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* The writer child: put 0..n-1 on the queue, in order.
 * TODO: send each number; check the return value (and retry on EINTR). */
static int run_writer(mqd_t q, int n)
{
    (void)q;
    (void)n;
    return 0;
}

/* The reader child: take n numbers off the queue and print each on its own
 * line.
 * TODO: the receive buffer must be at least mq_msgsize bytes long.
 * TODO: fflush(stdout) after each line. */
static int run_reader(mqd_t q, int n)
{
    (void)q;
    (void)n;
    return 0;
}

int main(int argc, char *argv[])
{
    int n = 10;

    /* TODO: read N from argv[1] when it is given. */
    (void)argc;
    (void)argv;

    /* TODO: create the queue before forking, with a name unique to this
     *       run (for example containing getpid()), and with
     *       attr.mq_maxmsg <= 10 (the limit for ordinary users) and
     *       attr.mq_msgsize = sizeof(int). */

    /* TODO: fflush(stdout), fork the writer: it calls run_writer and exits
     *       with its result. Then the same for the reader. */

    /* TODO: wait for both children. */

    /* TODO: close the queue and mq_unlink its name (or unlink it earlier,
     *       as soon as every process has it open). */

    (void)run_writer;
    (void)run_reader;
    (void)n;
    return 0;
}
