// Writer and reader processes connected by a POSIX message queue.
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    int n = (argc > 1) ? atoi(argv[1]) : 10;

    char name[40];
    snprintf(name, sizeof name, "/q%d", (int)getpid());
    struct mq_attr attr = {0};
    attr.mq_maxmsg = 10;
    attr.mq_msgsize = sizeof(int);

    mqd_t q = mq_open(name, O_CREAT | O_RDWR, 0600, &attr);
    if (q == (mqd_t)-1) {
        perror("mq_open");
        return 1;
    }

    fflush(stdout);
    if (fork() == 0) {             // writer
        for (int i = 0; i < n; i++)
            mq_send(q, (char *)&i, sizeof i, 0);
        mq_close(q);
        exit(0);
    }
    if (fork() == 0) {             // reader
        for (int i = 0; i < n; i++) {
            int x;
            mq_receive(q, (char *)&x, sizeof x, NULL);
            printf("%d\n", x);
            fflush(stdout);
        }
        mq_close(q);
        exit(0);
    }

    // both children have the queue open, so the name can go now
    mq_close(q);
    mq_unlink(name);
    return 0;
}
