/* hostile: kill process groups: SIGKILL to its session's group, its parent's group, then its own
 * expect: ok|runtime_error|forbidden_syscall
 * check: grader-alive
 *
 * A sandbox that forgets setsid()/setpgid() for the box leaves the first
 * process in the grader's process group and session: kill(-pgid) then
 * reaches the grader, and the session leader's group is the user's shell.
 * The last call, kill(0, SIGKILL), kills the program itself, so the
 * normal verdict is runtime_error (ok if the calls are refused with an
 * error and it exits, forbidden_syscall if denied). The grader must live.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void try_kill(const char *what, pid_t pgid)
{
	if (pgid <= 1) {
		fprintf(stderr, "kill-pgrp: %s: no group (%d)\n", what, (int)pgid);
		return;
	}
	int r = kill(-pgid, SIGKILL);
	fprintf(stderr, "kill-pgrp: kill(-%d /* %s */, SIGKILL) = %d %s\n", (int)pgid, what, r,
		r ? strerror(errno) : "");
}

int main(void)
{
	pid_t me = getpgrp();
	pid_t sess = getsid(0);
	pid_t ppgrp = getpgid(getppid());
	if (sess != me)
		try_kill("session leader's group", getpgid(sess));
	if (ppgrp != me)
		try_kill("parent's group", ppgrp);
	fprintf(stderr, "kill-pgrp: now kill(0, SIGKILL)\n");
	kill(0, SIGKILL);
	return 0;
}
