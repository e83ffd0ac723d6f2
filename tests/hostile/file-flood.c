/* hostile: file flood: creates 1 KiB files in the working directory and in /tmp, endlessly
 * expect: timeout|runtime_error
 * flags: --timeout=3000
 * check: host-file-absent /tmp/ipcgrade-hostile-flood-0
 *
 * Endless small files exhaust inodes and disk where the file size limit
 * does not help. Inside the box both the work directory and /tmp should be
 * size-limited (tmpfs): creation fails with ENOSPC and the program exits 1
 * once both places refuse (runtime_error), or it is still creating at the
 * wall-clock limit (timeout). Afterwards none of it may be left on the
 * host (no /tmp/ipcgrade-hostile-flood-*, host-unchanged); the work
 * directory is the runner's to delete.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int make(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ssize_t w = write(fd, buf, len);
	close(fd);
	return w == (ssize_t)len ? 0 : -1;
}

int main(void)
{
	char buf[1024], path[128];
	memset(buf, 'f', sizeof(buf));
	int cwd_ok = 1, tmp_ok = 1;
	for (long i = 0; cwd_ok || tmp_ok; i++) {
		if (cwd_ok) {
			snprintf(path, sizeof(path), "hostile-flood-%ld", i);
			if (make(path, buf, sizeof(buf)) < 0) {
				fprintf(stderr, "file-flood: cwd full after %ld files: %s\n", i, strerror(errno));
				cwd_ok = 0;
			}
		}
		if (tmp_ok) {
			snprintf(path, sizeof(path), "/tmp/ipcgrade-hostile-flood-%ld", i);
			if (make(path, buf, sizeof(buf)) < 0) {
				fprintf(stderr, "file-flood: /tmp full after %ld files: %s\n", i, strerror(errno));
				tmp_ok = 0;
			}
		}
	}
	return 1;
}
