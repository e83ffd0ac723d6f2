/* hostile: io_uring_setup(): creates an io_uring instance
 * expect: forbidden_syscall
 *
 * Operations submitted through io_uring (openat, connect, read, ...) are
 * executed by the kernel without passing through the seccomp filter the
 * submitter runs under, so a policy that denies socket() is bypassed with
 * IORING_OP_SOCKET; io_uring is also a leading source of kernel
 * exploits. The policy denies io_uring_setup/enter/register:
 * forbidden_syscall. If setup works the program says so and exits 0 (ok:
 * a failed test); refused, it exits 1.
 */
#include <errno.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof(p));
	long fd = syscall(SYS_io_uring_setup, 8, &p);
	if (fd < 0) {
		fprintf(stderr, "io-uring: io_uring_setup: %s\n", strerror(errno));
		return 1;
	}
	printf("HOSTILE-ESCAPED: io_uring_setup gave fd %ld (sq %u entries)\n", fd, p.sq_entries);
	close((int)fd);
	return 0;
}
