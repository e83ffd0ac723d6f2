/* Pipe assignment: sender and receiver processes.
 * Messages are sent as: length (int) then the characters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>

int main(int argc, char *argv[])
{
    char *default_msgs[] = {"Hello", "World"};
    char **messages;
    int count;

    /* no messages given -> use the defaults from the example */
    if (strlen(argv[1]) == 0 || argc < 2) {
        messages = default_msgs;
        count = 2;
    } else {
        messages = argv + 1;
        count = argc - 1;
    }

    int fds[2];
    if (pipe(fds) < 0) {
        perror("pipe");
        exit(1);
    }

    fflush(stdout);
    pid_t sender = fork();
    if (sender < 0) {
        perror("fork");
        exit(1);
    }
    if (sender == 0) {
        close(fds[0]);
        for (int i = 0; i < count; i++) {
            int len = strlen(messages[i]);
            write(fds[1], &len, sizeof(len));
            write(fds[1], messages[i], len);
        }
        close(fds[1]);
        exit(0);
    }

    pid_t receiver = fork();
    if (receiver < 0) {
        perror("fork");
        exit(1);
    }
    if (receiver == 0) {
        close(fds[1]);
        int len;
        while (read(fds[0], &len, sizeof(len)) == sizeof(len)) {
            char *buf = malloc(len + 1);
            int got = 0;
            while (got < len) {
                int n = read(fds[0], buf + got, len - got);
                if (n <= 0)
                    break;
                got += n;
            }
            buf[got] = '\0';
            printf("Received: %s\n", buf);
            fflush(stdout);
            free(buf);
        }
        close(fds[0]);
        exit(0);
    }

    close(fds[0]);
    close(fds[1]);
    waitpid(sender, NULL, 0);
    waitpid(receiver, NULL, 0);
    return 0;
}
