/* hostile: set the clock: clock_settime(CLOCK_REALTIME) to the time it just read
 * expect: forbidden_syscall
 *
 * The real-time clock is not namespaced (time namespaces cover only the
 * monotonic and boot clocks): a root sandbox that lets this through lets a
 * student move the machine's clock, breaking deadlines and certificates.
 * Setting it to the value just read moves it by microseconds only. The
 * policy denies clock_settime, settimeofday, and adjtimex/clock_adjtime
 * when they change the clock: forbidden_syscall. If it works the program says so and exits 0
 * (ok: a failed test); refused, it exits 1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int main(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (clock_settime(CLOCK_REALTIME, &ts) < 0) {
		fprintf(stderr, "settime: clock_settime: %s\n", strerror(errno));
		return 1;
	}
	printf("HOSTILE-ESCAPED: clock_settime(CLOCK_REALTIME) worked\n");
	return 0;
}
