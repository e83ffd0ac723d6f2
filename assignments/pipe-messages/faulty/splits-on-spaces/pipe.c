// Sender writes the messages separated by newlines, receiver reads them
// back with fscanf.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

int main(int argc, char *argv[])
{
    int pipefd[2];
    if (pipe(pipefd) == -1) {
        perror("pipe");
        exit(EXIT_FAILURE);
    }

    fflush(stdout);
    pid_t sender = fork();
    if (sender == -1) {
        perror("fork");
        exit(EXIT_FAILURE);
    }
    if (sender == 0) {
        close(pipefd[0]);
        FILE *out = fdopen(pipefd[1], "w");
        if (argc == 1) {
            fprintf(out, "Hello\n");
            fprintf(out, "World\n");
        }
        for (int i = 1; i < argc; i++)
            fprintf(out, "%s\n", argv[i]);
        fclose(out);
        exit(EXIT_SUCCESS);
    }

    pid_t receiver = fork();
    if (receiver == -1) {
        perror("fork");
        exit(EXIT_FAILURE);
    }
    if (receiver == 0) {
        close(pipefd[1]);
        FILE *in = fdopen(pipefd[0], "r");
        char message[256];
        while (fscanf(in, "%255s", message) == 1) {
            printf("Received: %s\n", message);
            fflush(stdout);
        }
        fclose(in);
        exit(EXIT_SUCCESS);
    }

    close(pipefd[0]);
    close(pipefd[1]);
    wait(NULL);
    wait(NULL);
    return 0;
}
