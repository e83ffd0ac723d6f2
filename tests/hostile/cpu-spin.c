/* hostile: CPU spin: two processes spin forever
 * expect: timeout
 * flags: --cpu-ms=1000 --timeout=5000
 *
 * Pure computation, no system calls. The CPU limit counts all processes
 * of the run together, so with two spinning processes on a multi-core
 * machine it is reached after about 0.5 s of wall-clock time; either
 * limit gives timeout. Never deadlock: nothing is blocked.
 */
#include <unistd.h>

int main(void)
{
	fork();
	volatile unsigned long n = 0;
	for (;;)
		n++;
}
