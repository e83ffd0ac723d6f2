/* hostile: TIOCSTI: pushes characters into the input of fds 0, 1, 2 and /dev/tty
 * expect: forbidden_syscall|runtime_error
 *
 * TIOCSTI "types" into a terminal: if the box shares the grader's
 * controlling terminal, the characters run as commands in the user's shell
 * once the grader exits (CVE-2017-5226 in bubblewrap). The box must have
 * no controlling terminal (setsid) and tty-less fds, and the policy should
 * deny ioctl(TIOCSTI) (and TIOCLINUX): forbidden_syscall. Refused by the
 * kernel only (fds are pipes: ENOTTY; no /dev/tty: ENXIO; 6.2+ kernels
 * with dev.tty.legacy_tiocsti=0: EIO) it exits 1: runtime_error. If a
 * character gets through it types a harmless shell comment line, says so
 * and exits 0 (ok: a failed test).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int inject(int fd, const char *what)
{
	char c = '#';
	if (ioctl(fd, TIOCSTI, &c) < 0) {
		fprintf(stderr, "tiocsti: %s: %s\n", what, strerror(errno));
		return 0;
	}
	const char *rest = " ipcgrade-hostile-tiocsti\n";
	for (const char *p = rest; *p; p++)
		ioctl(fd, TIOCSTI, p);
	printf("HOSTILE-ESCAPED: TIOCSTI worked on %s\n", what);
	return 1;
}

int main(void)
{
	int worked = 0;
	worked |= inject(0, "fd 0");
	worked |= inject(1, "fd 1");
	worked |= inject(2, "fd 2");
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
	if (fd >= 0) {
		worked |= inject(fd, "/dev/tty");
		close(fd);
	} else {
		fprintf(stderr, "tiocsti: /dev/tty: %s\n", strerror(errno));
	}
	return worked ? 0 : 1;
}
