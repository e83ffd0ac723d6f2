/* hostile: thread bomb: creates threads forever, each parked for good
 * expect: timeout|runtime_error
 * flags: --processes=32 --timeout=2000
 * check: grader-alive
 *
 * Threads count against the process limit ("processes and threads alive
 * at once"), so pthread_create() must start failing with EAGAIN after
 * about 32; the main thread keeps retrying and spinning: timeout. Each
 * thread also reserves an 8 MiB stack, so an RLIMIT_AS-only sandbox sees
 * ENOMEM instead; same verdict. A sandbox that counts only processes
 * (RLIMIT_NPROC per user, or forgets threads) lets this reach the kernel's
 * threads-max.
 */
#include <pthread.h>
#include <unistd.h>

static void *park(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int main(void)
{
	for (;;) {
		pthread_t t;
		pthread_create(&t, NULL, park, NULL);
	}
}
