/* hostile: new namespaces: unshare(CLONE_NEWUSER), then a mount namespace and a tmpfs mount in it
 * expect: forbidden_syscall
 *
 * An unprivileged user namespace gives full capabilities inside it and
 * opens kernel code (mounts, netfilter, ...) that is the source of many
 * local root exploits. Students never need it: the policy denies unshare
 * and clone with namespace flags: forbidden_syscall. If it works the
 * program also tries a mount in a new mount namespace (harmless: it is
 * private), says so and exits 0 (ok: a failed test); refused, it exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

int main(void)
{
	if (unshare(CLONE_NEWUSER) < 0) {
		fprintf(stderr, "unshare-user: unshare(CLONE_NEWUSER): %s\n", strerror(errno));
		return 1;
	}
	printf("HOSTILE-ESCAPED: created a user namespace\n");
	if (unshare(CLONE_NEWNS) == 0 && mount("none", "/tmp", "tmpfs", 0, NULL) == 0)
		printf("HOSTILE-ESCAPED: and mounted a tmpfs in a mount namespace of its own\n");
	else
		fprintf(stderr, "unshare-user: mount namespace / mount: %s\n", strerror(errno));
	return 0;
}
