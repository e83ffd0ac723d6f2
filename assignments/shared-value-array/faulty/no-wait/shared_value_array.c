#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    double value;
    int array[10];
} shared_t;

int main(void)
{
    shared_t *s = mmap(NULL, sizeof(shared_t), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    s->value = 0.0;
    for (int i = 0; i < 10; i++)
        s->array[i] = i;

    pid_t pid = fork();
    if (pid == -1) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        s->value = 3.1415927;
        for (int i = 0; i < 10; i++)
            s->array[i] = -s->array[i];
        _exit(0);
    }

    printf("%.7f\n", s->value);
    printf("[");
    for (int i = 0; i < 10; i++)
        printf(i < 9 ? "%d, " : "%d", s->array[i]);
    printf("]\n");

    /* reap the child so it does not stay a zombie */
    wait(NULL);
    munmap(s, sizeof(shared_t));
    return 0;
}
