/*
 * count.bpf.c - the eBPF counting backend's kernel half: counts the calls
 * of the box's processes that the backend owns and streams them, as
 * events, through a ring buffer (the loader is harness/ebpf.c).
 *
 * A process is tracked when the supervisor put it in (the box's first
 * traced process, before it executes the program) or its parent is
 * tracked (sched_process_fork); threads are found by their tgid. Every
 * system call of the machine comes through sys_enter: an untracked one
 * costs one map lookup. A tracked process's owned calls are counted in
 * its map entry and sent as events (as many as the tracer's record
 * holds; then counted only); at its end (the last thread's
 * sched_process_exit) its final counts follow its events and the entry
 * goes. The supervisor compares the counts with the events it received,
 * so a full ring loses events, never counts.
 *
 * The rules are those of the notify tracer: a read, write, readv or
 * writev counts only on a pipe, FIFO or socket other than the harness's
 * own output pipes (calls_hot.c, fdcache.c), and a call the kernel
 * restarts after a signal handler counts once (calls_restart.c: the
 * context rt_sigreturn restores, on the user stack).
 *
 * No vmlinux.h: the few kernel fields read are declared here with
 * preserve_access_index, and relocated by libbpf against the running
 * kernel's BTF (CO-RE).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "count.h"

char LICENSE[] SEC("license") = "GPL";

/* ---- the kernel's types, as far as we read them ------------------------- */

struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di;
	unsigned long orig_ax, ip, cs, flags, sp, ss;
} __attribute__((preserve_access_index));

struct super_block {
	unsigned long s_magic;
} __attribute__((preserve_access_index));

struct inode {
	unsigned short i_mode;
	unsigned long i_ino;
	struct super_block *i_sb;
} __attribute__((preserve_access_index));

struct file {
	struct inode *f_inode;
} __attribute__((preserve_access_index));

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
} __attribute__((preserve_access_index));

struct files_struct {
	struct fdtable *fdt;
} __attribute__((preserve_access_index));

typedef struct {
	int counter;
} atomic_t;

struct signal_struct {
	atomic_t live;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid, tgid;
	struct files_struct *files;
	struct signal_struct *signal;
} __attribute__((preserve_access_index));

#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFIFO 0010000
#define PIPEFS_MAGIC 0x50495045

/* x86-64 system call numbers */
#define NR_read 0
#define NR_write 1
#define NR_rt_sigreturn 15
#define NR_readv 19
#define NR_writev 20
#define NR_shmat 30
#define NR_shmctl 31
#define NR_semop 65
#define NR_semctl 66
#define NR_shmdt 67
#define NR_msgsnd 69
#define NR_msgrcv 70
#define NR_msgctl 71
#define NR_futex 202
#define NR_semtimedop 220
#define NR_mq_timedsend 242
#define NR_mq_timedreceive 243

/* ---- maps ------------------------------------------------------------------ */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct hx_bpf_proc);
} procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct hx_bpf_run);
} runs SEC(".maps");

/* A thread whose handler returned into a call the kernel restarts: that
 * call, its place and arguments (the thread's next call is the restart). */
struct restart {
	__s64 nr;
	__u64 ip;
	__u64 args[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct restart);
} restarts SEC(".maps");

#define RING_SIZE (16 << 20)
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RING_SIZE);
} events SEC(".maps");

/* ---- the calls ------------------------------------------------------------- */

static __always_inline int call_index(long nr)
{
	switch (nr) {
	case NR_read: return HX_BPF_READ;
	case NR_write: return HX_BPF_WRITE;
	case NR_readv: return HX_BPF_READV;
	case NR_writev: return HX_BPF_WRITEV;
	case NR_futex: return HX_BPF_FUTEX;
	case NR_semop: return HX_BPF_SEMOP;
	case NR_semtimedop: return HX_BPF_SEMTIMEDOP;
	case NR_mq_timedsend: return HX_BPF_MQ_SEND;
	case NR_mq_timedreceive: return HX_BPF_MQ_RECEIVE;
	case NR_msgsnd: return HX_BPF_MSGSND;
	case NR_msgrcv: return HX_BPF_MSGRCV;
	case NR_shmat: return HX_BPF_SHMAT;
	case NR_shmdt: return HX_BPF_SHMDT;
	case NR_shmctl: return HX_BPF_SHMCTL;
	case NR_semctl: return HX_BPF_SEMCTL;
	case NR_msgctl: return HX_BPF_MSGCTL;
	default: return -1;
	}
}

/* What fd of the current task is: HX_BPF_FD_*, or 0 when it is no IPC. */
static __always_inline __u32 fd_kind(struct task_struct *task, unsigned long fd, __u64 *ino)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *f = NULL;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) < 0 || !f)
		return 0;
	struct inode *in = BPF_CORE_READ(f, f_inode);
	unsigned short mode = BPF_CORE_READ(in, i_mode);

	*ino = BPF_CORE_READ(in, i_ino);
	if ((mode & S_IFMT) == S_IFSOCK)
		return HX_BPF_FD_SOCKET;
	if ((mode & S_IFMT) != S_IFIFO)
		return 0;
	return BPF_CORE_READ(in, i_sb, s_magic) == PIPEFS_MAGIC ? HX_BPF_FD_PIPE : HX_BPF_FD_FIFO;
}

/* rt_sigreturn: the context the handler returns to (the user stack
 * pointer is at the ucontext; its registers from r8 to rip at offset 40),
 * remembered when it restarts a call (calls_restart.c says why). */
enum { R8, R9, R10, R11, R12, R13, R14, R15, RDI, RSI, RBP, RBX, RDX, RAX, RCX, RSP, RIP, NREGS };
#define UC_MCONTEXT 40

