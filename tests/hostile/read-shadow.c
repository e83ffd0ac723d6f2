/* hostile: read /etc/shadow: directly, through /proc/1/root, and init's environment
 * expect: ok
 *
 * Tries /etc/shadow, /etc/gshadow, /proc/1/root/etc/shadow (the root of
 * pid 1: the host's / when the box shares the host's PID namespace and
 * runs as root) and /proc/1/environ. In a correct box these are absent or
 * unreadable (the box's user is not root, host root is not mapped into its
 * user namespace). Whatever is read is printed after a HOSTILE-ESCAPED
 * line. Exits 0: ok.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

int main(void)
{
	const char *files[] = { "/etc/shadow", "/etc/gshadow", "/proc/1/root/etc/shadow", "/proc/1/environ" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char buf[65536];
		int fd = open(files[i], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "read-shadow: %s: %s\n", files[i], strerror(errno));
			continue;
		}
		ssize_t n = read(fd, buf, sizeof(buf));
		close(fd);
		if (n <= 0) {
			fprintf(stderr, "read-shadow: %s: nothing read\n", files[i]);
			continue;
		}
		printf("HOSTILE-ESCAPED: read %zd bytes of %s\n", n, files[i]);
		fwrite(buf, 1, (size_t)n, stdout);
		printf("\n");
	}
	return 0;
}
