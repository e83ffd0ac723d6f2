/* hostile: userfaultfd: the syscall (user-mode-only) and /dev/userfaultfd
 * expect: forbidden_syscall
 *
 * userfaultfd lets a program pause the kernel in the middle of a copy
 * from user memory for as long as it likes: the standard tool for winning
 * kernel race conditions. UFFD_USER_MODE_ONLY is allowed to unprivileged
 * users even with vm.unprivileged_userfaultfd=0. The policy denies the
 * syscall (and the box has no /dev/userfaultfd): forbidden_syscall. If
 * either works the program says so and exits 0 (ok: a failed test);
 * refused, it exits 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

int main(void)
{
	int worked = 0;
	long fd = syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	if (fd >= 0) {
		printf("HOSTILE-ESCAPED: userfaultfd() gave fd %ld\n", fd);
		close((int)fd);
		worked = 1;
	} else {
		fprintf(stderr, "userfaultfd: syscall: %s\n", strerror(errno));
	}
#ifdef USERFAULTFD_IOC_NEW
	int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
	if (dev >= 0) {
		int u = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC);
		if (u >= 0) {
			printf("HOSTILE-ESCAPED: /dev/userfaultfd gave fd %d\n", u);
			close(u);
			worked = 1;
		} else {
			fprintf(stderr, "userfaultfd: USERFAULTFD_IOC_NEW: %s\n", strerror(errno));
		}
		close(dev);
	} else {
		fprintf(stderr, "userfaultfd: /dev/userfaultfd: %s\n", strerror(errno));
	}
#endif
	return worked ? 0 : 1;
}
