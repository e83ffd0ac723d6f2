/*
 * test_policy.c - the seccomp filter and the supervisor's re-check agree.
 *
 * Both are made from one table (harness/policy_table.c). For every flag
 * combination the filter is built as the box gets it (hx_policy_build:
 * libseccomp's exported BPF), run through an interpreter (bpf_sim.h) on a
 * struct seccomp_data, and compared with hx_policy_decide on the same
 * arch, number and arguments: a call the re-check denies, traces, gates or
 * kill-checks must be notified; one it allows must not; clone3's ERRNO
 * must come from the filter. The inputs:
 *
 *  - a table of cases in the shape of libseccomp's *.tests files: call,
 *    arch, arguments, and the expected class under each policy flag
 *    (the denial's name included);
 *  - cases made from the policy table itself: each rule with arguments
 *    that match it (other bits and other arguments set, 64-bit high halves
 *    included) and with each condition broken in turn;
 *  - every syscall number from 0 to 600 with all-zero and all-one
 *    arguments (calls in no rule are allowed), numbers at the x32 bit and
 *    above, and other arches (i386, x32: denied as a bad arch).
 *
 * Every instruction of every filter must have run at least once. A few
 * cases also run under the real kernel, in a forked child that loads the
 * filter without a listener (notified calls then fail with ENOSYS);
 * SKIPPED where this machine cannot load a filter.
 */
#define _GNU_SOURCE
#include "testutil.h"
#include "internal.h"
#include "bpf_sim.h"

#include <linux/audit.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#define X86_64 AUDIT_ARCH_X86_64
#define I386 AUDIT_ARCH_I386
#define X32_BIT 0x40000000

#define ALLOW HX_SC_ALLOW
#define HOT HX_SC_HOT
#define TRACE HX_SC_TRACE
#define GATE HX_SC_START_GATE
#define SLEEP HX_SC_SLEEP
#define KILL HX_SC_KILL_CHECK
#define ERRNO HX_SC_ERRNO
#define DENY HX_SC_DENY
#define PERMIT HX_SC_PERMIT

struct policies {
	struct hx_policy p[HX_POLICY_COMBINATIONS];
	unsigned char *hit[HX_POLICY_COMBINATIONS];	/* instructions that ran */
	unsigned long cases, runs;
};

static struct policies *all;

static int build_all(void **state)
{
	char err[256];

	all = calloc(1, sizeof(*all));
	if (!all)
		return -1;
	for (unsigned f = 0; f < HX_POLICY_COMBINATIONS; f++) {
		if (hx_policy_build(f, &all->p[f], err, sizeof(err)) < 0) {
			fprintf(stderr, "policy %u: %s\n", f, err);
			return -1;
		}
		all->hit[f] = calloc(all->p[f].bpf_len, 1);
		if (!all->hit[f])
			return -1;
	}
	*state = all;
	return 0;
}

static int release_all(void **state)
{
	(void)state;
	printf("policy agreement: %lu cases, %lu filter runs over %d flag combinations\n",
	       all->cases, all->runs, HX_POLICY_COMBINATIONS);
	for (unsigned f = 0; f < HX_POLICY_COMBINATIONS; f++) {
		hx_policy_release(&all->p[f]);
		free(all->hit[f]);
	}
	free(all);
	all = NULL;
	return 0;
}

static const char *class_name(enum hx_syscall_class c)
{
	static const char *const names[] = {
		[ALLOW] = "allow", [HOT] = "hot", [TRACE] = "trace", [SLEEP] = "sleep", [GATE] = "start gate",
		[KILL] = "kill check", [ERRNO] = "errno", [DENY] = "deny", [PERMIT] = "permit",
	};

	return (unsigned)c < HX_ARRAY_SIZE(names) && names[c] ? names[c] : "?";
}

/* The errno the table's ERRNO rule for nr returns (0: none). */
static int errno_rule(int nr)
{
	for (size_t i = 0; i < hx_policy_nrules; i++)
		if (hx_policy_rules[i].nr == nr && hx_policy_rules[i].action == ERRNO)
			return hx_policy_rules[i].errnum;
	return 0;
}

/* The filter's verdict that goes with the re-check's class. */
static uint32_t filter_verdict(enum hx_syscall_class c, int nr)
{
	switch (c) {
	case ALLOW: return SECCOMP_RET_ALLOW;
	case ERRNO: return SECCOMP_RET_ERRNO | ((uint32_t)errno_rule(nr) & SECCOMP_RET_DATA);
	default: return SECCOMP_RET_USER_NOTIF;
	}
}

/* Run one input through filter f and the re-check; fail the test when they
 * disagree. Returns the re-check's class; name gets its denial name. */
static enum hx_syscall_class agree(unsigned f, const char *what, uint32_t arch, int nr,
				   const uint64_t args[6], char *name, size_t size)
{
	struct seccomp_data d = { .nr = nr, .arch = arch };
	uint32_t ret = 0;
	char err[256];

	memcpy(d.args, args, sizeof(d.args));
	if (bpf_sim_run(all->p[f].bpf, all->p[f].bpf_len, &d, &ret, all->hit[f], err, sizeof(err)) < 0)
		fail_msg("policy %u, %s: %s", f, what, err);
	all->runs++;
	enum hx_syscall_class c = hx_policy_decide(f, arch, nr, args, name, size);
	uint32_t want = filter_verdict(c, nr);

	if (ret != want)
		fail_msg("policy %u, %s (arch %#x, nr %d, args %#llx %#llx %#llx %#llx): the filter "
			 "returns %#x, the re-check says %s (%#x)", f, what, arch, nr,
			 (unsigned long long)args[0], (unsigned long long)args[1],
			 (unsigned long long)args[2], (unsigned long long)args[3], ret, class_name(c), want);
	if (c == DENY && !name[0])
		fail_msg("policy %u, %s: denied without a name", f, what);
	if (c != DENY && name[0])
		fail_msg("policy %u, %s: %s, yet named '%s'", f, what, class_name(c), name);
	return c;
}

/* ---- the table of cases ---------------------------------------------------- */

/*
 * One call and what each policy makes of it: `base` with no flags, and
 * what each flag adds (the highest class wins, as in hx_policy_decide).
 * `reduced` and `full` are the rules of one isolation mode only (reduced:
 * HX_POLICY_CHECK_KILL); `kill` is HX_POLICY_CHECK_KILL's kill checks;
 * `nomq` what a reduced box without a queue file system adds, `rlas` what
 * HX_POLICY_RLIMIT_AS (no memory cgroup) adds, `scale` HX_POLICY_TIME_SCALE's
 * sleeps, `exit` HX_POLICY_EXIT's.
 */
struct policy_case {
	const char *what;
	uint32_t arch;
	int nr;
	uint64_t args[6];
	enum hx_syscall_class base, trace, hot, kill, gate, reduced, full, scale, exit;
	enum hx_syscall_class nomq;	/* reduced isolation with HX_POLICY_NO_MQUEUE */
	enum hx_syscall_class rlas;	/* HX_POLICY_RLIMIT_AS */
	bool ebpf;		/* the eBPF backend counts it: HX_POLICY_EBPF drops trace and hot */
	const char *denial;	/* the name the report shows, when denied */
};

