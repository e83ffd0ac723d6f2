/* hostile: sysrq: writes to /proc/sysrq-trigger
 * expect: ok|forbidden_syscall
 *
 * /proc/sysrq-trigger reboots ('b'), crashes ('c') or OOM-kills ('f') the
 * host with one byte. This writes 'h' (print the sysrq help to the kernel
 * log), which proves the same power without doing harm. In a box the file
 * is read-only or root-of-the-host only; a write that works is an escape.
 * Exits 0: ok.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "sysrq-trigger: open: %s\n", strerror(errno));
		return 0;
	}
	if (write(fd, "h", 1) == 1)
		printf("HOSTILE-ESCAPED: wrote to /proc/sysrq-trigger\n");
	else
		fprintf(stderr, "sysrq-trigger: write: %s\n", strerror(errno));
	close(fd);
	return 0;
}
