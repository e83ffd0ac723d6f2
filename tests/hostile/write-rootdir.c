/* hostile: write /: creates /ipcgrade-hostile-root and /etc/ipcgrade-hostile-etc
 * expect: ok
 * check: host-file-absent /ipcgrade-hostile-root
 * check: host-file-absent /etc/ipcgrade-hostile-etc
 *
 * The box's root and /etc must be read-only (or its own); on the host they
 * are root-only. A sandbox that runs the program as root without a mount
 * namespace lets both writes through. Exits 0 either way: ok.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void drop(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		fprintf(stderr, "write-rootdir: %s: %s\n", path, strerror(errno));
		return;
	}
	if (write(fd, "ipcgrade hostile test\n", 22) != 22)
		perror("write-rootdir: write");
	close(fd);
	fprintf(stderr, "write-rootdir: wrote %s\n", path);
}

int main(void)
{
	drop("/ipcgrade-hostile-root");
	drop("/etc/ipcgrade-hostile-etc");
	return 0;
}
