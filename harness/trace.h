/*
 * trace.h - what the tracer's own files share: the state of one run's
 * tracer (struct hx_tracer) and its record of each box process (struct
 * hx_tracee). The rest of the harness sees the tracer through the
 * tracer.c section of internal.h only.
 *
 *   tracer.c     receives each notification, dispatches it, answers it
 *   pidmap.c     the process and thread table: host, namespace and box pids
 *   exits.c      each process's end, from a pidfd per process
 *   calls.c      what a call means at the level the student wrote it
 *   calls_hot.c  the hot calls (--trace-hot): I/O, futexes, semop, queues,
 *                and the timeline's closes and dup2s
 *   calls_sleep.c    the sleep group, and the time each sleep asks for
 *   calls_restart.c  a call the kernel restarts is counted once
 *   trace_events.c   the record of events: adding one, dropping the last
 *   fdcache.c    what a process's fds are (pipe, socket, other), cached
 *   jitter.c     answers held back: the seeded jitter, the start gate and
 *                shortened sleeps
 *   timescale.c  which sleeps to shorten, by how much, and their answers
 *   exitfds.c    what a process's fds still are when it calls exit_group
 *   killcheck.c  whether a kill-like call targets a process of the run
 *
 * Calls go one way (tracer.c calls the others; calls.c calls calls_hot.c,
 * calls_sleep.c, trace_events.c, pidmap.c and fdcache.c, and none of
 * those calls calls.c); decode.c (arguments in words) serves all of them
 * and the policy.
 */
#ifndef IPCGRADE_HARNESS_TRACE_H
#define IPCGRADE_HARNESS_TRACE_H

#include <linux/seccomp.h>
#include <sys/resource.h>

#include "internal.h"
#include "bpf/count.h"

#define HX_MAX_EVENTS 100000
/* fds below this are cached in hot tracing */
#define HX_FD_CACHE 64
/* How long the start gate holds a newborn process at most. */
#define HX_GATE_MAX_US 20000
/* How often a shortened sleep looks for a signal that should end it. */
#define HX_SLEEP_SIGNAL_CHECK_US 10000
/* The most fds recorded of one process at its exit. */
#define HX_EXIT_FDS_MAX 1024

/* ---- fdcache.c: what a low fd of a process is ------------------------ */

enum hx_fd_kind { HX_FD_UNKNOWN, HX_FD_NOT_IPC, HX_FD_PIPE, HX_FD_SOCKET, HX_FD_FIFO };

struct hx_fdcache {
	/* /proc/PID/fd, open while the process lives: naming the pipe
	 * behind a read or write is then one short readlinkat. */
	int dir;
	/*
	 * Hot tracing: what each fd below HX_FD_CACHE is, so that a loop of
	 * reads costs no readlinkat each. An open fd keeps its file until
	 * close, close_range, dup2/dup3 onto it or exec, which are notified
	 * in hot mode and forget it. Off once the process has threads: one
	 * could close the fd between our look and another's call.
	 */
	unsigned char kind[HX_FD_CACHE];
	unsigned long ino[HX_FD_CACHE];
	char *fifo[HX_FD_CACHE];	/* a FIFO's path (malloc'd) */
	bool off;
};

/* ---- calls.c: the state of calls that glibc makes in several steps --- */

struct hx_call_state {
	/* glibc's sem_open in progress: the name it probed, its temp file */
	char sem_probe[64];
	char sem_tmp[64];
	/* execvp tries one execve per PATH entry: the same argv and envp,
	 * nothing in between. They are one exec. */
	uint64_t exec_argv, exec_envp;
	size_t exec_event;
	bool exec_open;
	/* A pipe or pipe2 whose fds are not known yet: they are in the
	 * caller's int[2] at pipe_addr once the call has returned, which
	 * it has by the thread's next traced call. */
	bool pipe_open;
	pid_t pipe_tid;
	uint64_t pipe_addr;
	size_t pipe_event;
};

