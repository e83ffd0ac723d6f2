/* hostile: fd exhaustion: raises its soft RLIMIT_NOFILE to the hard one and dup()s until EMFILE
 * expect: ok
 *
 * Opening descriptors until the kernel refuses is harmless inside a box
 * with a small RLIMIT_NOFILE (default 256): EMFILE comes quickly, the
 * program reports how many it got, checks that pipe() now fails too, and
 * exits 0: ok. Without a small hard limit it pins kernel memory (up to
 * fs.nr_open, 1M descriptors, per process); more than 4096 descriptors
 * count as an escape. The box's own helpers must not share its fd table.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int main(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		fprintf(stderr, "fd-exhaust: RLIMIT_NOFILE soft %lld hard %lld\n",
			(long long)rl.rlim_cur, (long long)rl.rlim_max);
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	int p[2];
	if (pipe(p) < 0) {
		perror("fd-exhaust: pipe");
		return 0;
	}
	long n = 2;
	int err = 0;
	while (n < (1L << 20)) {
		if (dup(p[0]) < 0) {
			err = errno;
			break;
		}
		n++;
	}
	int q[2];
	int r = pipe(q);
	fprintf(stderr, "fd-exhaust: %ld descriptors, then %s; pipe() afterwards: %s\n", n,
		strerror(err), r < 0 ? strerror(errno) : "worked");
	if (n > 4096)
		printf("HOSTILE-ESCAPED: opened %ld file descriptors\n", n);
	return 0;
}
