/*
 * harness.h - run one untrusted program in a box and say what it did.
 *
 * This is the whole contract of the harness library: a run configuration
 * in (struct hx_config), a run result out (struct hx_result). The harness
 * knows processes, limits and system calls; it knows nothing of specs,
 * points or reports.
 *
 *	struct hx_config cfg;
 *	struct hx_result res;
 *	char err[256];
 *
 *	hx_config_init(&cfg);
 *	cfg.argv = (const char *const[]){ "./prog", "arg", NULL };
 *	cfg.workdir = "/tmp/run-1";
 *	if (hx_run(&cfg, &res, err, sizeof(err)) < 0)
 *		... ipcgrade's own failure: err says why, res.verdict is
 *		    HX_VERDICT_INTERNAL_ERROR ...
 *	... res.verdict says what the program did ...
 *	hx_result_release(&res);
 *
 * hx_run() must be called from a single-threaded process (it forks the box
 * and the box's init keeps running our code). It never calls exit().
 */
#ifndef IPCGRADE_HARNESS_H
#define IPCGRADE_HARNESS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the program did. A verdict is a result, never an error of ours,
 * except HX_VERDICT_INTERNAL_ERROR. */
enum hx_verdict {
	HX_VERDICT_OK = 0,		/* first process exited 0 */
	HX_VERDICT_RUNTIME_ERROR,	/* non-zero exit, or killed by a signal */
	HX_VERDICT_TIMEOUT,		/* wall or CPU time limit */
	HX_VERDICT_DEADLOCK,		/* every process blocked for good */
	HX_VERDICT_MEMORY_LIMIT,
	HX_VERDICT_OUTPUT_LIMIT,
	HX_VERDICT_FORBIDDEN_SYSCALL,	/* a denied call, and the run failed */
	HX_VERDICT_INTERNAL_ERROR,
};
/* "ok", "runtime_error", ... as in `ipcgrade run --json`; never NULL. */
const char *hx_verdict_name(enum hx_verdict v);

enum hx_isolation {
	HX_ISOLATION_AUTO = 0,	/* full when the machine allows it */
	HX_ISOLATION_FULL,	/* namespaces; refuse to run without them */
	HX_ISOLATION_REDUCED,	/* seccomp, rlimits, process group only */
};
/* "auto", "full", "reduced". */
const char *hx_isolation_name(enum hx_isolation i);

/* Limits of one run. 0 means "the harness default" for every field. */
struct hx_limits {
	unsigned wall_ms;		/* default 5000 */
	unsigned cpu_ms;		/* all processes together; default 5000 */
	unsigned memory_mb;		/* all processes together; default 256 */
	unsigned processes;		/* alive at once, threads included; default 64 */
	unsigned output_kb;		/* stdout + stderr; default 1024 */
	unsigned open_files;		/* per process; default 256 */
	unsigned file_size_kb;		/* largest file written; default 16384 */
	unsigned tmpfs_mb;		/* /tmp and /dev/shm each; default 64 */
	unsigned deadlock_after_ms;	/* default 500 */
};
/* The defaults above, filled in where a field is 0. */
void hx_limits_fill_defaults(struct hx_limits *l);

enum hx_trace_flags {
	HX_TRACE_EVENTS = 1 << 0,	/* record IPC/process events */
	HX_TRACE_HOT = 1 << 1,		/* also read/write, futex, semop, mq send/receive */
	HX_TRACE_FDS = 1 << 2,		/* the fds each process still has at exit_group */
};

/* The groups events are counted in (`ipc` in the JSON). */
enum hx_group {
	/* Not a group: what a process did to its fd table (close,
	 * close_range, dup2, dup3 of pipes, FIFOs and sockets), events of
	 * hot tracing for the timeline only. No count, group or call count
	 * includes them; "fd" in the events. */
	HX_GROUP_FD = -1,
	HX_GROUP_FORK = 0,
	HX_GROUP_THREAD,
	HX_GROUP_EXEC,
	HX_GROUP_WAIT,
	HX_GROUP_KILL,
	HX_GROUP_PIPE,
	HX_GROUP_SHM,
	HX_GROUP_SEM,
	HX_GROUP_MQ,
	HX_GROUP_SOCKET,
	HX_GROUP_FUTEX,		/* hot: futex */
	HX_GROUP_IO,		/* hot: read/write on pipes, FIFOs and sockets */
	HX_GROUP_SLEEP,		/* nanosleep, clock_nanosleep; poll, select, epoll with
				 * a timeout and no fds */
	HX_GROUP_HOT,		/* every hot call: semop, mq_send/receive, msgsnd/rcv
				 * (the events of this group), futex and io too (its count) */
	HX_GROUP_COUNT
};
/* "fork", "thread", ... ("fd" for HX_GROUP_FD); NULL for an invalid group. */
const char *hx_group_name(enum hx_group g);
/* The group of that name, or -1. */
int hx_group_from_name(const char *name);
/* Whether a group counts hot calls only (futex, io, hot): counted with
 * HX_TRACE_HOT only, and never part of another group's count. */
