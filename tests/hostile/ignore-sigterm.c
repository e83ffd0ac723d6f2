/* hostile: SIGTERM-proof children: 10 children ignore every catchable signal and sleep, the parent waits
 * expect: timeout|deadlock
 * flags: --timeout=2000
 *
 * A sandbox that ends a run with SIGTERM (or SIGINT, SIGHUP, ...) and
 * waits for the processes to go never finishes: the children ignore all
 * of them and block the rest. Only SIGKILL (or a cgroup kill / namespace
 * teardown) works. The parent waits for the children, so the run only
 * ends at its wall-clock limit: timeout, or deadlock for a sandbox that
 * counts sleeping in pause()/wait4() as blocked for good. No process may
 * survive the run (host-unchanged).
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void deaf(void)
{
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_IGN);	/* fails harmlessly for SIGKILL, SIGSTOP, RT */
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
}

int main(void)
{
	deaf();
	for (int i = 0; i < 10; i++) {
		if (fork() == 0) {
			for (;;)
				pause();
		}
	}
	while (wait(NULL) > 0)
		;
	for (;;)
		pause();
}
