/* hostile: /dev/mem: opens /dev/mem, /dev/kmem and /dev/port
 * expect: ok|forbidden_syscall
 *
 * Physical memory and I/O ports: root on the host could read any secret
 * or crash the machine. A box's /dev holds only null, zero, full, random,
 * urandom and tty; these nodes must not exist there, or not open. Opening
 * is the whole test (nothing is read); an open that works is an escape.
 * Exits 0: ok.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	const char *devs[] = { "/dev/mem", "/dev/kmem", "/dev/port" };
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		int fd = open(devs[i], O_RDONLY);
		if (fd >= 0) {
			printf("HOSTILE-ESCAPED: opened %s\n", devs[i]);
			close(fd);
		} else {
			fprintf(stderr, "dev-mem: %s: %s\n", devs[i], strerror(errno));
		}
	}
	return 0;
}
