/* hostile: daemon: setsid + double fork, the grandchild writes /tmp/ipcgrade-hostile-daemon 2 s later
 * expect: ok|forbidden_syscall
 * settle: 3000
 * check: host-file-absent /tmp/ipcgrade-hostile-daemon
 *
 * The classic daemon: fork, setsid() (new session AND new process group,
 * which escapes a sandbox that kills only its process group), fork again,
 * ignore SIGTERM/SIGHUP/SIGINT, wait 2 s, write a file, then sleep
 * forever. The first process exits 0 right away: ok (or forbidden_syscall
 * if the sandbox denies setsid and kills for it). The runner waits 3 s
 * ("settle") before its checks: the file must not appear on the host and
 * the daemon must be gone. In full mode /tmp is the box's own, so the file
 * can only appear if the daemon escaped the box; in reduced mode only a
 * cgroup (or equivalent) kill of the whole run stops it.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	pid_t a = fork();
	if (a < 0)
		return 1;
	if (a > 0) {
		waitpid(a, NULL, 0);
		return 0;
	}
	if (setsid() < 0)
		perror("setsid-daemon: setsid");
	if (fork() != 0)
		_exit(0);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	if (chdir("/") < 0)
		perror("setsid-daemon: chdir");
	sleep(2);
	int fd = open("/tmp/ipcgrade-hostile-daemon", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		const char *m = "HOSTILE-ESCAPED: the daemon outlived its run\n";
		if (write(fd, m, strlen(m)) < 0)
			perror("setsid-daemon: write");
		close(fd);
	}
	for (;;)
		pause();
}
