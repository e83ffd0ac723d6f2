/* hostile: huge POSIX shm: shm_open + ftruncate to 64 GiB + touching every page
 * expect: runtime_error|memory_limit
 * check: host-file-absent /dev/shm/ipcgrade-hostile-huge
 *
 * /dev/shm is tmpfs: its pages are RAM that no process owns, so they
 * survive the program and escape per-process accounting. ftruncate() to
 * 64 GiB is refused by RLIMIT_FSIZE (SIGXFSZ: runtime_error) or succeeds
 * as a sparse file; touching it through mmap() then stops at the box's
 * /dev/shm size (SIGBUS: runtime_error) or at the memory cgroup, which
 * charges tmpfs pages (memory_limit). If mmap() is refused (RLIMIT_AS) it
 * writes with pwrite() instead. The object is never unlinked: it must not
 * exist on the host afterwards (a leaked 64 GiB tmpfs file is RAM gone).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
	const off_t size = 64LL << 30;
	int fd = shm_open("/ipcgrade-hostile-huge", O_RDWR | O_CREAT, 0600);
	if (fd < 0) {
		perror("posix-shm-huge: shm_open");
		return 1;
	}
	if (ftruncate(fd, size) < 0) {
		perror("posix-shm-huge: ftruncate 64 GiB");
		return 1;
	}
	char *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
	if (p != MAP_FAILED) {
		for (off_t i = 0; i < size; i += 4096)
			p[i] = 1;
		return 0;
	}
	fprintf(stderr, "posix-shm-huge: mmap: %s; writing instead\n", strerror(errno));
	static char buf[1 << 20];
	memset(buf, 'h', sizeof(buf));
	for (off_t off = 0; off < size; off += sizeof(buf)) {
		if (pwrite(fd, buf, sizeof(buf), off) < 0) {
			fprintf(stderr, "posix-shm-huge: pwrite at %lld MiB: %s\n", (long long)(off >> 20),
				strerror(errno));
			return 1;
		}
	}
	return 0;
}
