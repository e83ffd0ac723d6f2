/* hostile: SIGSTOP the parent: kill(getppid(), SIGSTOP), and the grandparent too
 * expect: ok|forbidden_syscall
 * check: grader-alive
 *
 * Stops whatever started the program: in full mode the box's init (which
 * must not be stoppable from inside: the kernel ignores SIGSTOP sent to a
 * namespace's init from within, a helper that is not init needs its own
 * protection), in reduced mode the harness or the grader itself when they
 * share a uid. Pid 1 and pid 0 are never targeted. A stopped grader hangs
 * for good, so grader-alive checks it is not stopped. The program exits 0
 * (ok).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pid_t parent_of(pid_t p)
{
	char path[64];
	int pp = 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)p);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	/* pid (comm) state ppid: comm may hold spaces, skip to the last ')' */
	char buf[512];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *e = strrchr(buf, ')');
	if (!e || sscanf(e + 1, " %*c %d", &pp) != 1)
		return 0;
	return pp;
}

static void stop(const char *what, pid_t p)
{
	if (p <= 1) {
		fprintf(stderr, "stop-parent: %s is pid %d, not stopping it\n", what, (int)p);
		return;
	}
	int r = kill(p, SIGSTOP);
	fprintf(stderr, "stop-parent: kill(%d /* %s */, SIGSTOP) = %d %s\n", (int)p, what, r,
		r ? strerror(errno) : "");
}

int main(void)
{
	pid_t pp = getppid();
	pid_t gp = pp > 1 ? parent_of(pp) : 0;
	stop("parent", pp);
	stop("grandparent", gp);
	return 0;
}
