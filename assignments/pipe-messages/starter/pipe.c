/*
 * pipe-messages — starter.
 *
 * Read the handout (README.md) first. In short: the parent creates a pipe
 * and two child processes. The sender child writes every command-line
 * argument into the pipe as one message ("Hello" and "World" when there
 * are no arguments); the receiver child prints "Received: <message>" for
 * each, in order, and stops at end of stream. The parent waits for both
 * children and exits 0.
 *
 * This file compiles and runs but does nothing useful yet. Replace the
 * TODOs. Check yourself with:   ipcgrade check pipe-messages .
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* The sender child: write each of the count messages into fd.
 * TODO: decide on a framing (a length prefix, or a newline after each
 *       message) so that the receiver can tell the messages apart.
 * TODO: close fd when done; that is how the receiver learns "no more". */
static int run_sender(int fd, char **msgs, int count)
{
    (void)fd;
    (void)msgs;
    (void)count;
    return 0;
}

/* The receiver child: read messages from fd until end of stream and print
 * "Received: <message>" for each one.
 * TODO: a single read() may return part of a message, or several messages.
 * TODO: fflush(stdout) after each line. */
static int run_receiver(int fd)
{
    (void)fd;
    return 0;
}

int main(int argc, char *argv[])
{
    static char *defaults[] = {"Hello", "World"};
    char **msgs = defaults;
    int count = 2;

    /* TODO: when there are arguments, they are the messages. */
    (void)argc;
    (void)argv;

    /* TODO: create the pipe (check the return value). */

    /* TODO: fflush(stdout), then fork the sender. In the child: close the
     *       end it does not use, call run_sender, exit with its result. */

    /* TODO: fflush(stdout), then fork the receiver the same way. */

    /* TODO: the parent closes both pipe ends, then waits for both children. */

    (void)run_sender;
    (void)run_receiver;
    (void)msgs;
    (void)count;
    return 0;
}