static const struct policy_case cases[] = {
	/* ---- allowed: in no rule */
	{ .what = "getpid", .arch = X86_64, .nr = SYS_getpid, .args = { 0 } },
	{ .what = "getpid, all-one args", .arch = X86_64, .nr = SYS_getpid, .args = { ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull } },
	/* ---- sleeps: shortened with time_scale only */
	{ .what = "nanosleep", .arch = X86_64, .nr = SYS_nanosleep, .args = { 0 }, .trace = TRACE, .scale = SLEEP },
	{ .what = "clock_nanosleep", .arch = X86_64, .nr = SYS_clock_nanosleep, .args = { 1, 1 }, .trace = TRACE, .scale = SLEEP },
	{ .what = "select(0)", .arch = X86_64, .nr = SYS_select, .args = { 0, 0, 0, 0, 8 }, .trace = TRACE, .scale = SLEEP },
	{ .what = "select(0 | 1 << 32)", .arch = X86_64, .nr = SYS_select, .args = { 1ull << 32 }, .trace = TRACE, .scale = SLEEP },
	{ .what = "select(4)", .arch = X86_64, .nr = SYS_select, .args = { 4, 8, 0, 0, 8 } },
	{ .what = "pselect6(0)", .arch = X86_64, .nr = SYS_pselect6, .args = { 0, 0, 0, 0, 8 }, .trace = TRACE, .scale = SLEEP },
	{ .what = "pselect6(1)", .arch = X86_64, .nr = SYS_pselect6, .args = { 1, 8, 0, 0, 8 } },
	{ .what = "poll(NULL, 0, 10)", .arch = X86_64, .nr = SYS_poll, .args = { 0, 0, 10 }, .trace = TRACE, .scale = SLEEP },
	{ .what = "poll(fds, 2, 10)", .arch = X86_64, .nr = SYS_poll, .args = { 8, 2, 10 } },
	{ .what = "ppoll(NULL, 0)", .arch = X86_64, .nr = SYS_ppoll, .args = { 0, 0, 8 }, .trace = TRACE, .scale = SLEEP },
	{ .what = "ppoll(fds, 1)", .arch = X86_64, .nr = SYS_ppoll, .args = { 8, 1, 8 } },
	/* ---- exit_group: notified for the fds at exit only */
	{ .what = "exit_group", .arch = X86_64, .nr = SYS_exit_group, .args = { 0 }, .exit = TRACE },
	{ .what = "exit", .arch = X86_64, .nr = SYS_exit, .args = { 0 } },
	{ .what = "syscall -1 (no call)", .arch = X86_64, .nr = -1, .args = { 0 } },
	{ .what = "syscall 1000 (none)", .arch = X86_64, .nr = 1000, .args = { 0 } },
	/* ---- denied in every policy */
	{ .what = "ptrace(PTRACE_TRACEME)", .arch = X86_64, .nr = SYS_ptrace, .args = { PTRACE_TRACEME }, .base = DENY, .denial = "ptrace" },
	{ .what = "ptrace(PTRACE_ATTACH, 1)", .arch = X86_64, .nr = SYS_ptrace, .args = { PTRACE_ATTACH, 1 }, .base = DENY, .denial = "ptrace" },
	{ .what = "bpf", .arch = X86_64, .nr = SYS_bpf, .args = { 0 }, .base = DENY, .denial = "bpf" },
	{ .what = "io_uring_setup", .arch = X86_64, .nr = SYS_io_uring_setup, .args = { 8 }, .base = DENY, .denial = "io_uring_setup" },
	{ .what = "unshare(CLONE_NEWUSER)", .arch = X86_64, .nr = SYS_unshare, .args = { CLONE_NEWUSER }, .base = DENY, .denial = "unshare" },
	{ .what = "unshare(0)", .arch = X86_64, .nr = SYS_unshare, .args = { 0 }, .base = DENY, .denial = "unshare" },
	{ .what = "mount", .arch = X86_64, .nr = SYS_mount, .args = { 0 }, .base = DENY, .denial = "mount" },
	{ .what = "personality(query)", .arch = X86_64, .nr = SYS_personality, .args = { 0xffffffff }, .base = DENY, .denial = "personality" },
	{ .what = "process_vm_readv", .arch = X86_64, .nr = SYS_process_vm_readv, .args = { 1 }, .base = DENY, .denial = "process_vm_readv" },
	{ .what = "userfaultfd", .arch = X86_64, .nr = SYS_userfaultfd, .args = { 0 }, .base = DENY, .denial = "userfaultfd" },
	/* ---- sockets: AF_UNIX only; the family compared over 64 bits */
	{ .what = "socket(AF_INET)", .arch = X86_64, .nr = SYS_socket, .args = { AF_INET, SOCK_STREAM }, .base = DENY, .denial = "socket(AF_INET)" },
	{ .what = "socket(AF_INET6)", .arch = X86_64, .nr = SYS_socket, .args = { AF_INET6, SOCK_DGRAM }, .base = DENY, .denial = "socket(AF_INET6)" },
	{ .what = "socket(AF_NETLINK)", .arch = X86_64, .nr = SYS_socket, .args = { AF_NETLINK, SOCK_RAW }, .base = DENY, .denial = "socket(AF_NETLINK)" },
	/* glibc's mq_notify(SIGEV_THREAD) helper socket: permitted in full
	 * isolation (its own network namespace), named in reduced */
	{ .what = "socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)", .arch = X86_64, .nr = SYS_socket,
	  .args = { AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE }, .base = DENY, .full = PERMIT,
	  .denial = "socket(AF_NETLINK for mq_notify SIGEV_THREAD)" },
	{ .what = "socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE | 1 << 32)", .arch = X86_64, .nr = SYS_socket,
	  .args = { AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE | (1ull << 32) }, .base = DENY, .full = PERMIT,
	  .denial = "socket(AF_NETLINK for mq_notify SIGEV_THREAD)" },
	{ .what = "socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE)", .arch = X86_64, .nr = SYS_socket,
	  .args = { AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE }, .base = DENY, .denial = "socket(AF_NETLINK)" },
	{ .what = "socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT)", .arch = X86_64, .nr = SYS_socket,
	  .args = { AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT }, .base = DENY, .denial = "socket(AF_NETLINK)" },
	{ .what = "socket(AF_PACKET)", .arch = X86_64, .nr = SYS_socket, .args = { AF_PACKET, SOCK_RAW }, .base = DENY, .denial = "socket(AF_PACKET)" },
	{ .what = "socket(99)", .arch = X86_64, .nr = SYS_socket, .args = { 99 }, .base = DENY, .denial = "socket(family 99)" },
	{ .what = "socket(AF_UNSPEC)", .arch = X86_64, .nr = SYS_socket, .args = { AF_UNSPEC }, .base = DENY, .denial = "socket(family 0)" },
	{ .what = "socket(AF_UNIX)", .arch = X86_64, .nr = SYS_socket, .args = { AF_UNIX, SOCK_STREAM }, .trace = TRACE },
	{ .what = "socket(AF_UNIX | 1 << 32)", .arch = X86_64, .nr = SYS_socket, .args = { AF_UNIX | (1ull << 32) }, .base = DENY,
	  .denial = "socket(family 4294967297)" },
	{ .what = "socketpair(AF_UNIX)", .arch = X86_64, .nr = SYS_socketpair, .args = { AF_UNIX, SOCK_STREAM }, .trace = TRACE },
	{ .what = "socketpair(AF_INET)", .arch = X86_64, .nr = SYS_socketpair, .args = { AF_INET, SOCK_STREAM }, .base = DENY,
	  .denial = "socketpair(AF_INET)" },
	/* ---- ioctl: TIOCSTI and TIOCLINUX, compared over 32 bits */
	{ .what = "ioctl(TIOCSTI)", .arch = X86_64, .nr = SYS_ioctl, .args = { 0, TIOCSTI }, .base = DENY, .denial = "ioctl(TIOCSTI)" },
	{ .what = "ioctl(TIOCSTI | high bits)", .arch = X86_64, .nr = SYS_ioctl, .args = { 0, TIOCSTI | 0xdead000000000000ull },
	  .base = DENY, .denial = "ioctl(TIOCSTI)" },
	{ .what = "ioctl(TIOCSTI | 1 << 32)", .arch = X86_64, .nr = SYS_ioctl, .args = { 0, TIOCSTI | (1ull << 32) }, .base = DENY,
	  .denial = "ioctl(TIOCSTI)" },
	{ .what = "ioctl(TIOCLINUX)", .arch = X86_64, .nr = SYS_ioctl, .args = { 1, TIOCLINUX }, .base = DENY, .denial = "ioctl(TIOCLINUX)" },
	{ .what = "ioctl(TIOCLINUX | high bits)", .arch = X86_64, .nr = SYS_ioctl, .args = { 1, TIOCLINUX | ~0xffffffffull },
	  .base = DENY, .denial = "ioctl(TIOCLINUX)" },
	{ .what = "ioctl(TIOCGWINSZ)", .arch = X86_64, .nr = SYS_ioctl, .args = { 0, TIOCGWINSZ } },
	{ .what = "ioctl(TIOCSTI + 1)", .arch = X86_64, .nr = SYS_ioctl, .args = { 0, TIOCSTI + 1 } },
	{ .what = "ioctl(fd TIOCSTI, FIONREAD)", .arch = X86_64, .nr = SYS_ioctl, .args = { TIOCSTI, FIONREAD } },
	{ .what = "ioctl(0, 0, TIOCSTI)", .arch = X86_64, .nr = SYS_ioctl, .args = { 0, 0, TIOCSTI } },
	/* ---- clone: namespace flags denied (named by the first), the rest traced */
	{ .what = "clone(SIGCHLD)", .arch = X86_64, .nr = SYS_clone, .args = { SIGCHLD }, .trace = TRACE },
	{ .what = "clone(thread)", .arch = X86_64, .nr = SYS_clone, .args = { CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
	    CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID }, .trace = TRACE },
	{ .what = "clone(CLONE_NEWUSER)", .arch = X86_64, .nr = SYS_clone, .args = { CLONE_NEWUSER | SIGCHLD }, .base = DENY,
	  .denial = "clone(CLONE_NEWUSER)" },
	{ .what = "clone(CLONE_NEWPID | CLONE_NEWUSER)", .arch = X86_64, .nr = SYS_clone, .args = { CLONE_NEWPID | CLONE_NEWUSER }, .base = DENY,
	  .denial = "clone(CLONE_NEWUSER)" },
	{ .what = "clone(CLONE_NEWNS | CLONE_NEWNET)", .arch = X86_64, .nr = SYS_clone, .args = { CLONE_NEWNS | CLONE_NEWNET }, .base = DENY,
	  .denial = "clone(CLONE_NEWNS)" },
	{ .what = "clone(CLONE_NEWCGROUP)", .arch = X86_64, .nr = SYS_clone, .args = { CLONE_NEWCGROUP }, .base = DENY,
	  .denial = "clone(CLONE_NEWCGROUP)" },
	{ .what = "clone(CLONE_NEWUTS)", .arch = X86_64, .nr = SYS_clone, .args = { CLONE_NEWUTS }, .base = DENY, .denial = "clone(CLONE_NEWUTS)" },
	{ .what = "clone(CLONE_NEWIPC)", .arch = X86_64, .nr = SYS_clone, .args = { CLONE_NEWIPC }, .base = DENY, .denial = "clone(CLONE_NEWIPC)" },
	{ .what = "clone(CLONE_NEWNET | high bits)", .arch = X86_64, .nr = SYS_clone, .args = { CLONE_NEWNET | (0xffull << 40) }, .base = DENY,
	  .denial = "clone(CLONE_NEWNET)" },
	{ .what = "clone(high bits only)", .arch = X86_64, .nr = SYS_clone, .args = { 0xffffffff00000000ull | SIGCHLD }, .trace = TRACE },
	{ .what = "clone(exit signal 0x80)", .arch = X86_64, .nr = SYS_clone, .args = { 0x80 }, .base = DENY, .denial = "clone(SIG128)" },
	{ .what = "clone3", .arch = X86_64, .nr = SYS_clone3, .args = { 0, 88 }, .base = ERRNO },
	{ .what = "fork", .arch = X86_64, .nr = SYS_fork, .args = { 0 }, .trace = TRACE },
	{ .what = "vfork", .arch = X86_64, .nr = SYS_vfork, .args = { 0 }, .trace = TRACE },
	{ .what = "execve", .arch = X86_64, .nr = SYS_execve, .args = { 0 }, .trace = TRACE },
	{ .what = "wait4", .arch = X86_64, .nr = SYS_wait4, .args = { (uint64_t)-1 }, .trace = TRACE },
	/* ---- files by path; in reduced isolation, whatever may make one */
	{ .what = "openat(O_CREAT)", .arch = X86_64, .nr = SYS_openat, .args = { (uint64_t)AT_FDCWD, 0x1000, O_RDWR | O_CREAT }, .trace = TRACE,
	  .reduced = TRACE },
	{ .what = "openat(O_RDONLY)", .arch = X86_64, .nr = SYS_openat, .args = { (uint64_t)AT_FDCWD, 0x1000, O_RDONLY }, .trace = TRACE },
	{ .what = "openat(O_CREAT | 1 << 40)", .arch = X86_64, .nr = SYS_openat, .args = { 3, 0x1000, O_CREAT | O_EXCL | (1ull << 40) },
	  .trace = TRACE, .reduced = TRACE },
	{ .what = "openat(O_CREAT in arg 3)", .arch = X86_64, .nr = SYS_openat, .args = { 3, 0x1000, O_WRONLY, O_CREAT }, .trace = TRACE },
	{ .what = "open(O_CREAT)", .arch = X86_64, .nr = SYS_open, .args = { 0x1000, O_CREAT | O_WRONLY, 0600 }, .trace = TRACE,
	  .reduced = TRACE },
	{ .what = "open(O_RDWR)", .arch = X86_64, .nr = SYS_open, .args = { 0x1000, O_RDWR }, .trace = TRACE },
	{ .what = "creat", .arch = X86_64, .nr = SYS_creat, .args = { 0x1000, 0600 }, .trace = TRACE, .reduced = TRACE },
	{ .what = "openat2", .arch = X86_64, .nr = SYS_openat2, .args = { 3, 0x1000, 0x2000, 24 }, .trace = TRACE, .reduced = TRACE },
	{ .what = "unlink", .arch = X86_64, .nr = SYS_unlink, .args = { 0x1000 }, .trace = TRACE },
	{ .what = "linkat", .arch = X86_64, .nr = SYS_linkat, .args = { 0 }, .trace = TRACE, .reduced = TRACE },
	{ .what = "symlink", .arch = X86_64, .nr = SYS_symlink, .args = { 0x1000, 0x2000 }, .reduced = TRACE },
	{ .what = "renameat2", .arch = X86_64, .nr = SYS_renameat2, .args = { 3, 0x1000, 3, 0x2000, 0 }, .reduced = TRACE },
	{ .what = "mkdir", .arch = X86_64, .nr = SYS_mkdir, .args = { 0x1000, 0700 }, .reduced = TRACE },
	{ .what = "mknod(S_IFIFO)", .arch = X86_64, .nr = SYS_mknod, .args = { 0x1000, S_IFIFO | 0644 }, .trace = TRACE, .reduced = TRACE },
	{ .what = "mknod(S_IFIFO | 1 << 40)", .arch = X86_64, .nr = SYS_mknod, .args = { 0x1000, S_IFIFO | 0600 | (1ull << 40) }, .trace = TRACE,
	  .reduced = TRACE },
	{ .what = "mknod(S_IFCHR)", .arch = X86_64, .nr = SYS_mknod, .args = { 0x1000, S_IFCHR | 0644, 0x0103 }, .reduced = TRACE },
	{ .what = "mknod(S_IFBLK)", .arch = X86_64, .nr = SYS_mknod, .args = { 0x1000, S_IFBLK | 0644 }, .reduced = TRACE },
	{ .what = "mknod(S_IFSOCK)", .arch = X86_64, .nr = SYS_mknod, .args = { 0x1000, S_IFSOCK | 0644 }, .reduced = TRACE },
	{ .what = "mknod(S_IFREG)", .arch = X86_64, .nr = SYS_mknod, .args = { 0x1000, S_IFREG | 0644 }, .reduced = TRACE },
	{ .what = "mknod(mode 0)", .arch = X86_64, .nr = SYS_mknod, .args = { 0x1000, 0 }, .reduced = TRACE },
	{ .what = "mknodat(S_IFIFO)", .arch = X86_64, .nr = SYS_mknodat, .args = { (uint64_t)AT_FDCWD, 0x1000, S_IFIFO | 0644 }, .trace = TRACE,
	  .reduced = TRACE },
	{ .what = "mknodat(S_IFCHR)", .arch = X86_64, .nr = SYS_mknodat, .args = { (uint64_t)AT_FDCWD, 0x1000, S_IFCHR | 0644 }, .reduced = TRACE },
	{ .what = "mknodat(S_IFIFO in arg 1)", .arch = X86_64, .nr = SYS_mknodat, .args = { (uint64_t)AT_FDCWD, S_IFIFO, S_IFREG }, .reduced = TRACE },
	/* ---- mmap: shared mappings only */
	{ .what = "mmap(MAP_SHARED)", .arch = X86_64, .nr = SYS_mmap, .args = { 0, 4096, PROT_READ, MAP_SHARED, 3 }, .trace = TRACE },
	{ .what = "mmap(MAP_SHARED | MAP_ANONYMOUS)", .arch = X86_64, .nr = SYS_mmap, .args = { 0, 4096, 3, MAP_SHARED | MAP_ANONYMOUS, (uint64_t)-1 },
	  .trace = TRACE, .rlas = TRACE },
	{ .what = "mmap(MAP_SHARED_VALIDATE)", .arch = X86_64, .nr = SYS_mmap, .args = { 0, 4096, 3, MAP_SHARED_VALIDATE, 3 }, .trace = TRACE },
	{ .what = "mmap(MAP_PRIVATE)", .arch = X86_64, .nr = SYS_mmap, .args = { 0, 4096, PROT_READ, MAP_PRIVATE, 3 } },
	{ .what = "mmap(MAP_PRIVATE | MAP_ANONYMOUS)", .arch = X86_64, .nr = SYS_mmap, .args = { 0, 4096, 3, MAP_PRIVATE | MAP_ANONYMOUS },
	  .rlas = TRACE },
	{ .what = "mmap(MAP_ANONYMOUS in arg 2)", .arch = X86_64, .nr = SYS_mmap, .args = { 0, 4096, MAP_ANONYMOUS, MAP_PRIVATE } },
	{ .what = "mmap(MAP_SHARED in arg 2)", .arch = X86_64, .nr = SYS_mmap, .args = { 0, 4096, MAP_SHARED, MAP_PRIVATE } },
	{ .what = "mmap(MAP_PRIVATE | 1 << 32)", .arch = X86_64, .nr = SYS_mmap, .args = { 0, 4096, 3, MAP_PRIVATE | (1ull << 32) } },
	{ .what = "mq_notify", .arch = X86_64, .nr = SYS_mq_notify, .args = { 3, 0x1000 }, .trace = TRACE },
	/* ---- the process table and restarts */
	{ .what = "rt_sigreturn", .arch = X86_64, .nr = SYS_rt_sigreturn, .args = { 0 }, .trace = TRACE },
	/* ---- the sleep group: waits for time only */
	{ .what = "nanosleep", .arch = X86_64, .nr = SYS_nanosleep, .args = { 0x1000 }, .trace = TRACE, .scale = SLEEP },
	{ .what = "clock_nanosleep", .arch = X86_64, .nr = SYS_clock_nanosleep, .args = { 1, 0, 0x1000 }, .trace = TRACE, .scale = SLEEP },
	{ .what = "poll(no fds)", .arch = X86_64, .nr = SYS_poll, .args = { 0, 0, 40 }, .trace = TRACE, .scale = SLEEP },
	{ .what = "poll(1 fd)", .arch = X86_64, .nr = SYS_poll, .args = { 0x1000, 1, 40 } },
	{ .what = "poll(1 << 32 fds)", .arch = X86_64, .nr = SYS_poll, .args = { 0x1000, 1ull << 32, 40 }, .trace = TRACE, .scale = SLEEP },
	{ .what = "ppoll(no fds)", .arch = X86_64, .nr = SYS_ppoll, .args = { 0, 0, 0x1000 }, .trace = TRACE, .scale = SLEEP },
	{ .what = "select(0 fds)", .arch = X86_64, .nr = SYS_select, .args = { 0, 0, 0, 0, 0x1000 }, .trace = TRACE, .scale = SLEEP },
	{ .what = "pselect6(4 fds)", .arch = X86_64, .nr = SYS_pselect6, .args = { 4, 0x1000, 0, 0, 0x2000 } },
	{ .what = "epoll_wait(timeout 60)", .arch = X86_64, .nr = SYS_epoll_wait, .args = { 3, 0x1000, 1, 60 }, .trace = TRACE },
	{ .what = "epoll_wait(timeout -1)", .arch = X86_64, .nr = SYS_epoll_wait, .args = { 3, 0x1000, 1, 0xffffffffu } },
	{ .what = "epoll_pwait2(no timeout)", .arch = X86_64, .nr = SYS_epoll_pwait2, .args = { 3, 0x1000, 1, 0 } },
	/* ---- IPC setup calls; in reduced isolation, those that may make an object */
	{ .what = "pipe2", .arch = X86_64, .nr = SYS_pipe2, .args = { 0x1000, O_CLOEXEC }, .trace = TRACE },
	{ .what = "shmget(IPC_PRIVATE)", .arch = X86_64, .nr = SYS_shmget, .args = { 0 }, .trace = TRACE, .reduced = TRACE },
	{ .what = "shmget(key, IPC_CREAT)", .arch = X86_64, .nr = SYS_shmget, .args = { 0x1234, 4096, IPC_CREAT | 0600 }, .trace = TRACE,
	  .reduced = TRACE },
	{ .what = "shmget(key, 0)", .arch = X86_64, .nr = SYS_shmget, .args = { 0x1234, 4096, 0600 }, .trace = TRACE },
	{ .what = "shmget(1 << 32: IPC_PRIVATE as 32 bits)", .arch = X86_64, .nr = SYS_shmget, .args = { 1ull << 32, 4096, 0 },
	  .trace = TRACE, .reduced = TRACE },
	{ .what = "semget(IPC_PRIVATE)", .arch = X86_64, .nr = SYS_semget, .args = { 0 }, .trace = TRACE, .reduced = TRACE },
	{ .what = "semget(key, IPC_CREAT)", .arch = X86_64, .nr = SYS_semget, .args = { 7, 1, IPC_CREAT }, .trace = TRACE, .reduced = TRACE },
	{ .what = "semget(key, IPC_CREAT in arg 1)", .arch = X86_64, .nr = SYS_semget, .args = { 7, IPC_CREAT, 0 }, .trace = TRACE },
	{ .what = "mq_open(0)", .arch = X86_64, .nr = SYS_mq_open, .args = { 0 }, .trace = TRACE, .nomq = DENY,
	  .denial = "mq_open(reduced isolation without /dev/mqueue)" },
	{ .what = "mq_open(O_CREAT)", .arch = X86_64, .nr = SYS_mq_open, .args = { 0x1000, O_CREAT | O_RDWR, 0600, 0 }, .trace = TRACE,
	  .reduced = TRACE, .nomq = DENY, .denial = "mq_open(reduced isolation without /dev/mqueue)" },
	{ .what = "msgget(IPC_PRIVATE)", .arch = X86_64, .nr = SYS_msgget, .args = { 0 }, .trace = TRACE, .reduced = TRACE },
	{ .what = "msgget(key, IPC_CREAT)", .arch = X86_64, .nr = SYS_msgget, .args = { 9, IPC_CREAT | 0600 }, .trace = TRACE, .reduced = TRACE },
	{ .what = "msgget(key, 0)", .arch = X86_64, .nr = SYS_msgget, .args = { 9, 0600 }, .trace = TRACE },
	/* ---- hot calls */
	{ .what = "read", .arch = X86_64, .ebpf = true, .nr = SYS_read, .args = { 3, 0x1000, 64 }, .hot = HOT },
	{ .what = "write", .arch = X86_64, .ebpf = true, .nr = SYS_write, .args = { 1, 0x1000, 64 }, .hot = HOT },
	{ .what = "futex", .arch = X86_64, .ebpf = true, .nr = SYS_futex, .args = { 0x1000, 0 }, .hot = HOT },
	{ .what = "semtimedop", .arch = X86_64, .ebpf = true, .nr = SYS_semtimedop, .args = { 0 }, .hot = HOT },
	{ .what = "mq_timedreceive", .arch = X86_64, .ebpf = true, .nr = SYS_mq_timedreceive, .args = { 0 }, .hot = HOT },
	{ .what = "shmat", .arch = X86_64, .ebpf = true, .nr = SYS_shmat, .args = { 7 }, .trace = TRACE },
	{ .what = "semctl", .arch = X86_64, .ebpf = true, .nr = SYS_semctl, .args = { 7, 0, 16 }, .trace = TRACE },
	{ .what = "close", .arch = X86_64, .nr = SYS_close, .args = { 3 }, .hot = HOT },
	{ .what = "dup3", .arch = X86_64, .nr = SYS_dup3, .args = { 3, 4, 0 }, .hot = HOT },
	/* ---- the start gate */
	{ .what = "set_robust_list", .arch = X86_64, .nr = SYS_set_robust_list, .args = { 0x1000, 24 }, .trace = TRACE, .gate = GATE },
	/* ---- signals: traced, and checked in reduced isolation */
	{ .what = "kill(1, SIGKILL)", .arch = X86_64, .nr = SYS_kill, .args = { 1, SIGKILL }, .trace = TRACE, .kill = KILL },
	{ .what = "kill(-1, SIGKILL)", .arch = X86_64, .nr = SYS_kill, .args = { (uint64_t)-1, SIGKILL }, .trace = TRACE, .kill = KILL },
	{ .what = "tgkill", .arch = X86_64, .nr = SYS_tgkill, .args = { 1, 1, SIGTERM }, .trace = TRACE, .kill = KILL },
	{ .what = "rt_sigqueueinfo", .arch = X86_64, .nr = SYS_rt_sigqueueinfo, .args = { 1, SIGUSR1 }, .kill = KILL },
	{ .what = "pidfd_open", .arch = X86_64, .nr = SYS_pidfd_open, .args = { 1, 0 }, .kill = KILL },
	{ .what = "pidfd_send_signal", .arch = X86_64, .nr = SYS_pidfd_send_signal, .args = { 3, SIGKILL }, .kill = KILL },
	/* ---- other ABIs: the bad-arch action */
	{ .what = "i386 getpid (int 0x80)", .arch = I386, .nr = 20, .args = { 0 }, .base = DENY, .denial = "i386 syscall 20" },
	{ .what = "i386 syscall 0", .arch = I386, .nr = 0, .args = { 0 }, .base = DENY, .denial = "i386 syscall 0" },
	{ .what = "i386 socketcall", .arch = I386, .nr = 102, .args = { 1 }, .base = DENY, .denial = "i386 syscall 102" },
	{ .what = "x32 getpid", .arch = X86_64, .nr = SYS_getpid | X32_BIT, .args = { 0 }, .base = DENY, .denial = "x32 syscall 39" },
	{ .what = "x32 ptrace", .arch = X86_64, .nr = SYS_ptrace | X32_BIT, .args = { 0 }, .base = DENY, .denial = "x32 syscall 101" },
	{ .what = "x32 syscall 0", .arch = X86_64, .nr = X32_BIT, .args = { 0 }, .base = DENY, .denial = "x32 syscall 0" },
	{ .what = "syscall 0x80000000", .arch = X86_64, .nr = (int)0x80000000u, .args = { 0 }, .base = DENY, .denial = "syscall 0x80000000" },
	{ .what = "aarch64 syscall 172", .arch = AUDIT_ARCH_AARCH64, .nr = 172, .args = { 0 }, .base = DENY,
	  .denial = "arch 0xc00000b7 syscall 172" },
};

