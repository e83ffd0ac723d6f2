/* hostile: kill every pid: kill(pid, SIGKILL) for every pid from 1 to 65535 (or pid_max)
 * expect: ok|forbidden_syscall|timeout
 * flags: --timeout=5000
 * check: grader-alive
 *
 * The same as kill(-1) but one pid at a time, so a policy that only looks
 * for pid == -1 in kill() does not catch it. It skips itself, counts the
 * signals the kernel accepted, and exits 0: ok. In a PID namespace only
 * box processes exist to be hit; in reduced mode every process of the
 * grader's uid does, so the sandbox needs a separate uid (or a supervisor
 * that checks each kill's target). The grader must survive.
 * Timeout is accepted too: since Linux 6.14 pid_max belongs to the PID
 * namespace and reads 4194304 in a new one (the box's, and the outer
 * guard's for reduced mode), so the loop is 4 million calls, and a
 * supervisor that checks every kill() takes 25-35 us per call (measured:
 * 101 s in full mode, more than 120 s in reduced). Within 5 s it still
 * covers the first 140000 or more pids, every pid 1..65535 included, and
 * the checks (grader-alive, host-unchanged) are what this test is about.
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
