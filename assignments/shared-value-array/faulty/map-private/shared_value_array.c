#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct values {
    double num;
    int arr[10];
};

int main(void)
{
    /* memory for the values that the child will change */
    struct values *v = mmap(NULL, sizeof(struct values), PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (v == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    v->num = 0.0;
    for (int i = 0; i < 10; i++)
        v->arr[i] = i;

    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        v->num = 3.1415927;
        for (int i = 0; i < 10; i++)
            v->arr[i] = -v->arr[i];
        _exit(0);
    }
    waitpid(pid, NULL, 0);

    printf("%.7f\n", v->num);
    printf("[");
    for (int i = 0; i < 10; i++)
        printf("%s%d", i == 0 ? "" : ", ", v->arr[i]);
    printf("]\n");
    fflush(stdout);

    munmap(v, sizeof(struct values));
    return 0;
}
