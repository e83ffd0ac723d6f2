/* hostile: process_vm_readv of the parent: reads 64 bytes of the parent's memory
 * expect: forbidden_syscall
 * check: grader-alive
 *
 * process_vm_readv() reads another process's memory without attaching
 * (same ptrace access check). The address is the parent's first readable
 * mapping from /proc/PPID/maps (0x400000 when /proc does not tell). The
 * policy denies the call: forbidden_syscall. A read that works is an
 * escape and exits 0 (ok: a failed test); refused, it exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
	pid_t pp = getppid();
	unsigned long lo = 0x400000, a, b;
	char path[64], line[512], perms[8];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pp);
	FILE *m = fopen(path, "r");
	while (m && fgets(line, sizeof(line), m)) {
		if (sscanf(line, "%lx-%lx %4s", &a, &b, perms) == 3 && perms[0] == 'r') {
			lo = a;
			break;
		}
	}
	if (m)
		fclose(m);
	char buf[64];
	struct iovec local = { buf, sizeof(buf) }, remote = { (void *)lo, sizeof(buf) };
	ssize_t n = process_vm_readv(pp, &local, 1, &remote, 1, 0);
	if (n > 0) {
		printf("HOSTILE-ESCAPED: read %zd bytes of the parent (pid %d) at %#lx\n", n, (int)pp, lo);
		return 0;
	}
	fprintf(stderr, "vm-readv-parent: process_vm_readv(%d, %#lx): %s\n", (int)pp, lo, strerror(errno));
	return 1;
}