static enum hx_syscall_class max_class(enum hx_syscall_class a, enum hx_syscall_class b)
{
	return a > b ? a : b;
}

static enum hx_syscall_class expected(const struct policy_case *c, unsigned f)
{
	enum hx_syscall_class e = c->base;
	bool counted_in_kernel = c->ebpf && (f & HX_POLICY_EBPF);

	if ((f & HX_POLICY_TRACE) && !counted_in_kernel)
		e = max_class(e, c->trace);
	if ((f & HX_POLICY_TRACE_HOT) && !counted_in_kernel)
		e = max_class(e, c->hot);
	if (f & HX_POLICY_START_GATE)
		e = max_class(e, c->gate);
	if (f & HX_POLICY_TIME_SCALE)
		e = max_class(e, c->scale);
	if (f & HX_POLICY_EXIT)
		e = max_class(e, c->exit);
	if (f & HX_POLICY_CHECK_KILL)
		e = max_class(max_class(e, c->kill), c->reduced);
	else
		e = max_class(e, c->full);
	if ((f & HX_POLICY_CHECK_KILL) && (f & HX_POLICY_NO_MQUEUE))
		e = max_class(e, c->nomq);
	if (f & HX_POLICY_RLIMIT_AS)
		e = max_class(e, c->rlas);
	return e;
}

