/* Value and Array shared between a parent and a child process */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    double *num = mmap(NULL, sizeof(double), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int *arr = mmap(NULL, 10 * sizeof(int), PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (num == MAP_FAILED || arr == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    *num = 0.0;
    for (int i = 0; i < 10; i++)
        arr[i] = i;

    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        *num = 3.1415927;
        for (int i = 0; i < 10; i++)
            arr[i] = -arr[i];
        _exit(0);
    }
    if (waitpid(pid, NULL, 0) < 0) {
        perror("waitpid");
        return 1;
    }

    printf("%f\n", *num);
    printf("[");
    for (int i = 0; i < 10; i++) {
        printf("%d", arr[i]);
        if (i < 9)
            printf(", ");
    }
    printf("]\n");

    munmap(num, sizeof(double));
    munmap(arr, 10 * sizeof(int));
    return 0;
}
