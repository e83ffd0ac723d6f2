/* hostile: /dev/kmsg: opens the kernel log for reading and for writing
 * expect: ok|forbidden_syscall
 *
 * Reading the kernel log leaks addresses and other users' activity
 * (dmesg_restrict protects it from non-root only); writing forges kernel
 * log lines. Either open working is an escape; the first record read is
 * printed. Nothing is written. Exits 0: ok.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd >= 0) {
		char rec[1024];
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		printf("HOSTILE-ESCAPED: opened /dev/kmsg for reading\n");
		if (n > 0) {
			rec[n] = 0;
			printf("%s", rec);
		}
		close(fd);
	} else {
		fprintf(stderr, "dev-kmsg: read open: %s\n", strerror(errno));
	}
	fd = open("/dev/kmsg", O_WRONLY);
	if (fd >= 0) {
		printf("HOSTILE-ESCAPED: opened /dev/kmsg for writing\n");
		close(fd);
	} else {
		fprintf(stderr, "dev-kmsg: write open: %s\n", strerror(errno));
	}
	return 0;
}
