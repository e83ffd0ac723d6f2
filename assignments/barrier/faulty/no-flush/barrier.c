#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct barrier {
    sem_t mutex, gate1, gate2;
    int count, n;
};

static void barrier_wait(struct barrier *b)
{
    sem_wait(&b->mutex);
    if (++b->count == b->n)
        for (int i = 0; i < b->n; i++)
            sem_post(&b->gate1);
    sem_post(&b->mutex);
    sem_wait(&b->gate1);

    sem_wait(&b->mutex);
    if (--b->count == 0)
        for (int i = 0; i < b->n; i++)
            sem_post(&b->gate2);
    sem_post(&b->mutex);
    sem_wait(&b->gate2);
}

int main(int argc, char *argv[])
{
    int P = argc > 1 ? atoi(argv[1]) : 4;
    int R = argc > 2 ? atoi(argv[2]) : 3;

    struct barrier *b = mmap(NULL, sizeof *b, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (b == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    b->count = 0;
    b->n = P;
    sem_init(&b->mutex, 1, 1);
    sem_init(&b->gate1, 1, 0);
    sem_init(&b->gate2, 1, 0);

    for (int i = 0; i < P; i++) {
        pid_t pid = fork();
        if (pid == -1) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            for (int r = 1; r <= R; r++) {
                printf("process %d: round %d\n", i, r);   /* \n flushes the line */
                barrier_wait(b);
            }
            exit(0);
        }
    }
    for (int i = 0; i < P; i++)
        wait(NULL);
    printf("done\n");

    sem_destroy(&b->mutex);
    sem_destroy(&b->gate1);
    sem_destroy(&b->gate2);
    munmap(b, sizeof *b);
    return 0;
}
