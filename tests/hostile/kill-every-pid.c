/* hostile: kill every pid: kill(pid, SIGKILL) for every pid from 1 to 65535 (or pid_max)
 * expect: ok|forbidden_syscall
 * flags: --timeout=10000
 * check: grader-alive
 *
 * The same as kill(-1) but one pid at a time, so a policy that only looks
 * for pid == -1 in kill() does not catch it. It skips itself, counts the
 * signals the kernel accepted, and exits 0: ok. In a PID namespace only
 * box processes exist to be hit; in reduced mode every process of the
 * grader's uid does, so the sandbox needs a separate uid (or a supervisor
 * that checks each kill's target). The grader must survive.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	long max = 65535, pm = 0;
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	if (f) {
		if (fscanf(f, "%ld", &pm) == 1 && pm > max && pm <= 4194304)
			max = pm;
		fclose(f);
	}
	pid_t self = getpid();
	long hit = 0;
	for (long p = 1; p <= max; p++)
		if (p != self && kill((pid_t)p, SIGKILL) == 0)
			hit++;
	fprintf(stderr, "kill-every-pid: SIGKILL accepted for %ld of %ld pids\n", hit, max);
	return 0;
}
