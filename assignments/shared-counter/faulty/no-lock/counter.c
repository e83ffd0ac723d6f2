/* shared-counter: P processes add to one shared counter. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    int p = 4;
    long m = 10000;
    if (argc > 1)
        p = atoi(argv[1]);
    if (argc > 2)
        m = atol(argv[2]);

    /* the counter must be in shared memory, otherwise every child
       counts in its own copy */
    long *counter = mmap(NULL, sizeof(long), PROT_READ | PROT_WRITE,
                         MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (counter == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    *counter = 0;

    for (int i = 0; i < p; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            /* ++ is a single statement so it should be safe */
            for (long j = 0; j < m; j++)
                (*counter)++;
            _exit(0);
        }
    }

    for (int i = 0; i < p; i++)
        wait(NULL);

    printf("All work completed: %ld\n", *counter);
    munmap(counter, sizeof(long));
    return 0;
}
