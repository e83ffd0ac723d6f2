/* hostile: CLONE_PARENT: makes a child that is the first process's sibling, not its child
 * expect: ok|forbidden_syscall
 * settle: 3000
 * check: host-file-absent /tmp/ipcgrade-hostile-sibling
 * check: grader-alive
 *
 * clone(CLONE_PARENT) gives the new process the caller's parent: when the
 * first process does it, the child becomes a child of whatever started
 * the run (the box's init, or in reduced mode possibly the grader itself,
 * which then reaps a process it never forked). It outlives the first
 * process, waits 2 s and writes a file. A sandbox that finds the run's
 * processes by walking the first process's descendants misses it; a
 * cgroup, a PID namespace or a process group kill does not. The first
 * process exits 0: ok. (When the first process is PID 1 of a namespace
 * the kernel refuses with EINVAL, which is fine.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	long r = syscall(SYS_clone, (unsigned long)(CLONE_PARENT | SIGCHLD), 0UL, 0UL, 0UL, 0UL);
	if (r < 0) {
		fprintf(stderr, "clone-parent: clone(CLONE_PARENT): %s\n", strerror(errno));
		return 0;
	}
	if (r > 0) {
		fprintf(stderr, "clone-parent: sibling %ld started\n", r);
		return 0;
	}
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	sleep(2);
	int fd = open("/tmp/ipcgrade-hostile-sibling", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		const char *m = "HOSTILE-ESCAPED: a CLONE_PARENT sibling outlived the run\n";
		if (write(fd, m, strlen(m)) < 0)
			perror("clone-parent: write");
		close(fd);
	}
	for (;;)
		pause();
}
