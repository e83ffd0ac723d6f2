#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    sem_t mutex;
    long count;
} shared_t;

int main(int argc, char **argv)
{
    int P = 4;
    int M = 10000;
    if (argc >= 2) P = atoi(argv[1]);
    if (argc >= 3) M = atoi(argv[2]);

    shared_t *shared = mmap(NULL, sizeof(shared_t), PROT_READ | PROT_WRITE,
                            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    shared->count = 0;
    if (sem_init(&shared->mutex, 1, 1) != 0) {
        perror("sem_init");
        return 1;
    }

    for (int i = 0; i < P; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            for (int j = 0; j < M; j++) {
                sem_wait(&shared->mutex);
                shared->count++;
            }
            /* done with the counter, let the others in */
            sem_post(&shared->mutex);
            _exit(0);
        }
    }

    for (int i = 0; i < P; i++)
        waitpid(-1, NULL, 0);

    printf("All work completed: %ld\n", shared->count);
    sem_destroy(&shared->mutex);
    munmap(shared, sizeof(shared_t));
    return 0;
}