static __always_inline bool note_sigreturn(struct pt_regs *regs, __u32 tid)
{
	__u64 r[NREGS];
	unsigned long sp = BPF_CORE_READ(regs, sp);

	if (!sp || bpf_probe_read_user(r, sizeof(r), (void *)(sp + UC_MCONTEXT)) < 0)
		return false;
	if (r[RCX] != r[RIP] + 2 || r[RAX] > 0x7fffffff)
		return false;
	struct restart rs = {
		.nr = (__s64)r[RAX], .ip = r[RCX],
		.args = { r[RDI], r[RSI], r[RDX], r[R10], r[R8], r[R9] },
	};
	/* a new entry only: one already there was counted */
	return bpf_map_update_elem(&restarts, &tid, &rs, BPF_NOEXIST) == 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_enter, struct pt_regs *regs, long nr)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	struct hx_bpf_proc *p = bpf_map_lookup_elem(&procs, &tgid);

	if (!p)
		return 0;
	/* The loader's probe (run 0): it sees whether this program and it
	 * name a process by the same pid. */
	if (!p->run) {
		p->dead = HX_BPF_PROBE_SEEN;
		return 0;
	}
	/* The cheap questions first: most calls of a tracked process are
	 * none of ours, and no handler returned before them. */
	int c = call_index(nr);
	bool restarted = false;

	if (p->restarts) {
		struct restart *rs = bpf_map_lookup_elem(&restarts, &tid);

		if (rs) {
			restarted = rs->nr == nr && rs->ip == BPF_CORE_READ(regs, ip) &&
				    rs->args[0] == BPF_CORE_READ(regs, di) && rs->args[1] == BPF_CORE_READ(regs, si) &&
				    rs->args[2] == BPF_CORE_READ(regs, dx) && rs->args[3] == BPF_CORE_READ(regs, r10) &&
				    rs->args[4] == BPF_CORE_READ(regs, r8) && rs->args[5] == BPF_CORE_READ(regs, r9);
			if (bpf_map_delete_elem(&restarts, &tid) == 0)
				__sync_fetch_and_add(&p->restarts, -1);
		}
	}
	if (nr == NR_rt_sigreturn) {
		if (note_sigreturn(regs, tid))
			__sync_fetch_and_add(&p->restarts, 1);
		return 0;
	}
	if (c < 0 || c >= HX_BPF_NCALLS || restarted)
		return 0;
	struct hx_bpf_run *run = bpf_map_lookup_elem(&runs, &p->run);

	if (!run || !(run->flags & (c >= HX_BPF_FIRST_SYSV ? HX_BPF_RUN_SYSV : HX_BPF_RUN_HOT)))
		return 0;
	__u64 a[6] = {
		BPF_CORE_READ(regs, di), BPF_CORE_READ(regs, si), BPF_CORE_READ(regs, dx),
		BPF_CORE_READ(regs, r10), BPF_CORE_READ(regs, r8), BPF_CORE_READ(regs, r9),
	};
	__u32 kind = 0;
	__u64 ino = 0;

	if (c <= HX_BPF_WRITEV) {
		kind = fd_kind(bpf_get_current_task_btf(), a[0], &ino);
		if (!kind || (kind == HX_BPF_FD_PIPE && (ino == run->out_ino || ino == run->err_ino)))
			return 0;
	}
	__sync_fetch_and_add(&p->n[c], 1);
	/* The tracer's record holds HX_MAX_EVENTS events: past them a call
	 * is only counted (its exit record brings the count), which spares
	 * a long ping-pong the ring and the supervisor most of its work.
	 * Two CPUs may both take the last one: a few over does no harm. */
	if (run->events_left <= 0)
		return 0;
	__sync_fetch_and_add(&run->events_left, -1);

	struct hx_bpf_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;	/* the count stands; the supervisor sees the event missing */
	e->ts_ns = bpf_ktime_get_ns();
	e->type = HX_BPF_EV_CALL;
	e->run = p->run;
	e->tgid = tgid;
	e->tid = tid;
	e->nr = (__s32)nr;
	e->kind = kind;
	e->ino = ino;
	for (int i = 0; i < 6; i++)
		e->args[i] = a[i];
	/* Wake the supervisor only when the ring fills: it drains at each
	 * turn of its loop anyway, and a wake-up a call would cost as much
	 * as the call. */
	bpf_ringbuf_submit(e, bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > RING_SIZE / 4 ?
				      BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	struct hx_bpf_proc *p;

	/* A thread is found by its tgid: only new processes are added. */
	if (child->pid != ctgid)
		return 0;
	p = bpf_map_lookup_elem(&procs, &ptgid);
	if (!p)
		return 0;
	struct hx_bpf_proc c = { .run = p->run };

	bpf_map_update_elem(&procs, &ctgid, &c, BPF_ANY);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *task)
{
	__u32 tgid = task->tgid, tid = task->pid;
	struct hx_bpf_proc *p = bpf_map_lookup_elem(&procs, &tgid);

	if (!p)
		return 0;
	if (p->restarts && bpf_map_delete_elem(&restarts, &tid) == 0)
		__sync_fetch_and_add(&p->restarts, -1);
	/* The group's last thread: signal->live is already decremented. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	struct hx_bpf_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		p->dead = 1;	/* the supervisor reads the entry itself */
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->type = HX_BPF_EV_EXIT;
	e->run = p->run;
	e->tgid = tgid;
	e->tid = tid;
	for (int i = 0; i < HX_BPF_NCALLS; i++)
		e->n[i] = p->n[i];
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	bpf_map_delete_elem(&procs, &tgid);
	return 0;
}
