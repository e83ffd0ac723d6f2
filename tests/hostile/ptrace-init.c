/* hostile: ptrace pid 1: PTRACE_ATTACH to pid 1
 * expect: forbidden_syscall
 * check: grader-alive
 *
 * Pid 1 is the box's init in full mode (the harness's code) and the
 * host's init in reduced mode. Attaching stops it; a root tracer could
 * inject code into it. The policy denies ptrace: forbidden_syscall. If it
 * works the program detaches at once, says so and exits 0 (ok: a failed
 * test); refused, it exits 1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

int main(void)
{
	if (ptrace(PTRACE_ATTACH, 1, NULL, NULL) == 0) {
		waitpid(1, NULL, __WALL);
		ptrace(PTRACE_DETACH, 1, NULL, NULL);
		printf("HOSTILE-ESCAPED: attached to pid 1\n");
		return 0;
	}
	fprintf(stderr, "ptrace-init: PTRACE_ATTACH 1: %s\n", strerror(errno));
	return 1;
}
