/*
 * pipe-messages
 *  - sender: writes "<message>\n" for every message
 *  - receiver: reads lines with fgets and prints them
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#define LINE_MAX_LEN 1024

static void do_sender(int fd, int argc, char *argv[])
{
    FILE *out = fdopen(fd, "w");
    if (!out) {
        perror("fdopen");
        exit(1);
    }
    if (argc < 2) {
        fputs("Hello\nWorld\n", out);
    } else {
        for (int i = 1; i < argc; i++)
            fprintf(out, "%s\n", argv[i]);
    }
    fclose(out);
}

static void do_receiver(int fd)
{
    FILE *in = fdopen(fd, "r");
    if (!in) {
        perror("fdopen");
        exit(1);
    }
    char line[LINE_MAX_LEN];
    while (fgets(line, sizeof line, in) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        printf("Received: %s\n", line);
        fflush(stdout);
    }
    fclose(in);
}

int main(int argc, char *argv[])
{
    int fd[2];
    if (pipe(fd) < 0) {
        perror("pipe");
        return 1;
    }

    fflush(stdout);
    pid_t pid_send = fork();
    if (pid_send < 0) {
        perror("fork");
        return 1;
    }
    if (pid_send == 0) {
        close(fd[0]);
        do_sender(fd[1], argc, argv);
        exit(0);
    }

    fflush(stdout);
    pid_t pid_recv = fork();
    if (pid_recv < 0) {
        perror("fork");
        return 1;
    }
    if (pid_recv == 0) {
        close(fd[1]);
        do_receiver(fd[0]);
        exit(0);
    }

    close(fd[0]);
    close(fd[1]);

    int status;
    waitpid(pid_send, &status, 0);
    waitpid(pid_recv, &status, 0);
    return 0;
}
