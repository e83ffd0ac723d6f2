/*
 * internal.h - what the harness's own files share. Not installed, not
 * included by grader/ (which sees harness.h only).
 */
#ifndef IPCGRADE_HARNESS_INTERNAL_H
#define IPCGRADE_HARNESS_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "harness.h"

#define HX_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The box's user when ipcgrade runs as root: 60000 + slot, as isolate does. */
#define HX_UID_BASE 60000
#define HX_SLOTS 1000
/* The user the submission sees itself as inside a user namespace. */
#define HX_INNER_UID 1000

/* ---- util.c: small helpers ------------------------------------------ */

uint64_t hx_now_us(void);			/* CLOCK_MONOTONIC */
/* snprintf into err (may be NULL); returns -e so `return hx_fail(...)` works. */
int hx_fail(char *err, size_t errlen, int e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Read a whole small file into buf (NUL-terminated); returns length or -errno. */
ssize_t hx_read_file(const char *path, char *buf, size_t size);
ssize_t hx_read_fileat(int dirfd, const char *path, char *buf, size_t size);
/* Write a string to a file (for cgroup and /proc knobs). */
int hx_write_file(const char *path, const char *text);
/* malloc'd formatted string; NULL only when out of memory. */
char *hx_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *hx_strdup(const char *s);
/* Room for need elements of elem bytes in arr, whose capacity *cap is
 * doubled as needed: the array (maybe moved), or NULL when out of memory;
 * arr is then unchanged and still the caller's. */
void *hx_grow(void *arr, size_t *cap, size_t need, size_t elem);
/* A growable list of pids (or thread ids); all zero is an empty list. */
struct hx_pids {
	pid_t *v;
	size_t n, cap;
};
int hx_pids_add(struct hx_pids *l, pid_t pid);	/* 0 or -ENOMEM */
void hx_pids_release(struct hx_pids *l);	/* frees; l is empty after */
/* A growable string with a hard cap (curl's dynbuf idea). */
struct hx_str {
	char *s;
	size_t len, cap, max;
	bool toobig;
};
void hx_str_init(struct hx_str *b, size_t max);
int hx_str_add(struct hx_str *b, const char *data, size_t n);
int hx_str_printf(struct hx_str *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *hx_str_steal(struct hx_str *b);	/* NUL-terminated; b is reset */
void hx_str_release(struct hx_str *b);
int hx_signal_from_name(const char *name);

/* ---- profile.c: where a run's time goes (IPCGRADE_PROFILE) ----------- */

/* Maps the shared page of marks when IPCGRADE_PROFILE is set; once per
 * process, before the first box; every call after the first is a no-op. */
void hx_prof_init(void);
/* A timestamped mark (async-signal-safe); a no-op when profiling is off. */
void hx_prof_mark(const char *what);
/* Prints the marks so far on stderr under title and forgets them. */
void hx_prof_report(const char *title);

/* ---- procfs.c: reading /proc of the box's processes ----------------- */

/* What a thread's /proc/PID/task/TID/syscall says: the call it is in. */
struct hx_syscall_state {
	long nr;		/* -1 when running or unknown */
	unsigned long args[6];
	unsigned long sp, pc;	/* the user stack and instruction pointers; 0 unknown */
};
int hx_read_syscall(pid_t pid, pid_t tid, struct hx_syscall_state *sc);

struct hx_proc_stat {
	char state;		/* R S D T t Z X ... */
	pid_t ppid;
	pid_t pgrp;
	pid_t session;
	unsigned long long utime, stime, cutime, cstime;	/* clock ticks */
	int num_threads;	/* 0 when the line ends before field 20 */
	char comm[32];
};
/* Parse one line of /proc/PID/stat (a pure function); -EINVAL when it is
 * not one or ends before the fields above. */
int hx_proc_parse_stat(const char *line, struct hx_proc_stat *st);
/* /proc/PID/stat, or /proc/PID/task/TID/stat with tid > 0; -errno. */
int hx_proc_stat(pid_t pid, pid_t tid, struct hx_proc_stat *st);
/* The tgid of a thread, or -errno. */
pid_t hx_proc_tgid(pid_t tid);
/* The virtual memory size of a process (or thread), kB; 0 when unknown. */
unsigned long hx_proc_vm_kb(pid_t pid);
/* The innermost pid-namespace pid of a process (NSpid's last field). */
pid_t hx_proc_nspid(pid_t pid);
/* Who a thread is, from one read of /proc/TID/status. */
struct hx_proc_ids {
	pid_t tgid;		/* its process */
	pid_t ppid;		/* its process's parent (host pid; 0 outside our view) */
	pid_t ns_tgid;		/* its process in the innermost pid namespace (NStgid) */
	char name[16];		/* the thread's name (comm) */
};
/* 0, or -errno when the thread is gone. A pure parser below. */
int hx_proc_ids(pid_t tid, struct hx_proc_ids *ids);
int hx_proc_parse_ids(const char *status, struct hx_proc_ids *ids);
/* The kernel's pid_max (read once; HX_PID_MAX when unreadable). */
long hx_proc_pid_max(void);
/* A zombie's wait status (/proc/PID/stat field 52), or -errno (gone, or
 * not a zombie yet). */
int hx_proc_zombie_status(pid_t pid, int *status);
/* The lists below replace what out held, grow as needed (so any number
 * of processes is seen), and return their length (out->n), or -errno
 * with out empty; out stays the caller's, to release with
 * hx_pids_release. */
/* Children of every thread of pid. */
int hx_proc_children(pid_t pid, struct hx_pids *out);
/* How many children the threads of pid have, or -errno; reads the same
 * files as hx_proc_children and keeps nothing. */
int hx_proc_count_children(pid_t pid);
/* All descendants (processes) of root, root excluded, breadth-first. */
int hx_proc_descendants(pid_t root, struct hx_pids *out);
/* Thread ids of a process. */
int hx_proc_threads(pid_t pid, struct hx_pids *out);
/* The kernel's largest pid_max: no process tree is larger. */
#define HX_PID_MAX 4194304
/* Read len bytes at addr of another process (process_vm_readv). */
ssize_t hx_proc_read_mem(pid_t pid, uint64_t addr, void *buf, size_t len);
/* Read a NUL-terminated string (at most size-1 bytes); returns len or -errno. */
ssize_t hx_proc_read_string(pid_t pid, uint64_t addr, char *buf, size_t size);
/* readlink /proc/PID/fd/FD; returns len or -errno. */
ssize_t hx_proc_fd_link(pid_t pid, int fd, char *buf, size_t size);
/* Write len bytes at addr of another process (process_vm_writev, else
 * /proc/PID/mem); len or -errno. */
ssize_t hx_proc_write_mem(pid_t pid, uint64_t addr, const void *buf, size_t len);
/* Whether thread tid has a signal pending that it does not block (its
 * own or its process's): 1, 0, or -errno. */
int hx_proc_signal_pending(pid_t tid);
/* The access mode of fd (O_RDONLY, O_WRONLY, O_RDWR) from
 * /proc/PID/fdinfo/FD, or -errno. */
int hx_proc_fd_access(pid_t pid, int fd);
/* Voluntary + involuntary context switches of a thread (progress probe). */
unsigned long long hx_proc_ctxt_switches(pid_t pid, pid_t tid);

/* ---- result.c: filling a result -------------------------------------- */

/* Frees a deadlock report (deadlock.c makes them; a result owns one). */
void hx_deadlock_free(struct hx_deadlock *d);

/* A process the run left running (box pid, 0 when unknown); a copy of
 * comm is kept. Out of memory drops it. */
void hx_result_add_leftover(struct hx_result *res, int box_pid, const char *comm);
/* An IPC object the run left behind; copies are kept. */
void hx_result_add_ipc_left(struct hx_result *res, const char *kind, const char *name);
/* Whether res lists that object already. */
bool hx_result_has_ipc_left(const struct hx_result *res, const char *kind, const char *name);
/* A note for the report (res->notes); out of memory drops it. */
void hx_result_add_note(struct hx_result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- probe.c --------------------------------------------------------- */

/* Whether the kernel accepts SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV. */
bool hx_probe_wait_killable(void);
/*
 * Runs find out about namespaces and cgroups by using them. hx_probe()
 * tries namespaces in a throw-away box of its own (about as dear as a
 * run's box: a clone with six namespaces and its teardown) and cgroups
 * by making one; hx_probe_base() probes only what a run needs before its
 * box, with no child of its own (seccomp notification as libseccomp
 * finds it; WAIT_KILLABLE_RECV is tried by the box, the listener's
 * wake-up flag by the supervisor). Its cgroup fields are then
 * unset (a run makes its own cgroups and reports what it got), and until
 * hx_probe_namespaces_known(), its namespace fields are untried. A run then tries a full box with a user
 * namespace: set up, it reports hx_probe_namespaces_worked(); failed, it
 * calls hx_probe() and runs again with what that found (sandbox.c).
 */
const struct hx_caps *hx_probe_base(void);
bool hx_probe_namespaces_known(void);
/* A full box was set up, with a user namespace or (as root) without. */
void hx_probe_namespaces_worked(bool userns);

/* ---- cgroup.c: per-run cgroups (v2, or v1 controllers) -------------- */

struct hx_cgroup {
	int version;		/* 0 none, 1, 2 */
	char v2[512];		/* the run's v2 cgroup directory */
	char memory[512];	/* v1 directories ("" when not used) */
	char pids[512];
	char cpuacct[512];
	bool has_memory, has_pids, has_cpu;
	long long oom_base;	/* memory.oom_control's oom_kill when the run began */
	bool reused;		/* a kept cgroup of the slot's earlier run, reset */
};
/* Create the run's cgroup(s) under the caller's own and set limits.
 * Never fails hard: what cannot be set is left out (has_* false). */
void hx_cgroup_create(struct hx_cgroup *cg, const struct hx_limits *lim, int slot);
/*
 * Joining without waiting. Moving another process into a v1 cgroup
 * (cgroup.procs) takes the kernel's global threadgroup lock for writing,
 * which waits for an RCU grace period (~10 ms) unless another move
 * happened within one. A single-threaded process that writes "0" into a
 * v1 `tasks` file moves only itself and skips that lock; the permission
 * check uses the credentials of whoever opened the file. So the
 * supervisor opens the `tasks` files (hx_cgroup_open_self_joins) and the
 * box's init, before it forks anything, joins itself (hx_cgroup_join_self)
 * and says which joins worked; the supervisor attaches the rest.
 */
enum hx_cgroup_v1 {
	HX_CG_V1_MEMORY, HX_CG_V1_PIDS, HX_CG_V1_CPUACCT, HX_CG_V1_COUNT
};
/* fds[HX_CG_V1_*]: the run's v1 `tasks` files, opened for writing
 * (O_CLOEXEC), -1 where there is none or it cannot be opened. */
void hx_cgroup_open_self_joins(const struct hx_cgroup *cg, int fds[HX_CG_V1_COUNT]);
/* Moves the calling thread (its process must be single-threaded) into
 * the cgroup of fd; async-signal-safe. 0 or -errno. */
int hx_cgroup_join_self(int fd);
/* Moves pid into the run's cgroup(s), but the v1 ones whose bit
 * (1 << HX_CG_V1_*) is set in joined: pid joined those itself. A
 * controller that cannot be joined is given up (its directory removed,
 * its has_* false) so that its limit falls back to rlimits; -errno when
 * one was. */
int hx_cgroup_attach(struct hx_cgroup *cg, pid_t pid, unsigned joined);
/* CPU time used, in microseconds, or -1 when unknown. */
long long hx_cgroup_cpu_us(const struct hx_cgroup *cg);
/* The longest time one of the run's threads (alive now) waited for a CPU
 * while it could run (/proc/TID/schedstat's run_delay), in us; -1 when
 * the run has no cgroup to list them. */
long long hx_cgroup_cpu_wait_us(const struct hx_cgroup *cg);
/* The memory, processes and cpu entries of by the run's cgroups hold
 * ("cgroup v1 memory", ...); the others are left as they are. */
void hx_cgroup_limits_by(const struct hx_cgroup *cg, struct hx_limits_by *by);
/* Number of OOM kills so far (0 when unknown). */
unsigned long hx_cgroup_oom_kills(const struct hx_cgroup *cg);
unsigned long hx_cgroup_memory_peak_kb(const struct hx_cgroup *cg);
/* Kill everything left in it and remove it. */
void hx_cgroup_destroy(struct hx_cgroup *cg);
/*
 * Kept for the slot's next run in this process (v1 only, where nothing
 * is left in it; removed otherwise): hx_cgroup_create then resets it
 * instead of making one, so that its counters read as fresh (cpuacct
 * usage and the memory peak and failure count written 0, the oom_kill
 * count read at the start and subtracted; a memory cgroup still charged
 * with the last run's pages is replaced by a fresh one, since its peak
 * and limit would count them). hx_cgroup_remove_kept removes them all
 * (at exit); a process that dies without it leaves them empty, and the
 * next process's first hx_cgroup_create removes every empty
 * ipcgrade-PID-* cgroup under ours whose PID is gone.
 */
void hx_cgroup_keep(struct hx_cgroup *cg, int slot);
void hx_cgroup_remove_kept(void);
/* What the machine offers, for the probe. */
void hx_cgroup_probe(struct hx_caps *caps);

/* ---- seccomp_policy.c, policy_table.c: the system call policy --------- */

struct hx_policy {
	void *bpf;		/* struct sock_filter[] */
	size_t bpf_len;		/* in instructions */
};
enum hx_policy_flags {
	HX_POLICY_TRACE = 1 << 0,	/* notify the IPC/process calls */
	HX_POLICY_TRACE_HOT = 1 << 1,	/* ... and the hot ones */
	/* Reduced isolation: notify kill-like calls, and apply the rules
	 * marked HX_IN_REDUCED instead of those marked HX_IN_FULL. */
	HX_POLICY_CHECK_KILL = 1 << 2,
	HX_POLICY_START_GATE = 1 << 3,	/* notify set_robust_list: a new process's first call */
	/* Reduced isolation under Landlock with no mqueue file system to
	 * allow (an ordinary user without /dev/mqueue): refuse mq_open. */
	HX_POLICY_NO_MQUEUE = 1 << 4,
	/* RLIMIT_AS holds the memory limit (no memory cgroup): notify the
	 * anonymous mappings, to see an allocation go past the limit. */
	HX_POLICY_RLIMIT_AS = 1 << 5,
	HX_POLICY_TIME_SCALE = 1 << 6,	/* notify sleeps, which the supervisor shortens */
	HX_POLICY_EXIT = 1 << 7,	/* notify exit_group: the fds a process leaves open */
	/* The eBPF backend counts the hot calls and System V's loop calls
	 * (ebpf.c): the filter does not notify them. */
	HX_POLICY_EBPF = 1 << 8,
	HX_POLICY_COMBINATIONS = 1 << 9	/* how many policies the flags make */
};
/* The flags of a run's policy: what the filter notifies and what the
 * supervisor's re-check expects (sandbox.c and tracer.c both ask here). */
unsigned hx_policy_flags(const struct hx_config *cfg, bool full);
/* Build the filter of one flag combination from the table: p->bpf is the
 * program libseccomp exports, owned by p (hx_policy_release frees it). */
int hx_policy_build(unsigned flags, struct hx_policy *p, char *err, size_t errlen);
/* The calls HX_POLICY_TRACE_HOT notifies (bench/notify_floor.c uses them
 * too); a static array, n gets its length. */
const int *hx_policy_hot_calls(size_t *n);
void hx_policy_release(struct hx_policy *p);

/* What a rule does, and what the supervisor does with its notification.
 * In increasing precedence: when several rules match one call, the
 * supervisor acts on the highest (the filter notifies for all but
 * HX_SC_ERRNO, so it needs no precedence of its own). */
enum hx_syscall_class {
	HX_SC_ALLOW = 0,	/* not notified */
	HX_SC_HOT,		/* notified with HX_POLICY_TRACE_HOT: record, then CONTINUE */
	HX_SC_TRACE,		/* record, then CONTINUE */
	HX_SC_SLEEP,		/* record, then shorten it (timescale.c) or CONTINUE */
	HX_SC_START_GATE,	/* hold a newborn at its first call (jitter) */
	HX_SC_KILL_CHECK,	/* check the target, then CONTINUE or -EPERM */
	HX_SC_ERRNO,		/* failed by the filter itself, never notified */
	HX_SC_DENY,		/* answer -EPERM and count it */
	HX_SC_PERMIT,		/* an exception to a DENY rule: notified as that rule
				 * makes it, then CONTINUEd, not recorded */
};
/* The supervisor's re-check of a notification, from the same table as the
 * filter: the class of the call under the policy of these flags. For
 * HX_SC_DENY, name gets what the report shows ("socket(AF_INET)",
 * "ioctl(TIOCSTI)", "i386 syscall 20"); otherwise it gets "". Calls of
 * another ABI (i386, x32) are denied, as the filter's bad-arch action is. */
enum hx_syscall_class hx_policy_decide(unsigned flags, uint32_t arch, int nr,
				       const uint64_t args[6], char *name, size_t size);
/* Whether some policy denies this native call (hx_policy_decide under any
 * flags gives HX_SC_DENY); name as for hx_policy_decide. For callers that
 * know no flags: the tracer asks hx_policy_decide. */
bool hx_policy_denies(int nr, const uint64_t args[6], char *name, size_t size);
/* Why a call is denied, for documentation; NULL when no rule denies it. */
const char *hx_policy_why(int nr);
/* The name of a syscall number (native ABI), or NULL. */
const char *hx_syscall_name(int nr);

/* The policy table (policy_table.c): every rule of the filter, once. Both
 * hx_policy_build and hx_policy_decide read it; tests/unit/test_policy.c
 * checks that the two agree. */
enum hx_arg_op {
	HX_ARG_NONE = 0,	/* no condition in this slot */
	HX_ARG_EQ,		/* args[arg] == value */
	HX_ARG_NE,		/* args[arg] != value */
	HX_ARG_MASKED_EQ,	/* (args[arg] & mask) == value */
};
/* One comparison of a 64-bit argument, as libseccomp makes it. A 32-bit
 * argument is compared with mask 0xffffffff (the kernel ignores the rest). */
struct hx_arg_cond {
	enum hx_arg_op op;
	unsigned arg;		/* 0..5 */
	uint64_t mask;		/* HX_ARG_MASKED_EQ only */
	uint64_t value;
};
/* The isolation modes a rule applies in (reduced: HX_POLICY_CHECK_KILL). */
enum hx_policy_modes {
	HX_IN_FULL = 1 << 0,
	HX_IN_REDUCED = 1 << 1,
	HX_IN_BOTH = HX_IN_FULL | HX_IN_REDUCED,
};
/* How a denial is named in the report. */
enum hx_rule_naming {
	HX_NAMED_CALL = 0,	/* "ptrace" */
	HX_NAMED_LABEL,		/* "ioctl(TIOCSTI)": the call and the rule's label */
	HX_NAMED_FAMILY,	/* "socket(AF_INET)", "socket(family 99)": from args[0] */
};
#define HX_RULE_CONDS 3
struct hx_policy_rule {
	int nr;				/* native syscall number (SCMP_SYS) */
	enum hx_syscall_class action;	/* never HX_SC_ALLOW: the default */
	unsigned needs;			/* HX_POLICY_* flags that must all be set */
	unsigned unless;		/* HX_POLICY_* flags of which none may be set */
	unsigned modes;			/* HX_IN_*: the isolation modes it applies in */
	struct hx_arg_cond cond[HX_RULE_CONDS];	/* all must hold */
	int errnum;			/* HX_SC_ERRNO: what the call fails with */
	enum hx_rule_naming naming;	/* HX_SC_DENY: how the report names it */
	const char *label;		/* HX_NAMED_LABEL */
	const char *why;		/* the reason, for readers and hx_policy_why */
};
extern const struct hx_policy_rule hx_policy_rules[];
extern const size_t hx_policy_nrules;

/* ---- box_init.c: the box's pid 1 (and box_fs.c, box_child.c) --------- */

/* Messages on the control socket (SOCK_SEQPACKET) between supervisor and
 * box init. Each is one fixed-size struct. */
enum hx_msg_type {
	HX_MSG_GO = 1,		/* supervisor -> init: user maps done, set up */
	HX_MSG_EXITED,		/* init -> supervisor: the first process ended */
	HX_MSG_FINISH,		/* supervisor -> init: kill all, report, exit */
	HX_MSG_LEFTOVER,	/* init -> supervisor: a process that was still alive */
	HX_MSG_IPC,		/* init -> supervisor: an IPC object left behind */
	HX_MSG_DONE,		/* init -> supervisor: report complete */
	HX_MSG_START,		/* supervisor -> init: in the cgroup, start the program */
	HX_MSG_JOINED,		/* init -> supervisor, first: status has bit 1 << HX_CG_V1_*
				 * for each v1 cgroup it joined itself */
};
/* START's status: the limits a cgroup that could not be joined left to
 * rlimits after all. */
enum hx_start_flags {
	HX_START_RLIMIT_AS = 1 << 0,
	HX_START_RLIMIT_NPROC = 1 << 1,
};
struct hx_msg {
	int type;
	int status;		/* EXITED: wait status */
	pid_t pid;		/* LEFTOVER: pid in the box */
	int count;		/* DONE: leftover processes */
	long long cpu_us;	/* DONE: CPU of every reaped process */
	long long maxrss_kb;	/* DONE */
	char kind[16];		/* IPC */
	char name[240];		/* IPC: object; LEFTOVER: comm */
};

/* Setup failures of init or the submission child, sent over the error
 * pipe (git's run-command child_err idea). EOF means exec succeeded. */
struct hx_child_err {
	int stage;		/* enum hx_setup_stage */
	int err;		/* errno */
	int line;		/* box_fs.c line of the failing step, or 0 */
};
enum hx_setup_stage {
	HX_STAGE_GO = 1, HX_STAGE_MOUNT, HX_STAGE_PIVOT, HX_STAGE_NET, HX_STAGE_UID,
	HX_STAGE_RLIMIT, HX_STAGE_SECCOMP, HX_STAGE_SENDFD, HX_STAGE_CHDIR,
	HX_STAGE_EXEC, HX_STAGE_FORK, HX_STAGE_LANDLOCK, HX_STAGE_AFFINITY,
};
const char *hx_stage_name(int stage);

/* Everything the init needs, prepared by the supervisor before clone so
 * that the init allocates nothing. */
#define HX_CPU_WORDS 16		/* CPU_SETSIZE (1024) bits */
struct hx_box_plan {
	bool full;			/* namespaces and our own root */
	bool userns;			/* inside a user namespace */
	bool drop_uid;			/* setresuid to uid/gid before exec */
	uid_t uid;			/* the submission's uid as it sees it */
	gid_t gid;
	const char *workdir;		/* host path */
	const char *const *readonly_dirs;
	const char *const *argv;
	const char *const *envp;
	struct hx_limits limits;
	bool use_rlimit_as;		/* no memory cgroup */
	bool use_rlimit_nproc;		/* no pids cgroup */
	unsigned nproc_limit;		/* RLIMIT_NPROC then */
	/* CPUs to pin the box to (bit N: CPU N), chosen by the supervisor
	 * from those it may use; all zero: no pinning. */
	uint64_t cpu_mask[HX_CPU_WORDS];
	int ctl_fd;			/* init's end of the control socket */
	int notify_fd;			/* the submission's end of the fd socket */
	int err_fd;			/* error pipe, write end */
	int stdin_fd, stdout_fd, stderr_fd;
	const void *bpf;		/* struct sock_filter[] */
	size_t bpf_len;
	bool wait_killable;
	/* Host paths travel as O_PATH fds opened by the supervisor: their
	 * parents need not be searchable by the box's user, and a symlink
	 * swapped in later changes nothing. */
	int workdir_fd;
	int ro_fds[16];
	int landlock_fd;		/* reduced isolation: ruleset, or -1 */
	int cg_join_fds[HX_CG_V1_COUNT];	/* see hx_cgroup_join_self; -1: none */
	char passwd[256];		/* /etc/passwd of the box */
	char group[128];
};
/* The init's body; never returns. */
void hx_box_init_main(const struct hx_box_plan *plan) __attribute__((noreturn));

/* ---- box_fs.c: the box's file system ---------------------------------- */

/* Builds the box's root (full isolation) in the init's mount namespace
 * and becomes the namespace's user; 0, or -errno with *line the line of
 * box_fs.c that failed (0 when none is known). */
int hx_box_setup_root(const struct hx_box_plan *plan, int *line);

/* ---- box_child.c: the submission child, fork to exec ------------------ */

/* The child's body after the init's fork; execs or reports. */
void hx_box_run_submission(const struct hx_box_plan *plan, int landlock_fd)
	__attribute__((noreturn));
/* Writes a setup failure (stage, errno, line or 0) on the error pipe and
 * _exits 127. Async-signal-safe. */
void hx_box_fail(int err_fd, int stage, int e, int line) __attribute__((noreturn));

/* ---- ipc_objects.c --------------------------------------------------- */

/* Each row of a /proc/sysvipc file (shm, sem or msg) after its header, as
 * numbers (key and id first): fn(col, ncol) until it returns true. 0, or
 * -errno when the file cannot be read. */
#define HX_SYSVIPC_COLS 16
int hx_sysvipc_each(const char *file, bool (*fn)(const long long *col, int ncol, void *arg), void *arg);

struct hx_ipc_snapshot {
	char **names;		/* "kind\tname" */
	size_t n;
};
/* Objects visible now in this IPC namespace and mount namespace, the
 * queues listed through mq_fd (hx_ipc_mqueue_dir) or, with -1, in
 * /dev/mqueue. With owner != (uid_t)-1, only objects of that uid (the
 * creator's, for SysV). */
int hx_ipc_snapshot(struct hx_ipc_snapshot *s, uid_t owner, int mq_fd);
void hx_ipc_snapshot_release(struct hx_ipc_snapshot *s);
/* For each object: call fn(kind, name). Used by init inside the box and
 * by the supervisor in reduced isolation. Allocation-free variant. */
typedef void (*hx_ipc_visit_fn)(const char *kind, const char *name, void *arg);
void hx_ipc_visit(hx_ipc_visit_fn fn, void *arg);
/* Remove one object given as produced by hx_ipc_visit. */
int hx_ipc_remove(const char *kind, const char *name);
/* A directory fd of the mqueue file system of our IPC namespace:
 * /dev/mqueue when it is one, else a mount of our own attached nowhere
 * (fsopen, as root). -errno when neither can be had (an ordinary user
 * without /dev/mqueue). The caller closes it. */
int hx_ipc_mqueue_dir(void);

/* ---- created.c: what a reduced run makes on the host ------------------- */

struct hx_created;
/* Objects of box_uid are looked for; queues through mq_fd (an open
 * mqueue directory, or -1: by mq_open); FIFOs in workdir are left to the
 * grader. NULL when out of memory. */
struct hx_created *hx_created_new(uid_t box_uid, int mq_fd, const char *workdir);
/* A notified call nr of thread tid (notification id of listener), before
 * it runs: notes the object it may make and what is there now. */
void hx_created_note(struct hx_created *c, int listener, uint64_t id, pid_t tid, int nr,
		     const uint64_t *args);
/* After the run: removes the objects that are the run's and lists them
 * in res (cleanup.ipc). */
void hx_created_finish(struct hx_created *c, struct hx_result *res);
void hx_created_free(struct hx_created *c);	/* accepts NULL */

/* ---- decode.c: system call arguments in words ------------------------- */

/* Each writes at most size bytes, NUL-terminated, truncating. */
/* "CLONE_VM|CLONE_THREAD|...|SIGCHLD" */
void hx_format_clone_flags(unsigned long flags, char *buf, size_t size);
/* "O_CREAT|O_EXCL|O_RDWR" */
void hx_format_open_flags(unsigned long flags, char *buf, size_t size);
/* "IPC_CREAT|0600" */
void hx_format_ipc_flags(unsigned long flags, char *buf, size_t size);
/* "IPC_PRIVATE" or "0x00001234" (in buf) */
const char *hx_format_ipc_key(unsigned long key, char *buf, size_t size);
/* "IPC_RMID", "SETVAL", ...; "?" for others (static strings) */
const char *hx_ipc_cmd_name(unsigned long cmd);
const char *hx_futex_op_name(unsigned long op);		/* "FUTEX_WAIT", ..., "other" */
const char *hx_socket_type_name(unsigned long type);	/* "SOCK_STREAM", ... */
/* s in double quotes, with quotes, backslashes and control characters
 * escaped: "\"a\\b\x0a\"". */
void hx_quote(const char *s, char *buf, size_t size);
/* A NUL-terminated string at addr of thread tid; false when unreadable. */
bool hx_read_path(pid_t tid, uint64_t addr, char *buf, size_t size);
/* The inode of an fd link "pipe:[N]" or "socket:[N]"; 0 for others. */
unsigned long hx_ipc_inode(const char *link);

/* ---- ebpf.c: the eBPF counting backend (the tracer's part: trace.h) --- */

/* IPCGRADE_TRACER: auto (unset), notify or ebpf; -1 for anything else. */
enum { HX_TRACER_AUTO, HX_TRACER_NOTIFY, HX_TRACER_EBPF };
int hx_ebpf_choice(void);
/* Whether the backend can be used here: loads and attaches the program
 * the first time (once per process); why says what stopped it. */
bool hx_ebpf_usable(char *why, size_t size);
/* Whether a run of cfg counts with the backend: traced, usable, and
 * IPCGRADE_TRACER=ebpf, or auto where it pays (ebpf.c says when). */
bool hx_ebpf_for_run(const struct hx_config *cfg);

/* ---- tracer.c: seccomp notifications (its parts: trace.h) ------------- */

struct hx_tracer;
/* policy: the flags of the box's filter (hx_policy_flags and what the
 * run added), for the re-check. */
/* max_processes: the processes limit (a pidfd each, exits.c). */
struct hx_tracer *hx_tracer_new(const struct hx_config *cfg, bool full, unsigned policy, pid_t init_pid,
				 unsigned max_processes);
/* Reduced isolation: hand every notified call to c (created.c) too. */
void hx_tracer_set_created(struct hx_tracer *t, struct hx_created *c);
void hx_tracer_free(struct hx_tracer *t);
void hx_tracer_set_start(struct hx_tracer *t, uint64_t start_us, pid_t first_pid);
/* Ask for synchronous wake-ups on the listener; false if the kernel can't. */
bool hx_tracer_sync_wakeups(int listener);
/* The inodes of our own stdout/stderr pipes: I/O on them is not IPC. */
void hx_tracer_set_output_pipes(struct hx_tracer *t, unsigned long out_ino, unsigned long err_ino);
/* Handle one notification from fd; returns 0, or -errno when the fd is
 * gone. *next_due_us is updated for delayed (jittered) answers. */
int hx_tracer_handle(struct hx_tracer *t, int fd);
/* Answer the delayed notifications whose time has come; returns the time
 * of the next one, or 0 when none waits. */
uint64_t hx_tracer_flush_due(struct hx_tracer *t, int fd, uint64_t now_us);
/* Whether a thread waits for our (delayed) answer. */
bool hx_tracer_holds(const struct hx_tracer *t, pid_t tid);
bool hx_tracer_any_pending(const struct hx_tracer *t);
/* Learn the processes of the box now, where calls are not traced (a
 * traced run learns them from their calls). */
void hx_tracer_discover(struct hx_tracer *t);
/* Box pid of a host pid (0 when unknown); of a pid as the box's
 * processes name it (their pid namespace); host pid of a box pid. Box
 * pids are given (in creation order) when first asked for. */
int hx_tracer_box_pid(struct hx_tracer *t, pid_t host_pid);
int hx_tracer_box_pid_of_ns(struct hx_tracer *t, pid_t ns_pid);
pid_t hx_tracer_host_pid(const struct hx_tracer *t, int box_pid);
/* The fd to poll for process ends (-1 when none is watched), and taking
 * them in when it is readable. */
int hx_tracer_exits_fd(const struct hx_tracer *t);
void hx_tracer_collect_exits(struct hx_tracer *t);
/* The eBPF backend's ring (-1 when the run has none), and taking in
 * what it holds (cheap when empty: the event loop does it each turn). */
int hx_tracer_ebpf_fd(const struct hx_tracer *t);
void hx_tracer_ebpf_drain(struct hx_tracer *t);
/* The harness begins to kill the box: a SIGKILL from now on is its own. */
void hx_tracer_teardown(struct hx_tracer *t);
/* The init found this process still running at the end (its pid in the
 * box's namespace, the host's in reduced isolation). */
void hx_tracer_leftover(struct hx_tracer *t, pid_t ns_pid, const char *comm);
/* The live processes the tracer knows, by host pid, into out (replacing
 * it); for the watchdog. Returns how many. */
int hx_tracer_live_processes(struct hx_tracer *t, struct hx_pids *out);

/* How many processes the run has had so far (box pids 1..n, the exited
 * ones included; 0 for a NULL tracer), and the box pid of one's parent
 * (0: none in the box, or unknown). */
int hx_tracer_nprocs(struct hx_tracer *t);
int hx_tracer_parent_box(struct hx_tracer *t, int box_pid);
/* Whether any denied call was made. */
bool hx_tracer_denied_any(const struct hx_tracer *t);
/* HX_POLICY_RLIMIT_AS: the most virtual memory (kB) a process of the box
 * asked to have with one anonymous mapping, 0 when none was seen. */
unsigned long hx_tracer_vm_asked_kb(const struct hx_tracer *t);
/* Move events, counts, denials into the result. */
void hx_tracer_export(struct hx_tracer *t, struct hx_result *res);

/* ---- timescale.c: shortened sleeps (its parts: trace.h) ---------------- */

/* Whether cfg asks for shortened sleeps (0 < time_scale < 1). */
bool hx_time_scale_on(const struct hx_config *cfg);

/* ---- watchdog.c: /proc sampling, deadlock detection ------------------ */

struct hx_watchdog;
enum hx_watch_flags {
	HX_WATCH_CPU = 1 << 0,		/* sum the processes' CPU (no cgroup does) */
	HX_WATCH_VM = 1 << 1,		/* their peak virtual memory (no memory cgroup) */
	HX_WATCH_TRACED = 1 << 2,	/* the tracer's table lists the processes */
};
struct hx_watchdog *hx_watchdog_new(pid_t init_pid, unsigned deadlock_after_ms, bool detect_deadlock,
				    unsigned flags);
void hx_watchdog_free(struct hx_watchdog *w);
/* Whether the last sample found every thread blocked (a deadlock in the
 * making). */
bool hx_watchdog_all_blocked(const struct hx_watchdog *w);
/* A cgroup controller given up after the watchdog was made: it counts
 * what that controller would have (HX_WATCH_CPU, HX_WATCH_VM) too. */
void hx_watchdog_also_count(struct hx_watchdog *w, unsigned flags);
/* One sample. Returns true when the box is deadlocked (then the
 * explanation can be built with hx_deadlock_explain). out_bytes is the
 * output seen so far. */
bool hx_watchdog_sample(struct hx_watchdog *w, struct hx_tracer *t, uint64_t now_us,
			size_t out_bytes);
/* CPU time of every process of the box so far (µs), from /proc. */
long long hx_watchdog_cpu_us(const struct hx_watchdog *w);
/* Peak virtual memory seen (kB), for RLIMIT_AS-only runs. */
unsigned long hx_watchdog_vm_peak_kb(const struct hx_watchdog *w);

/* ---- waitgraph.c: who waits for whom, and its cycles ------------------ */

/* Nodes are numbered 0, 1, ... as added, each with an id (a box pid). */
struct hx_wait_node;
struct hx_waitgraph {
	struct hx_wait_node *nodes;
	size_t n, cap;
};
void hx_waitgraph_init(struct hx_waitgraph *g);
void hx_waitgraph_release(struct hx_waitgraph *g);	/* g is empty after */
/* The new node's number, or -ENOMEM. */
int hx_waitgraph_add_node(struct hx_waitgraph *g, int id);
/* "from waits for to" (node numbers); 0, -EINVAL or -ENOMEM. */
int hx_waitgraph_add_edge(struct hx_waitgraph *g, size_t from, size_t to);
/* The first cycle a depth-first search meets, starting from each node in
 * order and following edges in the order added: *cycle gets the ids
 * along it (malloc'd, the caller frees), *len their number; NULL and 0
 * when there is none. 0, or -ENOMEM. */
int hx_waitgraph_find_cycle(const struct hx_waitgraph *g, int **cycle, size_t *len);

/* ---- deadlock.c ------------------------------------------------------- */

/* Build the explanation of the current state of the box. */
struct hx_deadlock *hx_deadlock_explain(pid_t init_pid, struct hx_tracer *t, unsigned after_ms);
/* How a blocked thread waits, from /proc/PID/task/TID/syscall. */
enum hx_wait_kind {
	HX_WAIT_NONE = 0,	/* running, or not in a wait we know */
	HX_WAIT_TIMED,		/* sleeps or waits with a timeout: progress will come */
	HX_WAIT_FOREVER,	/* untimed wait on IPC, a child or a signal */
	HX_WAIT_STOPPED,	/* stopped by a signal */
};
enum hx_wait_kind hx_classify_wait(char state, const struct hx_syscall_state *sc);

/* ---- landlock.c -------------------------------------------------------- */

/* Prepare a ruleset fd for the reduced box: read-only system dirs,
 * read-write workdir, /dev/shm and, with mq_fd >= 0 (an open directory of
 * the mqueue file system), the message queues. -errno when unsupported.
 * Called in the supervisor; enforced by the child with
 * hx_landlock_enforce. */
int hx_landlock_prepare(const char *workdir, const char *const *readonly_dirs, int mq_fd);
int hx_landlock_enforce(int ruleset_fd);
bool hx_landlock_available(void);

#endif
