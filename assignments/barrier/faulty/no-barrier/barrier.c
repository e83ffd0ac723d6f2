/*
 * Every process prints its rounds. The processes run one after the other
 * anyway because each one is started after the previous one, so the rounds
 * come out in order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    int nproc = 4, rounds = 3;
    if (argc > 1)
        nproc = atoi(argv[1]);
    if (argc > 2)
        rounds = atoi(argv[2]);

    for (int i = 0; i < nproc; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == -1) {
            perror("fork");
            exit(1);
        }
        if (pid == 0) {
            for (int r = 1; r <= rounds; r++) {
                printf("process %d: round %d\n", i, r);
                fflush(stdout);
            }
            exit(0);
        }
    }
    while (wait(NULL) > 0)
        ;
    printf("done\n");
    return 0;
}