static void test_policy_cases_get_their_class_under_every_flag(void **state)
{
	(void)state;
	for (size_t i = 0; i < HX_ARRAY_SIZE(cases); i++) {
		const struct policy_case *c = &cases[i];

		all->cases++;
		for (unsigned f = 0; f < HX_POLICY_COMBINATIONS; f++) {
			char name[96];
			enum hx_syscall_class got = agree(f, c->what, c->arch, c->nr, c->args, name, sizeof(name));
			enum hx_syscall_class want = expected(c, f);

			if (got != want)
				fail_msg("policy %u, %s: %s, expected %s", f, c->what, class_name(got),
					 class_name(want));
			if (want == DENY && strcmp(name, c->denial) != 0)
				fail_msg("policy %u, %s: named '%s', expected '%s'", f, c->what, name, c->denial);
		}
	}
}

/* ---- cases made from the policy table ----------------------------------- */

/* Arguments that satisfy every condition of r, the others filled with fill
 * (and the bits a mask does not cover too). */
static void matching_args(const struct hx_policy_rule *r, uint64_t fill, uint64_t a[6])
{
	for (int i = 0; i < 6; i++)
		a[i] = fill;
	for (int i = 0; i < HX_RULE_CONDS; i++) {
		const struct hx_arg_cond *c = &r->cond[i];

		switch (c->op) {
		case HX_ARG_NONE: break;
		case HX_ARG_EQ: a[c->arg] = c->value; break;
		case HX_ARG_NE: a[c->arg] = fill != c->value ? fill : fill ^ 1; break;
		case HX_ARG_MASKED_EQ: a[c->arg] = (fill & ~c->mask) | c->value; break;
		}
	}
}

