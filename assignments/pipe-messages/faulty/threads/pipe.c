/* pipe-messages with a sender thread and a receiver thread.
 * Threads are lighter than processes and share argv, so no copying. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct job {
    int fd;
    char **msgs;
    int count;
};

static void *sender(void *arg)
{
    struct job *j = arg;
    for (int i = 0; i < j->count; i++)
        dprintf(j->fd, "%s\n", j->msgs[i]);
    close(j->fd);
    return NULL;
}

static void *receiver(void *arg)
{
    struct job *j = arg;
    FILE *in = fdopen(j->fd, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, in)) != -1) {
        if (n > 0 && line[n - 1] == '\n')
            line[n - 1] = '\0';
        printf("Received: %s\n", line);
        fflush(stdout);
    }
    free(line);
    fclose(in);
    return NULL;
}

int main(int argc, char *argv[])
{
    char *defaults[] = {"Hello", "World"};
    int fd[2];
    if (pipe(fd) != 0) {
        perror("pipe");
        return 1;
    }

    struct job send_job = {fd[1], defaults, 2};
    if (argc > 1) {
        send_job.msgs = argv + 1;
        send_job.count = argc - 1;
    }
    struct job recv_job = {fd[0], NULL, 0};

    pthread_t t1, t2;
    if (pthread_create(&t1, NULL, sender, &send_job) != 0 ||
        pthread_create(&t2, NULL, receiver, &recv_job) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    return 0;
}
