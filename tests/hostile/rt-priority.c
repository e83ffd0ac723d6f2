/* hostile: real-time priority: asks for SCHED_FIFO and nice -20
 * expect: ok|forbidden_syscall
 *
 * A SCHED_FIFO busy loop on every CPU starves the grader and the rest of
 * the machine (only RT throttling leaves 5%); nice -20 takes CPU from
 * everyone else. Both need CAP_SYS_NICE on the host or a non-zero
 * RLIMIT_RTPRIO / RLIMIT_NICE, which the box must set to 0. This only
 * asks and gives the priority back at once (no busy loop). Exits 0: ok.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

int main(void)
{
	struct sched_param sp = { .sched_priority = 1 };
	if (sched_setscheduler(0, SCHED_FIFO, &sp) == 0) {
		printf("HOSTILE-ESCAPED: got SCHED_FIFO\n");
		sp.sched_priority = 0;
		sched_setscheduler(0, SCHED_OTHER, &sp);
	} else {
		fprintf(stderr, "rt-priority: SCHED_FIFO: %s\n", strerror(errno));
	}
	int before = getpriority(PRIO_PROCESS, 0);
	if (setpriority(PRIO_PROCESS, 0, -20) == 0 && before > -20) {
		printf("HOSTILE-ESCAPED: got nice -20 (was %d)\n", before);
		setpriority(PRIO_PROCESS, 0, before);
	} else {
		fprintf(stderr, "rt-priority: nice -20: %s\n", strerror(errno));
	}
	return 0;
}
