// Like the Manager example in the course: every process prints the array
// after its work, then main prints the total.
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void print_array(const int *a, int n)
{
    printf("[");
    for (int i = 0; i < n; i++)
        printf(i == 0 ? "%d" : ", %d", a[i]);
    printf("]\n");
}

int main(int argc, char *argv[])
{
    int n = (argc > 1) ? atoi(argv[1]) : 3;
    int m = (argc > 2) ? atoi(argv[2]) : 10;

    int *data = mmap(NULL, sizeof(int) * n, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }

    for (int id = 0; id < n; id++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            exit(1);
        }
        if (pid == 0) {
            for (int i = 0; i < m; i++)
                data[id] += 1;
            printf("Process %d: ", id);
            print_array(data, n);
            fflush(stdout);
            exit(0);
        }
    }

    while (wait(NULL) > 0)
        ;

    int sum = 0;
    for (int i = 0; i < n; i++)
        sum += data[i];
    print_array(data, n);
    printf("All work completed: %d\n", sum);
    munmap(data, sizeof(int) * n);
    return 0;
}
