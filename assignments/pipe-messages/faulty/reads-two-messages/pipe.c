/*
 * C version of the sender/receiver example from the course.
 * Each message: an int with the length, then the bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#define MAX_MSG 8192

void send_msg(int conn, const char *msg)
{
    int len = strlen(msg);
    write(conn, &len, sizeof len);
    write(conn, msg, len);
}

/* like conn.recv() in Python: returns the next message */
char *recv_msg(int conn)
{
    static char buf[MAX_MSG + 1];
    int len = 0;
    read(conn, &len, sizeof len);
    int got = 0;
    while (got < len) {
        int n = read(conn, buf + got, len - got);
        if (n <= 0)
            break;
        got += n;
    }
    buf[got] = '\0';
    return buf;
}

void sender(int conn, int argc, char *argv[])
{
    if (argc < 2) {
        send_msg(conn, "Hello");
        send_msg(conn, "World");
    } else {
        for (int i = 1; i < argc; i++)
            send_msg(conn, argv[i]);
    }
    close(conn);
}

void receiver(int conn)
{
    printf("Received: %s\n", recv_msg(conn));
    fflush(stdout);
    printf("Received: %s\n", recv_msg(conn));
    fflush(stdout);
    close(conn);
}

int main(int argc, char *argv[])
{
    int fds[2];
    if (pipe(fds) == -1) {
        perror("pipe");
        return 1;
    }

    fflush(stdout);
    pid_t p1 = fork();
    if (p1 == -1) {
        perror("fork");
        return 1;
    }
    if (p1 == 0) {
        close(fds[0]);
        sender(fds[1], argc, argv);
        return 0;
    }

    pid_t p2 = fork();
    if (p2 == -1) {
        perror("fork");
        return 1;
    }
    if (p2 == 0) {
        close(fds[1]);
        receiver(fds[0]);
        return 0;
    }

    close(fds[0]);
    close(fds[1]);

    waitpid(p1, NULL, 0);
    waitpid(p2, NULL, 0);
    return 0;
}
