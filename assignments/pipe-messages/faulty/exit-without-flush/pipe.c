/* Sender and receiver connected by a pipe.
 * Framing: every message is written with its '\0' terminator, so the
 * receiver collects bytes until it sees '\0'.
 * The children end with _exit() so that they never run the parent's code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

int main(int argc, char *argv[])
{
    char *defaults[] = {"Hello", "World", NULL};
    char **msgs = (argc > 1) ? &argv[1] : defaults;

    int fd[2];
    if (pipe(fd) < 0) {
        perror("pipe");
        return 1;
    }

    fflush(stdout);
    pid_t sender = fork();
    if (sender < 0) {
        perror("fork");
        return 1;
    }
    if (sender == 0) {
        close(fd[0]);
        for (int i = 0; msgs[i] != NULL; i++)
            write(fd[1], msgs[i], strlen(msgs[i]) + 1);   /* include the '\0' */
        close(fd[1]);
        _exit(0);
    }

    pid_t receiver = fork();
    if (receiver < 0) {
        perror("fork");
        return 1;
    }
    if (receiver == 0) {
        close(fd[1]);
        size_t cap = 64, len = 0;
        char *msg = malloc(cap);
        char c;
        while (read(fd[0], &c, 1) == 1) {
            if (len + 1 >= cap) {
                cap *= 2;
                msg = realloc(msg, cap);
            }
            msg[len++] = c;
            if (c == '\0') {
                printf("Received: %s\n", msg);
                len = 0;
            }
        }
        free(msg);
        close(fd[0]);
        _exit(0);
    }

    close(fd[0]);
    close(fd[1]);
    waitpid(sender, NULL, 0);
    waitpid(receiver, NULL, 0);
    return 0;
}
