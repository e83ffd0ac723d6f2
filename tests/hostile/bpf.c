/* hostile: bpf(): creates an array map and loads a socket-filter program
 * expect: forbidden_syscall
 *
 * The eBPF verifier and JIT are a large, frequently exploited kernel
 * surface; unprivileged bpf() is often disabled by sysctl, but the box
 * must not depend on the host's sysctls. The policy denies bpf():
 * forbidden_syscall. If either call works the program says so and exits 0
 * (ok: a failed test); refused, it exits 1.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	int worked = 0;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	long fd = syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	if (fd >= 0) {
		printf("HOSTILE-ESCAPED: bpf(BPF_MAP_CREATE) gave fd %ld\n", fd);
		close((int)fd);
		worked = 1;
	} else {
		fprintf(stderr, "bpf: BPF_MAP_CREATE: %s\n", strerror(errno));
	}
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (unsigned long)insns;
	a.insn_cnt = 2;
	a.license = (unsigned long)"GPL";
	fd = syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (fd >= 0) {
		printf("HOSTILE-ESCAPED: bpf(BPF_PROG_LOAD) gave fd %ld\n", fd);
		close((int)fd);
		worked = 1;
	} else {
		fprintf(stderr, "bpf: BPF_PROG_LOAD: %s\n", strerror(errno));
	}
	return worked ? 0 : 1;
}