/* ---- pidmap.c: one box process as the tracer knows it ---------------- */

struct hx_tracee {
	pid_t host_pid;		/* 0 when only its box-side pid is known */
	/* Its pid in the box's pid namespace (full isolation; the host's in
	 * reduced): pids are handed out in creation order, so this is the
	 * key box pids are numbered by. */
	pid_t ns_pid;
	long long order;	/* ns_pid, counting the wraps of the pid counter */
	size_t parent;		/* its parent's index + 1; 0: nobody's in the box */
	int box_pid;		/* 0 until numbered (hx_pidmap_number) */
	/* Its life, on hx_now_us()'s clock; end_us 0 while it lives. */
	uint64_t start_us, end_us;
	int status;		/* its wait status, when status_known */
	bool status_known;
	bool leftover;		/* the init reported it running at the end */
	bool comm_stale;	/* it executed a program since comm was read */
	char comm[16];
	char *exec;		/* the last program it executed, malloc'd */
	int pidfd;		/* exits.c: -1 when none */
	unsigned forks;		/* fork-class calls it made */
	unsigned children;	/* records whose parent it is */
	unsigned forks_seen;	/* forks when its children list was last read */
	/* Start gate: its last call was not a fork, so its newborn
	 * children need not wait for siblings. */
	bool gate_open;
	/* ... its batch of newborns was released; it has itself reached
	 * the gate (its first call), as every child must before its batch
	 * goes; how many of its children have (jitter.c). */
	bool gate_released, gate_arrived;
	unsigned children_arrived;
	bool exit_recorded;	/* its fds at exit_group are in t->exit_fds */
	/* eBPF backend: its calls of each kind whose events came (ebpf.c
	 * compares them with the kernel's counts at its end). */
	unsigned bpf_seen[HX_BPF_NCALLS];
	struct hx_fdcache fds;
	struct hx_call_state calls;
};

/* One thread (a process's main thread included). */
struct hx_thread {
	pid_t tid;
	size_t proc;		/* the index of its process */
	/* Its handler returned into a call the kernel restarts (rt_sigreturn's
	 * saved context): the thread's next notification, when it is that
	 * call at that place with those arguments, is the restart. */
	bool restart;
	int restart_nr;
	uint64_t restart_ip;
	uint64_t restart_args[6];
};

/* An open-addressing hash from a pid to an index of the table. */
struct hx_pid_index {
	pid_t *keys;		/* 0: empty slot */
	size_t *vals;
	size_t cap, n;		/* cap: a power of two, or 0 */
};

struct hx_pidmap {
	struct hx_tracee *procs;	/* in the order learned; never removed */
	size_t n, cap;
	struct hx_thread *threads;
	size_t nthreads, cthreads;
	struct hx_pid_index by_host, by_ns, by_tid;
	pid_t max_key;			/* the largest ns_pid since the last wrap */
	unsigned epoch;			/* wraps of the pid counter seen */
	size_t *by_box;			/* by_box[box_pid - 1]: an index of procs */
	size_t nnumbered, cby_box;
	struct hx_pids scratch;		/* /proc listings, reused */
};

/* An event as the tracer records it: the process by its index (box pids
 * are numbered at the end), a pid named in the detail by the tracee's own
 * number (HX_REF marks its place). */
#define HX_REF "\x01"
struct hx_trace_event {
	uint64_t t_us;
	size_t proc;
	const char *call;
	enum hx_group group;
	char *detail;
	pid_t ref;
	uint64_t sleep_us;	/* a sleep: the time it requested */
};

/* ---- exits.c: each process's end ------------------------------------- */

struct hx_exits {
	int epfd;		/* the pidfds of live processes; -1 when none */
	bool exact;		/* the kernel gives a reaped process's status (6.15+) */
	unsigned nopen;
	struct rlimit *saved;	/* RLIMIT_NOFILE before we raised it */
};

