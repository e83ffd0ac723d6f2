// fork-shared-array: N processes, each one updates its own slot
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

#define MAX_N 32

int data[MAX_N];   // global so that every process can see it

int main(int argc, char *argv[])
{
    int n = 3, m = 10;
    if (argc > 1)
        n = atoi(argv[1]);
    if (argc > 2)
        m = atoi(argv[2]);

    pid_t pids[MAX_N];
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
        if (i > 0)
            printf(", ");
        printf("%d", data[i]);
        total += data[i];
    }
    printf("]\n");
    printf("All work completed: %d\n", total);
    return 0;
}
