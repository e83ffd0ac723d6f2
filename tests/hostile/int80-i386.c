/* hostile: i386 system call: getpid through `int $0x80` from 64-bit code
 * expect: forbidden_syscall|runtime_error
 *
 * int $0x80 enters the kernel's 32-bit system call table even from a
 * 64-bit process, with different numbers: i386 20 is getpid but x86_64 20
 * is writev, i386 26 is ptrace but x86_64 26 is msync. A seccomp filter
 * that checks numbers without first checking seccomp_data.arch ==
 * AUDIT_ARCH_X86_64 can be walked around. The filter must deny (or kill)
 * every non-x86_64 arch: forbidden_syscall. A kernel without IA-32
 * emulation answers ENOSYS (exit 1) or SIGSEGV, both runtime_error, which
 * is as safe. If getpid() comes back the program says so and exits 0 (ok:
 * a failed test). Only getpid is called.
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory", "r8", "r9", "r10", "r11");
	if (ret == (long)getpid()) {
		printf("HOSTILE-ESCAPED: i386 getpid via int $0x80 returned %ld\n", ret);
		return 0;
	}
	fprintf(stderr, "int80-i386: int $0x80 getpid returned %ld\n", ret);
	return 1;
}
