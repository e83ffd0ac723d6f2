/* hostile: perf_event_open(): a task-clock counter on itself, then a CPU-wide one
 * expect: forbidden_syscall
 *
 * perf events are kernel attack surface and a side channel (CPU-wide
 * counters see other processes; precise timing helps cache attacks).
 * kernel.perf_event_paranoid=2 still allows counting one's own user-space
 * events, so only the policy stops it: forbidden_syscall. If a counter
 * opens the program says so and exits 0 (ok: a failed test); refused, it
 * exits 1.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int try_open(pid_t pid, int cpu, const char *what)
{
	struct perf_event_attr pe;
	memset(&pe, 0, sizeof(pe));
	pe.type = PERF_TYPE_SOFTWARE;
	pe.size = sizeof(pe);
	pe.config = PERF_COUNT_SW_TASK_CLOCK;
	pe.disabled = 1;
	pe.exclude_kernel = 1;
	pe.exclude_hv = 1;
	long fd = syscall(SYS_perf_event_open, &pe, pid, cpu, -1, 0UL);
	if (fd < 0) {
		fprintf(stderr, "perf-event-open: %s: %s\n", what, strerror(errno));
		return 0;
	}
	printf("HOSTILE-ESCAPED: perf_event_open(%s) gave fd %ld\n", what, fd);
	close((int)fd);
	return 1;
}

int main(void)
{
	int worked = try_open(0, -1, "self");
	worked |= try_open(-1, 0, "all processes on cpu 0");
	return worked ? 0 : 1;
}
