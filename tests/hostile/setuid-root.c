/* hostile: become root: setuid(0), setgid(0), setresuid, setgroups, and a check for real root
 * expect: ok|forbidden_syscall
 *
 * Escape if the program gains uid 0 it did not have, or if it runs as
 * uid 0 whose user namespace maps to the host's root (uid_map
 * "0 0 4294967295": a sandbox that never dropped root). Being uid 0 inside
 * a user namespace mapped to an unprivileged host uid is not counted.
 * Exits 0: ok (forbidden_syscall for a policy that kills on set*id).
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int host_root_mapped(void)
{
	FILE *f = fopen("/proc/self/uid_map", "r");
	unsigned long in, out, count;
	int r = 0;
	if (!f)
		return 0;
	while (fscanf(f, "%lu %lu %lu", &in, &out, &count) == 3)
		if (in == 0 && out == 0)
			r = 1;
	fclose(f);
	return r;
}

int main(void)
{
	uid_t before = geteuid();
	int r1 = setgroups(0, NULL);
	int r2 = setgid(0);
	int r3 = setuid(0);
	int r4 = setresuid(0, 0, 0);
	uid_t after = geteuid();
	fprintf(stderr, "setuid-root: euid %d -> %d (setgroups %d setgid %d setuid %d setresuid %d)\n",
		(int)before, (int)after, r1, r2, r3, r4);
	if (before != 0 && after == 0)
		printf("HOSTILE-ESCAPED: gained uid 0\n");
	if (after == 0 && host_root_mapped())
		printf("HOSTILE-ESCAPED: running as the host's root\n");
	return 0;
}
