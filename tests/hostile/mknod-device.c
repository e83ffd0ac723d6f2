/* hostile: mknod: creates a character device node for /dev/mem (1,1) in the work directory
 * expect: ok|forbidden_syscall
 *
 * With CAP_MKNOD a process makes its own /dev/mem anywhere it can write,
 * bypassing a minimal /dev. Creating a device node must fail (EPERM
 * without host CAP_MKNOD, or a denied mknod); a node that gets created is
 * an escape even if the nodev mount option then stops the open. The node
 * is removed again. Exits 0: ok.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int main(void)
{
	const char *node = "hostile-mem-node";
	if (mknod(node, S_IFCHR | 0600, makedev(1, 1)) < 0) {
		fprintf(stderr, "mknod-device: mknod: %s\n", strerror(errno));
		return 0;
	}
	printf("HOSTILE-ESCAPED: created a device node for /dev/mem\n");
	int fd = open(node, O_RDONLY);
	if (fd >= 0) {
		printf("HOSTILE-ESCAPED: and opened it\n");
		close(fd);
	} else {
		fprintf(stderr, "mknod-device: open: %s\n", strerror(errno));
	}
	unlink(node);
	return 0;
}
