/*
 * policy_table.c - the box's system call policy: every rule once, each
 * with the call, its condition on the arguments, what happens, under which
 * policy flags, and why.
 *
 * seccomp_policy.c makes both halves of the policy from this table: the
 * libseccomp rules that become the BPF program the box loads, and the
 * supervisor's re-check of each notification (hx_policy_decide). They
 * cannot drift apart, and tests/unit/test_policy.c runs the exported BPF
 * and the re-check side by side over every rule to prove it.
 *
 * The actions (enum hx_syscall_class in internal.h):
 *
 *  - DENY: calls a submission has no business making. They are sent to
 *    the supervisor (SCMP_ACT_NOTIFY), which answers -EPERM and counts
 *    them for the report. The decision is the filter's, not the
 *    supervisor's: a denied call can never be CONTINUEd, and if the
 *    supervisor is gone the kernel fails it with ENOSYS. Calls of other
 *    ABIs (i386 via int 0x80, x32) take the same path as a bad arch.
 *  - ERRNO: failed by the filter itself. clone3 returns ENOSYS: glibc then
 *    falls back to clone, whose flags are in a register where the filter
 *    can refuse the namespace flags and the tracer can read them without
 *    racing the tracee.
 *  - TRACE (HX_POLICY_TRACE): process and IPC calls recorded as events,
 *    then CONTINUEd. Tracing is never the security boundary: CONTINUE runs
 *    the call with whatever its memory holds by then. Calls whose meaning
 *    is in a path (openat under /dev/shm is shm_open or sem_open) are
 *    notified whole: the filter cannot read memory.
 *  - HOT (HX_POLICY_TRACE_HOT): the hot path of IPC programs, notified
 *    only when asked.
 *  - With the eBPF backend (HX_POLICY_EBPF: ebpf.c), the hot calls and
 *    System V's loop calls (TRACE_LOOP) are not notified at all: the
 *    kernel counts them and sends their events (a rule's `unless`).
 *  - SLEEP (HX_POLICY_TIME_SCALE): sleeps, which the supervisor answers
 *    itself after a shortened time (timescale.c says which it shortens
 *    and which it lets run).
 *  - START_GATE (HX_POLICY_START_GATE): a newborn process's first call,
 *    where the jitter holds it (tracer.c).
 *  - CREATES (reduced isolation, with or without HX_POLICY_TRACE): calls
 *    that may make an object on the host (a file in /dev/shm, a FIFO, a
 *    queue, a System V object). They are notified as TRACE is, and the
 *    supervisor notes the name or key before the call runs (created.c),
 *    to remove exactly what the run made when it ends.
 *  - KILL_CHECK (HX_POLICY_CHECK_KILL, reduced isolation only): kill-like
 *    calls, CONTINUEd only when the target is a process of the run,
 *    answered ESRCH when it is gone (killcheck.c).
 *  - PERMIT: an exception to a DENY rule, for one exact use that is safe
 *    in one isolation mode: notified (as the DENY rule makes it) and
 *    CONTINUEd. Its arguments are registers, read by the filter itself.
 *
 * A rule applies when the policy has all of its `needs` flags and the
 * run's isolation mode is in its `modes`. A rule for one mode only names
 * it: { RULE(HX_IN_REDUCED, mq_open, HX_SC_DENY, 0), .why = "..." }.
 * All conditions of a rule must hold; they compare 64-bit arguments as
 * libseccomp does, so a 32-bit argument is compared under mask 0xffffffff.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "internal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define RULE(modes_, call, action_, needs_) \
	.nr = SCMP_SYS(call), .action = (action_), .needs = (needs_), .modes = (modes_)
#define DENY(call) RULE(HX_IN_BOTH, call, HX_SC_DENY, 0)
#define TRACE(call) RULE(HX_IN_BOTH, call, HX_SC_TRACE, HX_POLICY_TRACE)
/* A hot call the eBPF backend counts in the kernel when it is on. */
#define HOT(call) RULE(HX_IN_BOTH, call, HX_SC_HOT, HX_POLICY_TRACE_HOT), .unless = HX_POLICY_EBPF
/* Hot tracing's fd-table calls: notified with either backend (the
 * timeline's words for them read /proc). */
