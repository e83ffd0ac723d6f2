/* shared-counter with a named semaphore as the lock */
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define SEM_NAME "/counter_lock"

int main(int argc, char *argv[])
{
    int nprocs = argc > 1 ? atoi(argv[1]) : 4;
    int times = argc > 2 ? atoi(argv[2]) : 10000;

    int *counter = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (counter == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    *counter = 0;

    sem_t *lock = sem_open(SEM_NAME, O_CREAT, 0600, 1);
    if (lock == SEM_FAILED) {
        perror("sem_open");
        exit(1);
    }

    for (int i = 0; i < nprocs; i++) {
        pid_t pid = fork();
        if (pid == -1) {
            perror("fork");
            exit(1);
        }
        if (pid == 0) {
            for (int j = 0; j < times; j++) {
                sem_post(lock);     /* signal that we use the counter */
                *counter = *counter + 1;
                sem_wait(lock);     /* wait until we may go on */
            }
            sem_close(lock);
            exit(0);
        }
    }

    for (int i = 0; i < nprocs; i++)
        wait(NULL);

    printf("All work completed: %d\n", *counter);

    sem_close(lock);
    sem_unlink(SEM_NAME);
    munmap(counter, sizeof(int));
    return 0;
}
