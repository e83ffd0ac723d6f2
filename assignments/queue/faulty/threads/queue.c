/* queue with a writer thread and a reader thread on a POSIX message queue
 * (like the threading version of the queue example from last week). */
#include <fcntl.h>
#include <mqueue.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static mqd_t q;
static int n = 10;

static void *write_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < n; i++)
        if (mq_send(q, (char *)&i, sizeof i, 0) == -1)
            perror("mq_send");
    return NULL;
}

static void *read_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < n; i++) {
        int v;
        if (mq_receive(q, (char *)&v, sizeof v, NULL) == -1) {
            perror("mq_receive");
            return NULL;
        }
        printf("%d\n", v);
    }
    return NULL;
}

int main(int argc, char *argv[])
{
    if (argc > 1)
        n = atoi(argv[1]);

    char name[64];
    snprintf(name, sizeof name, "/thread_queue_%d", (int)getpid());
    struct mq_attr attr = {.mq_maxmsg = 10, .mq_msgsize = sizeof(int)};
    q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
    if (q == (mqd_t)-1) {
        perror("mq_open");
        return 1;
    }

    pthread_t reader, writer;
    pthread_create(&reader, NULL, read_thread, NULL);
    pthread_create(&writer, NULL, write_thread, NULL);
    pthread_join(writer, NULL);
    pthread_join(reader, NULL);

    mq_close(q);
    mq_unlink(name);
    return 0;
}