#define HOT_FD(call) RULE(HX_IN_BOTH, call, HX_SC_HOT, HX_POLICY_TRACE_HOT)
/* A System V call of programs' loops: its event says only what its
 * registers hold, and nothing else is done with it; the eBPF backend
 * counts it when it is on. */
#define TRACE_LOOP(call) RULE(HX_IN_BOTH, call, HX_SC_TRACE, HX_POLICY_TRACE), .unless = HX_POLICY_EBPF
#define KILL_CHECK(call) RULE(HX_IN_BOTH, call, HX_SC_KILL_CHECK, HX_POLICY_CHECK_KILL)
/* Reduced isolation, traced or not: a call that may create an object on
 * the host, which the run must then remove (created.c). */
#define CREATES(call) RULE(HX_IN_REDUCED, call, HX_SC_TRACE, 0)
#define SLEEP(call) RULE(HX_IN_BOTH, call, HX_SC_SLEEP, HX_POLICY_TIME_SCALE)

#define ARG_EQ(n, v) { HX_ARG_EQ, (n), 0, (v) }
#define ARG_NE(n, v) { HX_ARG_NE, (n), 0, (v) }
#define ARG_MASKED_EQ(n, m, v) { HX_ARG_MASKED_EQ, (n), (m), (v) }
/* The kernel reads this argument as 32 bits: compare only those. */
#define ARG32_EQ(n, v) ARG_MASKED_EQ(n, 0xffffffffu, v)
/* The flag is set, whatever the other bits. */
#define ARG_HAS(n, flag) ARG_MASKED_EQ(n, flag, flag)

/* clone(2) with a namespace flag: refused, as unshare is. Ordered as the
 * report names a clone with several: by the first. */
#define CLONE_NS(flag) \
	{ DENY(clone), .cond = { ARG_HAS(0, flag) }, .naming = HX_NAMED_LABEL, .label = #flag, \
	  .why = "namespaces are set up by the harness only (as unshare)" }

