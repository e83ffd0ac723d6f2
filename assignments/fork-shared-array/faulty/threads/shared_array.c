/* Shared array with threads: threads share memory, so a plain array works
 * and there is no need for mmap or shm_open. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_WORKERS 32

static int data[MAX_WORKERS];
static int m = 10;

static void *worker(void *arg)
{
    int id = *(int *)arg;
    for (int i = 0; i < m; i++)
        data[id] += 1;
    return NULL;
}

int main(int argc, char *argv[])
{
    int n = 3;
    if (argc >= 2)
        n = atoi(argv[1]);
    if (argc >= 3)
        m = atoi(argv[2]);

    pthread_t threads[MAX_WORKERS];
    int ids[MAX_WORKERS];
    for (int i = 0; i < n; i++) {
        ids[i] = i;
        if (pthread_create(&threads[i], NULL, worker, &ids[i]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    }
    for (int i = 0; i < n; i++)
        pthread_join(threads[i], NULL);

    int sum = 0;
    printf("[");
    for (int i = 0; i < n; i++) {
        printf("%s%d", i ? ", " : "", data[i]);
        sum += data[i];
    }
    printf("]\nAll work completed: %d\n", sum);
    return 0;
}
