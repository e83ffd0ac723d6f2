/* hostile: write /tmp: creates /tmp/ipcgrade-hostile-tmp
 * expect: ok
 * check: host-file-absent /tmp/ipcgrade-hostile-tmp
 *
 * Students may use /tmp, so the write itself is allowed and the program
 * exits 0: ok. But the box's /tmp must be its own (a private tmpfs in full
 * mode) or be cleaned after the run (reduced mode): the file must not be
 * on the host afterwards.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

int main(void)
{
	const char *path = "/tmp/ipcgrade-hostile-tmp";
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		fprintf(stderr, "write-tmp: %s: %s\n", path, strerror(errno));
		return 0;
	}
	if (write(fd, "ipcgrade hostile test\n", 22) != 22)
		perror("write-tmp: write");
	close(fd);
	fprintf(stderr, "write-tmp: wrote %s\n", path);
	return 0;
}
