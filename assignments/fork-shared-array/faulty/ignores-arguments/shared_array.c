/*
 * C version of the course example: 3 processes, each adds 1 to its own
 * element 10 times. The list is shared with mmap(MAP_SHARED).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define NUM_PROCESSES 3
#define COUNT 10

void process_function(int process_id, int *data)
{
    for (int i = 0; i < COUNT; i++)
        data[process_id] += 1;
}

int main(void)
{
    int *data = mmap(NULL, NUM_PROCESSES * sizeof(int), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED) {
        perror("mmap");
        return 1;
    }

    pid_t processes[NUM_PROCESSES];
    for (int i = 0; i < NUM_PROCESSES; i++) {
        fflush(stdout);
        processes[i] = fork();
        if (processes[i] < 0) {
            perror("fork");
            return 1;
        }
        if (processes[i] == 0) {
            process_function(i, data);
            exit(0);
        }
    }

    for (int i = 0; i < NUM_PROCESSES; i++)
        waitpid(processes[i], NULL, 0);

    int sum = 0;
    printf("[");
    for (int i = 0; i < NUM_PROCESSES; i++) {
        printf("%d", data[i]);
        if (i < NUM_PROCESSES - 1)
            printf(", ");
        sum += data[i];
    }
    printf("]\n");
    printf("All work completed: %d\n", sum);
    munmap(data, NUM_PROCESSES * sizeof(int));
    return 0;
}
