/* hostile: SysV IPC leak: a 1 GiB shared memory segment, a 16-semaphore set and a message queue, never removed
 * expect: ok
 * repeat: 50
 *
 * Every run creates (IPC_PRIVATE) and leaks: a 1 GiB shm segment with its
 * first MiB touched, a semaphore set and a message queue holding eight
 * 1 KiB messages; then exits 0: ok. SysV objects outlive their creator, so
 * 50 runs leak 50 GiB of shm address space, 50 sets and 50 queues unless
 * the sandbox removes them (an IPC namespace does it at teardown; reduced
 * mode must find them by creator and IPC_RMID them). host-unchanged is
 * checked after every run; a leak also shows as later runs failing once
 * kernel.shmmni / shmall / msgmni are used up.
 */
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

int main(void)
{
	size_t size = 1UL << 30;
	int shm = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
	if (shm < 0) {
		size = 256UL << 20;
		shm = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
	}
	if (shm >= 0) {
		void *p = shmat(shm, NULL, 0);
		if (p != (void *)-1) {
			memset(p, 1, 1 << 20);
			shmdt(p);
		}
	}
	int sem = semget(IPC_PRIVATE, 16, IPC_CREAT | 0600);
	int msq = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	int sent = 0;
	if (msq >= 0) {
		struct {
			long mtype;
			char text[1024];
		} m;
		m.mtype = 1;
		memset(m.text, 'm', sizeof(m.text));
		for (int i = 0; i < 8; i++)
			if (msgsnd(msq, &m, sizeof(m.text), IPC_NOWAIT) == 0)
				sent++;
	}
	fprintf(stderr, "sysv-leak: shm id %d (%zu MiB), sem id %d, msg id %d (%d messages), none removed\n",
		shm, size >> 20, sem, msq, sent);
	return 0;
}
