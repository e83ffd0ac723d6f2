/* hostile: raise(SIGSTOP): the program stops itself
 * expect: timeout|deadlock
 * flags: --timeout=2000
 * check: grader-alive
 *
 * A stopped process never exits by itself. The sandbox must still end the
 * run on time (SIGKILL works on stopped processes) and call it timeout, or
 * deadlock when it counts "stopped" as blocked for good. A ptrace-based
 * tracer must keep it in group-stop rather than resume it by accident: if
 * it ever continues, it exits 0 and the ok verdict fails the test. The
 * grader must not be the one that stops (e.g. by sharing the process group
 * with SIGTTOU/SIGTSTP handling) and must not hang waiting for it.
 */
#include <signal.h>
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "raise-sigstop: stopping myself\n");
	raise(SIGSTOP);
	fprintf(stderr, "raise-sigstop: continued, exiting 0\n");
	return 0;
}
