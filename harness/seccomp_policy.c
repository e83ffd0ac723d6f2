/*
 * seccomp_policy.c - the box's system call policy, built with libseccomp.
 *
 * One filter does three jobs, and every rule below is one of them:
 *
 *  - DENY: calls a submission has no business making. They are sent to
 *    the supervisor (SCMP_ACT_NOTIFY), which answers -EPERM and counts
 *    them for the report. The decision is the filter's, not the
 *    supervisor's: a denied call can never be CONTINUEd, and if the
 *    supervisor is gone the kernel fails it with ENOSYS. Calls of other
 *    ABIs (i386 via int 0x80, x32) take the same path as a bad arch.
 *  - TRACE: process and IPC calls recorded as events, then CONTINUEd.
 *    Tracing is never the security boundary: CONTINUE runs the call with
 *    whatever its memory holds by then.
 *  - KILL_CHECK (reduced isolation only): kill-like calls, CONTINUEd
 *    only when the target is a process of the run.
 *
 * clone3 returns ENOSYS straight from the filter: glibc then falls back to
 * clone, whose flags are in a register where the filter can refuse the
 * namespace flags and the tracer can read them without racing the tracee.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/sched.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "internal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct rule {
	int nr;
	const char *why;
};

/* Denied in every box, with the reason a reader of the policy needs. */
static const struct rule denied_calls[] = {
	{ SCMP_SYS(ptrace), "would read and steer other processes, the grader's included" },
	{ SCMP_SYS(process_vm_readv), "reads another process's memory" },
	{ SCMP_SYS(process_vm_writev), "writes another process's memory" },
	{ SCMP_SYS(mount), "the box's filesystem is fixed by the harness" },
	{ SCMP_SYS(umount2), "would uncover what the box's mounts hide" },
	{ SCMP_SYS(pivot_root), "the box's root is fixed by the harness" },
	{ SCMP_SYS(chroot), "the box's root is fixed by the harness" },
	{ SCMP_SYS(open_tree), "new mount API: same reason as mount" },
	{ SCMP_SYS(move_mount), "new mount API: same reason as mount" },
	{ SCMP_SYS(fsopen), "new mount API: same reason as mount" },
	{ SCMP_SYS(fsconfig), "new mount API: same reason as mount" },
	{ SCMP_SYS(fsmount), "new mount API: same reason as mount" },
	{ SCMP_SYS(fspick), "new mount API: same reason as mount" },
	{ SCMP_SYS(mount_setattr), "new mount API: same reason as mount" },
	{ SCMP_SYS(unshare), "namespaces are set up by the harness only" },
	{ SCMP_SYS(setns), "would join a namespace outside the box" },
	{ SCMP_SYS(bpf), "loads programs into the kernel" },
	{ SCMP_SYS(perf_event_open), "profiling exposes other processes and the kernel" },
	{ SCMP_SYS(keyctl), "the kernel keyring is shared with the host" },
	{ SCMP_SYS(add_key), "the kernel keyring is shared with the host" },
	{ SCMP_SYS(request_key), "the kernel keyring is shared with the host" },
	{ SCMP_SYS(kexec_load), "replaces the running kernel" },
	{ SCMP_SYS(kexec_file_load), "replaces the running kernel" },
	{ SCMP_SYS(reboot), "reboots the machine" },
	{ SCMP_SYS(init_module), "loads kernel code" },
	{ SCMP_SYS(finit_module), "loads kernel code" },
	{ SCMP_SYS(delete_module), "unloads kernel code" },
	{ SCMP_SYS(io_uring_setup), "io_uring bypasses seccomp for the calls it queues" },
	{ SCMP_SYS(io_uring_enter), "io_uring bypasses seccomp for the calls it queues" },
	{ SCMP_SYS(io_uring_register), "io_uring bypasses seccomp for the calls it queues" },
	{ SCMP_SYS(userfaultfd), "stalls the kernel at will: a classic exploit primitive" },
	{ SCMP_SYS(open_by_handle_at), "opens files by handle, past the box's mounts" },
	{ SCMP_SYS(name_to_handle_at), "the first half of open_by_handle_at" },
	{ SCMP_SYS(pidfd_getfd), "steals file descriptors from other processes" },
	{ SCMP_SYS(acct), "process accounting is host-wide" },
	{ SCMP_SYS(swapon), "swap is host-wide" },
	{ SCMP_SYS(swapoff), "swap is host-wide" },
	{ SCMP_SYS(syslog), "the kernel log is host-wide" },
	{ SCMP_SYS(settimeofday), "the clock is host-wide" },
	{ SCMP_SYS(clock_settime), "the clock is host-wide" },
	{ SCMP_SYS(clock_adjtime), "the clock is host-wide" },
	{ SCMP_SYS(adjtimex), "the clock is host-wide" },
	{ SCMP_SYS(quotactl), "quotas are host-wide" },
	{ SCMP_SYS(iopl), "raw port I/O" },
	{ SCMP_SYS(ioperm), "raw port I/O" },
	{ SCMP_SYS(vhangup), "hangs up the terminal" },
	{ SCMP_SYS(lookup_dcookie), "kernel profiling interface" },
	{ SCMP_SYS(fanotify_init), "watches the whole filesystem" },
	{ SCMP_SYS(sethostname), "the host name is the harness's" },
	{ SCMP_SYS(setdomainname), "the domain name is the harness's" },
	{ SCMP_SYS(personality), "can switch off address-space randomisation for exploits" },
};

