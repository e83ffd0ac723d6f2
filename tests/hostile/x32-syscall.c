/* hostile: x32 system call: getpid with __X32_SYSCALL_BIT (nr | 0x40000000)
 * expect: forbidden_syscall|runtime_error
 *
 * x32 calls arrive with the x86_64 audit arch, so an arch check alone
 * does not catch them: the filter must also deny nr >= 0x40000000
 * (libseccomp does this for an x86_64 filter). Denied by the filter:
 * forbidden_syscall. Kernels built without x32 (most distributions)
 * answer ENOSYS and the program exits 1: runtime_error, which is as safe.
 * If getpid() comes back the program says so and exits 0 (ok: a failed
 * test).
 */
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define X32_BIT 0x40000000L

int main(void)
{
	long ret = syscall(X32_BIT | SYS_getpid);
	if (ret == (long)getpid()) {
		printf("HOSTILE-ESCAPED: x32 getpid returned %ld\n", ret);
		return 0;
	}
	perror("x32-syscall: x32 getpid");
	return 1;
}
