#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* shared by all the processes, protected by the semaphore */
long counter = 0;

int main(int argc, char *argv[])
{
    int p = 4, m = 10000;
    if (argc > 1) p = atoi(argv[1]);
    if (argc > 2) m = atoi(argv[2]);

    sem_t *lock = sem_open("/shared_counter_lock", O_CREAT | O_EXCL, 0600, 1);
    if (lock == SEM_FAILED) {
        perror("sem_open");
        return 1;
    }
    /* unlink now: the name is gone but the semaphore lives until closed */
    sem_unlink("/shared_counter_lock");

    for (int i = 0; i < p; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            for (int j = 0; j < m; j++) {
                sem_wait(lock);
                counter++;
                sem_post(lock);
            }
            exit(0);
        }
    }
    while (wait(NULL) > 0)
        ;

    printf("All work completed: %ld\n", counter);
    sem_close(lock);
    return 0;
}