/* Break condition i of r in a (which matched): every way the filter's
 * 64-bit comparison could get it wrong (low half, high half). */
static int broken_args(const struct hx_policy_rule *r, int i, const uint64_t a[6], uint64_t out[][6])
{
	const struct hx_arg_cond *c = &r->cond[i];
	int n = 0;

	switch (c->op) {
	case HX_ARG_NONE:
		break;
	case HX_ARG_EQ:
		for (int b = 0; b < 2; b++) {
			memcpy(out[n], a, 6 * sizeof(uint64_t));
			out[n++][c->arg] = c->value ^ (b ? 1ull << 32 : 1);
		}
		break;
	case HX_ARG_NE:
		memcpy(out[n], a, 6 * sizeof(uint64_t));
		out[n++][c->arg] = c->value;
		break;
	case HX_ARG_MASKED_EQ:
		/* flip the lowest and the highest bit the mask covers */
		for (int b = 0; b < 2; b++) {
			uint64_t bit = b ? 1ull << (63 - __builtin_clzll(c->mask)) : c->mask & -c->mask;

			memcpy(out[n], a, 6 * sizeof(uint64_t));
			out[n++][c->arg] ^= bit;
		}
		break;
	}
	return n;
}

static void test_policy_every_rule_matches_and_misses_alike(void **state)
{
	static const uint64_t fills[] = { 0, ~0ull, 0x5555555555555555ull, 0xaaaaaaaaaaaaaaaaull,
					  0xffffffff00000000ull, 0x00000000ffffffffull };

	(void)state;
	for (size_t i = 0; i < hx_policy_nrules; i++) {
		const struct hx_policy_rule *r = &hx_policy_rules[i];

		for (size_t k = 0; k < HX_ARRAY_SIZE(fills); k++) {
			uint64_t a[6], broken[2 * HX_RULE_CONDS][6];
			int nbroken = 0;
			char what[160];

			matching_args(r, fills[k], a);
			for (int c = 0; c < HX_RULE_CONDS; c++)
				nbroken += broken_args(r, c, a, broken + nbroken);
			all->cases += 1 + (unsigned)nbroken;
			for (unsigned f = 0; f < HX_POLICY_COMBINATIONS; f++) {
				char name[96];
				bool applies = (f & r->needs) == r->needs && !(f & r->unless) &&
					       (r->modes & ((f & HX_POLICY_CHECK_KILL) ? HX_IN_REDUCED : HX_IN_FULL));

				snprintf(what, sizeof(what), "rule %zu (%s, %s), fill %#llx", i + 1,
					 hx_syscall_name(r->nr), class_name(r->action), (unsigned long long)fills[k]);
				enum hx_syscall_class got = agree(f, what, X86_64, r->nr, a, name, sizeof(name));

				if (applies && got < r->action)
					fail_msg("policy %u, %s: matched, yet %s", f, what, class_name(got));
				for (int b = 0; b < nbroken; b++) {
					snprintf(what, sizeof(what), "rule %zu (%s) broken %d, fill %#llx", i + 1,
						 hx_syscall_name(r->nr), b, (unsigned long long)fills[k]);
					agree(f, what, X86_64, r->nr, broken[b], name, sizeof(name));
				}
			}
		}
	}
}

