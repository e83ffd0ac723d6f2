#include <pthread.h>
#include <stdio.h>

struct data {
    double num;
    int arr[10];
};

static void *f(void *arg)
{
    struct data *d = arg;
    d->num = 3.1415927;
    for (int i = 0; i < 10; i++)
        d->arr[i] = -d->arr[i];
    return NULL;
}

int main(void)
{
    struct data d;
    d.num = 0.0;
    for (int i = 0; i < 10; i++)
        d.arr[i] = i;

    pthread_t t;
    if (pthread_create(&t, NULL, f, &d) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t, NULL);

    printf("%.7f\n", d.num);
    printf("[");
    for (int i = 0; i < 10; i++)
        printf("%s%d", i ? ", " : "", d.arr[i]);
    printf("]\n");
    return 0;
}
