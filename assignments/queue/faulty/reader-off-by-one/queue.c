/* queue.c - writer and reader processes with a POSIX message queue */
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define QUEUE_NAME_FMT "/queue_%d"

int main(int argc, char *argv[])
{
    int count = 10;
    if (argc > 1)
        count = atoi(argv[1]);

    char name[32];
    sprintf(name, QUEUE_NAME_FMT, getpid());

    struct mq_attr attr;
    attr.mq_flags = 0;
    attr.mq_maxmsg = 10;
    attr.mq_msgsize = sizeof(int);
    attr.mq_curmsgs = 0;

    mqd_t mq = mq_open(name, O_CREAT | O_RDWR, 0644, &attr);
    if (mq == (mqd_t)-1) {
        perror("mq_open");
        exit(1);
    }

    fflush(stdout);
    pid_t writer = fork();
    if (writer == -1) {
        perror("fork");
        exit(1);
    }
    if (writer == 0) {
        for (int i = 0; i < count; i++) {
            if (mq_send(mq, (char *)&i, sizeof(int), 0) == -1) {
                perror("mq_send");
                exit(1);
            }
        }
        mq_close(mq);
        exit(0);
    }

    pid_t reader = fork();
    if (reader == -1) {
        perror("fork");
        exit(1);
    }
    if (reader == 0) {
        int value;
        for (int i = 1; i < count; i++) {
            if (mq_receive(mq, (char *)&value, sizeof(int), NULL) == -1) {
                perror("mq_receive");
                exit(1);
            }
            printf("%d\n", value);
            fflush(stdout);
        }
        mq_close(mq);
        exit(0);
    }

    waitpid(writer, NULL, 0);
    waitpid(reader, NULL, 0);
    mq_close(mq);
    mq_unlink(name);
    return 0;
}