/* ---- jitter.c: answers held back -------------------------------------- */

struct hx_held;

/* How a held notification is answered when it is due. */
struct hx_reply {
	bool cont;		/* let the call run (CONTINUE) */
	int error;		/* else fail it with this errno, or succeed (0) ... */
	int64_t val;		/* ... returning val */
	/* Before answering, write zero_len zero bytes at zero_addr of the
	 * task (what a timeout has left), when zero_len > 0. */
	uint64_t zero_addr;
	size_t zero_len;
	/* Filled in when answering: a held sleep that a signal cut short
	 * (it is then CONTINUEd: the kernel sees the signal and fails it
	 * with EINTR, as an interrupted sleep does), and how long it was
	 * held. */
	bool interrupted;
	uint64_t held_us;
};

/* What the queue asks of its owner when answers fall due. */
struct hx_held_ops {
	void (*answer)(uint64_t id, pid_t tid, const struct hx_reply *reply, void *arg);
	/* Whether a held sleep of tid should end now: a signal waits for it. */
	bool (*signalled)(pid_t tid, void *arg);
	void *arg;
};

struct hx_jitter {
	unsigned max_us;
	uint64_t seed, rng;
	struct hx_held *held;
	size_t n, cap;
};

/* ---- tracer.c: the tracer -------------------------------------------- */

struct hx_denial {
	char name[64];
	unsigned count;
};

struct hx_tracer {
	unsigned trace;
	pid_t cur_tid;		/* the task whose call is being handled */
	bool full;
	unsigned policy;		/* the flags of the box's seccomp policy */
	struct hx_created *created;	/* reduced isolation: what the run makes */
	unsigned long vm_asked_kb;	/* HX_POLICY_RLIMIT_AS: see hx_tracer_vm_asked_kb */
	pid_t init_pid;
	uint64_t start_us;
	unsigned long out_ino, err_ino;
	bool first_exec_seen;
	/* fd caches: open /proc/PID/fd directories (bounded), and whether
	 * some process shares its fd table with another (clone CLONE_FILES
	 * without CLONE_THREAD): no fd cache can see the other's closes. */
	unsigned nfd_dirs;
	bool fd_cache_off;
	/* The event being added came from the call's registers or the fd
	 * cache alone, nothing read from /proc or the tracee's memory that
	 * could belong to another task by now: no need to validate it. */
	bool event_args_only;

	struct hx_pidmap pm;
	struct hx_exits exits;
	uint64_t teardown_us;	/* when the harness began to kill the box; 0 before */

	struct hx_trace_event *events;
	size_t nevents, cevents;
	bool events_truncated;
	unsigned counts[HX_GROUP_COUNT];
	struct hx_call_count *calls;	/* per call name */
	size_t ncalls, ccalls;
	uint64_t sleep_us;

	struct hx_denial *denied;
	size_t ndenied;

	struct hx_jitter jit;

	/* time_scale: the factor (0: off) and what was shortened */
	double time_scale;
	struct hx_time_scale ts;

	/* HX_TRACE_FDS: the fds of each process at its exit_group */
	struct hx_exit_fds *exit_fds;
	size_t nexit_fds, cexit_fds;

	/* eBPF backend (HX_POLICY_EBPF): the run's id in the program's maps
	 * (0: none); while a ring record is made an event, its time, and a
	 * read or write's fd as the kernel saw it (calls_hot.c). */
	unsigned ebpf_run;
	uint64_t bpf_t_us;
	enum hx_fd_kind bpf_kind;
	unsigned long bpf_ino;
	/* ... and the FIFOs the run opened, by inode, to name them in
	 * records read after their fds were closed (calls_hot.c) */
	struct hx_fifo_name { unsigned long ino; char *path; } *fifo_names;
	size_t nfifo_names, cfifo_names;

	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
};

/* ---- pidmap.c --------------------------------------------------------- */

