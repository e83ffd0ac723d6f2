/* hostile: fork bomb: every process forks in a loop, forever
 * expect: timeout|runtime_error
 * flags: --processes=32 --timeout=2000
 * check: grader-alive
 *
 * The classic `while (1) fork();`. The process limit makes fork() fail
 * with EAGAIN once 32 processes are alive; every process then spins in the
 * loop, so the run ends at the wall-clock or CPU limit: timeout.
 * runtime_error is accepted too, for a sandbox that ends a run which keeps
 * hitting its process limit. What must never happen: the grader or the
 * machine running out of processes, or a bomber outliving the run
 * (host-unchanged counts processes).
 */
#include <unistd.h>

int main(void)
{
	for (;;)
		fork();
}
