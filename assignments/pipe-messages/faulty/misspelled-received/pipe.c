// pipe-messages
// sender writes each message followed by a newline, receiver reads lines
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

void sender(int fd, char **msgs, int n)
{
    for (int i = 0; i < n; i++) {
        write(fd, msgs[i], strlen(msgs[i]));
        write(fd, "\n", 1);
    }
    close(fd);
}

void receiver(int fd)
{
    FILE *in = fdopen(fd, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, in)) != -1) {
        if (len > 0 && line[len - 1] == '\n')
            line[len - 1] = '\0';
        printf("Recieved: %s\n", line);
        fflush(stdout);
    }
    free(line);
    fclose(in);
}

int main(int argc, char *argv[])
{
    char *defaults[] = {"Hello", "World"};
    char **msgs = defaults;
    int n = 2;
    if (argc > 1) {
        msgs = &argv[1];
        n = argc - 1;
    }

    int fd[2];
    if (pipe(fd) == -1) {
        perror("pipe");
        return 1;
    }

    fflush(stdout);
    pid_t p1 = fork();
    if (p1 == 0) {
        close(fd[0]);
        sender(fd[1], msgs, n);
        exit(0);
    }
    pid_t p2 = fork();
    if (p2 == 0) {
        close(fd[1]);
        receiver(fd[0]);
        exit(0);
    }

    close(fd[0]);
    close(fd[1]);
    waitpid(p1, NULL, 0);
    waitpid(p2, NULL, 0);
    return 0;
}
