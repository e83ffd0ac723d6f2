/* hostile: OOM immunity: sets its own oom_score_adj to -1000 and its parent's to 1000
 * expect: ok|forbidden_syscall
 * check: grader-alive
 *
 * With -1000 the kernel's OOM killer never picks the program, and with
 * its parent at +1000 it picks the parent (the harness or grader) first.
 * Lowering needs CAP_SYS_RESOURCE on the host; raising another process's
 * value needs the same uid. Both working is an escape; each value is put
 * back at once. Exits 0: ok.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void chomp(char *s)
{
	s[strcspn(s, "\n")] = 0;
}

/* read the old value into old, then write val */
static int set(const char *path, const char *val, char *old, size_t oldlen)
{
	int fd = open(path, O_RDWR);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, old, oldlen - 1);
	old[n > 0 ? n : 0] = 0;
	chomp(old);
	int r = pwrite(fd, val, strlen(val), 0) == (ssize_t)strlen(val) ? 0 : -1;
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

int main(void)
{
	char prev[32], scratch[32];
	if (set("/proc/self/oom_score_adj", "-1000", prev, sizeof(prev)) == 0) {
		printf("HOSTILE-ESCAPED: own oom_score_adj set to -1000 (was %s)\n", prev);
		set("/proc/self/oom_score_adj", prev, scratch, sizeof(scratch));
	} else {
		fprintf(stderr, "oom-score-adj: own -1000: %s\n", strerror(errno));
	}
	pid_t pp = getppid();
	if (pp > 1) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pp);
		if (set(path, "1000", prev, sizeof(prev)) == 0) {
			printf("HOSTILE-ESCAPED: parent's oom_score_adj set to 1000 (was %s)\n", prev);
			set(path, prev, scratch, sizeof(scratch));
		} else {
			fprintf(stderr, "oom-score-adj: parent +1000: %s\n", strerror(errno));
		}
	}
	return 0;
}
