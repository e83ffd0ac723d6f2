/*
 * pipe-messages — reference solution.
 *
 * The parent creates one pipe and two children:
 *   - the sender writes every message into the pipe,
 *   - the receiver reads them back and prints "Received: <message>".
 * The parent waits for both and exits 0 (1 if a child failed).
 *
 * Framing: a pipe is a byte stream, not a sequence of messages. Two writes
 * of "Hello" and "World" may well come out of one read() as "HelloWorld",
 * and one big write may come out of several reads. So every message is sent
 * as a length prefix (a uint32_t in host byte order; both ends run on the
 * same machine) followed by exactly that many bytes. This works for any
 * content, spaces and newlines included, and for messages of any length.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Write all len bytes. write() on a pipe may write less than asked (e.g.
 * when interrupted by a signal), so loop until everything is written. */
static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Read exactly len bytes. Returns 1 when all were read, 0 on end of stream
 * before the first byte, -1 on an error or on end of stream in the middle
 * (a truncated message). read() on a pipe returns whatever is there right
 * now, which can be less than asked for: a single read is never enough. */
static int read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)                       /* end of stream */
            return got == 0 ? 0 : -1;
        got += (size_t)n;
    }
    return 1;
}

/* The sender child: one length-prefixed message per argument. */
static int run_sender(int fd, char **msgs, int count)
{
    for (int i = 0; i < count; i++) {
        size_t len = strlen(msgs[i]);
        uint32_t len32 = (uint32_t)len;
        if (write_all(fd, &len32, sizeof len32) < 0 ||
            write_all(fd, msgs[i], len) < 0) {
            perror("sender: write");
            return 1;
        }
    }
    /* Closing the write end is what lets the receiver see end of stream
     * (exit would close it too; being explicit documents the intent). */
    if (close(fd) < 0) {
        perror("sender: close");
        return 1;
    }
    return 0;
}

/* The receiver child: print every message until end of stream. */
static int run_receiver(int fd)
{
    for (;;) {
        uint32_t len;
        int r = read_all(fd, &len, sizeof len);
        if (r == 0)
            break;                        /* every writer closed: done */
        if (r < 0) {
            fprintf(stderr, "receiver: broken message header\n");
            return 1;
        }
        /* +1 so that an empty message still gets a valid buffer. */
        char *msg = malloc((size_t)len + 1);
        if (msg == NULL) {
            perror("receiver: malloc");
            return 1;
        }
        if (read_all(fd, msg, len) != 1) {
            fprintf(stderr, "receiver: truncated message\n");
            free(msg);
            return 1;
        }
        /* %.*s prints exactly len bytes; the message is never used as a
         * format string ("100%" would break printf(msg)). */
        printf("Received: %.*s\n", (int)len, msg);
        /* stdout is fully buffered when it is a pipe or a file (as under
         * the grader): flush every line so it leaves this process now. */
        fflush(stdout);
        free(msg);
    }
    close(fd);
    return 0;
}

int main(int argc, char *argv[])
{
    static char *defaults[] = {"Hello", "World"};
    char **msgs = defaults;
    int count = 2;

    if (argc > 1) {                       /* check argc before argv[1] */
        msgs = argv + 1;
        count = argc - 1;
    }

    int fds[2];                           /* fds[0] read end, fds[1] write end */
    if (pipe(fds) < 0) {
        perror("pipe");
        return 1;
    }

    /* Anything still in the stdio buffer at fork() would be copied into the
     * child and printed twice. Nothing was printed yet, but flushing before
     * every fork is the habit that keeps that bug away. */
    fflush(stdout);
    pid_t sender = fork();
    if (sender < 0) {
        perror("fork");
        return 1;
    }
    if (sender == 0) {
        close(fds[0]);                    /* the sender never reads */
        exit(run_sender(fds[1], msgs, count));
    }

    fflush(stdout);
    pid_t receiver = fork();
    if (receiver < 0) {
        perror("fork");
        close(fds[0]);
        close(fds[1]);
        waitpid(sender, NULL, 0);
        return 1;
    }
    if (receiver == 0) {
        /* The receiver must close its copy of the write end: read() only
         * reports end of stream when NO process holds a write end open. */
        close(fds[1]);
        exit(run_receiver(fds[0]));
    }

    /* The parent neither reads nor writes: close both ends, otherwise its
     * write end alone would keep the receiver waiting forever. */
    close(fds[0]);
    close(fds[1]);

    /* Wait for both children (no zombies, no orphans) and report failure
     * if either of them failed. */
    int ok = 1;
    pid_t kids[2] = {sender, receiver};
    for (int i = 0; i < 2; i++) {
        int status;
        while (waitpid(kids[i], &status, 0) < 0) {
            if (errno != EINTR) {
                perror("waitpid");
                return 1;
            }
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            ok = 0;
    }
    return ok ? 0 : 1;
}
