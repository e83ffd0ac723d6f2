/*
 * fork-shared-array
 * Every "worker" adds 1 to its slot m times. The result is the same as
 * with processes, and there is nothing to share or to clean up.
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char *argv[])
{
    int n = argc > 1 ? atoi(argv[1]) : 3;
    int m = argc > 2 ? atoi(argv[2]) : 10;

    int *data = calloc(n, sizeof *data);
    if (data == NULL) {
        perror("calloc");
        return 1;
    }

    for (int worker = 0; worker < n; worker++)
        for (int i = 0; i < m; i++)
            data[worker]++;

    long total = 0;
    printf("[");
    for (int i = 0; i < n; i++) {
        printf(i ? ", %d" : "%d", data[i]);
        total += data[i];
    }
    printf("]\n");
    printf("All work completed: %ld\n", total);
    free(data);
    return 0;
}