/* Namespace flags of clone(2): refused, as unshare is. */
static const unsigned long clone_ns_flags[] = {
	CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
	CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWTIME,
};

/* Recorded as events when tracing. Calls whose meaning is in a path
 * (openat under /dev/shm is shm_open or sem_open) must be notified
 * whole: the filter cannot read memory. */
static const int traced_calls[] = {
	SCMP_SYS(clone), SCMP_SYS(fork), SCMP_SYS(vfork),
	SCMP_SYS(execve), SCMP_SYS(execveat),
	SCMP_SYS(wait4), SCMP_SYS(waitid),
	SCMP_SYS(kill), SCMP_SYS(tgkill), SCMP_SYS(tkill),
	SCMP_SYS(pipe), SCMP_SYS(pipe2),
	SCMP_SYS(shmget), SCMP_SYS(shmat), SCMP_SYS(shmdt), SCMP_SYS(shmctl),
	SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(openat2), SCMP_SYS(creat),
	SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(link), SCMP_SYS(linkat),
	SCMP_SYS(semget), SCMP_SYS(semctl),
	SCMP_SYS(mq_open), SCMP_SYS(mq_unlink), SCMP_SYS(msgget), SCMP_SYS(msgctl),
	SCMP_SYS(socketpair),
};

/* Calls on the hot path of IPC programs: notified only when asked. */
static const int hot_calls[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(futex), SCMP_SYS(semop), SCMP_SYS(semtimedop),
	SCMP_SYS(mq_timedsend), SCMP_SYS(mq_timedreceive),
	SCMP_SYS(msgsnd), SCMP_SYS(msgrcv),
	/* not counted: they tell the tracer's fd cache what changed */
	SCMP_SYS(close), SCMP_SYS(close_range), SCMP_SYS(dup2), SCMP_SYS(dup3),
};

const int *hx_policy_hot_calls(size_t *n)
{
	*n = HX_ARRAY_SIZE(hot_calls);
	return hot_calls;
}

/* Signals sent by pid (reduced isolation: no pid namespace to confine them). */
static const int kill_calls[] = {
	SCMP_SYS(kill), SCMP_SYS(tgkill), SCMP_SYS(tkill),
	SCMP_SYS(rt_sigqueueinfo), SCMP_SYS(rt_tgsigqueueinfo), SCMP_SYS(pidfd_open),
};

