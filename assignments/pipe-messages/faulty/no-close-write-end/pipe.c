#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

// send one message per argument, each ends with '\n'
static void send_messages(int wfd, int n, char **msgs)
{
    for (int i = 0; i < n; i++) {
        dprintf(wfd, "%s\n", msgs[i]);
    }
}

static void receive_messages(int rfd)
{
    FILE *f = fdopen(rfd, "r");
    if (f == NULL) {
        perror("fdopen");
        exit(1);
    }
    char *line = NULL;
    size_t size = 0;
    ssize_t len;
    while ((len = getline(&line, &size, f)) > 0) {
        line[strcspn(line, "\n")] = '\0';
        printf("Received: %s\n", line);
        fflush(stdout);
    }
    free(line);
    fclose(f);
}

int main(int argc, char **argv)
{
    char *hello_world[] = {"Hello", "World"};
    int n = argc - 1;
    char **msgs = argv + 1;
    if (n == 0) {
        n = 2;
        msgs = hello_world;
    }

    int p[2];
    if (pipe(p) < 0) {
        perror("pipe");
        return 1;
    }

    fflush(stdout);
    pid_t s = fork();
    if (s < 0) {
        perror("fork");
        return 1;
    }
    if (s == 0) {
        close(p[0]);
        send_messages(p[1], n, msgs);
        close(p[1]);
        exit(0);
    }

    fflush(stdout);
    pid_t r = fork();
    if (r < 0) {
        perror("fork");
        return 1;
    }
    if (r == 0) {
        close(p[1]);
        receive_messages(p[0]);
        exit(0);
    }

    // parent doesn't read, close the read end
    close(p[0]);

    waitpid(s, NULL, 0);
    waitpid(r, NULL, 0);
    return 0;
}
