#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* N processes fill a shared array (anonymous shared mapping). */
int main(int argc, char *argv[])
{
    int n = 3, m = 10;
    if (argc > 1) n = atoi(argv[1]);
    if (argc > 2) m = atoi(argv[2]);

    int *arr = mmap(NULL, n * sizeof(int), PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (arr == MAP_FAILED) {
        perror("mmap");
        return 1;
    }

    for (int p = 0; p < n; p++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == -1) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            for (int i = 0; i < m; i++)
                arr[p]++;
            exit(0);
        }
    }

    /* all processes are started, print the result */
    int total = 0;
    printf("[");
    for (int i = 0; i < n; i++) {
        printf("%s%d", i > 0 ? ", " : "", arr[i]);
        total += arr[i];
    }
    printf("]\n");
    printf("All work completed: %d\n", total);

    munmap(arr, n * sizeof(int));
    return 0;
}
