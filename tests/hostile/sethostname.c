/* hostile: sethostname: sets the host name to its current value
 * expect: forbidden_syscall
 *
 * Without a UTS namespace, sethostname() by a root sandbox renames the
 * host. Setting the current name again proves the power without changing
 * anything. Inside a UTS namespace it would be harmless, but students
 * never need it: the policy denies sethostname/setdomainname,
 * forbidden_syscall. If it works the program says so and exits 0 (ok: a
 * failed test); refused, it exits 1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char name[256] = "";
	if (gethostname(name, sizeof(name) - 1) < 0) {
		perror("sethostname: gethostname");
		return 1;
	}
	if (sethostname(name, strlen(name)) < 0) {
		fprintf(stderr, "sethostname: %s\n", strerror(errno));
		return 1;
	}
	printf("HOSTILE-ESCAPED: sethostname(\"%s\") worked\n", name);
	return 0;
}
