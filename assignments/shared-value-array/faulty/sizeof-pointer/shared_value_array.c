#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define N 10

struct shared {
    double num;
    int arr[N];
};

/* same as f(n, a) in the python example */
void f(double *n, int *a)
{
    *n = 3.1415927;
    int len = sizeof(a) / sizeof(a[0]);
    for (int i = 0; i < len; i++)
        a[i] = -a[i];
}

void print_list(int *a, int len)
{
    printf("[");
    for (int i = 0; i < len; i++) {
        if (i != 0)
            printf(", ");
        printf("%d", a[i]);
    }
    printf("]\n");
}

int main(void)
{
    struct shared *sh = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    sh->num = 0.0;
    for (int i = 0; i < N; i++)
        sh->arr[i] = i;

    fflush(stdout);
    pid_t pid = fork();
    if (pid == -1) {
        perror("fork");
        exit(1);
    }
    if (pid == 0) {
        f(&sh->num, sh->arr);
        _exit(0);
    }
    waitpid(pid, NULL, 0);

    printf("%.7f\n", sh->num);
    print_list(sh->arr, N);
    munmap(sh, sizeof(struct shared));
    return 0;
}