/* Lookups are O(1). A pointer into the table stays valid until the next
 * call that may add a process (hx_pidmap_add, _learn*, _of_tid). */
struct hx_tracee *hx_pidmap_find(struct hx_tracer *t, pid_t host_pid);
struct hx_tracee *hx_pidmap_find_ns(struct hx_tracer *t, pid_t ns_pid);
/* Adds a process learned from /proc: its host pid, namespace pid, parent
 * (host pid, 0 when none) and name. */
struct hx_tracee *hx_pidmap_add(struct hx_tracer *t, pid_t host_pid, pid_t ns_pid, pid_t ppid_host,
				const char *comm);
/* The process and thread of a thread id, learning them from one read of
 * /proc/TID/status when they are new; NULL when the thread is gone. */
struct hx_tracee *hx_pidmap_of_tid(struct hx_tracer *t, pid_t tid, struct hx_thread **th);
/* Learns the unknown children of one process (once per process: at its
 * exit, when it forked more than the tracer has seen born). */
void hx_pidmap_learn_children(struct hx_tracer *t, pid_t host_pid);
/* Learns every unknown process of the box (walks the tree from init):
 * for runs whose calls are not traced. */
void hx_pidmap_discover(struct hx_tracer *t);
/* Numbers the processes not numbered yet, in creation order, after those
 * that are: box pids never change once given. */
void hx_pidmap_number(struct hx_tracer *t);
/* The process of a box pid (numbered), or NULL. */
struct hx_tracee *hx_pidmap_of_box(const struct hx_tracer *t, int box_pid);
/* The index of a record. */
size_t hx_pidmap_index(const struct hx_tracer *t, const struct hx_tracee *p);
void hx_pidmap_release(struct hx_pidmap *pm);

/* ---- exits.c ------------------------------------------------------------ */

int hx_exits_init(struct hx_exits *x, unsigned max_processes);
void hx_exits_release(struct hx_exits *x);
/* Watches the process of record idx (a pidfd); its start time is now. */
void hx_exits_watch(struct hx_tracer *t, size_t idx);
/* Takes in what the pidfds say: deaths (end times) and, once a process is
 * reaped, its wait status. Never blocks. */
void hx_exits_collect(struct hx_tracer *t);
/* At the end of the run: the last reaps, then a zombie's /proc entry for
 * whatever is left; closes every pidfd. */
void hx_exits_finish(struct hx_tracer *t);
/* Whether this kernel gives the status of a reaped process (Linux 6.15's
 * PIDFD_INFO_EXIT); probed once. */
bool hx_exits_exact(void);

/* ---- fdcache.c -------------------------------------------------------- */

void hx_fdcache_init(struct hx_fdcache *c);
void hx_fdcache_close(struct hx_tracer *t, struct hx_fdcache *c);
/* Forgets what the fds a call is about to close or replace were. */
void hx_fdcache_forget(struct hx_tracer *t, struct hx_tracee *p, int nr, const uint64_t *args);
/* What fd of thread tid of p is; *ino gets a pipe's, FIFO's or socket's
 * inode, fifo (size bytes) a FIFO's path. Our own stdout/stderr pipes are
 * HX_FD_NOT_IPC. *cached tells that the answer came from the cache
 * (nothing was read from /proc). Returns HX_FD_UNKNOWN when the fd
 * cannot be read. */
enum hx_fd_kind hx_fdcache_lookup(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, int fd,
				  unsigned long *ino, bool *cached, char *fifo, size_t size);

/* ---- calls.c ---------------------------------------------------------- */

bool hx_call_is_fork(int nr);
/* Calls whose events say only what their registers hold. */
bool hx_call_described_by_registers(int nr);
/* At tid's next traced call its pipe or pipe2 has returned: its event
 * gets the fds ("-> [3, 4]"), read from the caller's int[2]. */
