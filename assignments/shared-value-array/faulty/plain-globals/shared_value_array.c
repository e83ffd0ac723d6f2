#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* global so that both processes can use them */
double num = 0.0;
int arr[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};

void f(void)
{
    num = 3.1415927;
    for (int i = 0; i < 10; i++)
        arr[i] = -arr[i];
}

int main(void)
{
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        f();
        exit(0);
    }
    waitpid(pid, NULL, 0);

    printf("%.7f\n", num);
    printf("[");
    for (int i = 0; i < 10; i++) {
        if (i > 0)
            printf(", ");
        printf("%d", arr[i]);
    }
    printf("]\n");
    return 0;
}
