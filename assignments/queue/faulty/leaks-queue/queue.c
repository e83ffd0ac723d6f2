/*
 * queue - the C version of the mp.Queue example.
 * The parent creates the message queue, the writer and the reader open it
 * by name.
 */
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char qname[64];

static void write_process(int n)
{
    mqd_t q = mq_open(qname, O_WRONLY);
    if (q == (mqd_t)-1) {
        perror("writer: mq_open");
        exit(1);
    }
    for (int i = 0; i < n; i++) {
        if (mq_send(q, (char *)&i, sizeof(i), 0) == -1) {
            perror("writer: mq_send");
            exit(1);
        }
    }
    mq_close(q);
}

static void read_process(int n)
{
    mqd_t q = mq_open(qname, O_RDONLY);
    if (q == (mqd_t)-1) {
        perror("reader: mq_open");
        exit(1);
    }
    for (int i = 0; i < n; i++) {
        int value;
        if (mq_receive(q, (char *)&value, sizeof(value), NULL) == -1) {
            perror("reader: mq_receive");
            exit(1);
        }
        printf("%d\n", value);
        fflush(stdout);
    }
    mq_close(q);
}

int main(int argc, char *argv[])
{
    int n = argc > 1 ? atoi(argv[1]) : 10;
    snprintf(qname, sizeof(qname), "/shared_q_%d", getpid());

    struct mq_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.mq_maxmsg = 10;
    attr.mq_msgsize = sizeof(int);
    mqd_t q = mq_open(qname, O_CREAT | O_RDWR, 0600, &attr);
    if (q == (mqd_t)-1) {
        perror("mq_open");
        return 1;
    }
    mq_close(q);   /* the children open it themselves */

    fflush(stdout);
    pid_t read_pid = fork();
    if (read_pid == 0) {
        read_process(n);
        exit(0);
    }
    pid_t write_pid = fork();
    if (write_pid == 0) {
        write_process(n);
        exit(0);
    }
    if (read_pid < 0 || write_pid < 0) {
        perror("fork");
        return 1;
    }

    waitpid(write_pid, NULL, 0);
    waitpid(read_pid, NULL, 0);
    return 0;
}
