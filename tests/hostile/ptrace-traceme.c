/* hostile: PTRACE_TRACEME: makes its parent (the harness) its tracer
 * expect: forbidden_syscall
 * check: grader-alive
 *
 * Students never need ptrace. PTRACE_TRACEME makes the parent the tracer
 * without asking it: every later signal and exec stops the child and is
 * reported to the parent's waitpid() as a ptrace stop, which a harness
 * that does not expect it misreads (exit status garbage, a hang). A
 * ptrace-based tracer already attached makes the kernel refuse, but the
 * policy must deny ptrace itself: forbidden_syscall. If it worked, the
 * program says so and exits 0 (ok, which fails the test).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>

int main(void)
{
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0) {
		printf("HOSTILE-ESCAPED: PTRACE_TRACEME worked, our parent is now our tracer\n");
		return 0;
	}
	fprintf(stderr, "ptrace-traceme: refused: %s\n", strerror(errno));
	return 1;
}