const struct hx_policy_rule hx_policy_rules[] = {
	/* ---- denied in every box --------------------------------------- */
	{ DENY(ptrace), .why = "would read and steer other processes, the grader's included" },
	{ DENY(process_vm_readv), .why = "reads another process's memory" },
	{ DENY(process_vm_writev), .why = "writes another process's memory" },
	{ DENY(mount), .why = "the box's filesystem is fixed by the harness" },
	{ DENY(umount2), .why = "would uncover what the box's mounts hide" },
	{ DENY(pivot_root), .why = "the box's root is fixed by the harness" },
	{ DENY(chroot), .why = "the box's root is fixed by the harness" },
	{ DENY(open_tree), .why = "new mount API: same reason as mount" },
	{ DENY(move_mount), .why = "new mount API: same reason as mount" },
	{ DENY(fsopen), .why = "new mount API: same reason as mount" },
	{ DENY(fsconfig), .why = "new mount API: same reason as mount" },
	{ DENY(fsmount), .why = "new mount API: same reason as mount" },
	{ DENY(fspick), .why = "new mount API: same reason as mount" },
	{ DENY(mount_setattr), .why = "new mount API: same reason as mount" },
	{ DENY(unshare), .why = "namespaces are set up by the harness only" },
	{ DENY(setns), .why = "would join a namespace outside the box" },
	{ DENY(bpf), .why = "loads programs into the kernel" },
	{ DENY(perf_event_open), .why = "profiling exposes other processes and the kernel" },
	{ DENY(keyctl), .why = "the kernel keyring is shared with the host" },
	{ DENY(add_key), .why = "the kernel keyring is shared with the host" },
	{ DENY(request_key), .why = "the kernel keyring is shared with the host" },
	{ DENY(kexec_load), .why = "replaces the running kernel" },
	{ DENY(kexec_file_load), .why = "replaces the running kernel" },
	{ DENY(reboot), .why = "reboots the machine" },
	{ DENY(init_module), .why = "loads kernel code" },
	{ DENY(finit_module), .why = "loads kernel code" },
	{ DENY(delete_module), .why = "unloads kernel code" },
	{ DENY(io_uring_setup), .why = "io_uring bypasses seccomp for the calls it queues" },
	{ DENY(io_uring_enter), .why = "io_uring bypasses seccomp for the calls it queues" },
	{ DENY(io_uring_register), .why = "io_uring bypasses seccomp for the calls it queues" },
	{ DENY(userfaultfd), .why = "stalls the kernel at will: a classic exploit primitive" },
	{ DENY(open_by_handle_at), .why = "opens files by handle, past the box's mounts" },
	{ DENY(name_to_handle_at), .why = "the first half of open_by_handle_at" },
	{ DENY(pidfd_getfd), .why = "steals file descriptors from other processes" },
	{ DENY(acct), .why = "process accounting is host-wide" },
	{ DENY(swapon), .why = "swap is host-wide" },
	{ DENY(swapoff), .why = "swap is host-wide" },
	{ DENY(syslog), .why = "the kernel log is host-wide" },
	{ DENY(settimeofday), .why = "the clock is host-wide" },
	{ DENY(clock_settime), .why = "the clock is host-wide" },
	{ DENY(clock_adjtime), .why = "the clock is host-wide" },
	{ DENY(adjtimex), .why = "the clock is host-wide" },
	{ DENY(quotactl), .why = "quotas are host-wide" },
	{ DENY(iopl), .why = "raw port I/O" },
	{ DENY(ioperm), .why = "raw port I/O" },
	{ DENY(vhangup), .why = "hangs up the terminal" },
	{ DENY(lookup_dcookie), .why = "kernel profiling interface" },
	{ DENY(fanotify_init), .why = "watches the whole filesystem" },
	{ DENY(sethostname), .why = "the host name is the harness's" },
	{ DENY(setdomainname), .why = "the domain name is the harness's" },
	{ DENY(personality), .why = "can switch off address-space randomisation for exploits" },
	/* glibc's mq_notify(SIGEV_THREAD) opens exactly this socket: its helper
	 * thread hears the kernel's notice on it. */
	{ RULE(HX_IN_FULL, socket, HX_SC_PERMIT, 0),
	  .cond = { ARG_EQ(0, AF_NETLINK), ARG32_EQ(1, SOCK_RAW | SOCK_CLOEXEC), ARG32_EQ(2, NETLINK_ROUTE) },
	  .why = "mq_notify with SIGEV_THREAD: glibc's helper listens on a NETLINK_ROUTE socket; the "
		 "box has a network namespace of its own (loopback only), so it reaches nothing else" },
	{ RULE(HX_IN_REDUCED, socket, HX_SC_DENY, 0),
	  .cond = { ARG_EQ(0, AF_NETLINK), ARG32_EQ(1, SOCK_RAW | SOCK_CLOEXEC), ARG32_EQ(2, NETLINK_ROUTE) },
	  .naming = HX_NAMED_LABEL, .label = "AF_NETLINK for mq_notify SIGEV_THREAD",
	  .why = "mq_notify with SIGEV_THREAD needs a NETLINK_ROUTE socket, which in reduced isolation "
		 "reads the host's own network configuration" },
	{ DENY(socket), .cond = { ARG_NE(0, AF_UNIX) }, .naming = HX_NAMED_FAMILY,
	  .why = "sockets other than AF_UNIX reach networks (the box has only loopback, "
		 "the reduced box has the host's)" },
	{ DENY(socketpair), .cond = { ARG_NE(0, AF_UNIX) }, .naming = HX_NAMED_FAMILY,
	  .why = "only AF_UNIX makes socket pairs; any other family is refused as socket is" },
	{ DENY(ioctl), .cond = { ARG32_EQ(1, TIOCSTI) }, .naming = HX_NAMED_LABEL, .label = "TIOCSTI",
	  .why = "pushes keystrokes into a terminal the grader may share" },
	{ DENY(ioctl), .cond = { ARG32_EQ(1, TIOCLINUX) }, .naming = HX_NAMED_LABEL, .label = "TIOCLINUX",
	  .why = "pastes the console's selection into its input, as TIOCSTI" },
	CLONE_NS(CLONE_NEWNS),
	CLONE_NS(CLONE_NEWCGROUP),
	CLONE_NS(CLONE_NEWUTS),
	CLONE_NS(CLONE_NEWIPC),
	CLONE_NS(CLONE_NEWUSER),
	CLONE_NS(CLONE_NEWPID),
	CLONE_NS(CLONE_NEWNET),
	/* clone(2) reads its low byte as the exit signal, so the report names
	 * this bit as signal 128; the kernel refuses it anyway. */
	{ DENY(clone), .cond = { ARG_HAS(0, CLONE_NEWTIME) }, .naming = HX_NAMED_LABEL, .label = "SIG128",
	  .why = "CLONE_NEWTIME's bit (0x80): a new time namespace for clone3 and unshare" },

	/* ---- reduced isolation without a queue file system to allow ------ */
	{ RULE(HX_IN_REDUCED, mq_open, HX_SC_DENY, HX_POLICY_NO_MQUEUE), .naming = HX_NAMED_LABEL,
	  .label = "reduced isolation without /dev/mqueue",
	  .why = "Landlock has no mqueue file system to allow (an ordinary user, /dev/mqueue not "
		 "mounted): the kernel would make the queue on the host, then refuse to open it" },

	/* ---- failed by the filter -------------------------------------- */
	{ RULE(HX_IN_BOTH, clone3, HX_SC_ERRNO, 0), .errnum = ENOSYS,
	  .why = "its flags are in memory the filter cannot see: ENOSYS makes glibc use clone" },

	/* ---- traced: recorded as events, then CONTINUEd ------------------ */
	{ TRACE(clone), .why = "fork, vfork and pthread_create of glibc: the fork and thread groups" },
	{ TRACE(fork), .why = "the fork group" },
	{ TRACE(vfork), .why = "the fork group" },
	{ TRACE(execve), .why = "the exec group" },
	{ TRACE(execveat), .why = "the exec group" },
	{ TRACE(wait4), .why = "the wait group (wait, waitpid)" },
	{ TRACE(waitid), .why = "the wait group" },
	{ TRACE(kill), .why = "the kill group" },
	{ TRACE(tgkill), .why = "the kill group (pthread_kill, raise)" },
	{ TRACE(tkill), .why = "the kill group" },
	{ TRACE(pipe), .why = "the pipe group" },
	{ TRACE(pipe2), .why = "the pipe group" },
	{ TRACE(shmget), .why = "System V shared memory: the shm group" },
	{ TRACE_LOOP(shmat), .why = "System V shared memory: the shm group" },
	{ TRACE_LOOP(shmdt), .why = "System V shared memory: the shm group" },
	{ TRACE_LOOP(shmctl), .why = "System V shared memory: the shm group" },
	{ TRACE(open), .why = "shm_open, sem_open and FIFOs are opened by path" },
	{ TRACE(openat), .why = "shm_open, sem_open and FIFOs are opened by path" },
	{ TRACE(openat2), .why = "shm_open, sem_open and FIFOs are opened by path" },
	{ TRACE(creat), .why = "shm_open, sem_open and FIFOs are opened by path" },
	{ TRACE(unlink), .why = "shm_unlink and sem_unlink remove by path" },
	{ TRACE(unlinkat), .why = "shm_unlink and sem_unlink remove by path" },
	{ TRACE(link), .why = "sem_open links its temporary file into /dev/shm" },
	{ TRACE(linkat), .why = "sem_open links its temporary file into /dev/shm" },
	{ TRACE(semget), .why = "System V semaphores: the sem group" },
	{ TRACE_LOOP(semctl), .why = "System V semaphores: the sem group" },
	{ TRACE(mq_open), .why = "POSIX message queues: the mq group" },
	{ TRACE(mq_unlink), .why = "POSIX message queues: the mq group" },
	{ TRACE(msgget), .why = "System V message queues: the mq group" },
	{ TRACE_LOOP(msgctl), .why = "System V message queues: the mq group" },
	{ TRACE(socketpair), .why = "the socket group" },
	{ TRACE(socket), .cond = { ARG_EQ(0, AF_UNIX) }, .why = "AF_UNIX sockets: the socket group" },
	{ TRACE(mknod), .cond = { ARG_MASKED_EQ(1, S_IFMT, S_IFIFO) },
	  .why = "mkfifo: only FIFOs among the nodes mknod makes are IPC" },
	{ TRACE(mknodat), .cond = { ARG_MASKED_EQ(2, S_IFMT, S_IFIFO) },
	  .why = "mkfifo: only FIFOs among the nodes mknodat makes are IPC" },
	{ TRACE(mmap), .cond = { ARG_HAS(3, MAP_SHARED) },
	  .why = "only shared mappings share memory; the loader's are private (the tracer counts "
		 "the writable, anonymous and /dev/shm ones)" },
	{ TRACE(mq_notify), .why = "POSIX message queues: the mq group" },
	/* The process table: every process and thread from birth to end. */
	{ TRACE(set_robust_list),
	  .why = "glibc's fork child and every new thread make it first: the tracer learns them at "
		 "birth, to follow how they end" },
	{ TRACE(rt_sigreturn),
	  .why = "a signal handler returns: its saved context tells whether the interrupted call "
		 "will be restarted, and so notified again, which must not count twice" },
	/* The sleep group: waits for time, and for nothing else. */
	{ TRACE(nanosleep), .why = "the sleep group" },
	{ TRACE(clock_nanosleep), .why = "the sleep group (sleep, usleep, nanosleep)" },
	{ TRACE(poll), .cond = { ARG32_EQ(1, 0) }, .why = "the sleep group: a poll of no fds waits for time" },
	{ TRACE(ppoll), .cond = { ARG32_EQ(1, 0) }, .why = "the sleep group: a ppoll of no fds waits for time" },
	{ TRACE(select), .cond = { ARG32_EQ(0, 0) }, .why = "the sleep group: a select of no fds waits for time" },
	{ TRACE(pselect6), .cond = { ARG32_EQ(0, 0) },
	  .why = "the sleep group: a select of no fds (glibc's select) waits for time" },
	{ TRACE(epoll_wait), .cond = { ARG_MASKED_EQ(3, 0x80000000u, 0) },
	  .why = "the sleep group: with a timeout (the tracer checks that its set is empty)" },
	{ TRACE(epoll_pwait), .cond = { ARG_MASKED_EQ(3, 0x80000000u, 0) },
	  .why = "the sleep group: with a timeout (the tracer checks that its set is empty)" },
	{ TRACE(epoll_pwait2), .cond = { ARG_NE(3, 0) },
	  .why = "the sleep group: with a timeout (the tracer checks that its set is empty)" },

	/* ---- the memory limit without a memory cgroup ------------------- */
	{ RULE(HX_IN_BOTH, mmap, HX_SC_TRACE, HX_POLICY_RLIMIT_AS), .cond = { ARG_HAS(3, MAP_ANONYMOUS) },
	  .why = "RLIMIT_AS holds the limit: malloc's mappings show an allocation that would pass it" },

	/* ---- hot: notified only with --trace-hot ------------------------ */
	{ HOT(read), .why = "I/O on pipes and sockets: the io group" },
	{ HOT(write), .why = "I/O on pipes and sockets: the io group" },
	{ HOT(readv), .why = "I/O on pipes and sockets: the io group" },
	{ HOT(writev), .why = "I/O on pipes and sockets: the io group" },
	{ HOT(futex), .why = "contended sem_wait/sem_post and mutexes" },
	{ HOT(semop), .why = "System V semaphore operations" },
	{ HOT(semtimedop), .why = "System V semaphore operations (glibc's semop)" },
	{ HOT(mq_timedsend), .why = "mq_send" },
	{ HOT(mq_timedreceive), .why = "mq_receive" },
	{ HOT(msgsnd), .why = "System V message sends" },
	{ HOT(msgrcv), .why = "System V message receives" },
	{ HOT_FD(close), .why = "not counted: tells the tracer's fd cache what changed; a timeline event (group fd)" },
	{ HOT_FD(close_range), .why = "not counted: tells the tracer's fd cache what changed; a timeline event (group fd)" },
	{ HOT_FD(dup2), .why = "not counted: tells the tracer's fd cache what changed; a timeline event (group fd)" },
	{ HOT_FD(dup3), .why = "not counted: tells the tracer's fd cache what changed; a timeline event (group fd)" },

	/* ---- sleeps: notified with time_scale only ------------------------ */
	{ SLEEP(nanosleep), .why = "a relative sleep: answered after the shortened time" },
	{ SLEEP(clock_nanosleep),
	  .why = "glibc's sleep, usleep and nanosleep; absolute deadlines and CPU clocks run as asked" },
	{ SLEEP(select), .cond = { ARG32_EQ(0, 0) }, .why = "select with no fds is a sleep" },
	{ SLEEP(pselect6), .cond = { ARG32_EQ(0, 0) },
	  .why = "glibc's select and pselect with no fds are a sleep" },
	{ SLEEP(poll), .cond = { ARG32_EQ(1, 0) }, .why = "poll(NULL, 0, ms) is a sleep" },
	{ SLEEP(ppoll), .cond = { ARG32_EQ(1, 0) }, .why = "ppoll with no fds is a sleep" },

	/* ---- a process's end: notified for fds_at_exit only --------------- */
	{ RULE(HX_IN_BOTH, exit_group, HX_SC_TRACE, HX_POLICY_EXIT),
	  .why = "the process is about to end: the fds it still holds are recorded (exitfds.c)" },

	/* ---- the start gate (jitter) ------------------------------------ */
	{ RULE(HX_IN_BOTH, set_robust_list, HX_SC_START_GATE, HX_POLICY_START_GATE),
	  .why = "glibc's fork() child makes this call before anything else: "
		 "the start gate holds newborn processes there" },

	/* ---- reduced isolation: what the run makes on the host ----------- */
	{ CREATES(open), .cond = { ARG_HAS(1, O_CREAT) }, .why = "may make a file in /dev/shm (shm_open)" },
	{ CREATES(openat), .cond = { ARG_HAS(2, O_CREAT) }, .why = "may make a file in /dev/shm (shm_open)" },
	{ CREATES(creat), .why = "may make a file in /dev/shm" },
	{ CREATES(openat2), .why = "its flags are in memory the filter cannot read: may make a file" },
	{ CREATES(link), .why = "sem_open links its semaphore into /dev/shm" },
	{ CREATES(linkat), .why = "sem_open links its semaphore into /dev/shm" },
	{ CREATES(symlink), .why = "may make an entry of /dev/shm" },
	{ CREATES(symlinkat), .why = "may make an entry of /dev/shm" },
	{ CREATES(rename), .why = "may give a file a new name in /dev/shm" },
	{ CREATES(renameat), .why = "may give a file a new name in /dev/shm" },
	{ CREATES(renameat2), .why = "may give a file a new name in /dev/shm" },
	{ CREATES(mkdir), .why = "may make a directory in /dev/shm" },
	{ CREATES(mkdirat), .why = "may make a directory in /dev/shm" },
	{ CREATES(mknod), .why = "mkfifo, anywhere, and any node in /dev/shm" },
	{ CREATES(mknodat), .why = "mkfifo, anywhere, and any node in /dev/shm" },
	{ CREATES(mq_open), .cond = { ARG_HAS(1, O_CREAT) }, .why = "may make a POSIX message queue" },
	{ CREATES(shmget), .cond = { ARG_HAS(2, IPC_CREAT) }, .why = "may make a System V segment" },
	{ CREATES(shmget), .cond = { ARG32_EQ(0, IPC_PRIVATE) }, .why = "IPC_PRIVATE always makes a segment" },
	{ CREATES(semget), .cond = { ARG_HAS(2, IPC_CREAT) }, .why = "may make a System V semaphore set" },
	{ CREATES(semget), .cond = { ARG32_EQ(0, IPC_PRIVATE) }, .why = "IPC_PRIVATE always makes a set" },
	{ CREATES(msgget), .cond = { ARG_HAS(1, IPC_CREAT) }, .why = "may make a System V message queue" },
	{ CREATES(msgget), .cond = { ARG32_EQ(0, IPC_PRIVATE) }, .why = "IPC_PRIVATE always makes a queue" },

	/* ---- kill checks: signals sent by pid, with no pid namespace ------ */
	{ KILL_CHECK(kill), .why = "may signal any process of the user: only the run's own" },
	{ KILL_CHECK(tgkill), .why = "may signal any process of the user: only the run's own" },
	{ KILL_CHECK(tkill), .why = "may signal any process of the user: only the run's own" },
	{ KILL_CHECK(rt_sigqueueinfo), .why = "may signal any process of the user: only the run's own" },
	{ KILL_CHECK(rt_tgsigqueueinfo), .why = "may signal any process of the user: only the run's own" },
	{ KILL_CHECK(pidfd_open), .why = "a pidfd signals its process later: only the run's own" },
	{ KILL_CHECK(pidfd_send_signal),
	  .why = "signals the process of a pidfd, which an open of /proc/PID makes too: only the run's own" },
};

const size_t hx_policy_nrules = HX_ARRAY_SIZE(hx_policy_rules);