/* ---- every number, other arches ---------------------------------------- */

static void test_policy_every_number_and_arch_agrees(void **state)
{
	static const uint32_t arches[] = { X86_64, I386, AUDIT_ARCH_AARCH64, 0 };
	static const int odd_numbers[] = {
		-1, -2, X32_BIT - 1, X32_BIT, X32_BIT | 1, X32_BIT | SYS_clone, X32_BIT | SYS_socket,
		0x7fffffff, (int)0x80000000u, (int)0xbfffffffu, (int)0xc0000000u, (int)0xfffffffeu,
	};
	const uint64_t zero[6] = { 0 }, ones[6] = { ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull };

	(void)state;
	for (size_t k = 0; k < HX_ARRAY_SIZE(arches); k++) {
		for (int nr = 0; nr <= 600 + (int)HX_ARRAY_SIZE(odd_numbers); nr++) {
			int n = nr <= 600 ? nr : odd_numbers[nr - 601];
			char what[64], name[96];

			snprintf(what, sizeof(what), "arch %#x syscall %d", arches[k], n);
			all->cases += 2;
			for (unsigned f = 0; f < HX_POLICY_COMBINATIONS; f++) {
				enum hx_syscall_class z = agree(f, what, arches[k], n, zero, name, sizeof(name));
				enum hx_syscall_class o = agree(f, what, arches[k], n, ones, name, sizeof(name));

				if (arches[k] != X86_64 && (z != DENY || o != DENY))
					fail_msg("policy %u, %s: another arch, yet not denied", f, what);
			}
		}
	}
}

