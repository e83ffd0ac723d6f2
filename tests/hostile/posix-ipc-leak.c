/* hostile: POSIX IPC leak: a shm object, a named semaphore and a message queue, never unlinked
 * expect: ok
 * repeat: 50
 *
 * Named POSIX objects (/dev/shm/ipcgrade-hostile-leak-PID,
 * /dev/shm/sem.ipcgrade-hostile-leak-PID, /dev/mqueue/...) outlive the
 * program; each run leaks a fresh set (the name holds the pid) with 1 MiB
 * of shm written, and exits 0: ok. Full mode needs a private /dev/shm and
 * an IPC namespace (mqueue), reduced mode must find and unlink them.
 * host-unchanged is checked after every one of the 50 runs.
 */
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
	char name[64];
	snprintf(name, sizeof(name), "/ipcgrade-hostile-leak-%d", (int)getpid());
	int fd = shm_open(name, O_RDWR | O_CREAT, 0600);
	if (fd >= 0) {
		if (ftruncate(fd, 1 << 20) == 0) {
			void *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			if (p != MAP_FAILED)
				memset(p, 's', 1 << 20);
		}
	} else {
		perror("posix-ipc-leak: shm_open");
	}
	sem_t *s = sem_open(name, O_CREAT, 0600, 1);
	if (s == SEM_FAILED)
		perror("posix-ipc-leak: sem_open");
	struct mq_attr a = { .mq_maxmsg = 4, .mq_msgsize = 128 };
	mqd_t q = mq_open(name, O_RDWR | O_CREAT, 0600, &a);
	if (q == (mqd_t)-1)
		perror("posix-ipc-leak: mq_open");
	else
		mq_send(q, "leak", 4, 0);
	fprintf(stderr, "posix-ipc-leak: leaked %s (shm, sem, mq)\n", name);
	return 0;
}
