/*
 * shared-counter: counter in POSIX shared memory, named semaphore as lock.
 */
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SHM_NAME "/counter_shm"
#define SEM_NAME "/counter_sem"

int main(int argc, char *argv[])
{
    int p = (argc > 1) ? atoi(argv[1]) : 4;
    int m = (argc > 2) ? atoi(argv[2]) : 10000;

    int fd = shm_open(SHM_NAME, O_CREAT | O_RDWR, 0600);
    if (fd == -1) {
        perror("shm_open");
        return 1;
    }
    if (ftruncate(fd, sizeof(int)) == -1) {
        perror("ftruncate");
        return 1;
    }
    int *counter = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (counter == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    close(fd);
    *counter = 0;

    sem_t *sem = sem_open(SEM_NAME, O_CREAT, 0600, 1);
    if (sem == SEM_FAILED) {
        perror("sem_open");
        return 1;
    }

    for (int i = 0; i < p; i++) {
        pid_t pid = fork();
        if (pid == -1) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            for (int j = 0; j < m; j++) {
                sem_wait(sem);
                (*counter)++;
                sem_post(sem);
            }
            exit(0);
        }
    }

    for (int i = 0; i < p; i++)
        wait(NULL);

    printf("All work completed: %d\n", *counter);

    /* clean up */
    sem_close(sem);
    munmap(counter, sizeof(int));
    shm_unlink(SHM_NAME);
    return 0;
}
