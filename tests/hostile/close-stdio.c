/* hostile: closed stdio: closes stdin, stdout and stderr, then sleeps forever
 * expect: timeout|deadlock
 * flags: --timeout=2000
 *
 * End of file on both output pipes does not mean the program ended. A
 * sandbox that stops reading at EOF and then waits (or worse, reports
 * "exited" at EOF) must still end the run at its time limit: timeout
 * (deadlock for one that counts pause() as blocked for good). It must not
 * report ok and must not hang.
 */
#include <unistd.h>

int main(void)
{
	close(0);
	close(1);
	close(2);
	for (;;)
		pause();
}
