/* hostile: ptrace the parent: PTRACE_ATTACH to getppid()
 * expect: forbidden_syscall
 * check: grader-alive
 *
 * A tracer reads and writes the tracee's memory and registers: attaching
 * to the harness (reduced mode, same uid) means controlling the grader.
 * Students never need ptrace, so the policy denies it: forbidden_syscall.
 * If the attach works the program detaches at once, says so and exits 0
 * (ok, which fails the test); if it is refused it exits 1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	pid_t pp = getppid();
	if (ptrace(PTRACE_ATTACH, pp, NULL, NULL) == 0) {
		waitpid(pp, NULL, __WALL);
		ptrace(PTRACE_DETACH, pp, NULL, NULL);
		printf("HOSTILE-ESCAPED: attached to the parent, pid %d\n", (int)pp);
		return 0;
	}
	fprintf(stderr, "ptrace-parent: PTRACE_ATTACH %d: %s\n", (int)pp, strerror(errno));
	return 1;
}
