/* hostile: environment dump: prints every environment variable
 * expect: ok
 * check: stdout-lacks CANARY-SECRET-7f3a
 *
 * The grader's environment may hold tokens (CI secrets, SSH agent
 * sockets, proxy credentials). The box gets a clean environment (PATH,
 * HOME, LANG, TMPDIR); the runner starts the grader with
 * IPCGRADE_TEST_CANARY=CANARY-SECRET-7f3a, which must not reach the box.
 * Exits 0: ok.
 */
#include <stdio.h>

extern char **environ;

int main(void)
{
	for (char **e = environ; *e; e++)
		printf("%s\n", *e);
	return 0;
}
