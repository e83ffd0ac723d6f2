/* fork-shared-array with POSIX shared memory (shm_open + mmap). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    int n = 3, m = 10;
    if (argc > 1)
        n = atoi(argv[1]);
    if (argc > 2)
        m = atoi(argv[2]);

    char name[64];
    snprintf(name, sizeof name, "/shared_array_%d", (int)getpid());

    int fd = shm_open(name, O_CREAT | O_RDWR, 0600);
    if (fd < 0) {
        perror("shm_open");
        return 1;
    }
    if (ftruncate(fd, n * sizeof(int)) < 0) {
        perror("ftruncate");
        return 1;
    }
    int *data = mmap(NULL, n * sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (data == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    close(fd);

    pid_t pids[32];
    for (int id = 0; id < n; id++) {
        fflush(stdout);
        pids[id] = fork();
        if (pids[id] < 0) {
            perror("fork");
            return 1;
        }
        if (pids[id] == 0) {
            for (int i = 0; i < m; i++)
                data[id]++;
            exit(0);
        }
    }
    for (int id = 0; id < n; id++)
        waitpid(pids[id], NULL, 0);

    int total = 0;
    printf("[");
    for (int i = 0; i < n; i++) {
        printf("%s%d", i ? ", " : "", data[i]);
        total += data[i];
    }
    printf("]\nAll work completed: %d\n", total);

    munmap(data, n * sizeof(int));
    return 0;
}