void hx_call_pipe_fds(struct hx_tracer *t, struct hx_tracee *p, pid_t tid);
/* Records what the call means (zero, one or more events). */
void hx_call_trace(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, int nr,
		   const uint64_t *args);

/* ---- calls_hot.c, calls_sleep.c ---------------------------------------- */

/* Records a hot call (read, write, futex, semop, queues), or a call of
 * the sleep group, as hx_call_trace does; false when nr is none of
 * these (nothing is recorded then). */
bool hx_call_trace_hot(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, int nr,
		       const uint64_t *args);
/* Hot tracing: a close, close_range, dup2 or dup3 of a pipe end, FIFO
 * or socket as an event of the timeline (HX_GROUP_FD, counted nowhere);
 * before the call runs and the fd cache forgets. */
void hx_call_trace_fd(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, int nr,
		      const uint64_t *args);
bool hx_call_trace_sleep(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, int nr,
			 const uint64_t *args);
/* An open of path (relative to dirfd) by tid, notified before it runs:
 * with the eBPF backend and hot tracing, a FIFO there is remembered by
 * its inode (its records come later, often after the fd is closed). */
void hx_call_note_fifo_open(struct hx_tracer *t, pid_t tid, int dirfd, const char *path);

/* The time a call of the sleep group asks for, read once from its
 * registers and the tracee's memory: the sleep group counts it and
 * time_scale shortens it (timescale.c). */
struct hx_sleep_request {
	bool forever;		/* no timeout (a NULL one, or poll's negative ms) */
	bool valid;		/* a timeout the kernel accepts, read */
	uint64_t us;		/* valid: the time, rounded up to whole us, at most
				 * HX_SLEEP_MAX_US; an absolute clock_nanosleep's is
				 * its deadline on its clock */
	uint64_t addr;		/* where the timeout lies (0: in a register) */
	size_t len;
};
/* Longer requests are treated as this long (about 285,000 years). */
#define HX_SLEEP_MAX_US ((uint64_t)1 << 53)
/* False when nr is not a call of the sleep group. */
bool hx_sleep_request(pid_t tid, int nr, const uint64_t *args, struct hx_sleep_request *q);

/* ---- calls_restart.c -------------------------------------------------- */

/* Whether this notification is the kernel's restart of the thread's
 * previous one; remembers it as the thread's last call either way. */
bool hx_call_restarted(struct hx_thread *th, int nr, uint64_t ip, const uint64_t *args);
/* rt_sigreturn: reads the context the handler returns to, and marks the
 * thread when that context restarts its last call. */
void hx_call_sigreturn(struct hx_thread *th, pid_t tid);

/* ---- trace_events.c --------------------------------------------------- */

/* An event of p (its detail formatted; HX_REF in it is replaced by the
 * box pid of ref when the events are exported). Counted even when the
 * record is full or out of memory. */
