/*
 * Barrier between processes: pthread barrier with the PROCESS_SHARED
 * attribute.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

pthread_barrier_t barrier;

int main(int argc, char *argv[])
{
    int P = 4, R = 3;
    if (argc > 1) P = atoi(argv[1]);
    if (argc > 2) R = atoi(argv[2]);

    pthread_barrierattr_t attr;
    pthread_barrierattr_init(&attr);
    pthread_barrierattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_barrier_init(&barrier, &attr, P);

    for (int i = 0; i < P; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            for (int r = 1; r <= R; r++) {
                printf("process %d: round %d\n", i, r);
                fflush(stdout);
                pthread_barrier_wait(&barrier);
            }
            exit(0);
        } else if (pid < 0) {
            perror("fork");
            exit(1);
        }
    }
    for (int i = 0; i < P; i++)
        wait(NULL);
    printf("done\n");

    pthread_barrier_destroy(&barrier);
    pthread_barrierattr_destroy(&attr);
    return 0;
}
