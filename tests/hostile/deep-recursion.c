/* hostile: stack overflow: unbounded recursion with 1 KiB frames
 * expect: runtime_error
 *
 * The stack limit (RLIMIT_STACK, 8 MiB by default) is hit after a few
 * thousand calls and the kernel kills the program with SIGSEGV:
 * runtime_error with signal 11. The box must keep a finite stack limit:
 * with an unlimited stack this would grow into the memory limit instead.
 */
#include <stdio.h>
#include <string.h>

volatile long stop_at = -1;	/* never reached; keeps gcc from calling it infinite */

static long down(long n)
{
	volatile char frame[1024];
	memset((char *)frame, (int)n, sizeof(frame));
	if (n == stop_at)
		return 0;
	return down(n + 1) + frame[n % 1024];
}

int main(void)
{
	printf("%ld\n", down(0));
	return 0;
}
