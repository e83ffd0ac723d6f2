#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int n = 3;
    int m = 10;
    if (argc > 1)
        n = atoi(argv[1]);
    if (argc > 2)
        m = atoi(argv[2]);

    // shared between parent and children
    int *shared = mmap(NULL, n * sizeof(int), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        perror("mmap");
        return 1;
    }

    for (int i = 0; i < n; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            for (int j = 0; j < m; j++)
                shared[i]++;
            exit(0);
        }
    }
    for (int i = 0; i < n; i++)
        wait(NULL);

    int sum = 0;
    printf("[");
    for (int i = 0; i < n; i++) {
        printf("%d, ", shared[i]);
        sum += shared[i];
    }
    printf("]\n");
    printf("All work completed: %d\n", sum);
    munmap(shared, n * sizeof(int));
    return 0;
}