static void test_policy_every_filter_instruction_ran(void **state)
{
	(void)state;
	for (unsigned f = 0; f < HX_POLICY_COMBINATIONS; f++)
		for (size_t i = 0; i < all->p[f].bpf_len; i++)
			if (!all->hit[f][i])
				fail_msg("policy %u: instruction %zu of %zu never ran: no case reaches it", f, i,
					 all->p[f].bpf_len);
}

/* ---- the table itself ------------------------------------------------------ */

static void test_policy_table_rules_are_complete(void **state)
{
	size_t hot = 0, n;
	const int *calls = hx_policy_hot_calls(&n);

	(void)state;
	assert_true(hx_policy_nrules > 100);
	for (size_t i = 0; i < hx_policy_nrules; i++) {
		const struct hx_policy_rule *r = &hx_policy_rules[i];

		if (!hx_syscall_name(r->nr))
			fail_msg("rule %zu: syscall %d has no name", i + 1, r->nr);
		if (r->action == ALLOW || r->action > PERMIT)
			fail_msg("rule %zu (%s): action %d", i + 1, hx_syscall_name(r->nr), r->action);
		if (!r->why || strlen(r->why) < 6)
			fail_msg("rule %zu (%s): no reason given", i + 1, hx_syscall_name(r->nr));
		if (r->needs & ~(unsigned)(HX_POLICY_COMBINATIONS - 1))
			fail_msg("rule %zu (%s): unknown flags %#x", i + 1, hx_syscall_name(r->nr), r->needs);
		if (!(r->modes & HX_IN_BOTH))
			fail_msg("rule %zu (%s): in no isolation mode", i + 1, hx_syscall_name(r->nr));
		if ((r->action == ERRNO) != (r->errnum > 0))
			fail_msg("rule %zu (%s): errnum %d with action %s", i + 1, hx_syscall_name(r->nr),
				 r->errnum, class_name(r->action));
		if (r->naming == HX_NAMED_LABEL && !r->label)
			fail_msg("rule %zu (%s): named by a label it lacks", i + 1, hx_syscall_name(r->nr));
		for (int c = 0; c < HX_RULE_CONDS; c++) {
			if (r->cond[c].op == HX_ARG_NONE)
				continue;
			if (r->cond[c].arg > 5)
				fail_msg("rule %zu: argument %u", i + 1, r->cond[c].arg);
			if (r->cond[c].op == HX_ARG_MASKED_EQ && (!r->cond[c].mask ||
								 (r->cond[c].value & ~r->cond[c].mask)))
				fail_msg("rule %zu: value %#llx outside mask %#llx: never matches", i + 1,
					 (unsigned long long)r->cond[c].value, (unsigned long long)r->cond[c].mask);
		}
		if (r->action == HOT) {
			assert_true(hot < n);
			assert_int_equal(calls[hot], r->nr);
			hot++;
		}
	}
	assert_int_equal(hot, n);
	assert_string_equal(hx_policy_why(SYS_ptrace), "would read and steer other processes, the grader's included");
	assert_non_null(hx_policy_why(SYS_socket));
	assert_null(hx_policy_why(SYS_getpid));
	assert_null(hx_policy_why(SYS_kill));
}

static void test_policy_denies_keeps_its_meaning(void **state)
{
	/* The notify tracer's flags (the eBPF backend adds HX_POLICY_EBPF). */
	setenv("IPCGRADE_TRACER", "notify", 1);
	char name[96];

	(void)state;
	assert_true(hx_policy_denies(SYS_ptrace, (const uint64_t[6]){ 0 }, name, sizeof(name)));
	assert_string_equal(name, "ptrace");
	assert_true(hx_policy_denies(SYS_socket, (const uint64_t[6]){ AF_INET6 }, name, sizeof(name)));
	assert_string_equal(name, "socket(AF_INET6)");
	assert_true(hx_policy_denies(SYS_ioctl, (const uint64_t[6]){ 0, TIOCSTI }, name, sizeof(name)));
	assert_string_equal(name, "ioctl(TIOCSTI)");
	assert_true(hx_policy_denies(SYS_clone, (const uint64_t[6]){ CLONE_NEWUSER }, name, sizeof(name)));
	assert_string_equal(name, "clone(CLONE_NEWUSER)");
	assert_false(hx_policy_denies(SYS_socket, (const uint64_t[6]){ AF_UNIX }, name, sizeof(name)));
	assert_false(hx_policy_denies(SYS_kill, (const uint64_t[6]){ 1, SIGKILL }, name, sizeof(name)));
	assert_false(hx_policy_denies(SYS_getpid, (const uint64_t[6]){ 0 }, name, sizeof(name)));
	assert_false(hx_policy_denies(SYS_clone3, (const uint64_t[6]){ 0 }, name, sizeof(name)));
	/* the flags of a run: hot tracing implies tracing; reduced isolation checks kills */
	struct hx_config cfg = { .trace = HX_TRACE_HOT };

	assert_int_equal(hx_policy_flags(&cfg, true), HX_POLICY_TRACE | HX_POLICY_TRACE_HOT);
	cfg = (struct hx_config){ .jitter_max_us = 100 };
	assert_int_equal(hx_policy_flags(&cfg, false),
			 HX_POLICY_TRACE | HX_POLICY_START_GATE | HX_POLICY_CHECK_KILL);
	cfg = (struct hx_config){ .time_scale = 0.01, .trace = HX_TRACE_FDS };
	assert_int_equal(hx_policy_flags(&cfg, true), HX_POLICY_TIME_SCALE | HX_POLICY_EXIT);
	cfg = (struct hx_config){ .time_scale = 1 };
	assert_int_equal(hx_policy_flags(&cfg, true), 0);
	cfg = (struct hx_config){ 0 };
	assert_int_equal(hx_policy_flags(&cfg, true), 0);
	unsetenv("IPCGRADE_TRACER");
}

