/* hostile: raise limits: tries to raise every hard rlimit, and to read the parent's limits with prlimit
 * expect: ok|forbidden_syscall
 *
 * Hard limits only go up with CAP_SYS_RESOURCE on the host: a box that
 * could raise them has no limits. prlimit() on another process needs the
 * same uid (or the capability); reading the parent's limits passes the
 * same check as changing them, so the program only reads: if that works
 * it could also set the harness's RLIMIT_NOFILE to 3. Either is an escape.
 * Exits 0: ok.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int main(void)
{
	static const struct {
		int res;
		const char *name;
	} lims[] = {
		{ RLIMIT_CPU, "CPU" }, { RLIMIT_AS, "AS" }, { RLIMIT_DATA, "DATA" },
		{ RLIMIT_NPROC, "NPROC" }, { RLIMIT_NOFILE, "NOFILE" }, { RLIMIT_FSIZE, "FSIZE" },
		{ RLIMIT_CORE, "CORE" }, { RLIMIT_STACK, "STACK" }, { RLIMIT_MEMLOCK, "MEMLOCK" },
		{ RLIMIT_MSGQUEUE, "MSGQUEUE" }, { RLIMIT_RTPRIO, "RTPRIO" }, { RLIMIT_NICE, "NICE" },
	};
	for (size_t i = 0; i < sizeof(lims) / sizeof(lims[0]); i++) {
		struct rlimit rl;
		if (getrlimit(lims[i].res, &rl) < 0 || rl.rlim_max == RLIM_INFINITY)
			continue;
		struct rlimit up = { RLIM_INFINITY, RLIM_INFINITY };
		if (setrlimit(lims[i].res, &up) == 0) {
			printf("HOSTILE-ESCAPED: raised hard RLIMIT_%s from %llu to unlimited\n", lims[i].name,
			       (unsigned long long)rl.rlim_max);
			setrlimit(lims[i].res, &rl);
		} else {
			fprintf(stderr, "setrlimit-raise: RLIMIT_%s hard %llu: %s\n", lims[i].name,
				(unsigned long long)rl.rlim_max, strerror(errno));
		}
	}
	pid_t pp = getppid();
	if (pp > 1) {
		struct rlimit rl;
		if (prlimit(pp, RLIMIT_NOFILE, NULL, &rl) == 0)
			printf("HOSTILE-ESCAPED: prlimit() reaches the parent (pid %d, RLIMIT_NOFILE %llu)\n",
			       (int)pp, (unsigned long long)rl.rlim_cur);
		else
			fprintf(stderr, "setrlimit-raise: prlimit(parent): %s\n", strerror(errno));
	}
	return 0;
}
