/* hostile: other world-writable places: creates files in /var/tmp, /dev/shm and /run/lock
 * expect: ok
 * check: host-file-absent /var/tmp/ipcgrade-hostile-vartmp
 * check: host-file-absent /dev/shm/ipcgrade-hostile-devshm
 * check: host-file-absent /run/lock/ipcgrade-hostile-runlock
 *
 * /tmp is not the only directory every user may write: /var/tmp (which
 * survives reboots), /dev/shm (RAM) and /run/lock are too. A reduced-mode
 * sandbox that cleans only /tmp misses them; a full-mode box must not
 * bind-mount them from the host. Exits 0 either way: ok.
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
		fprintf(stderr, "write-world-writable: %s: %s\n", path, strerror(errno));
		return;
	}
	if (write(fd, "ipcgrade hostile test\n", 22) != 22)
		perror("write-world-writable: write");
	close(fd);
	fprintf(stderr, "write-world-writable: wrote %s\n", path);
}

int main(void)
{
	drop("/var/tmp/ipcgrade-hostile-vartmp");
	drop("/dev/shm/ipcgrade-hostile-devshm");
	drop("/run/lock/ipcgrade-hostile-runlock");
	return 0;
}
