/* queue: a writer process and a reader process share a POSIX message
 * queue. The parent creates it; the children inherit the descriptor. */
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    int n = 10;
    if (argc > 1)
        n = atoi(argv[1]);

    char name[32];
    snprintf(name, sizeof(name), "/mq-%d", (int)getpid());
    mqd_t mq = mq_open(name, O_CREAT | O_RDWR, 0600, NULL);   /* default attributes */
    if (mq == (mqd_t)-1) {
        perror("mq_open");
        return 1;
    }

    fflush(stdout);
    pid_t writer = fork();
    if (writer < 0) {
        perror("fork");
        return 1;
    }
    if (writer == 0) {
        for (int i = 0; i < n; i++) {
            if (mq_send(mq, (const char *)&i, sizeof(i), 0) < 0) {
                perror("mq_send");
                exit(1);
            }
        }
        mq_close(mq);
        exit(0);
    }

    pid_t reader = fork();
    if (reader < 0) {
        perror("fork");
        return 1;
    }
    if (reader == 0) {
        for (int i = 0; i < n; i++) {
            int value;
            if (mq_receive(mq, (char *)&value, sizeof(value), NULL) < 0) {
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