#define TRY(expr) do { rc = (expr); if (rc < 0) goto out; } while (0)

int hx_policy_build(unsigned flags, struct hx_policy *p, char *err, size_t errlen)
{
	scmp_filter_ctx ctx;
	int rc = 0, memfd = -1;
	const char *step = "init";

	memset(p, 0, sizeof(*p));
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return hx_fail(err, errlen, ENOMEM, "seccomp_init failed");

	/* i386 (int 0x80) and x32 calls are "bad arch" for a native filter:
	 * send them to the supervisor too, which denies and counts them. */
	step = "bad-arch action";
	TRY(seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_NOTIFY));
	/* We set no_new_privs ourselves and load the exported program. */
	TRY(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0));

	step = "deny rules";
	for (size_t i = 0; i < HX_ARRAY_SIZE(denied_calls); i++)
		TRY(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, denied_calls[i].nr, 0));
	/* Sockets other than AF_UNIX reach networks (the box has only
	 * loopback, the reduced box has the host's). */
	TRY(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(socket), 1,
			     SCMP_A0(SCMP_CMP_NE, AF_UNIX)));
	TRY(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(socketpair), 1,
			     SCMP_A0(SCMP_CMP_NE, AF_UNIX)));
	/* TIOCSTI/TIOCLINUX push keystrokes into a terminal the grader may
	 * share. The kernel reads the request as 32 bits: compare 32 bits. */
	TRY(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(ioctl), 1,
			     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI)));
	TRY(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(ioctl), 1,
			     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX)));
	/* clone with a namespace flag: refused as unshare is. */
	for (size_t i = 0; i < HX_ARRAY_SIZE(clone_ns_flags); i++)
		TRY(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(clone), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, clone_ns_flags[i], clone_ns_flags[i])));
	/* clone3 keeps its flags in memory the filter cannot see: ENOSYS
	 * makes glibc use clone instead (see the top of this file). */
	TRY(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0));

	if (flags & HX_POLICY_TRACE) {
		step = "trace rules";
		for (size_t i = 0; i < HX_ARRAY_SIZE(traced_calls); i++)
			TRY(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, traced_calls[i], 0));
		TRY(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(socket), 1,
				     SCMP_A0(SCMP_CMP_EQ, AF_UNIX)));
		/* Only FIFOs among the nodes mknod makes are IPC. */
		TRY(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(mknod), 1,
				     SCMP_A1(SCMP_CMP_MASKED_EQ, S_IFMT, S_IFIFO)));
		TRY(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(mknodat), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, S_IFMT, S_IFIFO)));
		/* Only shared mappings share memory; the loader's are private. */
		TRY(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(mmap), 1,
				     SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_SHARED, MAP_SHARED)));
	}
	if (flags & HX_POLICY_TRACE_HOT) {
		step = "hot-call rules";
		for (size_t i = 0; i < HX_ARRAY_SIZE(hot_calls); i++)
			TRY(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, hot_calls[i], 0));
	}
	if (flags & HX_POLICY_START_GATE) {
		/* glibc's fork() child makes this call before anything else:
		 * the start gate holds newborn processes there (tracer.c). */
		step = "start-gate rule";
		TRY(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(set_robust_list), 0));
	}
	if (flags & HX_POLICY_CHECK_KILL) {
		step = "kill-check rules";
		for (size_t i = 0; i < HX_ARRAY_SIZE(kill_calls); i++)
			TRY(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, kill_calls[i], 0));
	}

	/* Export the BPF program: the child loads it with seccomp(2) itself,
	 * to pass SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, which libseccomp
	 * 2.5 cannot. */
	step = "export";
	memfd = memfd_create("ipcgrade-bpf", MFD_CLOEXEC);
	if (memfd < 0) {
		rc = -errno;
		goto out;
	}
	TRY(seccomp_export_bpf(ctx, memfd));
	off_t size = lseek(memfd, 0, SEEK_END);

	if (size <= 0 || size % 8 != 0) {
		rc = -EINVAL;
		goto out;
	}
	p->bpf = malloc((size_t)size);
	if (!p->bpf) {
		rc = -ENOMEM;
		goto out;
	}
	if (pread(memfd, p->bpf, (size_t)size, 0) != size) {
		rc = -EIO;
		goto out;
	}
	p->bpf_len = (size_t)size / 8;	/* sizeof(struct sock_filter) */
	rc = 0;