/* With the eBPF backend the kernel counts the hot calls and System V's
 * loop calls: not notified; the fd-table calls of hot tracing and the
 * calls the supervisor acts on still are. */
static void test_policy_ebpf_owns_the_counted_calls(void **state)
{
	const unsigned hot = HX_POLICY_TRACE | HX_POLICY_TRACE_HOT, ebpf = hot | HX_POLICY_EBPF;
	const uint64_t a[6] = { 3, 0, 0, 0, 0, 0 };
	char name[96];
	static const int owned[] = { SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_futex, SYS_semop,
				     SYS_semtimedop, SYS_mq_timedsend, SYS_mq_timedreceive, SYS_msgsnd,
				     SYS_msgrcv, SYS_shmat, SYS_shmdt, SYS_shmctl, SYS_semctl, SYS_msgctl };
	static const int kept[] = { SYS_close, SYS_dup2, SYS_clone, SYS_wait4, SYS_execve, SYS_shmget,
				    SYS_semget, SYS_msgget, SYS_openat, SYS_rt_sigreturn, SYS_set_robust_list };

	(void)state;
	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
		assert_int_not_equal(hx_policy_decide(hot, AUDIT_ARCH_X86_64, owned[i], a, name, sizeof(name)),
				     HX_SC_ALLOW);
		assert_int_equal(hx_policy_decide(ebpf, AUDIT_ARCH_X86_64, owned[i], a, name, sizeof(name)),
				 HX_SC_ALLOW);
	}
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		assert_int_equal(hx_policy_decide(ebpf, AUDIT_ARCH_X86_64, kept[i], a, name, sizeof(name)),
				 hx_policy_decide(hot, AUDIT_ARCH_X86_64, kept[i], a, name, sizeof(name)));
	/* denials stay denials */
	assert_int_equal(hx_policy_decide(ebpf, AUDIT_ARCH_X86_64, SYS_ptrace, a, name, sizeof(name)), HX_SC_DENY);
}

/* ---- the kernel agrees --------------------------------------------------- */

struct kernel_case {
	const char *what;
	long nr;
	long args[6];
	bool notified_only_traced;	/* allowed without HX_POLICY_TRACE */
};

static int devnull_fd = -1;

/*
 * In a child: load filter f without a listener, so every notified call
 * fails with ENOSYS, make the calls, and write one byte per call (1: it
 * failed with ENOSYS) to fd. Only raw syscalls and write() after the load.
 */
static void kernel_child(const struct hx_policy *p, const long (*calls)[7], size_t n, int fd)
{
	struct sock_fprog prog = { .len = (unsigned short)p->bpf_len, .filter = p->bpf };
	char res[64];

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		char msg[128];
		int len = snprintf(msg, sizeof(msg), "!cannot load a seccomp filter: %s", strerror(errno));

		if (write(fd, msg, (size_t)len) < 0)
			_exit(3);
		_exit(2);
	}
	for (size_t i = 0; i < n && i < sizeof(res); i++) {
		long rc = syscall(calls[i][0], calls[i][1], calls[i][2], calls[i][3], calls[i][4],
				  calls[i][5], calls[i][6]);

		res[i] = rc < 0 && errno == ENOSYS;
	}
	_exit(write(fd, res, n) == (ssize_t)n ? 0 : 3);
}

static void test_policy_kernel_agrees(void **state)
{
	static const unsigned flag_sets[] = {
		0, HX_POLICY_TRACE | HX_POLICY_CHECK_KILL, HX_POLICY_TIME_SCALE | HX_POLICY_EXIT,
	};
	int sv[2];

	(void)state;
	devnull_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	assert_true(devnull_fd >= 0);
	/* harmless calls: allowed, each does nothing or fails with an errno other than ENOSYS */
	const long calls[][7] = {
		{ SYS_getpid },
		{ SYS_socket, AF_INET, SOCK_STREAM, 0 },
		{ SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0 },
		{ SYS_socket, (long)(AF_UNIX | (1ull << 32)), SOCK_STREAM | SOCK_CLOEXEC, 0 },
		{ SYS_ioctl, devnull_fd, TIOCSTI, 0 },
		{ SYS_ioctl, devnull_fd, (long)(TIOCSTI | (1ull << 32)), 0 },
		{ SYS_ioctl, devnull_fd, TIOCGWINSZ, 0 },
		{ SYS_personality, 0xffffffff },
		{ SYS_unshare, 0 },
		{ SYS_clone3, 0, 0 },
		{ SYS_kill, 0, 0 },
		{ SYS_pidfd_open, (long)-1, 0 },
		{ SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0 },
		{ SYS_mknodat, (long)-1, 0, S_IFIFO | 0600, 0 },
		{ SYS_mknodat, (long)-1, 0, S_IFCHR | 0600, 0 },
		{ SYS_getpid | X32_BIT },
		{ SYS_nanosleep, 0, 0 },
		{ SYS_poll, 0, 0, 0 },
		{ SYS_poll, 0, 1, 0 },
		{ SYS_select, 0, 0, 0, 0, 8 },	/* a bad timeout: EFAULT, never a sleep */
	};
	size_t n = HX_ARRAY_SIZE(calls);

	for (size_t s = 0; s < HX_ARRAY_SIZE(flag_sets); s++) {
		unsigned f = flag_sets[s];
		char res[64] = { 0 };

		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			close(sv[0]);
			kernel_child(&all->p[f], calls, n, sv[1]);
		}
		close(sv[1]);
		ssize_t got = read(sv[0], res, sizeof(res) - 1);
		int st = 0;

		close(sv[0]);
		waitpid(pid, &st, 0);
		if (got > 0 && res[0] == '!') {
			close(devnull_fd);
			TU_SKIP("%s", res + 1);
		}
		assert_int_equal(got, (ssize_t)n);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		for (size_t i = 0; i < n; i++) {
			uint64_t a[6];
			char name[96];

			for (int k = 0; k < 6; k++)
				a[k] = (uint64_t)calls[i][k + 1];
			int nr = (int)calls[i][0];
			enum hx_syscall_class c = agree(f, "kernel case", X86_64, nr, a, name, sizeof(name));
			bool enosys = c != ALLOW;	/* notified without a listener, or clone3's ENOSYS */

			if (res[i] != enosys)
				fail_msg("policy %u, call %zu (nr %d): the kernel %s ENOSYS, the re-check says %s",
					 f, i, nr, res[i] ? "returned" : "did not return", class_name(c));
			all->cases++;
		}
	}
	close(devnull_fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_table_rules_are_complete),
		cmocka_unit_test(test_policy_denies_keeps_its_meaning),
		cmocka_unit_test(test_policy_ebpf_owns_the_counted_calls),
		cmocka_unit_test(test_policy_cases_get_their_class_under_every_flag),
		cmocka_unit_test(test_policy_every_rule_matches_and_misses_alike),
		cmocka_unit_test(test_policy_every_number_and_arch_agrees),
		cmocka_unit_test(test_policy_every_filter_instruction_ran),
		cmocka_unit_test(test_policy_kernel_agrees),
	};

	return cmocka_run_group_tests_name("policy", tests, build_all, release_all);
}
