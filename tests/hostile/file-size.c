/* hostile: huge file: writes 1 MiB chunks to ./hostile-bigfile, up to 64 GiB
 * expect: runtime_error
 * flags: --timeout=10000
 *
 * The file size limit (RLIMIT_FSIZE, default 16 MiB) makes the kernel send
 * SIGXFSZ, which kills the program: runtime_error. (If SIGXFSZ were
 * ignored the write would fail with EFBIG and the program exits 1; a full
 * box filesystem gives ENOSPC and exit 1: runtime_error all the same.)
 * Without a limit it fills the disk under the work directory until the
 * wall-clock limit: timeout, which fails the test.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	static char buf[1 << 20];
	memset(buf, 'z', sizeof(buf));
	int fd = open("hostile-bigfile", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror("file-size: open");
		return 1;
	}
	for (long i = 0; i < 64L * 1024; i++) {
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			fprintf(stderr, "file-size: write failed after %ld MiB: %s\n", i, strerror(errno));
			return 1;
		}
	}
	close(fd);
	return 0;
}
