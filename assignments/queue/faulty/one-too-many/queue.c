// queue: the writer puts the numbers on a message queue, the reader prints them
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void writer(mqd_t q, int max)
{
    for (int i = 0; i <= max; i++) {
        if (mq_send(q, (const char *)&i, sizeof i, 0) < 0) {
            perror("mq_send");
            exit(1);
        }
    }
}

static void reader(mqd_t q, int max)
{
    for (int i = 0; i <= max; i++) {
        int number;
        if (mq_receive(q, (char *)&number, sizeof number, NULL) < 0) {
            perror("mq_receive");
            exit(1);
        }
        printf("%d\n", number);
        fflush(stdout);
    }
}

int main(int argc, char *argv[])
{
    int max_count = 10;
    if (argc >= 2)
        max_count = atoi(argv[1]);

    char qname[64];
    snprintf(qname, sizeof qname, "/numbers-%d", (int)getpid());
    struct mq_attr attr = {.mq_maxmsg = 10, .mq_msgsize = sizeof(int)};
    mqd_t q = mq_open(qname, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
    if (q == (mqd_t)-1) {
        perror("mq_open");
        return 1;
    }

    pid_t pids[2];
    for (int p = 0; p < 2; p++) {
        fflush(stdout);
        pids[p] = fork();
        if (pids[p] < 0) {
            perror("fork");
            return 1;
        }
        if (pids[p] == 0) {
            if (p == 0)
                writer(q, max_count);
            else
                reader(q, max_count);
            mq_close(q);
            exit(0);
        }
    }

    for (int p = 0; p < 2; p++)
        waitpid(pids[p], NULL, 0);
    mq_close(q);
    mq_unlink(qname);
    return 0;
}
