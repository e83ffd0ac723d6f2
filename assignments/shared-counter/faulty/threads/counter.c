/* shared-counter using a semaphore to protect the counter */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

static long counter = 0;
static sem_t lock;
static long m = 10000;

static void *worker(void *arg)
{
    (void)arg;
    for (long i = 0; i < m; i++) {
        sem_wait(&lock);
        counter++;
        sem_post(&lock);
    }
    return NULL;
}

int main(int argc, char *argv[])
{
    int p = 4;
    if (argc > 1) p = atoi(argv[1]);
    if (argc > 2) m = atol(argv[2]);

    sem_init(&lock, 0, 1);

    pthread_t *workers = malloc(p * sizeof(pthread_t));
    if (workers == NULL) {
        perror("malloc");
        return 1;
    }
    for (int i = 0; i < p; i++) {
        if (pthread_create(&workers[i], NULL, worker, NULL) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    }
    for (int i = 0; i < p; i++)
        pthread_join(workers[i], NULL);

    printf("All work completed: %ld\n", counter);
    sem_destroy(&lock);
    free(workers);
    return 0;
}
