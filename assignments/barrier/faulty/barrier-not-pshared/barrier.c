#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    int n = argc > 1 ? atoi(argv[1]) : 4;
    int rounds = argc > 2 ? atoi(argv[2]) : 3;

    /* put the barrier in shared memory so that all processes use the same one */
    pthread_barrier_t *b = mmap(NULL, sizeof(*b), PROT_READ | PROT_WRITE,
                                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (b == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    if (pthread_barrier_init(b, NULL, n) != 0) {
        fprintf(stderr, "pthread_barrier_init failed\n");
        return 1;
    }

    for (int id = 0; id < n; id++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            for (int r = 1; r <= rounds; r++) {
                printf("process %d: round %d\n", id, r);
                fflush(stdout);
                pthread_barrier_wait(b);
            }
            _exit(0);
        }
    }
    for (int id = 0; id < n; id++)
        waitpid(-1, NULL, 0);

    printf("done\n");
    fflush(stdout);
    pthread_barrier_destroy(b);
    munmap(b, sizeof(*b));
    return 0;
}