void hx_trace_event_add(struct hx_tracer *t, struct hx_tracee *p, const char *call,
			enum hx_group g, pid_t ref, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Counts n calls of a group that came with no event (the eBPF backend's
 * ring was full). */
void hx_trace_count_add(struct hx_tracer *t, const char *call, enum hx_group g, unsigned n);
/* Removes the last event (it was read from a task that went away). */
void hx_trace_event_drop_last(struct hx_tracer *t);

/* ---- jitter.c --------------------------------------------------------- */

/* seed 0 picks a fresh one. */
void hx_jitter_init(struct hx_jitter *j, unsigned max_us, uint64_t seed);
void hx_jitter_release(struct hx_jitter *j);
/* Holds the answer to notification id of tid: a random 0..max_us, or,
 * gated_by a parent's host pid, until hx_jitter_open_gate of that parent
 * (HX_GATE_MAX_US at most). False: answer it now (no delay drawn, or out
 * of memory). */
bool hx_jitter_hold(struct hx_jitter *j, uint64_t id, pid_t tid, pid_t gated_by);
/* Holds a sleep of tid for delay_us, then answers it with *reply; every
 * HX_SLEEP_SIGNAL_CHECK_US meanwhile it asks ops->signalled whether a
 * signal cuts it short. False when out of memory (answer it now). */
bool hx_jitter_hold_sleep(struct hx_jitter *j, uint64_t id, pid_t tid, uint64_t delay_us,
			  const struct hx_reply *reply);
/* Makes the children a parent's gate holds due (now, or staggered by
 * the jitter: one batch in four); returns how many. */
size_t hx_jitter_open_gate(struct hx_jitter *j, pid_t parent_host);
/* Calls ops->answer for every held notification due at now_us (and for
 * sleeps a signal cuts short) and forgets it; ops NULL forgets all of
 * them unanswered. Returns when the next one is due (or the next signal
 * check), or 0 when none is held. */
uint64_t hx_jitter_due(struct hx_jitter *j, uint64_t now_us, const struct hx_held_ops *ops);
bool hx_jitter_holds(const struct hx_jitter *j, pid_t tid);
/* The start gate's decisions. A newborn tid at its first call: returns
 * the host pid of the parent whose gate holds it (0: let it go), and
 * *release when its arrival completes a batch the parent already let go
 * (then hold it, and answer every due one: hx_jitter_open_gate was
 * called). */
pid_t hx_gate_arrive(struct hx_tracer *t, pid_t tid, bool *release);
/* Any traced call of tid while jittering: true when it releases its
 * children (hx_jitter_open_gate was called: answer the due ones). */
bool hx_gate_parent_call(struct hx_tracer *t, pid_t tid, bool forking);
bool hx_jitter_any(const struct hx_jitter *j);

/* ---- timescale.c ------------------------------------------------------ */

/* A sleep notification (class HX_SC_SLEEP) of r: shortened and held
 * (true: it is answered later, or it was stale), or to be answered as any
 * other traced call (false: it runs as asked). */
bool hx_timescale_hold(struct hx_tracer *t, int fd, const struct seccomp_notif *r);

/* ---- exitfds.c -------------------------------------------------------- */

/* Records the fds of the process of r's task, which is about to exit
 * (once per process); dropped when the notification turns out stale. */
void hx_exitfds_record(struct hx_tracer *t, int fd, const struct seccomp_notif *r);
/* Moves the records into res (fds_at_exit). */
void hx_exitfds_export(struct hx_tracer *t, struct hx_result *res);
void hx_exitfds_release(struct hx_tracer *t);

/* ---- ebpf.c: the eBPF counting backend --------------------------------- */

/* Tracks the run's first process (before it executes the program), when
 * the run's policy has HX_POLICY_EBPF. */
void hx_ebpf_run_start(struct hx_tracer *t, pid_t first_pid);
/* The fd to poll for records (-1 when the run has none), and taking in
 * what the ring holds: events, and the counts of processes that ended. */
int hx_ebpf_fd(const struct hx_tracer *t);
void hx_ebpf_drain(struct hx_tracer *t);
/* The run is over: the last records, the counts of what is left, and
 * the run's entries removed from the maps. */
void hx_ebpf_run_end(struct hx_tracer *t);
/* A run the notify tracer counted: what it spent on calls the backend
 * would have owned, towards auto's choice (hx_ebpf_for_run). */
void hx_ebpf_learn(const struct hx_tracer *t);

/* ---- killcheck.c ------------------------------------------------------ */

enum hx_kill_target {
	HX_KILL_OK,		/* a process of the run (or none: the kernel refuses) */
	HX_KILL_GONE,		/* no longer there, or was the run's: answer ESRCH */
	HX_KILL_OUTSIDE,	/* a live process that is not the run's: deny */
};
/* What the target of thread tid's kill-like call nr is (reduced
 * isolation); kill(-1) is always outside. */
enum hx_kill_target hx_killcheck_target(struct hx_tracer *t, pid_t tid, int nr, const uint64_t *args);

#endif
