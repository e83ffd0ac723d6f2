/* hostile: exec kill -9 -1: fork + exec of /bin/sh -c 'kill -9 -1'
 * expect: ok|runtime_error|forbidden_syscall
 * check: grader-alive
 *
 * kill-all through a shell, so the fatal call comes from an exec'd
 * program the sandbox did not compile (its seccomp filter and limits
 * must survive execve). The shell's `kill -9 -1` also kills the first
 * process unless it is PID 1 of the box's namespace: runtime_error; if
 * it survives (or /bin/sh is not in the box) it exits 0: ok. The grader
 * must survive.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	pid_t p = fork();
	if (p == 0) {
		execl("/bin/sh", "sh", "-c", "kill -9 -1", (char *)NULL);
		perror("exec-kill-all: execl /bin/sh");
		_exit(127);
	}
	int st = 0;
	if (p > 0)
		waitpid(p, &st, 0);
	fprintf(stderr, "exec-kill-all: sh finished, status 0x%x\n", st);
	return 0;
}
