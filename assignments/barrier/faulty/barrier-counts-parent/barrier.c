/* processes synchronised with a process-shared pthread barrier */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_barrier_t *barrier;

static void worker(int id, int rounds)
{
    for (int r = 1; r <= rounds; r++) {
        printf("process %d: round %d\n", id, r);
        fflush(stdout);
        pthread_barrier_wait(barrier);
    }
}

int main(int argc, char *argv[])
{
    int procs = 4;
    int rounds = 3;
    if (argc > 1) procs = atoi(argv[1]);
    if (argc > 2) rounds = atoi(argv[2]);

    barrier = mmap(NULL, sizeof(pthread_barrier_t), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (barrier == MAP_FAILED) {
        perror("mmap");
        return 1;
    }

    pthread_barrierattr_t attr;
    pthread_barrierattr_init(&attr);
    pthread_barrierattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    /* all the children + the main process */
    if (pthread_barrier_init(barrier, &attr, procs + 1) != 0) {
        fprintf(stderr, "pthread_barrier_init failed\n");
        return 1;
    }
    pthread_barrierattr_destroy(&attr);

    for (int i = 0; i < procs; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == -1) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            worker(i, rounds);
            _exit(0);
        }
    }

    for (int i = 0; i < procs; i++)
        wait(NULL);
    printf("done\n");
    fflush(stdout);

    pthread_barrier_destroy(barrier);
    munmap(barrier, sizeof(pthread_barrier_t));
    return 0;
}
