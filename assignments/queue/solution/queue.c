/*
 * queue — reference solution.
 *
 * usage: queue [N]      (default: N = 10)
 *
 * A writer process puts the numbers 0..N-1 on a POSIX message queue; a
 * reader process takes them off and prints each on its own line; the
 * parent waits for both. It is the C version of the course's mp.Queue
 * example.
 *
 * Design decisions (and why):
 *  - The parent creates the queue BEFORE forking. Both children inherit
 *    the open queue descriptor, so neither has to open it by name and there
 *    is no race in which the reader opens a queue the writer has not
 *    created yet.
 *  - The parent unlinks the name right after creating the queue. The queue
 *    itself lives on as long as a process has it open; only the name is
 *    gone. Nothing can be left behind in /dev/mqueue, even if a process
 *    crashes later.
 *  - mq_maxmsg = 10 and mq_msgsize = sizeof(int): an unprivileged process
 *    may not ask for more than /proc/sys/fs/mqueue/msg_max (10 by default)
 *    messages per queue. A full queue simply blocks the writer until the
 *    reader catches up, so 10 slots are enough for any N.
 *  - The reader knows N (it is a command-line argument), so it receives
 *    exactly N messages: no end marker is needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define QUEUE_SLOTS 10                  /* <= msg_max for unprivileged users */

static int run_writer(mqd_t q, int n)
{
    for (int i = 0; i < n; i++) {
        /* Blocks while the queue is full. Retry if a signal interrupts. */
        while (mq_send(q, (const char *)&i, sizeof i, 0) < 0) {
            if (errno != EINTR) {
                perror("writer: mq_send");
                return 1;
            }
        }
    }
    if (mq_close(q) < 0) {
        perror("writer: mq_close");
        return 1;
    }
    return 0;
}

static int run_reader(mqd_t q, int n)
{
    for (int i = 0; i < n; i++) {
        int value;
        ssize_t len;
        /* The buffer must be at least mq_msgsize bytes (EMSGSIZE
         * otherwise); the queue was created with mq_msgsize = sizeof(int). */
        while ((len = mq_receive(q, (char *)&value, sizeof value, NULL)) < 0) {
            if (errno != EINTR) {
                perror("reader: mq_receive");
                return 1;
            }
        }
        if (len != (ssize_t)sizeof value) {
            fprintf(stderr, "reader: message of %zd bytes\n", len);
            return 1;
        }
        printf("%d\n", value);
        /* stdout is fully buffered when it is a pipe (as under the
         * grader): flush each line so that it leaves this process now. */
        if (fflush(stdout) == EOF) {
            perror("reader: stdout");
            return 1;
        }
    }
    if (mq_close(q) < 0) {
        perror("reader: mq_close");
        return 1;
    }
    return 0;
}

/* Fork a child that runs role(q, n) and exits with its result. */
static pid_t spawn(int (*role)(mqd_t, int), mqd_t q, int n)
{
    fflush(stdout);                     /* nothing may be duplicated by fork */
    pid_t pid = fork();
    if (pid == 0)
        exit(role(q, n));               /* the child never returns */
    if (pid < 0)
        perror("fork");
    return pid;
}

static int wait_child(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            perror("waitpid");
            return -1;
        }
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char *argv[])
{
    int n = 10;
    if (argc > 2) {
        fprintf(stderr, "usage: queue [N]\n");
        return 1;
    }
    if (argc == 2) {
        char *end;
        errno = 0;
        long v = strtol(argv[1], &end, 10);
        if (errno != 0 || end == argv[1] || *end != '\0' || v < 0 || v > 100000000) {
            fprintf(stderr, "invalid N '%s'\nusage: queue [N]\n", argv[1]);
            return 1;
        }
        n = (int)v;
    }

    /* A name unique to this run, so that two runs at the same time do not
     * share a queue. */
    char name[64];
    snprintf(name, sizeof name, "/ipcgrade-queue-%ld", (long)getpid());

    struct mq_attr attr = {0};
    attr.mq_maxmsg = QUEUE_SLOTS;
    attr.mq_msgsize = sizeof(int);
    mqd_t q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
    if (q == (mqd_t)-1) {
        perror("mq_open");
        return 1;
    }
    /* Remove the name now (see the top of the file): the open descriptor,
     * inherited by both children, keeps the queue alive. */
    if (mq_unlink(name) < 0) {
        perror("mq_unlink");
        mq_close(q);
        return 1;
    }

    /* The order does not matter: a reader that starts first blocks in
     * mq_receive until the writer sends something. */
    pid_t writer = spawn(run_writer, q, n);
    if (writer < 0) {
        mq_close(q);
        return 1;
    }
    pid_t reader = spawn(run_reader, q, n);
    if (reader < 0) {
        /* Without a reader the writer would block forever on a full queue. */
        kill(writer, SIGTERM);
        wait_child(writer);
        mq_close(q);
        return 1;
    }

    /* The parent does not use the queue itself. */
    mq_close(q);

    int ok = wait_child(writer) == 0;
    ok = (wait_child(reader) == 0) && ok;
    return ok ? 0 : 1;
}
