// pipe-messages: write all messages into the pipe, then read them back.
// Simpler than forking, and the output is the same.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    char *defaults[] = {"Hello", "World"};
    char **msgs = defaults;
    int count = 2;
    if (argc > 1) {
        msgs = argv + 1;
        count = argc - 1;
    }

    int fd[2];
    if (pipe(fd) < 0) {
        perror("pipe");
        return 1;
    }

    // "sender"
    for (int i = 0; i < count; i++) {
        size_t len = strlen(msgs[i]);
        write(fd[1], &len, sizeof len);
        write(fd[1], msgs[i], len);
    }
    close(fd[1]);

    // "receiver"
    size_t len;
    while (read(fd[0], &len, sizeof len) == sizeof len) {
        char *buf = malloc(len + 1);
        size_t got = 0;
        while (got < len) {
            ssize_t n = read(fd[0], buf + got, len - got);
            if (n <= 0)
                break;
            got += n;
        }
        buf[got] = '\0';
        printf("Received: %s\n", buf);
        free(buf);
    }
    close(fd[0]);
    return 0;
}
