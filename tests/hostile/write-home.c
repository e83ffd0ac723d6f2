/* hostile: write $HOME: creates $HOME/ipcgrade-hostile-home and /root/ipcgrade-hostile-home
 * expect: ok
 * check: host-file-absent $HOME/ipcgrade-hostile-home
 * check: host-file-absent /root/ipcgrade-hostile-home
 *
 * A file dropped into a real home directory persists and may be executed
 * later (~/.bashrc, ~/.ssh/authorized_keys are the real targets; this
 * only creates a harmless file). The box's HOME is the box's own; the host
 * user's home (the runner expands $HOME in the check to its own HOME) and
 * /root must be untouched. Exits 0 whether or not the writes work: ok.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void drop(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/ipcgrade-hostile-home", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		fprintf(stderr, "write-home: %s: %s\n", path, strerror(errno));
		return;
	}
	if (write(fd, "ipcgrade hostile test\n", 22) != 22)
		perror("write-home: write");
	close(fd);
	fprintf(stderr, "write-home: wrote %s\n", path);
}

int main(void)
{
	const char *home = getenv("HOME");
	if (home && *home)
		drop(home);
	drop("/root");
	return 0;
}
