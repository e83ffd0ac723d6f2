/* hostile: /proc/PPID/mem: reads the parent's memory and environment through /proc
 * expect: ok
 * check: stdout-lacks CANARY-SECRET-7f3a
 * check: grader-alive
 *
 * /proc/PID/mem and /proc/PID/environ need ptrace access (same uid, not
 * dumpable-protected, no yama restriction), not the ptrace system call,
 * so a seccomp policy alone does not stop this. In full mode the parent is
 * the box's init or outside the namespace (pid 0); in reduced mode it is
 * the harness, whose memory and environment (with the runner's canary)
 * must stay unreadable: a different uid, or PR_SET_DUMPABLE 0 in the
 * harness. What is read goes to stdout after a HOSTILE-ESCAPED line.
 * Exits 0: ok.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	pid_t pp = getppid();
	if (pp <= 0) {
		fprintf(stderr, "proc-mem-parent: no parent in this namespace\n");
		return 0;
	}
	char path[64], buf[65536];
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pp);
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
	if (n > 0) {
		printf("HOSTILE-ESCAPED: read %s\n", path);
		for (ssize_t i = 0; i < n; i++)
			putchar(buf[i] ? buf[i] : '\n');
	} else {
		fprintf(stderr, "proc-mem-parent: %s: %s\n", path, strerror(errno));
	}
	if (fd >= 0)
		close(fd);

	/* the first readable mapping of the parent */
	unsigned long lo = 0, hi = 0;
	char perms[8] = "";
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pp);
	FILE *m = fopen(path, "r");
	char line[512];
	while (m && fgets(line, sizeof(line), m)) {
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && perms[0] == 'r')
			break;
		lo = 0;
	}
	if (m)
		fclose(m);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pp);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "proc-mem-parent: %s: %s\n", path, strerror(errno));
		return 0;
	}
	n = lo ? pread(fd, buf, 64, (off_t)lo) : -1;
	if (n > 0)
		printf("HOSTILE-ESCAPED: read %zd bytes of the parent's memory at %#lx\n", n, lo);
	else
		fprintf(stderr, "proc-mem-parent: reading %s: %s\n", path, lo ? strerror(errno) : "no mapping known");
	close(fd);
	return 0;
}
