/* hostile: kill(-1, SIGKILL): kills every process it is allowed to signal
 * expect: ok|forbidden_syscall
 * check: grader-alive
 *
 * kill(-1) reaches every process the caller may signal except itself (and
 * the init of its PID namespace). In a PID namespace that is only the
 * box; in reduced mode, with the grader's uid, it is the grader, the
 * user's shell and everything else of that user (as root: the machine).
 * The program survives its own call and exits 0: ok; a sandbox may deny
 * kill(-1, ...) instead (forbidden_syscall if it kills for it). The grader
 * and the harness's own helpers inside the box must survive and report
 * normally (an internal_error is a failure).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	int r = kill(-1, SIGKILL);
	fprintf(stderr, "kill-all: kill(-1, SIGKILL) = %d (%s)\n", r, r ? strerror(errno) : "ok");
	sleep(1);
	return 0;
}
