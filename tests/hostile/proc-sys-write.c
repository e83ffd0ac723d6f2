/* hostile: kernel tunables: opens /proc/sys/kernel/core_pattern and other host-wide knobs for writing
 * expect: ok|forbidden_syscall
 *
 * core_pattern ("|/path" runs a program as host root on the next crash),
 * modprobe, hostname, vm/drop_caches and a /sys knob change the whole
 * machine. /proc/sys and /sys must be read-only in a box. Opening for
 * writing is enough proof; nothing is written. Exits 0: ok.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	const char *knobs[] = { "/proc/sys/kernel/core_pattern", "/proc/sys/kernel/modprobe",
				"/proc/sys/kernel/hostname", "/proc/sys/vm/drop_caches",
				"/sys/kernel/mm/transparent_hugepage/enabled" };
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		int fd = open(knobs[i], O_WRONLY);
		if (fd >= 0) {
			printf("HOSTILE-ESCAPED: %s is writable\n", knobs[i]);
			close(fd);
		} else {
			fprintf(stderr, "proc-sys-write: %s: %s\n", knobs[i], strerror(errno));
		}
	}
	return 0;
}
