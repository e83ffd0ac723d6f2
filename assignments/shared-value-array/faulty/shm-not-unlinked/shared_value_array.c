/*
 * Share a double and an int array between two processes with POSIX shared
 * memory (shm_open + mmap).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SHM_NAME "/value_array"

struct shared {
    double num;
    int arr[10];
};

int main(void)
{
    int fd = shm_open(SHM_NAME, O_CREAT | O_RDWR, 0666);
    if (fd == -1) {
        perror("shm_open");
        return 1;
    }
    if (ftruncate(fd, sizeof(struct shared)) == -1) {
        perror("ftruncate");
        return 1;
    }
    struct shared *sh = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE,
                             MAP_SHARED, fd, 0);
    if (sh == MAP_FAILED) {
        perror("mmap");
        return 1;
    }

    sh->num = 0.0;
    for (int i = 0; i < 10; i++)
        sh->arr[i] = i;

    fflush(stdout);
    pid_t pid = fork();
    if (pid == -1) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        sh->num = 3.1415927;
        for (int i = 0; i < 10; i++)
            sh->arr[i] *= -1;
        exit(0);
    }
    wait(NULL);

    printf("%.7f\n", sh->num);
    printf("[");
    for (int i = 0; i < 10; i++)
        printf(i ? ", %d" : "%d", sh->arr[i]);
    printf("]\n");

    /* done with the shared memory */
    munmap(sh, sizeof(struct shared));
    close(fd);
    return 0;
}
