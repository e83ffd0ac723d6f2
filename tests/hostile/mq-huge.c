/* hostile: huge message queues: 256 mq_open with the largest mq_msgsize the kernel accepts, filled, never unlinked
 * expect: ok|memory_limit
 *
 * Asks for 16 MiB messages (HARD_MSGSIZEMAX) and halves until the kernel
 * accepts (msgsize_max is 8 KiB without CAP_SYS_RESOURCE), then fills each
 * queue. Message memory is kernel memory, bounded per user by
 * RLIMIT_MSGQUEUE (mq_open fails with EMFILE past it) and charged to the
 * memory cgroup (memory_limit if that is what stops it). It exits 0: ok.
 * None of the queues may be left (host-unchanged: /dev/mqueue); with
 * CAP_SYS_RESOURCE and no RLIMIT_MSGQUEUE this pins 256 x 10 x 16 MiB.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	long size = 16L << 20;
	int made = 0;
	long bytes = 0;
	char *msg = calloc(1, (size_t)size);
	if (!msg)
		return 0;
	for (int i = 0; i < 256; i++) {
		char name[64];
		snprintf(name, sizeof(name), "/ipcgrade-hostile-mq-%d", i);
		mqd_t q = (mqd_t)-1;
		while (size >= 1024) {
			struct mq_attr a = { .mq_maxmsg = 10, .mq_msgsize = size };
			q = mq_open(name, O_RDWR | O_CREAT | O_NONBLOCK, 0600, &a);
			if (q != (mqd_t)-1 || errno != EINVAL)
				break;
			size /= 2;
		}
		if (q == (mqd_t)-1) {
			fprintf(stderr, "mq-huge: mq_open %s: %s\n", name, strerror(errno));
			break;
		}
		made++;
		for (int m = 0; m < 10; m++)
			if (mq_send(q, msg, (size_t)size, 0) == 0)
				bytes += size;
	}
	fprintf(stderr, "mq-huge: %d queues of %ld-byte messages, %ld MiB queued, none unlinked\n", made,
		size, bytes >> 20);
	return 0;
}