bool hx_group_is_hot(enum hx_group g);
/* The calls a group counts, as events name them ("fork", "vfork", ...):
 * a static NULL-terminated list; NULL for an invalid group. Every group
 * counts the same calls with and without HX_TRACE_HOT. */
const char *const *hx_group_calls(enum hx_group g);

/* The purpose of a run, which selects details of the box. */
enum hx_purpose {
	HX_PURPOSE_SUBMISSION = 0,	/* a student's program */
	HX_PURPOSE_BUILD,		/* the compiler: no tracing, no deadlock watch */
	HX_PURPOSE_CHECKER,		/* an instructor's checker: trusted, still boxed */
};

struct hx_config {
	/* argv[0] is looked up in PATH inside the box unless it has a '/';
	 * relative paths are relative to the box's working directory. */
	const char *const *argv;
	/* A host directory that becomes the box's working directory (/box in
	 * full isolation). It must exist; the harness makes it writable for
	 * the box's user. Nothing else of the host's own files is visible. */
	const char *workdir;
	/* Extra host directories made visible read-only at the same path
	 * (e.g. the checker's own folder). NULL-terminated, may be NULL. */
	const char *const *readonly_dirs;
	/* Environment; NULL gives PATH, HOME, LANG and TMPDIR only. */
	const char *const *envp;
	const void *stdin_data;		/* NULL means an empty stdin */
	size_t stdin_len;
	struct hx_limits limits;
	enum hx_isolation isolation;
	enum hx_purpose purpose;
	unsigned trace;			/* enum hx_trace_flags */
	unsigned jitter_max_us;		/* 0: answer traced calls at once */
	uint64_t seed;			/* jitter seed; 0 picks a fresh one */
	unsigned cpus;			/* 0: all CPUs; else pin to this many */
	/* Shorten the submission's sleeps by this factor (0 < f < 1): the
	 * supervisor answers nanosleep, clock_nanosleep and timeouts of
	 * select/poll without fds itself, after f times the time asked for.
	 * 0 (or 1): sleeps take their time. What is and is not scaled:
	 * timescale.c. */
	double time_scale;
	/* Set asynchronously (e.g. by a SIGINT handler) to stop the run
	 * early: the box is killed and hx_run returns -ECANCELED. */
	const volatile sig_atomic_t *cancel;
};
/* Zero the configuration; every field then means "the default". */
void hx_config_init(struct hx_config *cfg);

/* Captured output: at most the output limit, never NUL-terminated
 * implicitly (len says how much), may hold any bytes. */
struct hx_output {
	char *data;
	size_t len;
	bool truncated;
};

struct hx_event {
	uint64_t t_us;		/* since the first process started */
	int pid;		/* box pid: the first process is 1 */
	int ppid;		/* box pid of its parent; 0 outside the run */
	const char *call;	/* libc-level name: "shm_open", "fork", ... */
	enum hx_group group;
	char *detail;		/* decoded arguments, e.g. "\"/counter\", O_CREAT|O_RDWR" */
	int child;		/* fork: box pid of the child, 0 when not seen */
};

struct hx_denied {
	char *call;		/* "ptrace", "socket(AF_INET)", ... */
	unsigned count;
};

/* What one blocked process waits for (deadlock explanation). */
struct hx_blocked {
	int pid;
	char *blocked_in;	/* "read", "futex", "wait4", ... */
	char *object;		/* "pipe:[4102]", "semaphore /mutex", ... */
	char *detail;		/* one sentence for students */
	/* Its wait-for edges: the box pids of the blocked processes that
	 * would have to act for it to go on (write to or close a pipe end
	 * they hold, post what only they could post, exit), never itself. */
	int *waits_for;
	size_t nwaits_for;
};

struct hx_deadlock {
	unsigned after_ms;		/* since the run started */
	struct hx_blocked *procs;
	size_t nprocs;
	int *cycle;			/* box pids, NULL when there is none */
	size_t cycle_len;
	/* One paragraph: processes blocked on one object are described
	 * together, once; "cycle" only for a cycle of wait-for edges. */
	char *explanation;
};

