#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static sem_t mutex;     /* the lock for the counter */

int main(int argc, char *argv[])
{
    int procs = 4;
    long times = 10000;
    if (argc > 1) procs = atoi(argv[1]);
    if (argc > 2) times = atol(argv[2]);

    long *counter = mmap(NULL, sizeof *counter, PROT_READ | PROT_WRITE,
                         MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (counter == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    *counter = 0;

    /* second argument 1 = shared between processes */
    if (sem_init(&mutex, 1, 1) == -1) {
        perror("sem_init");
        return 1;
    }

    for (int i = 0; i < procs; i++) {
        pid_t pid = fork();
        if (pid == -1) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            for (long j = 0; j < times; j++) {
                sem_wait(&mutex);
                (*counter)++;
                sem_post(&mutex);
            }
            _exit(0);
        }
    }
    for (int i = 0; i < procs; i++)
        wait(NULL);

    printf("All work completed: %ld\n", *counter);
    sem_destroy(&mutex);
    munmap(counter, sizeof *counter);
    return 0;
}
