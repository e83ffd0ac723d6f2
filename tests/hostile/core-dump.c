/* hostile: core dump: raises RLIMIT_CORE to its hard limit, touches 64 MiB and aborts
 * expect: runtime_error
 *
 * abort() is a plain runtime_error (SIGABRT). The attack is the dump: the
 * kernel hands it to core_pattern, which is either a file in the work
 * directory (64 MiB per run, on the host's disk) or a pipe to a helper
 * (systemd-coredump, apport) that runs as root OUTSIDE every namespace and
 * parses attacker-controlled data. The box must set RLIMIT_CORE to 0 for
 * both soft and hard: a non-zero hard limit is reported as an escape.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

int main(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_CORE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_CORE, &rl);
		getrlimit(RLIMIT_CORE, &rl);
		if (rl.rlim_cur != 0) {
			char pat[256] = "?";
			FILE *f = fopen("/proc/sys/kernel/core_pattern", "r");
			if (f) {
				if (!fgets(pat, sizeof(pat), f))
					strcpy(pat, "?");
				fclose(f);
			}
			char lim[32] = "unlimited";
			if (rl.rlim_cur != RLIM_INFINITY)
				snprintf(lim, sizeof(lim), "%llu bytes", (unsigned long long)rl.rlim_cur);
			printf("HOSTILE-ESCAPED: core dumps enabled, RLIMIT_CORE %s, core_pattern %s", lim, pat);
			fflush(stdout);
		}
	}
	size_t len = 64u << 20;
	char *p = malloc(len);
	if (p)
		memset(p, 0x5a, len);
	abort();
}