/* An IPC object the run left behind (found before the box is torn down,
 * then removed). kind: "posix_shm", "posix_sem", "posix_mq", "sysv_shm",
 * "sysv_sem", "sysv_msg". */
struct hx_ipc_object {
	char *kind;
	char *name;		/* "/counter" or "key 0x1234 id 5" */
};

/* A process the run left running when its first process exited. */
struct hx_leftover {
	int pid;		/* box pid */
	char *comm;
};

/* One process of the run, from its start to its end (`process_list`). */
struct hx_process {
	int pid;		/* box pid: creation order, the first process is 1 */
	int ppid;		/* its parent's box pid; 0: nobody's in the run */
	char comm[16];		/* its name when it ended */
	char *exec;		/* the last program it executed; NULL: none */
	bool ended;		/* how it ended is known (the fields below) */
	int exit_code;		/* -1 when killed by a signal, or not known */
	int signal;		/* the signal that killed it, 0 when none */
	bool core_dumped;
	bool leftover;		/* still running when the first process ended */
	bool killed_by_grader;	/* SIGKILL of the harness (a leftover, a limit) */
	uint64_t start_us;	/* when it started, on the events' clock */
	uint64_t end_us;	/* when it ended; 0 when not known */
};

/* How often one call was made (exact, whatever the events cap keeps). */
struct hx_call_count {
	const char *call;	/* as events name it; a static string */
	unsigned count;
};

/* An fd a process still had open when it called exit_group. */
struct hx_open_fd {
	int fd;
	const char *kind;	/* "pipe", "fifo", "socket", "file", "shm", "mq", "dir", "device",
				 * "other" (static strings) */
	const char *access;	/* "read", "write", "read-write" (static strings) */
	unsigned long inode;
	char *object;		/* "pipe:[1234]", "/box/log.txt", "/dev/shm/counter", ... */
};
/* The fds of one process at its exit (fds_at_exit). Processes killed by
 * a signal, or still running when the run ended, never call exit_group
 * and have no record. */
struct hx_exit_fds {
	int pid;		/* box pid */
	struct hx_open_fd *fds;	/* in fd order; 0, 1 and 2 included */
	size_t nfds;
	bool truncated;		/* more fds than were recorded */
};

/* Sleeps the supervisor shortened (hx_config.time_scale). */
struct hx_time_scale {
	double factor;			/* 0: sleeps were not scaled */
	unsigned scaled;		/* sleeps answered after the shortened time */
	unsigned interrupted;		/* of those, cut short by a signal (then run by the kernel) */
	unsigned unscaled;		/* sleeps left as they were (absolute deadlines, CPU clocks,
					 * a signal mask) */
	uint64_t requested_us;		/* what the scaled sleeps asked for */
	uint64_t waited_us;		/* what they were held for */
};

/* Which mechanism enforced a limit ("cgroup v1 memory", "RLIMIT_AS", ...). */
struct hx_limits_by {
	const char *wall;
	const char *cpu;
	const char *memory;
	const char *processes;
	const char *output;
};

struct hx_result {
	enum hx_verdict verdict;
	char verdict_detail[256];	/* e.g. "CPU time limit of 5000 ms" */
	int exit_code;			/* -1 when killed by a signal or never exited */
	int signal;			/* 0 when none */
	unsigned long wall_ms;
	unsigned long wall_extended_ms;	/* the wall limit's extension for CPU waits */
	unsigned long cpu_ms;
	unsigned long memory_peak_kb;	/* 0 when unknown */
	struct hx_output out, err;
	enum hx_isolation isolation;	/* FULL or REDUCED: what was used */
	struct hx_limits limits;	/* the limits in force (defaults filled) */
	struct hx_limits_by limits_by;
	unsigned leftover_processes;
	struct hx_leftover *leftovers;
	size_t nleftovers;
	struct hx_ipc_object *ipc_left;
	size_t nipc_left;
	/* What the harness wants the reader to know about the run, beyond
	 * the verdict ("a queue appeared ... left in place"); often none. */
	char **notes;
	size_t nnotes;
	struct hx_denied *denied;
	size_t ndenied;
	/* Tracing (all zero without HX_TRACE_EVENTS). */
	bool traced;
	bool traced_hot;
	unsigned ipc[HX_GROUP_COUNT];
	struct hx_event *events;
	size_t nevents;
	bool events_truncated;
	unsigned processes;		/* created, the first one included */
	unsigned threads;		/* created */
	struct hx_process *process_list;	/* every process, by box pid */
	size_t nprocess_list;
	/* Processes killed by a signal other than the harness's own kill. */
	unsigned crashed_processes;
	struct hx_call_count *calls;	/* per call, in the order first seen */
	size_t ncalls;
	uint64_t sleep_requested_us;	/* the time the sleep group asked for */
	const char *tracer_by;		/* "seccomp-notify"; NULL untraced */
	/* How process ends were learned: "pidfd" (exact), "proc" (a zombie's
	 * /proc entry, when it is read before the parent reaps it). */
	const char *exits_by;
	struct hx_deadlock *deadlock;	/* NULL unless verdict is DEADLOCK */
	unsigned jitter_max_us;
	uint64_t seed;			/* the jitter seed used */
	/* HX_TRACE_FDS: a record per process that called exit_group, in
	 * the order they exited. */
	bool fds_traced;
	struct hx_exit_fds *fds_at_exit;
	size_t nfds_at_exit;
	struct hx_time_scale time_scale;
	char error[256];		/* set when verdict is INTERNAL_ERROR */
};