out:
	if (memfd >= 0)
		close(memfd);
	seccomp_release(ctx);
	if (rc < 0) {
		hx_policy_release(p);
		return hx_fail(err, errlen, rc, "cannot build the seccomp policy (%s): %s",
			       step, strerror(-rc));
	}
	return 0;
}

void hx_policy_release(struct hx_policy *p)
{
	free(p->bpf);
	p->bpf = NULL;
	p->bpf_len = 0;
}

const char *hx_syscall_name(int nr)
{
	/* A small static cache: names are looked up for reports only. */
	static __thread struct {
		int nr;
		char name[32];
	} cache[64];
	static __thread unsigned next;

	for (size_t i = 0; i < HX_ARRAY_SIZE(cache); i++)
		if (cache[i].name[0] && cache[i].nr == nr)
			return cache[i].name;
	char *n = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);

	if (!n)
		return NULL;
	unsigned slot = next++ % HX_ARRAY_SIZE(cache);

	cache[slot].nr = nr;
	snprintf(cache[slot].name, sizeof(cache[slot].name), "%s", n);
	free(n);
	return cache[slot].name;
}

static const char *family_name(unsigned long f)
{
	switch (f) {
	case AF_INET: return "AF_INET";
	case AF_INET6: return "AF_INET6";
	case AF_NETLINK: return "AF_NETLINK";
	case AF_PACKET: return "AF_PACKET";
	case AF_VSOCK: return "AF_VSOCK";
	case AF_BLUETOOTH: return "AF_BLUETOOTH";
	}
	return NULL;
}

bool hx_policy_denies(int nr, const uint64_t args[6], char *name, size_t size)
{
	for (size_t i = 0; i < HX_ARRAY_SIZE(denied_calls); i++) {
		if (denied_calls[i].nr == nr) {
			const char *n = hx_syscall_name(nr);

			snprintf(name, size, "%s", n ? n : "?");
			return true;
		}
	}
	if ((nr == SCMP_SYS(socket) || nr == SCMP_SYS(socketpair)) && args[0] != AF_UNIX) {
		const char *f = family_name(args[0]);

		if (f)
			snprintf(name, size, "%s(%s)", hx_syscall_name(nr), f);
		else
			snprintf(name, size, "%s(family %llu)", hx_syscall_name(nr),
				 (unsigned long long)args[0]);
		return true;
	}
	if (nr == SCMP_SYS(ioctl)) {
		unsigned req = (unsigned)args[1];

		if (req == TIOCSTI || req == TIOCLINUX) {
			snprintf(name, size, "ioctl(%s)", req == TIOCSTI ? "TIOCSTI" : "TIOCLINUX");
			return true;
		}
	}
	if (nr == SCMP_SYS(clone)) {
		for (size_t i = 0; i < HX_ARRAY_SIZE(clone_ns_flags); i++) {
			if (args[0] & clone_ns_flags[i]) {
				char flags[256];

				hx_format_clone_flags(args[0] & clone_ns_flags[i], flags, sizeof(flags));
				snprintf(name, size, "clone(%s)", flags);
				return true;
			}
		}
	}
	return false;
}

const char *hx_policy_why(int nr)
{
	for (size_t i = 0; i < HX_ARRAY_SIZE(denied_calls); i++)
		if (denied_calls[i].nr == nr)
			return denied_calls[i].why;
	return NULL;
}
