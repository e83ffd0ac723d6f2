#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    int p = 4, r = 3;
    if (argc > 1) p = atoi(argv[1]);
    if (argc > 2) r = atoi(argv[2]);

    /* the barrier must be in shared memory and marked process-shared */
    pthread_barrier_t *bar = mmap(NULL, sizeof(pthread_barrier_t),
                                  PROT_READ | PROT_WRITE,
                                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (bar == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    pthread_barrierattr_t attr;
    pthread_barrierattr_init(&attr);
    pthread_barrierattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    if (pthread_barrier_init(bar, &attr, p) != 0) {
        fprintf(stderr, "pthread_barrier_init failed\n");
        return 1;
    }
    pthread_barrierattr_destroy(&attr);

    for (int i = 0; i < p; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            for (int round = 1; round <= r; round++) {
                printf("process %d: round %d\n", i, round);
                fflush(stdout);
                pthread_barrier_wait(bar);
            }
            _exit(0);
        }
    }

    printf("done\n");
    fflush(stdout);

    for (int i = 0; i < p; i++)
        wait(NULL);
    pthread_barrier_destroy(bar);
    munmap(bar, sizeof(pthread_barrier_t));
    return 0;
}
