// queue: writer sends 0..N-1, reader prints them.
// A pipe is already a FIFO queue, so I use one instead of mq_*.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

int main(int argc, char *argv[])
{
    int n = 10;
    if (argc > 1)
        n = atoi(argv[1]);

    int q[2];
    if (pipe(q) < 0) {
        perror("pipe");
        return 1;
    }

    fflush(stdout);
    pid_t writer = fork();
    if (writer < 0) {
        perror("fork");
        return 1;
    }
    if (writer == 0) {
        close(q[0]);
        for (int i = 0; i < n; i++) {
            if (write(q[1], &i, sizeof i) != sizeof i) {
                perror("write");
                exit(1);
            }
        }
        close(q[1]);
        exit(0);
    }

    pid_t reader = fork();
    if (reader < 0) {
        perror("fork");
        return 1;
    }
    if (reader == 0) {
        close(q[1]);
        int value;
        while (read(q[0], &value, sizeof value) == sizeof value) {
            printf("%d\n", value);
            fflush(stdout);
        }
        close(q[0]);
        exit(0);
    }

    close(q[0]);
    close(q[1]);
    waitpid(writer, NULL, 0);
    waitpid(reader, NULL, 0);
    return 0;
}
