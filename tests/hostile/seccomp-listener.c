/* hostile: seccomp listener: installs its own filter with SECCOMP_FILTER_FLAG_NEW_LISTENER
 * expect: ok|forbidden_syscall
 * flags: --timeout=2000
 *
 * Why it matters: the kernel allows one user-notification listener per
 * filter chain. A sandbox whose own filter has a listener (seccomp user
 * notification for tracing, jitter or policy) makes the kernel answer
 * EBUSY here; one that denies seccomp() makes it fail or kills
 * (forbidden_syscall). Either way the program gets an error, prints it and
 * exits 0: ok. If the filter is accepted, the student's SECCOMP_RET_USER_NOTIF
 * outranks a sandbox's SECCOMP_RET_TRACE/LOG/ALLOW: calls a ptrace-based
 * tracer should see (and a policy enforced through the tracer) are
 * diverted to the student's own listener. To show the harm the program
 * then calls getppid(), which its filter hands to a listener that nobody
 * reads, so it hangs (timeout, which fails the test, as does the
 * HOSTILE-ESCAPED line). It must get an error, not hang.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fprintf(stderr, "seccomp-listener: PR_SET_NO_NEW_PRIVS: %s\n", strerror(errno));
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (fd < 0) {
		fprintf(stderr, "seccomp-listener: refused as it should be: %s\n", strerror(errno));
		return 0;
	}
	printf("HOSTILE-ESCAPED: installed a seccomp filter with its own listener (fd %ld)\n", fd);
	fflush(stdout);
	fprintf(stderr, "seccomp-listener: calling getppid(), which now waits for a listener nobody serves\n");
	syscall(SYS_getppid);
	return 0;
}