/*
 * Run cfg->argv in a box and fill *res. Returns 0 when the program ran
 * (whatever its verdict), or -errno when ipcgrade itself failed; then err
 * (if not NULL) says why and res->verdict is HX_VERDICT_INTERNAL_ERROR.
 * In every case *res must be released with hx_result_release().
 */
int hx_run(const struct hx_config *cfg, struct hx_result *res, char *err, size_t errlen);
/* What this process's runs keep between runs (the last boxes' exiting
 * inits, their slots, their cgroups) ended and removed: at exit() this
 * happens by itself; a process that leaves with _exit() after hx_run
 * calls it first. Safe at any time; the next hx_run starts afresh. */
void hx_settle(void);

/* Free what *res owns; *res is left zeroed. Accepts a zeroed result. */
void hx_result_release(struct hx_result *res);

/* What this machine offers (`ipcgrade doctor`). */
struct hx_caps {
	char kernel[128];
	char libseccomp[32];
	bool user_namespaces;		/* we can create one (as we are) */
	char user_namespaces_why[160];	/* why not, when not */
	bool namespaces;		/* pid, ipc, mount, net, uts usable */
	char namespaces_why[160];
	bool seccomp_notify;
	bool seccomp_wait_killable;	/* SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV */
	bool seccomp_sync_wakeup;	/* SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (6.6+) */
	bool cgroup_v2;			/* a v2 hierarchy is mounted */
	char cgroup_v2_controllers[128];/* writable delegated controllers */
	bool cgroup_v1_memory;		/* writable v1 controllers */
	bool cgroup_v1_pids;
	bool cgroup_v1_cpuacct;
	/* Message queues in reduced isolation: whether mq_open works there
	 * (through /dev/mqueue, or as root a private mount of the queue file
	 * system; or no Landlock fences them), and how, or why not. */
	bool reduced_mqueue;
	char reduced_mqueue_how[200];
	bool cgroup_memory;		/* some writable memory controller */
	bool cgroup_pids;
	bool running_as_root;
	enum hx_isolation best;		/* what AUTO resolves to */
};
/* Probe once (cached); never fails: missing features are false. */
const struct hx_caps *hx_probe(void);

/* The mechanism that would enforce each limit in the given mode. */
void hx_limits_mechanisms(enum hx_isolation iso, struct hx_limits_by *by);

/* "SIGSEGV"; "SIG42" for a signal without a name. */
const char *hx_signal_name(int sig);

/* The harness's version string, e.g. "0.1.0". */
const char *hx_version(void);
/* The backend that counts traced runs' calls here: "ebpf" (the eBPF
 * program counts the hot and System V loop calls, seccomp notification
 * the rest) or "seccomp-notify"; why (when not NULL) gets why not eBPF.
 * IPCGRADE_TRACER=auto (or unset) uses eBPF where it loads and pays
 * (ebpf.c), notify and ebpf force one. NULL when the variable is invalid, or
 * asks for ebpf where it cannot load: why says which. The first call may
 * load the program (once per process), to say whether it could be used. */
const char *hx_trace_backend(char *why, size_t size);
/* What loading and attaching the eBPF program took, in microseconds (0
 * when it is not loaded). */
uint64_t hx_trace_backend_load_us(void);

#endif
