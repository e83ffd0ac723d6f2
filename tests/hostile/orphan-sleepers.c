/* hostile: orphaned sleepers: the parent exits at once, leaving 100 children sleeping an hour
 * expect: ok
 * flags: --processes=128
 *
 * The first process exits 0, so the verdict is ok; the point is the
 * cleanup. The 100 children are reparented away from the first process
 * (to the box's init, or to the host's subreaper in reduced mode) and
 * must all be killed when the run ends: host-unchanged must find no new
 * processes, and the run must not wait an hour for them.
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	int n = 0;
	for (int i = 0; i < 100; i++) {
		pid_t p = fork();
		if (p == 0) {
			sleep(3600);
			_exit(0);
		}
		if (p > 0)
			n++;
	}
	fprintf(stderr, "orphan-sleepers: left %d children sleeping\n", n);
	return 0;
}
