/* barrier with semaphores: a counter, a mutex and a turnstile */
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    sem_t mutex;
    sem_t turnstile;
    int count;
    int n;
} barrier_t;

void barrier_wait(barrier_t *b)
{
    sem_wait(&b->mutex);
    b->count++;
    if (b->count == b->n) {
        /* everybody is here: let all n processes through */
        for (int i = 0; i < b->n; i++)
            sem_post(&b->turnstile);
    }
    sem_post(&b->mutex);
    sem_wait(&b->turnstile);
}

int main(int argc, char *argv[])
{
    int P = argc > 1 ? atoi(argv[1]) : 4;
    int R = argc > 2 ? atoi(argv[2]) : 3;

    barrier_t *b = mmap(NULL, sizeof(barrier_t), PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (b == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    b->count = 0;
    b->n = P;
    sem_init(&b->mutex, 1, 1);
    sem_init(&b->turnstile, 1, 0);

    for (int i = 0; i < P; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            for (int r = 1; r <= R; r++) {
                printf("process %d: round %d\n", i, r);
                fflush(stdout);
                barrier_wait(b);
            }
            _exit(0);
        }
    }
    for (int i = 0; i < P; i++)
        wait(NULL);

    printf("done\n");
    fflush(stdout);
    sem_destroy(&b->mutex);
    sem_destroy(&b->turnstile);
    munmap(b, sizeof(barrier_t));
    return 0;
}
